// Suite "serve": `pool2peer serve` (the built CLI, its own process) loaded over loopback from this process. Rows: the
// HTTP floor (GET /health, baseline), quotes and signed trades in a closed loop (the most answered) and in an open
// loop at the target rates (5,000 quotes/s, 1,000 trades/s; latency from each request's scheduled time), the
// time from an oracle print to 1,000 WebSocket subscribers' quote updates, and the restart after a SIGKILL under load
// (spawn to first /health answer). Both processes share the machine's cores: the client's work counts against the server.
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { addressOfSecret } from "../server/auth/eip191.js";
import { NONCE_HEADER, SESSION_HEADER, SIGNATURE_HEADER, requestPayload } from "../server/auth/signing.js";
import { ServeClient, keySigner } from "../server/client.js";
import { closedLoop, openLoop, quantile, type LoadResult, type RequestMaker } from "./load.js";
import { cpuMsOf, freePort, spawnServe, type ServeProcess } from "./serve-process.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "serve";
const BASE = "GET /health";
const key = (i: number) => (i + 1).toString(16).padStart(2, "0").repeat(32);

/** `cpuMs`: the server process's CPU time during the row; per answered request it is the steadier figure on a shared machine. */
function httpRow(name: string, r: LoadResult, note: string, cpuMs: number): BenchRow {
  const failed = Object.entries(r.failed).map(([s, n]) => `${n}×${s}`).join(" ") || "none";
  const cpuUs = (cpuMs * 1000) / r.ok;
  return {
    suite: SUITE, name, opsPerSecond: r.okPerSecond, nsPerOp: 1e9 / r.okPerSecond, unit: "request", baseline: BASE,
    note: `${note}; p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(1)} ms; failed ${failed}; server CPU ${cpuUs.toFixed(0)} µs per answer (${(1e6 / cpuUs).toFixed(0)}/s per core)`,
  };
}

/** Signs each request with the session's key and the next nonce (node:crypto HMAC: the client's cost stays small). */
function signer(client: ServeClient) {
  const s = client.session!;
  const secret = Buffer.from(s.secret, "hex");
  let nonce = 0;
  return (method: string, path: string, body: string) => {
    const n = ++nonce;
    return { [SESSION_HEADER]: s.session, [NONCE_HEADER]: String(n), [SIGNATURE_HEADER]: createHmac("sha256", secret).update(requestPayload(method, path, n, body)).digest("hex") };
  };
}

/** Milliseconds from sending each print to every subscriber's quote at the new spot; `subscribers` connections. */
async function fanOut(url: string, admin: ServeClient, series: object, subscribers: number, prints: number): Promise<number[]> {
  const sockets: WebSocket[] = [];
  const waiting = new Map<WebSocket, (spot: number) => void>();
  for (let i = 0; i < subscribers; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, subscribers - i) }, () => new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url.replace("http", "ws") + "/v1/stream");
      ws.on("message", (data) => {
        const m = JSON.parse(data.toString()) as { channel?: string; spot?: number };
        if (m.channel === "quotes") waiting.get(ws)?.(m.spot!);
      });
      ws.once("open", () => {
        sockets.push(ws);
        ws.send(JSON.stringify({ op: "subscribe", channel: "quotes", series }));
        resolve();
      }).once("error", reject);
    })));
  }
  await new Promise((r) => setTimeout(r, 500)); // the first quotes of the subscriptions arrive
  const latencies: number[] = [];
  for (let k = 0; k < prints; k++) {
    const spot = 3000 + (k % 2 === 0 ? 1 : -1) * (1 + k * 0.01);
    const received = Promise.all(sockets.map((ws) => new Promise<number>((resolve) => waiting.set(ws, (s) => { if (s === spot) resolve(performance.now()); }))));
    const t0 = performance.now();
    await admin.signed("POST", "/v1/admin/oracle", { spot });
    for (const t of await received) latencies.push(t - t0);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const ws of sockets) ws.terminate();
  return latencies.sort((a, b) => a - b);
}

/** The server's sessions and the request makers of the load rows. */
async function workload(url: string) {
  const open = async (i: number) => {
    const c = new ServeClient(url);
    await c.open(keySigner(key(i)));
    return c;
  };
  const admin = await open(0);
  const lp = await open(1);
  await lp.signed("POST", "/v1/lp/deposit", { assets: (10n ** 9n * 10n ** 6n).toString() });
  const signers = (await Promise.all(Array.from({ length: 8 }, (_, i) => open(2 + i)))).map(signer);
  const expiry = Math.floor(Date.now() / 1000 / 3600) * 3600 + 14 * 86_400;
  const strikes = [2600, 2700, 2800, 2900, 3000];
  let n = 0;
  const health: RequestMaker = () => ({ method: "GET", path: "/health" });
  const quote: RequestMaker = () => ({ method: "GET", path: `/v1/quote?type=put&strike=${strikes[n++ % strikes.length]}&expiry=${expiry}&size=100&side=buy` });
  const trade: RequestMaker = () => {
    const k = n++;
    const body = JSON.stringify({ type: "put", strike: strikes[k % strikes.length], expiry, size: "100", side: "buy", maxCost: "100000000000" });
    return { method: "POST", path: "/v1/trade", headers: signers[k % signers.length]!("POST", "/v1/trade", body), body };
  };
  return { admin, expiry, health, quote, trade };
}

/** The pool.json of the suite (written to `path`). */
function writeConfig(path: string): void {
  // Default pool parameters, but an oracle that stays fresh for the whole run (prints come only in the fan-out row).
  writeFileSync(path, JSON.stringify({
    pool: { collateral: "quote", decimals: 6, params: { maxOracleAgeSeconds: 86_400 } },
    oracle: { spot: 3000, baseVol: 0.6, feed: { kind: "manual" } },
    risk: { preTrade: false },
    admins: [addressOfSecret(key(0))],
    ledgerKeyFile: "ledger.key",
    rateLimit: { max: 1_000_000_000, windowMs: 60_000 },
  }));
}

/** Kills the server under a trade load, restarts it on the same files; the row of the restart time. */
async function restartRow(server: ServeProcess, paths: { configPath: string; dbPath: string }, port: number, trade: RequestMaker): Promise<{ row: BenchRow; server: ServeProcess }> {
  const load = closedLoop(server.url, trade, 16, 10);
  await new Promise((r) => setTimeout(r, 500));
  server.child.kill("SIGKILL");
  await load;
  const restarted = await spawnServe(paths, port);
  const seq = ((await (await fetch(`${restarted.url}/health`)).json()) as { seq: number }).seq;
  const ms = restarted.readyMs;
  return {
    server: restarted,
    row: { suite: SUITE, name: "restart after SIGKILL", opsPerSecond: 1000 / ms, nsPerOp: ms * 1e6, unit: "restart", baseline: "restart after SIGKILL", note: `spawn to first /health answer: ${ms.toFixed(0)} ms, replaying ${seq} pool events` },
  };
}

/** Runs the suite: quick 1.5 s per load row, 200 subscribers and 3 prints; full 5 s, 1,000 subscribers, 10 prints. */
export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const seconds = options.quick ? 1.5 : 5;
  const dir = mkdtempSync(join(tmpdir(), "p2p-bench-serve-"));
  const paths = { configPath: join(dir, "pool.json"), dbPath: join(dir, "pool.sqlite") };
  writeConfig(paths.configPath);
  const port = await freePort();
  let server = await spawnServe(paths, port);
  const rows: BenchRow[] = [];
  try {
    log(`  ${SUITE}: server on ${server.url}; load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
    const { admin, expiry, health, quote, trade } = await workload(server.url);
    const url = server.url;
    const run = async (name: string, load: () => Promise<LoadResult>, note: string) => {
      log(`  ${SUITE}: ${name}`);
      const cpu0 = cpuMsOf(server.child.pid!);
      const result = await load();
      rows.push(httpRow(name, result, note, cpuMsOf(server.child.pid!) - cpu0));
    };
    await run(BASE, () => closedLoop(url, health, 32, seconds), "closed loop, 32 connections");
    await run("GET /v1/quote, closed loop", () => closedLoop(url, quote, 32, seconds), "32 connections");
    await run("GET /v1/quote @ 5,000/s", () => openLoop(url, quote, 5000, seconds), "open loop at the target rate");
    await run("POST /v1/trade, closed loop", () => closedLoop(url, trade, 32, seconds), "signed, durable (group commit: one SQLite transaction per turn of the event loop, then an fdatasync off the loop); 32 connections");
    await run("POST /v1/trade @ 1,000/s", () => openLoop(url, trade, 1000, seconds), "open loop at the target rate");

    const subscribers = options.quick ? 200 : 1000;
    log(`  ${SUITE}: ${subscribers} WebSocket subscribers, oracle prints`);
    const fan = await fanOut(url, admin, { type: "put", strike: 2800, expiry }, subscribers, options.quick ? 3 : 10);
    const p99 = quantile(fan, 0.99);
    const name = `print → ${subscribers} subscribers' quotes`;
    rows.push({
      suite: SUITE, name, opsPerSecond: 1000 / p99, nsPerOp: p99 * 1e6, unit: "print (p99)", baseline: name,
      note: `${fan.length} receipts: p50 ${quantile(fan, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${fan.at(-1)!.toFixed(1)} ms (from the admin print's send)`,
    });

    log(`  ${SUITE}: SIGKILL under load, restart`);
    const restart = await restartRow(server, paths, port, trade);
    server = restart.server;
    rows.push(restart.row);
    log(`  ${SUITE}: load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  } finally {
    server.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
