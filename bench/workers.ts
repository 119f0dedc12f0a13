// Suite "workers": throughput of createPricingPool() by worker count against the single-thread pricer in the
// same run (1M Black-Scholes options with greeks; a 1M-path Monte Carlo), and micro-batched single-option calls
// against awaiting one call at a time. Calls are async, so timing is done here (median wall time of whole calls)
// rather than through tinybench's synchronous runner: variants interleaved, fastest call of each kept.
import { availableParallelism } from "node:os";
import { createPricer } from "../bindings/pricer.js";
import { monteCarlo, type MonteCarloSpec } from "../bindings/montecarlo.js";
import type { OptionBatch } from "../bindings/types.js";
import type { WasmOptionBatch } from "../bindings/wasm-batch.js";
import { createPricingPool, type PricingPool } from "../workers/pool.js";
import { randomOptions } from "./inputs.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "workers";
const BS_COLUMNS = ["spot", "strike", "expiry", "vol", "rate", "dividend"] as const;

interface Variant {
  name: string;
  units: number;
  unit: string;
  baseline: string;
  note: string;
  run: () => Promise<unknown> | unknown;
}

/**
 * Times variants round-robin (one call of each per round, after a warm-up call each) and keeps each variant's
 * fastest call: on a machine shared with other work a burst of load hits whichever call is running, and
 * interleaving lets the variants that are compared see the same conditions.
 */
async function fastestInterleaved(variants: readonly Variant[], rounds: number, log: (line: string) => void): Promise<BenchRow[]> {
  for (const v of variants) await v.run();
  const best = variants.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    log(`  ${SUITE}: round ${r + 1}/${rounds} of ${variants.map((v) => v.name).join(", ")}`);
    for (const [k, v] of variants.entries()) {
      const t0 = performance.now();
      await v.run();
      best[k] = Math.min(best[k]!, performance.now() - t0);
    }
  }
  return variants.map((v, k) => row(v.name, v.units, best[k]!, v.unit, v.baseline, v.note));
}

function row(name: string, units: number, ms: number, unit: string, baseline: string, note: string): BenchRow {
  const nsPerOp = (ms * 1e6) / units;
  return { suite: SUITE, name, opsPerSecond: 1e9 / nsPerOp, nsPerOp, unit, baseline, note };
}

let sink = 0;

/** What the variant builders share: the pricer, the pools by worker count, the batch. */
interface Context {
  pricer: Awaited<ReturnType<typeof createPricer>>;
  poolOf: (workers: number) => Promise<PricingPool>;
  maxWorkers: number;
  quick: boolean;
  n: number;
  batch: ReturnType<typeof randomOptions>["batch"];
}

/** Black-Scholes on one big batch: validation or screening, chunking, SharedArrayBuffer moves in the pool's time. */
async function blackScholesVariants({ pricer, poolOf, maxWorkers, n, batch }: Context): Promise<Variant[]> {
  const bsBase = "bs 1 thread";
  const bs: Variant[] = [
    { name: bsBase, units: n, unit: "option", baseline: bsBase, note: `createPricer().blackScholes, ${n} options, price + 5 greeks, ${pricer.simd ? "SIMD" : "scalar"}`, run: () => (sink += pricer.blackScholes(batch).price[0]!) },
  ];
  for (let workers = 1; workers <= maxWorkers; workers++) {
    const p = await poolOf(workers);
    bs.push({ name: `bs pool ${workers}w`, units: n, unit: "option", baseline: bsBase, note: `createPricingPool({ workers: ${workers} }).blackScholes, same batch`, run: async () => (sink += (await p.blackScholes(batch)).price[0]!) });
  }
  // The same batch with its columns already in SharedArrayBuffers (as a service can keep them): workers read
  // them in place, so the calling thread copies nothing in.
  const onShared = (column: ArrayLike<number>) => {
    const view = new Float64Array(new SharedArrayBuffer(n * 8));
    view.set(column);
    return view;
  };
  const sharedBatch = {
    type: onShared(batch.type as Int8Array), spot: onShared(batch.spot as Float64Array), strike: onShared(batch.strike as Float64Array),
    expiry: onShared(batch.expiry as Float64Array), vol: onShared(batch.vol as Float64Array), rate: onShared(batch.rate as Float64Array),
    dividend: onShared(batch.dividend as Float64Array),
  };
  const top = await poolOf(maxWorkers);
  bs.push({
    name: `bs pool ${maxWorkers}w, shared inputs`, units: n, unit: "option", baseline: bsBase,
    note: "same batch, columns in SharedArrayBuffers: the workers read them in place",
    run: async () => (sink += (await top.blackScholes(sharedBatch)).price[0]!),
  });
  // Repeated batches into reused result arrays (as a service pricing a book every tick does): the pricer's
  // `output`, and the pool's `output` as SharedArrayBuffer views that the workers write in place (no result
  // memory to allocate and fault in per call).
  const greeksOf = (allocate: () => Float64Array) => ({ price: allocate(), delta: allocate(), gamma: allocate(), vega: allocate(), theta: allocate(), rho: allocate() });
  const plainOutput = greeksOf(() => new Float64Array(n));
  const sharedOutput = greeksOf(() => new Float64Array(new SharedArrayBuffer(n * 8)));
  const reusedBase = "bs 1 thread, reused output";
  bs.push(
    { name: reusedBase, units: n, unit: "option", baseline: reusedBase, note: "createPricer().blackScholes(batch, output), same batch, the same six result arrays every call", run: () => (sink += pricer.blackScholes(batch, plainOutput).price[0]!) },
    {
      name: `bs pool ${maxWorkers}w, shared output`, units: n, unit: "option", baseline: reusedBase,
      note: "blackScholes(batch, { output }), same batch, output columns in SharedArrayBuffers written in place",
      run: async () => (sink += (await top.blackScholes(batch, { output: sharedOutput })).price[0]!),
    },
    {
      name: `bs pool ${maxWorkers}w, shared inputs + output`, units: n, unit: "option", baseline: reusedBase,
      note: "both: the calling thread copies nothing",
      run: async () => (sink += (await top.blackScholes(sharedBatch, { output: sharedOutput })).price[0]!),
    },
  );
  return bs;
}

/**
 * Zero-copy batches on both sides (the fastest path of each): the pricer's createOptionBatch against the pool's,
 * whose columns live in one shared memory every worker prices its ranges of in place.
 */
async function zeroCopyVariants({ pricer, poolOf, maxWorkers, n, batch }: Context): Promise<Variant[]> {
  const fillFrom = (target: Pick<WasmOptionBatch, "type" | (typeof BS_COLUMNS)[number]>) => {
    target.type.set(batch.type as Int8Array);
    for (const field of BS_COLUMNS) target[field].set(batch[field] as Float64Array);
  };
  const pricerBatch = await pricer.createOptionBatch(n);
  fillFrom(pricerBatch);
  const zeroBase = "bs 1 thread, zero-copy batch";
  const bs: Variant[] = [
    { name: zeroBase, units: n, unit: "option", baseline: zeroBase, note: "createPricer().createOptionBatch(n), filled once: the kernel runs on the columns in place", run: () => (sink += pricer.blackScholes(pricerBatch).price[0]!) },
  ];
  for (let workers = 1; workers <= maxWorkers; workers++) {
    const p = await poolOf(workers);
    const poolBatch = await p.createOptionBatch(n);
    fillFrom(poolBatch);
    bs.push({
      name: `bs pool ${workers}w, zero-copy batch`, units: n, unit: "option", baseline: zeroBase,
      note: `createPricingPool({ workers: ${workers} }).createOptionBatch(n): each worker prices its ranges in the shared columns`,
      run: async () => (sink += (await p.blackScholes(poolBatch)).price[0]!),
    });
  }
  return bs;
}

/** Monte Carlo: arithmetic Asian call, 16 dates, price + standard error (path blocks spread over workers). */
async function monteCarloVariants({ pricer, poolOf, maxWorkers, quick }: Context): Promise<Variant[]> {
  const paths = quick ? 100_000 : 1_000_000;
  const spec: MonteCarloSpec = { payoff: "asian-arithmetic", type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.03, steps: 16, paths, seed: 5 };
  const mcBase = "mc 1 thread";
  const mc: Variant[] = [
    { name: mcBase, units: paths, unit: "path", baseline: mcBase, note: `single-thread Monte Carlo, Asian call, 16 dates, ${paths} paths`, run: () => (sink += monteCarlo(pricer.core, spec).price) },
  ];
  for (let workers = 1; workers <= maxWorkers; workers++) {
    const p = await poolOf(workers);
    mc.push({ name: `mc pool ${workers}w`, units: paths, unit: "path", baseline: mcBase, note: `createPricingPool({ workers: ${workers} }).monteCarlo, same spec`, run: async () => (sink += (await p.monteCarlo(spec)).price) });
  }
  return mc;
}

/** Single-option calls on a 2-worker pool: awaited one at a time vs fired together (micro-batched). */
async function singleCallVariants({ poolOf, quick, batch }: Context): Promise<Variant[]> {
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
  const sequentialCalls = quick ? 300 : 2_000;
  return [
    {
      name: oneBase, units: sequentialCalls, unit: "call", baseline: oneBase, note: "2 workers: await pool.blackScholes(oneOption) in a loop (a round trip each)",
      run: async () => {
        for (let i = 0; i < sequentialCalls; i++) sink += (await p2.blackScholes(singles[i]!)).price[0]!;
      },
    },
    {
      name: "single calls micro-batched", units: calls, unit: "call", baseline: oneBase, note: `2 workers: ${calls} concurrent pool.blackScholes(oneOption), coalesced per macrotask`,
      run: async () => (sink += (await Promise.all(singles.map((s) => p2.blackScholes(s))))[0]!.price[0]!),
    },
  ];
}

/** Runs the suite. Full: 1M options, 1M paths, 20k single calls; quick: 100k, 100k, 2k. */
export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const quick = options.quick;
  const rounds = quick ? 3 : 7;
  const pricer = await createPricer();
  const pools = new Map<number, PricingPool>();
  const poolOf = async (workers: number): Promise<PricingPool> => {
    let p = pools.get(workers);
    if (!p) pools.set(workers, (p = await createPricingPool({ workers, module: pricer.core.module })));
    return p;
  };
  const n = quick ? 100_000 : 1_000_000;
  const context: Context = { pricer, poolOf, maxWorkers: Math.max(2, availableParallelism()), quick, n, batch: randomOptions(n).batch };
  const rows: BenchRow[] = [];
  try {
    rows.push(...(await fastestInterleaved([...(await blackScholesVariants(context)), ...(await zeroCopyVariants(context))], rounds, log)));
    rows.push(...(await fastestInterleaved(await monteCarloVariants(context), rounds, log)));
    rows.push(...(await fastestInterleaved(await singleCallVariants(context), rounds, log)));
  } finally {
    await Promise.all([...pools.values()].map((p) => p.close()));
  }
  if (sink === 0.123456789) log("");
  return rows;
}
