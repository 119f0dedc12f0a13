// Batch implied volatility (the kernel entry): the input domain check per block, then the SIMD pair path
// (implied_vol_simd.ts) or the scalar path (implied_vol_scalar.ts); both fall back to Jäckel's "Let's Be Rational"
// (implied_vol_reference.ts) outside the mainstream region, and return the same bits.

import { RULE_FINITE, RULE_NON_NEGATIVE, RULE_POSITIVE, RULE_SIGN, scalarOk, vectorOk } from "./validate";
import { CHECK_BLOCK } from "./implied_vol_mainstream";
import { finishQuad, nodesQuad, startBlockOrder } from "./implied_vol_simd";
import { impliedVolLane } from "./implied_vol_scalar";

// Input domain, checked by the kernel itself so the bindings need no separate validation pass (with the checks of
// assembly/validate.ts firstInvalid): type exactly ±1; price finite ≥ 0; spot, strike, expiry finite > 0; rate,
// dividend finite. Checked per block of CHECK_BLOCK options just before the block is inverted (still in cache).

/** True when option `o` (byte offset) is in the domain; NaN fails every compare. */
@inline
function laneInDomain(o: usize, type: usize, price: usize, spot: usize, strike: usize, expiry: usize, rate: usize, dividend: usize): bool {
  return scalarOk(load<f64>(type + o), RULE_SIGN) & scalarOk(load<f64>(price + o), RULE_NON_NEGATIVE) &
    scalarOk(load<f64>(spot + o), RULE_POSITIVE) & scalarOk(load<f64>(strike + o), RULE_POSITIVE) &
    scalarOk(load<f64>(expiry + o), RULE_POSITIVE) & scalarOk(load<f64>(rate + o), RULE_FINITE) &
    scalarOk(load<f64>(dividend + o), RULE_FINITE);
}

/** True when options [i, i + count) are all in the domain (SIMD build: pairs with ANDed lane masks). */
@inline
function blockInDomain(
  i: i32, count: i32, type: usize, price: usize, spot: usize, strike: usize, expiry: usize, rate: usize, dividend: usize,
): bool {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    let ok = i64x2.splat(-1);
    for (; j + 1 < count; j += 2) {
      const o = <usize>(i + j) << 3;
      ok = v128.and(ok, v128.and(vectorOk(v128.load(type + o), RULE_SIGN), vectorOk(v128.load(price + o), RULE_NON_NEGATIVE)));
      ok = v128.and(ok, v128.and(vectorOk(v128.load(spot + o), RULE_POSITIVE), vectorOk(v128.load(strike + o), RULE_POSITIVE)));
      ok = v128.and(ok, v128.and(vectorOk(v128.load(expiry + o), RULE_POSITIVE), vectorOk(v128.load(rate + o), RULE_FINITE)));
      ok = v128.and(ok, vectorOk(v128.load(dividend + o), RULE_FINITE));
    }
    if (!i64x2.all_true(ok)) return false;
  }
  let ok = true;
  for (; j < count; j++) ok = ok & laneInDomain(<usize>(i + j) << 3, type, price, spot, strike, expiry, rate, dividend);
  return ok;
}

/**
 * Batch implied volatility over SoA columns (byte pointers to n f64 values; status/iterations are i32); see
 * impliedVolElement for the statuses. SIMD build: per block, nodesQuad then finishQuad (the lowest branch grouped);
 * scalar build: impliedVolLane (bit-identical). Returns 0, or 1 when some input is outside the domain above (the outputs are
 * then meaningless; the caller locates the element with firstInvalid).
 */
export function impliedVolBatch(
  n: i32, type: usize, price: usize, spot: usize, strike: usize, expiry: usize, rate: usize, dividend: usize,
  vol: usize, status: usize, iterations: usize,
): i32 {
  let ok = true;
  for (let start = 0; start < n; start += CHECK_BLOCK) {
    const end = min<i32>(n, start + CHECK_BLOCK);
    ok = ok & blockInDomain(start, end - start, type, price, spot, strike, expiry, rate, dividend);
    let i = start;
    if (ASC_FEATURE_SIMD) {
      // Both passes over the block's quads (see nodesQuad, finishQuad).
      const quads = (end - start) & ~3;
      startBlockOrder(quads);
      for (; i + 3 < end; i += 4) nodesQuad(i, i - start, type, price, spot, strike, expiry, rate, dividend);
      for (let j = 0; j < quads; j += 4) finishQuad(j, start, type, price, spot, strike, expiry, rate, dividend, vol, status, iterations);
    }
    // The scalar build, and the SIMD build's last n mod 4 options: the same path one lane at a time.
    for (; i < end; i++) impliedVolLane(i, type, price, spot, strike, expiry, rate, dividend, vol, status, iterations);
  }
  return ok ? 0 : 1;
}
