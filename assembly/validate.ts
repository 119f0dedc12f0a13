// Element checks of input columns, run in WASM after each chunk is copied in: the JS loop they replace
// cost ~33 ns/option over seven columns; here a check is a compare per lane (NaN fails every compare).

/** Rules of firstInvalid(). */
export const RULE_FINITE: i32 = 0;
export const RULE_POSITIVE: i32 = 1;
export const RULE_NON_NEGATIVE: i32 = 2;
export const RULE_SIGN: i32 = 3;

/** True when `v` obeys `rule` (inlined with a constant rule, the test folds to two compares). */
@inline
export function scalarOk(v: f64, rule: i32): bool {
  if (rule == RULE_POSITIVE) return v > 0 && v < Infinity;
  if (rule == RULE_NON_NEGATIVE) return v >= 0 && v < Infinity;
  if (rule == RULE_SIGN) return v == 1.0 || v == -1.0;
  return v > -Infinity && v < Infinity;
}

/** Lane mask of `v` obeying `rule`; the kernels check their inputs with these, so they agree with firstInvalid. */
@inline
export function vectorOk(v: v128, rule: i32): v128 {
  const inf = f64x2.splat(Infinity);
  if (rule == RULE_POSITIVE) return v128.and(f64x2.gt(v, f64x2.splat(0)), f64x2.lt(v, inf));
  if (rule == RULE_NON_NEGATIVE) return v128.and(f64x2.ge(v, f64x2.splat(0)), f64x2.lt(v, inf));
  if (rule == RULE_SIGN) return v128.or(f64x2.eq(v, f64x2.splat(1.0)), f64x2.eq(v, f64x2.splat(-1.0)));
  return v128.and(f64x2.gt(v, f64x2.splat(-Infinity)), f64x2.lt(v, inf));
}

/**
 * Index of the first element from `i` breaking `rule` in a column scanned eight elements (four pairs) at a
 * time with the masks ANDed, so a clean column costs a load and two compares per pair; the first block with a
 * bad lane is handed to the scalar loop, which finds the element. `rule` is a constant in each instantiation.
 */
@inline
function scanBlocks(pointer: usize, n: i32, rule: i32): i32 {
  let i = 0;
  for (; i + 7 < n; i += 8) {
    const p = pointer + (<usize>i << 3);
    const ok = v128.and(
      v128.and(vectorOk(v128.load(p), rule), vectorOk(v128.load(p, 16), rule)),
      v128.and(vectorOk(v128.load(p, 32), rule), vectorOk(v128.load(p, 48), rule)),
    );
    if (!i64x2.all_true(ok)) break;
  }
  return i;
}

/**
 * Index of the first element of the f64 column at `pointer` (length n) that breaks `rule`, or −1.
 * Rules: 0 finite, 1 finite and > 0, 2 finite and ≥ 0, 3 exactly +1 or −1 (option type).
 */
export function firstInvalid(pointer: usize, n: i32, rule: i32): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // One loop per rule, so no rule test runs per element.
    if (rule == RULE_POSITIVE) i = scanBlocks(pointer, n, RULE_POSITIVE);
    else if (rule == RULE_NON_NEGATIVE) i = scanBlocks(pointer, n, RULE_NON_NEGATIVE);
    else if (rule == RULE_SIGN) i = scanBlocks(pointer, n, RULE_SIGN);
    else i = scanBlocks(pointer, n, RULE_FINITE);
  }
  for (; i < n; i++) {
    if (!scalarOk(load<f64>(pointer + (<usize>i << 3)), rule)) return i;
  }
  return -1;
}
