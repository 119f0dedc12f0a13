// Suite "pool-scale-5m" (issue 16): the pool over a long history on SQLite. One pool lives 5,000,000 events (quick:
// 200,000) in a temporary directory — trades on weekly series that expire and settle as time passes, a print every
// ten trades 10 s apart, a deposit every 1,000 events — and at 1e3, 1e4, 1e5, 1e6 and 5e6 past events the suite
// times trades and reads the live heap (node --expose-gc) and the process RSS. Then the full verifying replay of the
// whole log (OptionPool.open with { snapshot: "ignore" }: every event decoded, chained, MAC'ed, re-derived — each
// trade repriced — and applied, streamed from the store a page at a time) and the restart from the latest snapshot.
// A snapshot every 1/20 of the run. The full run took 17 minutes on a 2-core VM under load (10 to build the log, 7 to
// replay it) and ~3 GB of disk (removed at the end); --quick (200,000 events) about 2 minutes.
// Run: node --expose-gc dist/cli/pool2peer.js bench --suite pool-scale-5m.
import { createPricer, type Pricer } from "../bindings/pricer.js";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock, ManualOracle, OptionPool, POOL_LOG, type PoolConfig, type PoolEvent } from "../pool/index.js";
import { SqliteEventStore } from "../pool/store/index.js";
import { latency } from "./pool-scale.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "pool-scale-5m";
const T0 = 1_767_225_600;
const DAY = 86_400;
const WEEK = 7 * DAY;
const USDC = 1_000_000n;
const KEY = "the bench's ledger key, thirty-two bytes or more";

/** The collector, when node runs with --expose-gc (heap figures are then live memory, not garbage). */
const gc = (globalThis as { gc?: () => void }).gc;

/** One point of the curve: trade latency, live heap and RSS after `events` past events. */
interface Point {
  events: number;
  trade: { p50: number; p99: number };
  heap: number;
  rss: number;
}

/** A pool on a SQLite store in group commit at `path` and the driver that makes its history. */
function livingPool(pricer: Pricer, path: string, snapshotEvery: number) {
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 }, { keepSeconds: 10 * DAY });
  const store = new SqliteEventStore<PoolEvent>(path, { ...POOL_LOG, commit: "group" });
  const config: PoolConfig = { collateral: "quote", decimals: 6, pricer, oracle, clock, params: { maxUtilization: 0.95 }, ledgerKey: KEY };
  const pool = new OptionPool({ ...config, store, snapshotEvery });
  pool.deposit("lp", 10n ** 12n * USDC);
  let t = T0;
  let step = 0;
  /** One event-making step: a buy or the sale of it (series 7-14 days out, strikes 1,600-2,400), a print every 10. */
  const next = () => {
    const i = step++;
    if (i % 10 === 0) {
      t += 10;
      clock.set(t);
      oracle.push({ timestamp: t, spot: 2000 * Math.exp(0.05 * Math.sin(i / 5e4) + 0.002 * Math.sin(i / 37)) });
    }
    if (i % 1000 === 999) return void pool.deposit(`lp${i % 7}`, 1_000n * USDC);
    const k = Math.floor(i / 2);
    const expiry = T0 + (Math.floor((t - T0) / WEEK) + 2) * WEEK;
    const request = { type: "put" as const, strike: 1600 + 100 * (k % 9), expiry, size: 10n };
    const trader = `trader${k % 50}`;
    if (i % 2 === 0) pool.trade(trader, { ...request, side: "buy", maxCost: 10n ** 15n });
    else pool.trade(trader, { ...request, side: "sell", minProceeds: 0n });
    // A sale pairs with the buy before it: its series is the buy's (the week does not turn between them).
  };
  return { pool, store, clock, oracle, config, next };
}

/** Trade latency and memory now (2,000 timed steps, which join the history). */
function measure(run: ReturnType<typeof livingPool>, calls: number): Point {
  run.pool.flush();
  gc?.();
  const heap = process.memoryUsage().heapUsed;
  const rss = process.memoryUsage().rss;
  const events = run.pool.seq;
  const trade = latency(calls, () => run.next());
  return { events, trade, heap, rss };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const n = (x: number) => x.toLocaleString("en");

function row(name: string, nsPerOp: number, unit: string, note: string): BenchRow {
  return { suite: SUITE, name, opsPerSecond: 1e9 / nsPerOp, nsPerOp, unit, note };
}

export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const pricer = await createPricer();
  const total = options.quick ? 200_000 : 5_000_000;
  const marks = options.quick ? [1_000, 10_000, 100_000, 200_000] : [1_000, 10_000, 100_000, 1_000_000, 5_000_000];
  const calls = options.quick ? 500 : 2000;
  const dir = mkdtempSync(join(tmpdir(), "pool2peer-bench-5m-"));
  const path = join(dir, "pool.db");
  const rows: BenchRow[] = [];
  try {
    const run = livingPool(pricer, path, total / 20);
    const points: Point[] = [];
    const built0 = performance.now();
    for (const mark of marks) {
      while (run.pool.seq < mark) {
        run.next();
        if (run.pool.seq % 1000 === 0) run.pool.flush();
      }
      points.push(measure(run, calls));
      const p = points.at(-1)!;
      log(`  ${SUITE}: ${n(p.events)} events after ${((performance.now() - built0) / 1000).toFixed(0)} s: trade p50 ${p.trade.p50.toFixed(1)} µs, heap ${mib(p.heap)}, rss ${mib(p.rss)}`);
    }
    const buildSeconds = (performance.now() - built0) / 1000;
    run.pool.flush();
    const seq = run.pool.seq;
    run.store.close();
    const size = statSync(path).size;
    rows.push(...curveRows(points, buildSeconds, size));

    log(`  ${SUITE}: full verifying replay of ${n(seq)} events`);
    gc?.();
    const replay = timedOpen(run, path, "ignore", seq);
    rows.push(row(`full verifying replay, ${n(seq)} events (SQLite, streamed)`, (replay.ms * 1e6) / seq, "event",
      `${(replay.ms / 1000).toFixed(1)} s (${n(Math.round(seq / (replay.ms / 1000)))} events/s, ${replay.cpuPerEvent.toFixed(1)} CPU µs/event${replay.mainPerEvent === undefined ? "" : `, ${replay.mainPerEvent.toFixed(1)} on the main thread`}); every event decoded, chained, MAC'ed (on a reader thread), re-derived (trades repriced) and applied; process RSS after ${mib(replay.rss)}, peak RSS of the whole run ${mib(replay.maxRss)}`));
    log(`  ${SUITE}: replay ${(replay.ms / 1000).toFixed(1)} s`);
    const restart = timedOpen(run, path, "verified", seq);
    rows.push(row(`restart from snapshot + tail, ${n(seq)} events`, restart.ms * 1e6, "open", `OptionPool.open: the latest snapshot (MAC verified), then the verified tail; ${restart.ms.toFixed(0)} ms`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/**
 * CPU µs of the main thread alone (Linux: /proc; undefined elsewhere): a long replay also reads and chain-checks on
 * a reader thread, whose CPU process.cpuUsage adds in. The main thread is the replay's critical path.
 */
function mainThreadCpu(): number | undefined {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * (1e6 / 100); // utime + stime, in clock ticks of 1/100 s
  } catch {
    return undefined;
  }
}

/** OptionPool.open of the store at `path` with `snapshot`, timed (wall and CPU), with the RSS after it. */
function timedOpen(run: ReturnType<typeof livingPool>, path: string, snapshot: "ignore" | "verified", seq: number) {
  const store = new SqliteEventStore<PoolEvent>(path, POOL_LOG);
  try {
    const main0 = mainThreadCpu();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const pool = OptionPool.open({ ...run.config, store }, { snapshot });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const main = mainThreadCpu();
    if (pool.seq !== seq) throw new Error(`open: seq ${pool.seq}, expected ${seq}`);
    const rss = process.memoryUsage().rss;
    const mainPerEvent = main === undefined || main0 === undefined ? undefined : (main - main0) / seq;
    return { ms, cpuPerEvent: (cpu.user + cpu.system) / seq, mainPerEvent, rss, maxRss: process.resourceUsage().maxRSS * 1024 };
  } finally {
    store.close();
  }
}

/** The curve rows: trade p50 at each size with growth per decade, and heap and RSS at each size. */
function curveRows(points: Point[], buildSeconds: number, dbBytes: number): BenchRow[] {
  const last = points.at(-1)!;
  const p50s = points.map((p) => `${n(p.events)}: ${p.trade.p50.toFixed(1)}`).join(" / ");
  const growth = points.slice(1).map((p, k) => `×${(p.trade.p50 / points[k]!.trade.p50).toFixed(2)}`).join(", ");
  const heaps = points.map((p) => mib(p.heap)).join(" / ");
  const rss = points.map((p) => mib(p.rss)).join(" / ");
  const perEvent = (last.heap - points[1]!.heap) / (last.events - points[1]!.events);
  return [
    row(`trade on SQLite (group commit), ${n(last.events)} past events`, last.trade.p50 * 1000, "op",
      `p99 ${last.trade.p99.toFixed(1)} µs; p50 at events ${p50s} µs; growth per step ${growth}; built in ${buildSeconds.toFixed(0)} s, database ${mib(dbBytes)}`),
    row(`live heap growth per event, ${n(points[1]!.events)} → ${n(last.events)} past events`, perEvent, "byte/event (ns/op column = bytes)",
      `heap${gc ? "" : " (with garbage: run node --expose-gc)"} ${heaps}; ${perEvent.toFixed(2)} bytes per event from ${n(points[1]!.events)} to ${n(last.events)}; RSS ${rss}`),
  ];
}
