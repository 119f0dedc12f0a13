// Public surface of the single-thread pricer: what users call (createPricer, the zero-copy batches, the errors, the
// batch and result types, Monte Carlo block runs for callers that distribute blocks, vol surfaces) and the loader of
// the core that `pricer.core` exposes. Batch normalisation and the kernel contract stay internal (bindings/batch.ts,
// bindings/kernel/), imported by path inside the package.
export { createPricer, type Pricer, type PricerOptions } from "./pricer.js";
export { CHUNK_OPTIONS } from "./planning.js";
export { PricingInputError, VolSurfaceError } from "./errors.js";
export type { AmericanAccuracy, AmericanBoundary, AmericanOptions, AmericanResult } from "./american.js";
export { WasmOptionBatch, WasmImpliedVolBatch, MAX_WASM_BATCH } from "./wasm-batch.js";
export { compileWasmCore, hostSupportsSimd, loadWasmCore, WasmCore, type CoreExports, type LoadOptions } from "./wasm.js";
export * from "./types.js";
export {
  normalizeMonteCarloSpec,
  monteCarloBlockCount,
  runMonteCarloBlocks,
  combineMonteCarloBlocks,
  MC_BLOCK_PATHS,
  type MonteCarloSpec,
  type MonteCarloResult,
  type MonteCarloPayoff,
  type BarrierType,
  type Estimate,
  type NormalizedMonteCarloSpec,
} from "./montecarlo.js";
export * from "./surface/index.js";
