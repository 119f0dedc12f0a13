// Black-Scholes-Merton prices and greeks for a batch of European options with a continuous dividend
// yield q (Merton 1973; greeks as in Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed., §1.1):
//   d₁ = (ln(S/K) + (r − q)T)/(σ√T) + σ√T/2,   d₂ = d₁ − σ√T,   θ = +1 call, −1 put,
//   a = S·e^{−qT}·Φ(θd₁),   b = K·e^{−rT}·Φ(θd₂),   price = θ(a − b),
//   delta = θ·e^{−qT}Φ(θd₁),   gamma = e^{−qT}φ(d₁)/(Sσ√T),   vega = S·e^{−qT}φ(d₁)√T (per 1.00 of vol),
//   theta = −S·e^{−qT}φ(d₁)σ/(2√T) + θ(q·a − r·b) (∂V/∂t as calendar time passes, per year),
//   rho = θ·T·b (per 1.00 of rate).
// Out-of-the-money wings: when price < (a + b)/1024 the difference θ(a − b) has lost ~10 bits, so that
// lane's price is recomputed as e^{−rT}·√(F·K)·b(θx, σ√T), x = ln(F/K), F = S·e^{(r−q)T}, with Jäckel's
// normalised Black function (assembly/normalised_black.ts), which keeps full relative accuracy down to
// ~1e-300. Below the threshold the plain formula's relative error is at most ~2048·(ε_Φ + ε·d²)
// ≈ 2e-10 for |d| ≤ 21 (prices ≥ 1e-100·S), and far less on mainstream inputs; above it the
// normalised Black path is exact to ~1e-15 whatever the cancellation.
// Far wings: where e^{−d₁²/2} or e^{−d₂²/2} < 1e-280 (|d| > 35.9) one Φ term can underflow while its partner
// does not; farWingOne rewrites those lanes with every lower-tail term scaled by a separate binary exponent, so
// outputs keep a relative error ~ε·d² down to the double range and round once below it (docs/numerics.md).
// Limits: σ√T → 0 sends d₁, d₂ → ±∞ (price → discounted forward intrinsic, φ → 0 so gamma/vega → 0
// away from the money); σ√T → ∞ sends Φ(d₁) → 1, Φ(d₂) → 0 (call → S·e^{−qT}). Φ and φ clamp |d| at 40.
// Φ is normCdfMills (assembly/math.ts): e^{−d²/2}·R(|d|), so Φ(d₁), Φ(d₂) and φ(d₁) share e^{−d₁²/2}.
//
// SIMD build: blocks of f64x2 pairs in four phases (see priceBlock), the odd last element through the scalar lane code.
// Scalar build: the same blocks and phases one option at a time. Both use assembly/math.ts, whose two
// forms agree bit for bit.

import {
  exp, expvNormalWith, EXP_NORMAL_ARG_MAX_X2, log, logNormalv, normCdfMills, normTailScaled, millsNumv, millsDenv, cdfFromMillsv, pmax,
  EXP_TABLE_X2, EXP_TABLE_X2_B, EXP_TABLE_X2_C,
  INV_SQRT_2PI, INV_SQRT_2PI_X2, HALF_X2, NEG_HALF_X2, TWO_X2, CDF_NEAR_MAX_X2, MIN_NORMAL_X2, INFINITY_X2,
} from "./math";
import { normalisedBlackCall, normalisedBlackCallOverExponential } from "./normalised_black";
import { exponentOf, mantissaOf, scaledExponent, scaledGaussian, scaledMantissa } from "./scaled";
import { RULE_FINITE, RULE_POSITIVE, RULE_SIGN, scalarOk, vectorOk } from "./validate";

// A lane is recomputed with the normalised Black function when price < WING_CANCELLATION·(a + b).
const WING_CANCELLATION: f64 = 1.0 / 1024.0;
// σ√T below the smallest normal number would make d₁ = 0/0 at the money; treat it as this instead.
const MIN_TOTAL_VOL: f64 = 2.2250738585072014e-308;
// e^{−d₂²/2} is taken as e^{−d₁²/2}·F/K only while e^{−d₁²/2} ≥ 1e-280 (far from subnormal, so it still
// carries full relative precision) and F/K < 1e300 (the product cannot overflow).
const E_PRODUCT_MIN: f64 = 1e-280;
const RATIO_MAX: f64 = 1e300;
// The same constants as splatted pairs for the f64x2 code (one v128.load each; see assembly/math.ts).
const WING_CANCELLATION_X2: usize = memory.data<f64>([WING_CANCELLATION, WING_CANCELLATION], 16);
const MIN_TOTAL_VOL_X2: usize = memory.data<f64>([MIN_TOTAL_VOL, MIN_TOTAL_VOL], 16);
const E_PRODUCT_MIN_X2: usize = memory.data<f64>([E_PRODUCT_MIN, E_PRODUCT_MIN], 16);
const RATIO_MAX_X2: usize = memory.data<f64>([RATIO_MAX, RATIO_MAX], 16);

/**
 * The price of one option from the normalised Black function (Jäckel 2015):
 * e^{−rT}·√F·√K·b(θ·ln(F/K), σ√T). Used for lanes whose plain formula cancels.
 */
function wingPrice(type: f64, spot: f64, strike: f64, expiry: f64, vol: f64, rate: f64, dividend: f64): f64 {
  const carry = (rate - dividend) * expiry;
  const x = log(spot / strike) + carry;
  const s = max<f64>(vol * Math.sqrt(expiry), MIN_TOTAL_VOL);
  const forward = spot * exp(carry);
  return exp(-rate * expiry) * (Math.sqrt(forward) * Math.sqrt(strike)) * normalisedBlackCall(type * x, s);
}

/**
 * The far wings: lanes where e^{−d₁²/2} or e^{−d₂²/2} is below E_PRODUCT_MIN (|d| > 35.9), whose six outputs
 * farWingOne writes again. There the plain formula keeps a term whose partner has underflowed (a call with
 * d₂ < −38.6: K·e^{−rT}·Φ(d₂) → 0 while S·e^{−qT}·Φ(d₁) stays, a price 3–7× too high and rho 0), so every
 * lower-tail term is written through U = S·e^{−qT}·e^{−d₁²/2} = K·e^{−rT}·e^{−d₂²/2} (the two are equal because
 * d₁² − d₂² = 2·ln(F/K)), carried as mantissa·2^exponent (scaled.ts) from the form with the smaller |d|:
 *   Φ(−y) term = U·R(y), R(y) = Φ(−y)·e^{y²/2} (math.ts normTailScaled),
 *   out of the money (both terms in the lower tail): price = U·b(θx, s)/E (normalised_black.ts, Jäckel's regions),
 *   delta = θ·a/S, gamma = U/(√(2π)·S²·σ√T), vega = U·√T/√(2π), theta and rho from a and b as in greeksOne.
 * Terms on the upper side (Φ(θd) = 1 − e·R, near 1) are kept as greeksOne computes them. Each output rounds once,
 * when its scaled value becomes a double (gradual underflow below 2.2e-308, 0 below 4.9e-324). Accuracy: the
 * relative error ~ε·d² inherited from d's rounding, ≲ 1e-12 for |d| ≤ 60 (docs/numerics.md). Lanes whose
 * S·e^{−qT} or K·e^{−rT} is not a normal number (|rT|, |qT| beyond ~700, spot at underflow) keep greeksOne's values.
 */
function farWingOne(
  o: usize, wt: f64, S: f64, K: f64, T: f64, sigma: f64, r: f64, q: f64, dq: f64, kdr: f64, d1: f64, s: f64,
  sqrtT: f64, e1: f64, e2: f64, price: usize, delta: usize, gamma: usize, vega: usize, theta: usize, rho: usize,
): void {
  const sdq = S * dq;
  if (!(isNormalPositive(sdq) && isNormalPositive(kdr) && isNormalPositive(S))) return;
  const d2 = d1 - s;
  if (Math.abs(d1) <= Math.abs(d2)) scaledGaussian(sdq, d1);
  else scaledGaussian(kdr, d2);
  const u = scaledMantissa;
  const n = scaledExponent;
  const lowerTail1 = wt * d1 <= 0.0;
  const lowerTail2 = wt * d2 <= 0.0;
  // a/U and b/U on the lower-tail side.
  const aOverU = normTailScaled(Math.abs(d1));
  const bOverU = normTailScaled(Math.abs(d2));
  const a = lowerTail1 ? Math.scalbn(u * aOverU, n) : sdq * normCdfMills(wt * d1, e1);
  const b = lowerTail2 ? Math.scalbn(u * bOverU, n) : kdr * normCdfMills(wt * d2, e2);
  let p = wt * (a - b);
  if (lowerTail1 && lowerTail2) {
    const x = log(S / K) + (r - q) * T;
    p = u == 0.0 ? 0.0 : Math.scalbn(u * normalisedBlackCallOverExponential(wt * x, s), n);
  }
  store<f64>(price + o, p);
  const mS = mantissaOf(S);
  const nS = exponentOf(S);
  store<f64>(delta + o, lowerTail1 ? wt * Math.scalbn(u * aOverU / mS, n - nS) : wt * (dq * normCdfMills(wt * d1, e1)));
  const vegaU = u * INV_SQRT_2PI;
  store<f64>(gamma + o, Math.scalbn(vegaU / (mS * mS * mantissaOf(s)), n - 2 * nS - exponentOf(s)));
  store<f64>(vega + o, Math.scalbn(vegaU * sqrtT, n));
  const thetaVol = Math.scalbn(vegaU * (mantissaOf(sigma) / (2.0 * mantissaOf(sqrtT))), n + exponentOf(sigma) - exponentOf(sqrtT));
  store<f64>(theta + o, wt * (q * a - r * b) - thetaVol);
  store<f64>(rho + o, lowerTail2 ? wt * Math.scalbn(u * bOverU * mantissaOf(T), n + exponentOf(T)) : wt * (T * b));
}

/** x is a finite normal number > 0 (NaN fails). */
@inline
function isNormalPositive(x: f64): bool {
  return x >= MIN_TOTAL_VOL && x < Infinity;
}

// The batch goes in blocks of BLOCK options, each through short loops (f64x2 pairs in the SIMD build) that hand intermediates on through a static work area (L1-resident): discount factors, then d₁,
// then e^{−d₁²/2}, then Φ and the outputs. One long loop body is a single dependency chain
// (ln → d₁ → exp → Φ → price, ~300 cycles) longer than the out-of-order window, so successive options
// would hardly overlap; short loops of independent iterations do, and need few registers (V8 has 16).
const BLOCK: i32 = 128;
// Each work column holds a block plus two spare slots (priceOne uses the first, price-only sinks the second), 16-byte aligned.
const COLUMN_BYTES: usize = (BLOCK + 2) * 8;
const SLOT_ONE: usize = BLOCK * 8;
const SLOT_SINK: usize = (BLOCK + 1) * 8;
const WORK_COLUMNS: i32 = 11;
const WORK: usize = memory.data(<i32>COLUMN_BYTES * WORK_COLUMNS, 16);
const W_DQ: usize = WORK; // e^{−qT}
const W_DR: usize = WORK + 1 * COLUMN_BYTES; // e^{−rT}
const W_D1: usize = WORK + 2 * COLUMN_BYTES; // d₁
const W_S: usize = WORK + 3 * COLUMN_BYTES; // σ√T (floored at MIN_TOTAL_VOL)
const W_SQRT_T: usize = WORK + 4 * COLUMN_BYTES; // √T
const W_E1: usize = WORK + 5 * COLUMN_BYTES; // e^{−d₁²/2}
const W_REDO: usize = WORK + 6 * COLUMN_BYTES; // lane mask: |qT| or |rT| > 708, or S/K not a normal number
// Numerator and denominator of normCdfMills's rational at |d₁| (1) and |d₂| (2).
const W_NUM_1: usize = WORK + 7 * COLUMN_BYTES;
const W_DEN_1: usize = WORK + 8 * COLUMN_BYTES;
const W_NUM_2: usize = WORK + 9 * COLUMN_BYTES;
const W_DEN_2: usize = WORK + 10 * COLUMN_BYTES;
// Where this instance's work area really is, relative to WORK: 0 (the static area) unless the instance shares its
// linear memory with others (the worker pool's zero-copy batches), each of which then works in its own area.
let workShift: usize = 0;

/**
 * The price-only kernel's stand-in for greek column `c` (0..4) at lane offset `o`: `sink + o` is the second spare slot
 * of work column W_REDO + c·COLUMN_BYTES (in this instance's work area), which no block loop uses. A far-wing lane
 * writes its six outputs together (farWingOne); its greeks land there and are never read.
 */
@inline
function sink(c: usize, o: usize, shift: usize): usize {
  return W_REDO + c * COLUMN_BYTES + SLOT_SINK + shift - o;
}

/** Bytes of the Black-Scholes work area (16-byte aligned). */
export function blackScholesWorkBytes(): i32 {
  return <i32>COLUMN_BYTES * WORK_COLUMNS;
}

/**
 * Moves this instance's Black-Scholes work area to [pointer, pointer + blackScholesWorkBytes()) (16-byte aligned),
 * or back to its static place with 0. Instances that share one memory must each use an area of their own.
 */
export function useBlackScholesWorkArea(pointer: usize): void {
  workShift = pointer == 0 ? 0 : pointer - WORK;
}

// The four phases for one option (scalar): input columns at byte offset `o`, work slot at byte offset
// `w` of the work columns. The scalar build runs each over a block before the next (as the SIMD build
// does with pairs); priceOne runs all four on one option in the spare slot SLOT_ONE.

// Input domain (the rules of assembly/validate.ts firstInvalid, through its own checks): type exactly ±1; spot,
// strike, expiry, vol finite and > 0; rate, dividend finite. Checked inside the kernel's first pass, on values it loads anyway, so
// that the bindings need no separate validation pass; they locate the element only when the kernel reports one.

/** True when option `o`'s inputs are in the domain (NaN fails every compare). */
@inline
function inputsOkOne(o: usize, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize, dividend: usize): bool {
  return scalarOk(load<f64>(type + o), RULE_SIGN) & scalarOk(load<f64>(spot + o), RULE_POSITIVE) &
    scalarOk(load<f64>(strike + o), RULE_POSITIVE) & scalarOk(load<f64>(expiry + o), RULE_POSITIVE) &
    scalarOk(load<f64>(vol + o), RULE_POSITIVE) & scalarOk(load<f64>(rate + o), RULE_FINITE) &
    scalarOk(load<f64>(dividend + o), RULE_FINITE);
}

/** Lane mask of the pair at `o` whose inputs are in the domain. */
@inline
function inputsOkPair(o: usize, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize, dividend: usize): v128 {
  let ok = v128.and(vectorOk(v128.load(type + o), RULE_SIGN), vectorOk(v128.load(spot + o), RULE_POSITIVE));
  ok = v128.and(ok, v128.and(vectorOk(v128.load(strike + o), RULE_POSITIVE), vectorOk(v128.load(expiry + o), RULE_POSITIVE)));
  ok = v128.and(ok, v128.and(vectorOk(v128.load(vol + o), RULE_POSITIVE), vectorOk(v128.load(rate + o), RULE_FINITE)));
  return v128.and(ok, vectorOk(v128.load(dividend + o), RULE_FINITE));
}

/** Phase 1: the discount factors e^{−qT}, e^{−rT}. */
@inline
function discountsOne(o: usize, w: usize, expiry: usize, rate: usize, dividend: usize): void {
  const negT = -load<f64>(expiry + o);
  store<f64>(W_DQ + w, exp(load<f64>(dividend + o) * negT));
  store<f64>(W_DR + w, exp(load<f64>(rate + o) * negT));
}

/** Phase 2: σ√T (floored), √T and d₁ = (ln(S/K) + (r − q)T)/(σ√T) + σ√T/2. */
@inline
function d1One(o: usize, w: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize, dividend: usize): void {
  const T = load<f64>(expiry + o);
  const x = log(load<f64>(spot + o) / load<f64>(strike + o)) + (load<f64>(rate + o) - load<f64>(dividend + o)) * T;
  const sqrtT = Math.sqrt(T);
  const s = pmax(load<f64>(vol + o) * sqrtT, MIN_TOTAL_VOL);
  store<f64>(W_D1 + w, x / s + s * 0.5);
  store<f64>(W_S + w, s);
  store<f64>(W_SQRT_T + w, sqrtT);
}

/**
 * Phase 3: e^{−d₁²/2}, straight from d₁² (no exact split of the square): d₁ already carries a relative
 * error of a few ulp, which costs e^{−d₁²/2} ~ε·d₁² relatively, as much as rounding the square does.
 */
@inline
function expOne(w: usize): void {
  const d1 = load<f64>(W_D1 + w);
  store<f64>(W_E1 + w, exp((d1 * d1) * -0.5));
}

/**
 * Phase 4: Φ(θd₁), Φ(θd₂), the price (wing lanes by wingPrice) and, when `greeks` (a constant at every call site, so
 * the price-only form carries no greek arithmetic), the greeks. The price is the same expression either way.
 */
@inline
function greeksOne(
  o: usize, w: usize, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize, dividend: usize,
  price: usize, delta: usize, gamma: usize, vega: usize, theta: usize, rho: usize, greeks: bool, shift: usize,
): void {
  const S = load<f64>(spot + o);
  const dq = load<f64>(W_DQ + w);
  const e1 = load<f64>(W_E1 + w);
  const s = load<f64>(W_S + w);
  const sqrtT = load<f64>(W_SQRT_T + w);
  const sdq = S * dq;
  const sigma = load<f64>(vol + o);
  const wt = load<f64>(type + o);
  const d1 = load<f64>(W_D1 + w);
  const n1 = normCdfMills(wt * d1, e1);
  const pdf1 = e1 * INV_SQRT_2PI;
  const vegaTerm = sdq * pdf1;
  if (greeks) {
    store<f64>(gamma + o, (dq * pdf1) / (S * s));
    store<f64>(vega + o, vegaTerm * sqrtT);
    store<f64>(delta + o, wt * (dq * n1));
  }
  const K = load<f64>(strike + o);
  const kdr = K * load<f64>(W_DR + w);
  const d2 = d1 - s;
  // e^{−d₂²/2} = e^{−d₁²/2}·F/K (since d₁² − d₂² = 2·ln(F/K)): a division instead of an exponential,
  // unless e^{−d₁²/2} is near underflow or F/K overflows; then it is evaluated directly.
  const forwardRatio = sdq / kdr;
  const e2 = e1 < E_PRODUCT_MIN || !(forwardRatio < RATIO_MAX) ? exp((d2 * d2) * -0.5) : e1 * forwardRatio;
  const n2 = normCdfMills(wt * d2, e2);
  const a = sdq * n1;
  const b = kdr * n2;
  let p = wt * (a - b);
  const T = load<f64>(expiry + o);
  const r = load<f64>(rate + o);
  const q = load<f64>(dividend + o);
  if (p < WING_CANCELLATION * (a + b)) p = wingPrice(wt, S, K, T, sigma, r, q);
  store<f64>(price + o, p);
  if (greeks) {
    const thetaVol = (vegaTerm * sigma) / (sqrtT * 2.0);
    store<f64>(theta + o, wt * (q * a - r * b) - thetaVol);
    store<f64>(rho + o, wt * (T * b));
  }
  if (e2 < E_PRODUCT_MIN || e1 < E_PRODUCT_MIN) {
    if (greeks) farWingOne(o, wt, S, K, T, sigma, r, q, dq, kdr, d1, s, sqrtT, e1, e2, price, delta, gamma, vega, theta, rho);
    else farWingOne(o, wt, S, K, T, sigma, r, q, dq, kdr, d1, s, sqrtT, e1, e2, price, sink(0, o, shift), sink(1, o, shift), sink(2, o, shift), sink(3, o, shift), sink(4, o, shift));
  }
}

/** One option at byte offset `o` of every column: the four phases in the spare work slot. */
@inline
function priceOne(
  o: usize, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize, dividend: usize,
  price: usize, delta: usize, gamma: usize, vega: usize, theta: usize, rho: usize, shift: usize, greeks: bool,
): void {
  const w = SLOT_ONE + shift;
  discountsOne(o, w, expiry, rate, dividend);
  d1One(o, w, spot, strike, expiry, vol, rate, dividend);
  expOne(w);
  greeksOne(o, w, type, spot, strike, expiry, vol, rate, dividend, price, delta, gamma, vega, theta, rho, greeks, shift);
}

/** The scalar build's block of `count` options from byte offset `base`, phase by phase. */
@inline
function priceBlockScalar(
  base: usize, count: i32, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize,
  dividend: usize, price: usize, delta: usize, gamma: usize, vega: usize, theta: usize, rho: usize, shift: usize, greeks: bool,
): bool {
  let ok = true;
  for (let j = 0; j < count; j++) {
    const o = base + (<usize>j << 3);
    ok = ok & inputsOkOne(o, type, spot, strike, expiry, vol, rate, dividend);
    discountsOne(o, (<usize>j << 3) + shift, expiry, rate, dividend);
  }
  for (let j = 0; j < count; j++) d1One(base + (<usize>j << 3), (<usize>j << 3) + shift, spot, strike, expiry, vol, rate, dividend);
  for (let j = 0; j < count; j++) expOne((<usize>j << 3) + shift);
  for (let j = 0; j < count; j++) {
    greeksOne(
      base + (<usize>j << 3), (<usize>j << 3) + shift, type, spot, strike, expiry, vol, rate, dividend,
      price, delta, gamma, vega, theta, rho, greeks, shift,
    );
  }
  return ok;
}

/** priceOne as an out-of-line call, for the SIMD path's rare lanes (keeps the vector loop small). */
function repriceOne(
  o: usize, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize, dividend: usize,
  price: usize, delta: usize, gamma: usize, vega: usize, theta: usize, rho: usize, shift: usize,
): void {
  priceOne(o, type, spot, strike, expiry, vol, rate, dividend, price, delta, gamma, vega, theta, rho, shift, true);
}

/** repriceOne for the price-only kernel. */
function repricePriceOne(o: usize, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize, dividend: usize, price: usize, shift: usize): void {
  priceOne(o, type, spot, strike, expiry, vol, rate, dividend, price, 0, 0, 0, 0, 0, shift, false);
}

/**
 * `pairs` pairs of options from byte offset `base` (f64x2 lanes); per lane the same values as priceOne.
 * The vector path is branch-free and covers the common case: S/K a normal number, |d₁|, |d₂| ≤ √32
 * (Cody's central and middle ranges), e^{−d₂²/2} from e^{−d₁²/2}·F/K, no wing cancellation. A lane
 * outside it is priced again by priceOne, which overwrites its six outputs. Without `greeks` (a constant at each call
 * site) only the price is computed and written, by the same expressions.
 */
@inline
function priceBlock(
  base: usize, pairs: i32, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize,
  dividend: usize, price: usize, delta: usize, gamma: usize, vega: usize, theta: usize, rho: usize, shift: usize, greeks: bool,
): bool {
  let ok = i64x2.splat(-1);
  for (let j = 0; j < pairs; j++) {
    const o = base + (<usize>j << 4);
    const w = (<usize>j << 4) + shift;
    ok = v128.and(ok, inputsOkPair(o, type, spot, strike, expiry, vol, rate, dividend));
    const negT = f64x2.neg(v128.load(expiry + o));
    const qT = f64x2.mul(v128.load(dividend + o), negT);
    const rT = f64x2.mul(v128.load(rate + o), negT);
    v128.store(W_DQ + w, expvNormalWith(qT, EXP_TABLE_X2));
    v128.store(W_DR + w, expvNormalWith(rT, EXP_TABLE_X2_B));
    const expMax = v128.load(EXP_NORMAL_ARG_MAX_X2);
    v128.store(W_REDO + w, v128.or(f64x2.gt(f64x2.abs(qT), expMax), f64x2.gt(f64x2.abs(rT), expMax)));
  }
  for (let j = 0; j < pairs; j++) {
    const o = base + (<usize>j << 4);
    const w = (<usize>j << 4) + shift;
    const T = v128.load(expiry + o);
    const ratio = f64x2.div(v128.load(spot + o), v128.load(strike + o));
    const carry = f64x2.mul(f64x2.sub(v128.load(rate + o), v128.load(dividend + o)), T);
    const x = f64x2.add(logNormalv(ratio, f64x2.splat(0.0)), carry);
    const sqrtT = f64x2.sqrt(T);
    const s = f64x2.pmax(f64x2.mul(v128.load(vol + o), sqrtT), v128.load(MIN_TOTAL_VOL_X2));
    v128.store(W_D1 + w, f64x2.add(f64x2.div(x, s), f64x2.mul(s, v128.load(HALF_X2))));
    v128.store(W_S + w, s);
    v128.store(W_SQRT_T + w, sqrtT);
    v128.store(W_REDO + w, v128.or(v128.load(W_REDO + w), v128.or(
      v128.not(f64x2.ge(ratio, v128.load(MIN_NORMAL_X2))),
      v128.not(f64x2.lt(ratio, v128.load(INFINITY_X2))),
    )));
  }
  for (let j = 0; j < pairs; j++) {
    const w = (<usize>j << 4) + shift;
    const d1 = v128.load(W_D1 + w);
    // |d₁| > √32 lanes are redone, so −d₁²/2 ≥ −16 here.
    v128.store(W_E1 + w, expvNormalWith(f64x2.mul(f64x2.mul(d1, d1), v128.load(NEG_HALF_X2)), EXP_TABLE_X2_C));
  }
  // Φ(±d₁), Φ(±d₂): numerators and denominators of normCdfMills's rational in their own loops (each
  // loop's constants and values then fit in the registers).
  for (let j = 0; j < pairs; j++) {
    const w = (<usize>j << 4) + shift;
    const d1 = v128.load(W_D1 + w);
    v128.store(W_NUM_1 + w, millsNumv(f64x2.abs(d1)));
    v128.store(W_NUM_2 + w, millsNumv(f64x2.abs(f64x2.sub(d1, v128.load(W_S + w)))));
  }
  for (let j = 0; j < pairs; j++) {
    const w = (<usize>j << 4) + shift;
    const d1 = v128.load(W_D1 + w);
    v128.store(W_DEN_1 + w, millsDenv(f64x2.abs(d1)));
    v128.store(W_DEN_2 + w, millsDenv(f64x2.abs(f64x2.sub(d1, v128.load(W_S + w)))));
  }
  for (let j = 0; j < pairs; j++) {
    const o = base + (<usize>j << 4);
    const w = (<usize>j << 4) + shift;
    const S = v128.load(spot + o);
    const dq = v128.load(W_DQ + w);
    const e1 = v128.load(W_E1 + w);
    const s = v128.load(W_S + w);
    const sdq = f64x2.mul(S, dq);
    let thetaVol = f64x2.splat(0.0);
    if (greeks) {
      const sqrtT = v128.load(W_SQRT_T + w);
      const pdf1 = f64x2.mul(e1, v128.load(INV_SQRT_2PI_X2));
      const vegaTerm = f64x2.mul(sdq, pdf1);
      v128.store(gamma + o, f64x2.div(f64x2.mul(dq, pdf1), f64x2.mul(S, s)));
      v128.store(vega + o, f64x2.mul(vegaTerm, sqrtT));
      thetaVol = f64x2.div(f64x2.mul(vegaTerm, v128.load(vol + o)), f64x2.mul(sqrtT, v128.load(TWO_X2)));
    }
    const wt = v128.load(type + o);
    const d1 = v128.load(W_D1 + w);
    const n1 = cdfFromMillsv(f64x2.mul(wt, d1), e1, v128.load(W_NUM_1 + w), v128.load(W_DEN_1 + w));
    if (greeks) v128.store(delta + o, f64x2.mul(wt, f64x2.mul(dq, n1)));
    const kdr = f64x2.mul(v128.load(strike + o), v128.load(W_DR + w));
    const d2 = f64x2.sub(d1, s);
    const forwardRatio = f64x2.div(sdq, kdr);
    const e2 = f64x2.mul(e1, forwardRatio);
    const n2 = cdfFromMillsv(f64x2.mul(wt, d2), e2, v128.load(W_NUM_2 + w), v128.load(W_DEN_2 + w));
    const a = f64x2.mul(sdq, n1);
    const b = f64x2.mul(kdr, n2);
    const p = f64x2.mul(wt, f64x2.sub(a, b));
    v128.store(price + o, p);
    if (greeks) {
      v128.store(theta + o, f64x2.sub(
        f64x2.mul(wt, f64x2.sub(f64x2.mul(v128.load(dividend + o), a), f64x2.mul(v128.load(rate + o), b))),
        thetaVol,
      ));
      v128.store(rho + o, f64x2.mul(wt, f64x2.mul(v128.load(expiry + o), b)));
    }

    // Lanes the vector path does not cover (rare on real batches; the branch predicts well).
    const cdfMax = v128.load(CDF_NEAR_MAX_X2);
    let redo = v128.or(v128.load(W_REDO + w), f64x2.gt(f64x2.abs(d1), cdfMax));
    redo = v128.or(redo, f64x2.gt(f64x2.abs(d2), cdfMax));
    redo = v128.or(redo, f64x2.lt(e1, v128.load(E_PRODUCT_MIN_X2)));
    redo = v128.or(redo, v128.not(f64x2.lt(forwardRatio, v128.load(RATIO_MAX_X2))));
    redo = v128.or(redo, f64x2.lt(p, f64x2.mul(f64x2.add(a, b), v128.load(WING_CANCELLATION_X2))));
    if (v128.any_true(redo)) {
      for (let lane = 0; lane < 2; lane++) {
        if ((lane == 0 ? i64x2.extract_lane(redo, 0) : i64x2.extract_lane(redo, 1)) == 0) continue;
        const at = o + (<usize>lane << 3);
        if (greeks) repriceOne(at, type, spot, strike, expiry, vol, rate, dividend, price, delta, gamma, vega, theta, rho, shift);
        else repricePriceOne(at, type, spot, strike, expiry, vol, rate, dividend, price, shift);
      }
    }
  }
  return i64x2.all_true(ok);
}

/** The batch loop of both kernels: SIMD blocks of pairs, or scalar blocks, then the odd last option. */
@inline
function runBatch(
  n: i32, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize, dividend: usize,
  price: usize, delta: usize, gamma: usize, vega: usize, theta: usize, rho: usize, greeks: bool,
): i32 {
  let ok = true;
  let i: i32 = 0;
  const shift = workShift;
  if (ASC_FEATURE_SIMD) {
    for (; i + 1 < n; i += BLOCK) {
      const pairs = min<i32>(BLOCK, n - i) >> 1;
      ok = ok & priceBlock(<usize>i << 3, pairs, type, spot, strike, expiry, vol, rate, dividend, price, delta, gamma, vega, theta, rho, shift, greeks);
    }
    i = n & ~1;
  }
  if (!ASC_FEATURE_SIMD) {
    for (; i < n; i += BLOCK) {
      ok = ok & priceBlockScalar(<usize>i << 3, min<i32>(BLOCK, n - i), type, spot, strike, expiry, vol, rate, dividend, price, delta, gamma, vega, theta, rho, shift, greeks);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    ok = ok & inputsOkOne(o, type, spot, strike, expiry, vol, rate, dividend);
    priceOne(o, type, spot, strike, expiry, vol, rate, dividend, price, delta, gamma, vega, theta, rho, shift, greeks);
  }
  return ok ? 0 : 1;
}

/**
 * Prices n European options and their greeks. Every pointer is the byte offset of an f64 column of
 * length n. Inputs: type (+1 call, −1 put), spot, strike, expiry (years), vol (per √year), rate and dividend
 * (continuously compounded, per year). Outputs: price, delta, gamma, vega (per 1.00 vol),
 * theta (per year of calendar time), rho (per 1.00 rate). Output columns may not alias inputs.
 * Returns 0, or 1 when some input is outside the domain (type ±1; spot, strike, expiry, vol finite and > 0;
 * rate, dividend finite): the outputs are then meaningless and the caller locates the element with firstInvalid.
 */
export function blackScholesBatch(
  n: i32, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize, dividend: usize,
  price: usize, delta: usize, gamma: usize, vega: usize, theta: usize, rho: usize,
): i32 {
  return runBatch(n, type, spot, strike, expiry, vol, rate, dividend, price, delta, gamma, vega, theta, rho, true);
}

/**
 * blackScholesBatch's prices alone, bit for bit (the same expressions, with the greek arithmetic left out): for
 * callers that value portfolios under many scenarios (pool/margin). Same columns, domain and return value; the price
 * column may not alias an input.
 */
export function blackScholesPriceBatch(
  n: i32, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize, dividend: usize, price: usize,
): i32 {
  return runBatch(n, type, spot, strike, expiry, vol, rate, dividend, price, 0, 0, 0, 0, 0, false);
}
