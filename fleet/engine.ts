// Where a fleet worker process computes its jobs: the local worker-thread pool (createPricingPool) when it
// can run Monte Carlo blocks, otherwise a single-thread pricer on the process's own thread. Both give the
// same bits; the pool keeps the event loop free, so BullMQ lock renewal and heartbeats never wait on a kernel.
import { runMonteCarloBlocks, type NormalizedMonteCarloSpec } from "../bindings/montecarlo.js";
import { createPricer } from "../bindings/pricer.js";
import type { Greeks, ImpliedVolBatch, ImpliedVolResult, OptionBatch } from "../bindings/types.js";
import { createPricingPool, type PricingPool } from "../workers/pool.js";

/** The compute side of a worker process. */
export interface FleetEngine {
  /** "pool" (worker threads) or "pricer" (this thread). */
  readonly name: "pool" | "pricer";
  readonly simd: boolean;
  blackScholes(batch: OptionBatch): Promise<Greeks>;
  impliedVol(batch: ImpliedVolBatch): Promise<ImpliedVolResult>;
  /** Accumulators of Monte Carlo blocks [first, first + count) (bindings/montecarlo.ts runMonteCarloBlocks). */
  monteCarloBlocks(spec: NormalizedMonteCarloSpec, first: number, count: number): Promise<Float64Array>;
  close(): Promise<void>;
}

/** A pool that can also run Monte Carlo block ranges (the fleet needs per-block accumulators, not results). */
type BlockPool = PricingPool & {
  monteCarloBlocks(spec: NormalizedMonteCarloSpec, firstBlock: number, blockCount: number): Promise<Float64Array>;
};

function hasBlocks(pool: PricingPool): pool is BlockPool {
  return typeof (pool as Partial<BlockPool>).monteCarloBlocks === "function";
}

/** Single-thread engine: the lead's pricer plus runMonteCarloBlocks on its core. */
export async function pricerEngine(): Promise<FleetEngine> {
  const pricer = await createPricer();
  return {
    name: "pricer",
    simd: pricer.simd,
    blackScholes: async (batch) => pricer.blackScholes(batch),
    impliedVol: async (batch) => pricer.impliedVol(batch),
    monteCarloBlocks: async (spec, first, count) => runMonteCarloBlocks(pricer.core, spec, first, count),
    close: async () => {},
  };
}

/**
 * Pool engine with `threads` worker threads. Batches go to the pool; Monte Carlo block ranges too when the
 * pool offers `monteCarloBlocks`, otherwise to a pricer on this thread.
 */
export async function poolEngine(threads: number): Promise<FleetEngine> {
  const pool = await createPricingPool({ workers: threads, microBatch: false });
  const fallback = hasBlocks(pool) ? undefined : await createPricer({ module: pool.module });
  return {
    name: "pool",
    simd: pool.simd,
    blackScholes: (batch) => pool.blackScholes(batch),
    impliedVol: (batch) => pool.impliedVol(batch),
    monteCarloBlocks: async (spec, first, count) =>
      hasBlocks(pool) ? pool.monteCarloBlocks(spec, first, count) : runMonteCarloBlocks(fallback!.core, spec, first, count),
    close: () => pool.close(),
  };
}
