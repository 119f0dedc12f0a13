// pool2peer WASM core: the single entry point compiled to build/pool2peer.{simd,scalar}.wasm.
// Every kernel takes raw pointers into linear memory (struct-of-arrays f64 columns) so that the
// TypeScript side writes inputs into views and reads outputs from views with no per-element copies.
export { scratchPointer, reserveScratch } from "./scratch";
export { simdEnabled } from "./features";
export { normalisedBlackCall, normalisedVega } from "./normalised_black";
