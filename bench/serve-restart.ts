// Suite "serve-restart": how long `pool2peer serve` (the built CLI, its own process) takes from spawn to its first
// /health answer on a SQLite --db with a long history: an empty database (the floor: Node, imports, WASM, listen),
// a snapshot at the head (after a graceful stop), a snapshot snapshotEvery events behind the head (the worst case
// after a SIGKILL), and no snapshot (every event verified). The history is built in this process through PoolService
// (trades, sells to close and deposits by 64 accounts over 20 series, 100 operations per record, two per second of
// the pool's clock, ending now).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createPricer } from "../bindings/index.js";
import { PoolError } from "../pool/errors.js";
import { loadServeConfig } from "../server/config.js";
import { SqliteServiceLog } from "../server/persistence.js";
import { PoolService } from "../server/service.js";
import { quantile } from "./load.js";
import { cpuMsOf, freePort, spawnServe } from "./serve-process.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "serve-restart";
const EMPTY = "empty database";

function writeConfig(path: string, snapshotEvery: number): void {
  writeFileSync(path, JSON.stringify({
    pool: { collateral: "quote", decimals: 6, params: { maxOracleAgeSeconds: 3 * 86_400 } },
    oracle: { spot: 3000, baseVol: 0.6, feed: { kind: "manual" } },
    risk: { preTrade: false },
    admins: [],
    ledgerKeyFile: "ledger.key",
    snapshotEvery,
  }));
}

/**
 * Fills the database at `dbPath` with about `events` pool events, then closes it without the stop's snapshot (the
 * last periodic one stays `snapshotEvery` or fewer events behind). Returns the pool's seq.
 */
async function buildHistory(configPath: string, dbPath: string, events: number): Promise<number> {
  const { config, ledgerKey } = loadServeConfig(configPath);
  const log = SqliteServiceLog.open(dbPath);
  // Two operations per second, ending now: the IV-impact window (an hour) holds ~7,200 trades, as at a steady 2/s.
  const end = Math.floor(Date.now() / 1000);
  let k = 0;
  const clock = { now: () => end - Math.ceil((events - k) / 2) };
  const service = new PoolService(config, ledgerKey, log, await createPricer(), clock);
  const expiry = Math.floor(Date.now() / 1000 / 3600) * 3600 + 30 * 86_400;
  const series = Array.from({ length: 20 }, (_, i) => ({ type: "put" as const, strike: 2500 + 25 * i, expiry: expiry + 86_400 * (i % 4) }));
  await service.run(() => service.pool.deposit("lp-0", 10n ** 15n));
  while (service.pool.seq < events) {
    await service.run(() => {
      for (let i = 0; i < 100; i++, k++) {
        // Each trader buys twice, then sells half of one back: positions grow across 64 traders and 20 series.
        const trader = `trader-${Math.floor(k / 3) % 64}`;
        const s = series[Math.floor(k / 192) % series.length]!;
        try {
          if (k % 10 === 9) service.pool.deposit(`lp-${k % 8}`, 1_000_000_000n);
          else if (k % 3 === 2) service.pool.trade(trader, { ...s, size: 50n, side: "sell", minProceeds: 0n });
          else service.pool.trade(trader, { ...s, size: 100n, side: "buy", maxCost: 10n ** 12n });
        } catch (e) {
          if (!(e instanceof PoolError)) throw e;
        }
      }
    });
  }
  await log.flush();
  log.db.close();
  return service.pool.seq;
}

/**
 * `runs` restarts of the built CLI on the files (each stopped with SIGKILL: nothing is snapshotted): spawn to first
 * /health answer (wall), and the server's CPU time until then (steadier on a shared machine), both sorted.
 */
async function restarts(paths: { configPath: string; dbPath: string }, runs: number): Promise<{ wall: number[]; cpu: number[] }> {
  const port = await freePort();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = await spawnServe(paths, port);
    wall.push(s.readyMs);
    cpu.push(cpuMsOf(s.child.pid!));
    s.child.kill("SIGKILL");
    await new Promise((r) => s.child.once("exit", r));
  }
  return { wall: wall.sort((a, b) => a - b), cpu: cpu.sort((a, b) => a - b) };
}

function row(name: string, { wall, cpu }: { wall: number[]; cpu: number[] }, note: string): BenchRow {
  const p50 = quantile(wall, 0.5);
  return {
    suite: SUITE, name, opsPerSecond: 1000 / p50, nsPerOp: p50 * 1e6, unit: "restart", baseline: EMPTY,
    note: `spawn to first /health answer over ${wall.length} starts: p50 ${p50.toFixed(0)} ms (min ${wall[0]!.toFixed(0)}, max ${wall.at(-1)!.toFixed(0)}); server CPU until then p50 ${quantile(cpu, 0.5).toFixed(0)} ms; ${note}`,
  };
}

/** Quick: ~20,000 events, 3 starts per row; full: ~110,000 events; the tail behind the last snapshot just short of snapshotEvery (5,000, the default). */
export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const runs = options.quick ? 3 : 5;
  // Just short of a snapshot: the last periodic one is almost snapshotEvery events behind the head.
  const events = options.quick ? 19_850 : 109_850;
  const snapshotEvery = 5_000;
  const dir = mkdtempSync(join(tmpdir(), "p2p-bench-restart-"));
  const paths = { configPath: join(dir, "pool.json"), dbPath: join(dir, "pool.sqlite") };
  writeConfig(paths.configPath, snapshotEvery);
  const rows: BenchRow[] = [];
  try {
    log(`  ${SUITE}: load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
    rows.push(row(EMPTY, await restarts({ ...paths, dbPath: join(dir, "empty.sqlite") }, runs), "Node, the bundled server's imports, the WASM core, listen"));
    log(`  ${SUITE}: building ${events} events`);
    const t0 = performance.now();
    const seq = await buildHistory(paths.configPath, paths.dbPath, events);
    log(`  ${SUITE}: ${seq} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const db = new Database(paths.dbPath);
    const snapshotSeq = () => db.prepare("SELECT max(seq) FROM snapshots WHERE log = 'pool'").pluck().get() as number;
    const behind = seq - snapshotSeq();
    rows.push(row(`snapshot ${behind} events behind`, await restarts(paths, runs), `${seq} pool events; the tail verified at the ledger level`));
    const stopped = await spawnServe(paths, await freePort());
    stopped.child.kill("SIGTERM"); // a graceful stop snapshots at the head
    await new Promise((r) => stopped.child.once("exit", r));
    rows.push(row("snapshot at the head", await restarts(paths, runs), `${seq} pool events; snapshot at seq ${snapshotSeq()} (${db.prepare("SELECT length(state) FROM snapshots WHERE log = 'pool' ORDER BY seq DESC LIMIT 1").pluck().get() as number} bytes of state)`));
    db.prepare("DELETE FROM snapshots").run();
    db.close();
    rows.push(row("no snapshot", await restarts(paths, options.quick ? 1 : 2), `all ${seq} pool events verified at the ledger level`));
    log(`  ${SUITE}: load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
