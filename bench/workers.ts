// Suite "workers": throughput of createPricingPool() by worker count against the single-thread pricer in the
// same run (1M Black-Scholes options with greeks; a 1M-path Monte Carlo), and micro-batched single-option calls
// against awaiting one call at a time. Calls are async, so timing is done here (median wall time of whole calls)
// rather than through tinybench's synchronous runner.
import { availableParallelism } from "node:os";
import { createPricer } from "../bindings/pricer.js";
import { monteCarlo, type MonteCarloSpec } from "../bindings/montecarlo.js";
import type { OptionBatch } from "../bindings/types.js";
import { createPricingPool, type PricingPool } from "../workers/pool.js";
import { randomOptions } from "./inputs.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "workers";

/** Median wall time in ms of `samples` awaited runs after `warmup` unmeasured ones. */
async function medianMs(run: () => Promise<unknown> | unknown, samples: number, warmup = 1): Promise<number> {
  for (let k = 0; k < warmup; k++) await run();
  const times: number[] = [];
  for (let k = 0; k < samples; k++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function row(name: string, units: number, ms: number, unit: string, baseline: string, note: string): BenchRow {
  const nsPerOp = (ms * 1e6) / units;
  return { suite: SUITE, name, opsPerSecond: 1e9 / nsPerOp, nsPerOp, unit, baseline, note };
}

let sink = 0;

/** Runs the suite. Full: 1M options, 1M paths, 20k single calls; quick: 100k, 100k, 2k. */
export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const quick = options.quick;
  const samples = quick ? 3 : 7;
  const maxWorkers = Math.max(2, availableParallelism());
  const rows: BenchRow[] = [];
  const pricer = await createPricer();
  const pools = new Map<number, PricingPool>();
  const poolOf = async (workers: number): Promise<PricingPool> => {
    let p = pools.get(workers);
    if (!p) pools.set(workers, (p = await createPricingPool({ workers, module: pricer.core.module })));
    return p;
  };

  try {
    // Black-Scholes: one big batch (validation, chunking, SharedArrayBuffer moves included in the pool's time).
    const n = quick ? 100_000 : 1_000_000;
    const { batch } = randomOptions(n);
    const bsBase = "bs 1 thread";
    log(`  ${SUITE}: ${bsBase} (${n} options)`);
    rows.push(row(bsBase, n, await medianMs(() => (sink += pricer.blackScholes(batch).price[0]!), samples), "option", bsBase, `createPricer().blackScholes, ${n} options, price + 5 greeks, ${pricer.simd ? "SIMD" : "scalar"}`));
    for (let workers = 1; workers <= maxWorkers; workers++) {
      const p = await poolOf(workers);
      log(`  ${SUITE}: bs pool ${workers} worker(s)`);
      const ms = await medianMs(async () => (sink += (await p.blackScholes(batch)).price[0]!), samples);
      rows.push(row(`bs pool ${workers}w`, n, ms, "option", bsBase, `createPricingPool({ workers: ${workers} }).blackScholes, same batch`));
    }

    // Monte Carlo: arithmetic Asian call, 16 dates, price + standard error (path blocks spread over workers).
    const paths = quick ? 100_000 : 1_000_000;
    const spec: MonteCarloSpec = { payoff: "asian-arithmetic", type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.03, steps: 16, paths, seed: 5 };
    const mcBase = "mc 1 thread";
    log(`  ${SUITE}: ${mcBase} (${paths} paths)`);
    rows.push(row(mcBase, paths, await medianMs(() => (sink += monteCarlo(pricer.core, spec).price), samples), "path", mcBase, `single-thread Monte Carlo, Asian call, 16 dates, ${paths} paths`));
    for (let workers = 1; workers <= maxWorkers; workers++) {
      const p = await poolOf(workers);
      log(`  ${SUITE}: mc pool ${workers} worker(s)`);
      const ms = await medianMs(async () => (sink += (await p.monteCarlo(spec)).price), samples);
      rows.push(row(`mc pool ${workers}w`, paths, ms, "path", mcBase, `createPricingPool({ workers: ${workers} }).monteCarlo, same spec`));
    }

    // Single-option calls on a 2-worker pool: awaited one at a time vs fired together (micro-batched).
    const calls = quick ? 2_000 : 20_000;
    const singles: OptionBatch[] = Array.from({ length: calls }, (_, i) => ({
      type: batch.type[i] === 1 ? "call" : "put",
      spot: (batch.spot as Float64Array)[i]!,
      strike: (batch.strike as Float64Array)[i]!,
      expiry: (batch.expiry as Float64Array)[i]!,
      vol: (batch.vol as Float64Array)[i]!,
      rate: (batch.rate as Float64Array)[i]!,
      dividend: (batch.dividend as Float64Array)[i]!,
    }));
    const p2 = await poolOf(2);
    const oneBase = "single calls awaited one by one";
    const sequentialCalls = Math.min(calls, quick ? 500 : 2_000);
    log(`  ${SUITE}: ${oneBase} (${sequentialCalls} calls)`);
    const oneMs = await medianMs(async () => {
      for (let i = 0; i < sequentialCalls; i++) sink += (await p2.blackScholes(singles[i]!)).price[0]!;
    }, quick ? 1 : 3);
    rows.push(row(oneBase, sequentialCalls, oneMs, "call", oneBase, "2 workers: await pool.blackScholes(oneOption) in a loop (a round trip each)"));
    log(`  ${SUITE}: single calls micro-batched (${calls} calls)`);
    const batchedMs = await medianMs(async () => {
      const results = await Promise.all(singles.map((s) => p2.blackScholes(s)));
      sink += results[0]!.price[0]!;
    }, samples);
    rows.push(row("single calls micro-batched", calls, batchedMs, "call", oneBase, `2 workers: ${calls} concurrent pool.blackScholes(oneOption), coalesced per macrotask`));
  } finally {
    await Promise.all([...pools.values()].map((p) => p.close()));
  }
  if (sink === 0.123456789) log("");
  return rows;
}
