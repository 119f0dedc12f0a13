// pool2peer WASM core: the single entry point compiled to build/pool2peer.{simd,scalar}.wasm.
// Every kernel takes raw pointers into linear memory (struct-of-arrays f64 columns) so that the
// TypeScript side writes inputs into views and reads outputs from views with no per-element copies. Its exports are
// the kernel contract of bindings/kernel/exports.ts; kernels only tests call are added by test-exports.ts.
export { scratchPointer, reserveScratch } from "./scratch";
export { simdEnabled } from "./features";
export { normalisedBlackCall, normalisedVega } from "./normalised_black";
export { impliedVolBatch } from "./implied_vol";
export { SOBOL_MAX_DIMENSIONS } from "./sobol";
export { monteCarloBlocks, monteCarloWorkBytes, philoxNormals, MC_BLOCK_PATHS, MC_BLOCK_ACCUMULATORS, MC_PARAMS } from "./montecarlo";
export { blackScholesBatch, blackScholesPriceBatch, blackScholesWorkBytes, useBlackScholesWorkArea } from "./blackscholes";
export { firstInvalid } from "./validate";
export { americanBatch, americanBoundaryNodes } from "./american";
export {
  surfaceParamsPointer, surfaceVolBatch, surfaceVolStrikeBatch, surfaceShapeBatch, surfaceGridMinima, SURFACE_GRID_ROW_WORDS,
  SURFACE_KIND_SVI, SURFACE_KIND_SSVI_POWER_LAW, SURFACE_KIND_SSVI_HESTON,
  SURFACE_WORD_KIND, SURFACE_WORD_COUNT, SURFACE_WORD_RHO, SURFACE_WORD_ETA, SURFACE_WORD_GAMMA, SURFACE_HEADER_WORDS,
  SURFACE_COLUMN_YEARS, SURFACE_COLUMN_THETA, SURFACE_COLUMN_A, SURFACE_COLUMN_B, SURFACE_COLUMN_RHO, SURFACE_COLUMN_M,
  SURFACE_COLUMN_SIGMA, SURFACE_COLUMNS, SURFACE_MAX_SLICES,
} from "./surface";
