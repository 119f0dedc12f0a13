// The test build's entry (build/pool2peer.test.{simd,scalar}.wasm): the production exports of index.ts plus the
// building blocks that only tests call directly, checked there against independent references (math.ts and trig.ts
// through mathBatch and turnCosSinBatch, the Philox words, Sobol points, the inverse normal CDF). The shipped builds
// leave these out: their exports are the kernel contract of bindings/kernel/exports.ts and nothing else.
export * from "./index";
export { philox4x32Into } from "./philox";
export { sobolFill } from "./sobol";
export { inverseNormalCdf } from "./normal_inverse";
export { mathBatch, turnCosSinBatch } from "./math_batch";
