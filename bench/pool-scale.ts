// Suite "pool-scale" (issue 16): what one pool operation costs as the pool lives — open series 1 → 2,000, holders
// 10 → 10,000, oracle history 100 → 216,000 prints (30 days at 12 s), past events — and the year-scale pool at once
// (2,000 series, 10,000 holders, 30 days of prints). Latencies are per call (performance.now around each), reported
// as p50 and p99; growth = cost at the largest size ÷ cost at the size 10× smaller. Run: pool2peer bench --suite pool-scale.
import { createPricer, type Pricer } from "../bindings/pricer.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock, ManualOracle, OptionPool, POOL_LOG, attachRisk, type PoolConfig, type PoolEvent } from "../pool/index.js";
import { SqliteEventStore } from "../pool/store/index.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "pool-scale";
const T0 = 1_767_225_600;
const DAY = 86_400;
const USDC = 1_000_000n;
const KEY = "the bench's ledger key, thirty-two bytes or more";

/** What a pool of the suite holds. */
export interface ScaleShape {
  series: number;
  holders: number;
  /** Oracle prints of history, 12 s apart, ending at the pool's start time. */
  prints: number;
}

export interface ScalePool {
  pool: OptionPool;
  clock: ManualClock;
  oracle: ManualOracle;
  /** A series the pool has open (for sells) and its buyer. */
  series: { strike: number; expiry: number };
}

/** A USDC put pool with `shape` built through its public operations. */
export function scalePool(pricer: Pricer, shape: ScaleShape, config: Partial<PoolConfig> = {}): ScalePool {
  const start = T0 + shape.prints * 12;
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 }, { keepSeconds: 40 * DAY });
  for (let i = 1; i < shape.prints; i++) oracle.push({ timestamp: T0 + i * 12, spot: 2000 * Math.exp(0.0005 * Math.sin(i / 50)) });
  clock.set(start);
  oracle.push({ timestamp: start, spot: 2000 });
  const pool = new OptionPool({ collateral: "quote", decimals: 6, pricer, oracle, clock, params: { maxUtilization: 0.95 }, ...config });
  pool.deposit("lp", 10n ** 12n * USDC);
  const strikes = 50;
  const trades = Math.max(shape.series, shape.holders);
  for (let i = 0; i < trades; i++) {
    const s = i % shape.series;
    const strike = 1200 + 20 * (s % strikes);
    const expiry = start + (7 + Math.floor(s / strikes)) * DAY;
    pool.trade(`holder${i % shape.holders}`, { type: "put", strike, expiry, size: 10n, side: "buy", maxCost: 10n ** 15n });
  }
  return { pool, clock, oracle, series: { strike: 1200, expiry: start + 7 * DAY } };
}

/** p50 and p99 of `calls` timed calls of `op` (µs). */
export function latency(calls: number, op: (i: number) => void): { p50: number; p99: number } {
  const t = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    op(i);
    t[i] = (performance.now() - t0) * 1000;
  }
  t.sort();
  return { p50: t[Math.floor(calls * 0.5)]!, p99: t[Math.min(calls - 1, Math.floor(calls * 0.99))]! };
}

function row(name: string, l: { p50: number; p99: number }, note: string): BenchRow {
  return { suite: SUITE, name, opsPerSecond: 1e6 / l.p50, nsPerOp: l.p50 * 1000, unit: "op", note: `p99 ${l.p99.toFixed(1)} µs; ${note}` };
}

/** Trades (a buy then its sale, alternating), quotes, deposits and redemptions on `p`, `calls` of each. */
function operations(p: ScalePool, calls: number) {
  const { pool, series } = p;
  const buy = { type: "put" as const, ...series, size: 10n, maxCost: 10n ** 15n };
  const trade = latency(calls, (i) => {
    if (i % 2 === 0) pool.trade("bench", { ...buy, side: "buy" });
    else pool.trade("bench", { ...buy, side: "sell", minProceeds: 0n });
  });
  const quote = latency(calls, () => void pool.quote({ ...buy, side: "buy" }));
  const deposit = latency(calls, () => void pool.deposit("benchlp", 1_000n * USDC));
  // Equal parts of what the deposits minted: the last call redeems the rest (halving would reach 0 shares).
  const redeem = latency(calls, (i) => void pool.redeem("benchlp", pool.sharesOf("benchlp") / BigInt(calls - i)));
  return { trade, quote, deposit, redeem };
}

/** A growth curve of `name`: the operation's p50 at each size, and the growth over the last decade. */
function curve(op: "trade" | "quote" | "deposit" | "redeem", name: string, sizes: number[], results: ReturnType<typeof operations>[]): BenchRow {
  const p50 = results.map((r) => r[op].p50);
  const last = results.at(-1)![op];
  const i10 = sizes.findIndex((s) => s * 10 === sizes.at(-1));
  const growth = i10 >= 0 ? `growth ×${(p50.at(-1)! / p50[i10]!).toFixed(2)} for 10×` : "";
  return row(`${op}, ${name} ${sizes.at(-1)!.toLocaleString("en")}`, last, `${name} ${sizes.map((s, k) => `${s.toLocaleString("en")}: ${p50[k]!.toFixed(1)}`).join(" / ")} µs; ${growth}`);
}

/** p50 and p99 of `calls` risk-checked buys on `p` (µs); each buy is sold back untimed (sells are not checked). */
function checkedBuys(p: ScalePool, calls: number): { p50: number; p99: number } {
  const order = { type: "put" as const, ...p.series, size: 10n };
  const pair = () => {
    const t0 = performance.now();
    p.pool.trade("bench", { ...order, side: "buy", maxCost: 10n ** 15n });
    const t = (performance.now() - t0) * 1000;
    p.pool.trade("bench", { ...order, side: "sell", minProceeds: 0n });
    return t;
  };
  pair(); // the first check at this market prices the whole book (as after every new oracle print or clock second)
  return latency(calls, () => void pair());
}

/**
 * The risk-checked buy (attachRisk: greeks refresh + pre-trade stress grid and 2,000-path ES) as open series grow, with
 * the per-series cache and with the full recompute, at one market (no print, same second): the growth from the
 * smallest to the largest book.
 */
export function riskCurves(pricer: Pricer, sizes: number[], calls: (series: number, cached: boolean) => number, log: (line: string) => void): BenchRow[] {
  return [true, false].map((cached) => {
    const results = sizes.map((n) => {
      log(`  ${SUITE}: risk-checked buy, ${cached ? "cached" : "full recompute"}, series ${n}`);
      const p = scalePool(pricer, { series: n, holders: 10, prints: 300 });
      attachRisk(p.pool, { pricer, preTrade: { cacheScenarios: cached } });
      return checkedBuys(p, calls(n, cached));
    });
    const first = results[0]!.p50;
    const last = results.at(-1)!;
    const curve = sizes.map((n, k) => `${n.toLocaleString("en")}: ${results[k]!.p50.toFixed(1)}`).join(" / ");
    const growth = `growth ×${(last.p50 / first).toFixed(2)} from ${sizes[0]} to ${sizes.at(-1)!.toLocaleString("en")} series`;
    return row(`risk-checked buy, ${cached ? "cached scenarios" : "full recompute"}, series ${sizes.at(-1)!.toLocaleString("en")}`, last, `series ${curve} µs; ${growth}`);
  });
}

export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const pricer = await createPricer();
  const calls = options.quick ? 200 : 2000;
  const rows: BenchRow[] = [];
  const sweep = (name: string, sizes: number[], shapeOf: (n: number) => ScaleShape) => {
    const results = sizes.map((n) => {
      log(`  ${SUITE}: ${name} ${n}`);
      return operations(scalePool(pricer, shapeOf(n)), calls);
    });
    for (const op of ["trade", "quote", "deposit"] as const) rows.push(curve(op, name, sizes, results));
  };
  const riskSizes = options.quick ? [10, 200] : [10, 200, 2000];
  rows.push(...riskCurves(pricer, riskSizes, (n, cached) => (cached ? (options.quick ? 40 : 200) : n >= 1000 ? 8 : 40), log));
  const big = options.quick ? [2, 20, 200] : [2, 20, 200, 2000];
  sweep("series", big, (n) => ({ series: n, holders: 10, prints: 300 }));
  sweep("holders", options.quick ? [10, 100, 1000] : [10, 100, 1000, 10_000], (n) => ({ series: 20, holders: n, prints: 300 }));
  sweep("prints", options.quick ? [100, 1000, 10_000] : [100, 1000, 10_000, 100_000, 216_000], (n) => ({ series: 20, holders: 10, prints: n }));
  // The year-scale pool: 2,000 series, 10,000 holders, 30 days of 12-second prints, with and without risk hooks.
  const shape = options.quick ? { series: 200, holders: 1000, prints: 21_600 } : { series: 2000, holders: 10_000, prints: 216_000 };
  log(`  ${SUITE}: year-scale pool ${JSON.stringify(shape)}`);
  const year = scalePool(pricer, shape);
  const ops = operations(year, calls);
  const label = `${shape.series} series, ${shape.holders} holders, ${shape.prints} prints`;
  for (const op of ["trade", "quote", "deposit", "redeem"] as const) rows.push(row(`${op}, year-scale pool`, ops[op], label));
  attachRisk(year.pool, { pricer });
  const buy = { type: "put" as const, ...year.series, size: 10n, maxCost: 10n ** 15n };
  const risky = latency(options.quick ? 20 : 200, (i) => {
    if (i % 2 === 0) year.pool.trade("bench", { ...buy, side: "buy" });
    else year.pool.trade("bench", { ...buy, side: "sell", minProceeds: 0n });
  });
  rows.push(row("trade with attachRisk + pre-trade check, year-scale pool", risky, label));
  rows.push(...settleRows(pricer, options));
  rows.push(...storeRows(pricer, options, calls));
  return rows;
}

/** The collector, when node runs with --expose-gc (heap figures are then live memory, not garbage). */
const gc = (globalThis as { gc?: () => void }).gc;

/** A pool of `shape` on a SQLite store (group commit) in `dir`, saving a snapshot every `snapshotEvery` events. */
function storedPool(pricer: Pricer, shape: ScaleShape, path: string, snapshotEvery: number): ScalePool & { store: SqliteEventStore<PoolEvent> } {
  const store = new SqliteEventStore<PoolEvent>(path, { ...POOL_LOG, commit: "group" });
  return { ...scalePool(pricer, shape, { store, snapshotEvery, ledgerKey: KEY }), store };
}

/**
 * The pool over its history on SQLite: trade cost and heap after 1e3 → 1e5 (quick: 1e4) past events (the pool keeps
 * state only, the store the events), and a restart (OptionPool.open) of the year-scale pool from its snapshot.
 */
function storeRows(pricer: Pricer, options: SuiteOptions, calls: number): BenchRow[] {
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), "pool2peer-bench-scale-"));
  const rows: BenchRow[] = [];
  try {
    const sizes = options.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
    const results = sizes.map((events, k) => {
      log(`  ${SUITE}: ${events} past events on SQLite`);
      const p = storedPool(pricer, { series: 20, holders: 10, prints: 300 }, join(dir, `events-${k}.db`), 10_000);
      const buy = { type: "put" as const, ...p.series, size: 10n, maxCost: 10n ** 15n };
      // Ten trades per 10-second print: time passes, so what is kept for a time window (flows, prints) stays bounded.
      let t = p.clock.now();
      const flip = (i: number) => {
        if (i % 10 === 0) p.oracle.push({ timestamp: (t += 10), spot: 2000 }), p.clock.set(t);
        if (i % 2 === 0) p.pool.trade("bench", { ...buy, side: "buy" });
        else p.pool.trade("bench", { ...buy, side: "sell", minProceeds: 0n });
      };
      for (let i = 0; p.pool.seq < events; i++) flip(i);
      p.pool.flush();
      gc?.();
      const heap = process.memoryUsage().heapUsed;
      const trade = latency(calls, flip);
      p.pool.flush();
      p.store.close();
      return { trade, heap };
    });
    const p50 = results.map((r) => r.trade.p50);
    const growth = `growth ×${(p50.at(-1)! / p50.at(-2)!).toFixed(2)} for 10×`;
    const heaps = results.map((r) => `${(r.heap / 2 ** 20).toFixed(0)} MiB`).join(" / ");
    rows.push(row(`trade on SQLite (group commit), ${sizes.at(-1)!.toLocaleString("en")} past events`, results.at(-1)!.trade,
      `events ${sizes.map((s, k) => `${s.toLocaleString("en")}: ${p50[k]!.toFixed(1)}`).join(" / ")} µs; ${growth}; heap${gc ? "" : " (with garbage: run node --expose-gc)"} ${heaps}`));

    const shape = options.quick ? { series: 200, holders: 1000, prints: 21_600 } : { series: 2000, holders: 10_000, prints: 216_000 };
    log(`  ${SUITE}: restart of a year-scale pool from its snapshot`);
    const path = join(dir, "year.db");
    const year = storedPool(pricer, shape, path, 1_000_000);
    year.pool.saveSnapshot();
    const tail = latency(100, (i) => void year.pool.deposit(`late${i}`, 1_000n * USDC)); // 100 events after the snapshot
    year.pool.flush();
    const { config, seq } = { config: { collateral: "quote" as const, decimals: 6, pricer, oracle: year.oracle, clock: year.clock, params: { maxUtilization: 0.95 }, ledgerKey: KEY }, seq: year.pool.seq };
    year.store.close();
    const restart = latency(3, () => {
      const store = new SqliteEventStore<PoolEvent>(path, POOL_LOG);
      const pool = OptionPool.open({ ...config, store });
      if (pool.seq !== seq) throw new Error(`restart: seq ${pool.seq}, expected ${seq}`);
      store.close();
    });
    rows.push(row("restart (OptionPool.open from snapshot + 100-event tail), year-scale pool", restart,
      `${shape.series} series, ${shape.holders} holders, ${seq.toLocaleString("en")} events; deposits in the tail p50 ${tail.p50.toFixed(1)} µs`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** settle() of one expiry held by 1,000 and by 10,000 holders (3 pools each), then claims: their cost must not grow with holders. */
export function settleRows(pricer: Pricer, options: SuiteOptions): BenchRow[] {
  const log = options.log ?? (() => {});
  const sizes = options.quick ? [100, 1_000] : [1_000, 10_000];
  const results = sizes.map((holders) => {
    log(`  ${SUITE}: settle with ${holders} holders`);
    const settle: number[] = [];
    let claim = { p50: 0, p99: 0 };
    for (let rep = 0; rep < 3; rep++) {
      const p = scalePool(pricer, { series: 20, holders, prints: 300 });
      const expiry = p.series.expiry;
      p.clock.set(expiry);
      p.oracle.push({ timestamp: expiry, spot: 1000 }); // every put (strikes 1,200 up) in the money: every holder gets a payout
      const t0 = performance.now();
      p.pool.settle(expiry);
      settle.push((performance.now() - t0) * 1000);
      claim = latency(Math.min(holders, 1000), (i) => void p.pool.claim(`holder${i}`));
    }
    settle.sort((a, b) => a - b);
    return { settle: { p50: settle[1]!, p99: settle[2]! }, claim };
  });
  const [small, large] = results as [(typeof results)[0], (typeof results)[0]];
  const n = (k: number) => sizes[k]!.toLocaleString("en");
  return [
    row(`settle one expiry, ${n(1)} holders`, large.settle, `median of 3 pools; ${n(0)}: ${small.settle.p50.toFixed(0)} / ${n(1)}: ${large.settle.p50.toFixed(0)} µs; growth ×${(large.settle.p50 / small.settle.p50).toFixed(2)} for 10×`),
    row(`claim after settle, ${n(1)} holders`, large.claim, `${n(0)}: ${small.claim.p50.toFixed(1)} / ${n(1)}: ${large.claim.p50.toFixed(1)} µs; growth ×${(large.claim.p50 / small.claim.p50).toFixed(2)} for 10×`),
  ];
}
