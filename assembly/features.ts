/** 1 when this module was compiled with `--enable simd` (f64x2 kernels), 0 for the scalar build. */
export function simdEnabled(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}
