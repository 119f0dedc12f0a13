// pool2peer WASM core: the single entry point compiled to build/pool2peer.{simd,scalar}.wasm.
// Every kernel takes raw pointers into linear memory (struct-of-arrays f64 columns) so that the
// TypeScript side writes inputs into views and reads outputs from views with no per-element copies.
export { scratchPointer, reserveScratch } from "./scratch";
export { simdEnabled } from "./features";
export { normalisedBlackCall, normalisedVega } from "./normalised_black";
export { impliedVolBatch } from "./implied_vol";
export { philox4x32Into } from "./philox";
export { sobolFill, SOBOL_MAX_DIMENSIONS } from "./sobol";
export { inverseNormalCdf } from "./normal_inverse";
export { monteCarloBlocks, monteCarloWorkBytes, philoxNormals, MC_BLOCK_PATHS, MC_BLOCK_ACCUMULATORS, MC_PARAMS } from "./montecarlo";
export { blackScholesBatch, blackScholesWorkBytes, useBlackScholesWorkArea } from "./blackscholes";
export { mathBatch, turnCosSinBatch } from "./math_batch";
export { firstInvalid } from "./validate";
export { americanBatch, americanBoundaryNodes } from "./american";
