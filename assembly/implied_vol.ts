// Implied Black volatility by P. Jäckel, "Let's Be Rational", Wilmott (2015) 40–53: a rational-cubic initial
// guess on four branches of the normalised call price (sections 4–5), then at most MAXIMUM_ITERATIONS
// third-order Householder steps on a branch-specific objective (section 6) that reach machine precision.
// Everything is done in normalised form: x = ln(F/K) ≤ 0 after mapping in-the-money to out-of-the-money
// (subtracting the intrinsic value) and puts to calls (x → −x).

import {
  lastNormalisedVega, lastNormalisedVegaOverB, logNormalisedBlackCallOutOfTheMoney, normalisedBlackCallOutOfTheMoney,
} from "./normalised_black";
import { erfcx, ONE_OVER_SQRT_TWO } from "./erf_cody";
import {
  exp as expScalar, expv, INV_SQRT_2PI, INV_SQRT_2PI_X2, log as logScalar, logv, millsDen, millsDenv, millsNum, millsNumv, normCdf, normCdfMills, normCdfMillsv, normPdf, pmax,
} from "./math";
import { inverseNormalCdf } from "./normal_inverse";
import { RULE_FINITE, RULE_NON_NEGATIVE, RULE_POSITIVE, RULE_SIGN, scalarOk, vectorOk } from "./validate";
import {
  convexControlParameterToFitSecondDerivativeAtLeftSide,
  convexControlParameterToFitSecondDerivativeAtRightSide,
  rationalCubicInterpolation,
} from "./rational_cubic";

const DBL_EPSILON: f64 = 2.220446049250313e-16;
const DBL_MIN: f64 = 2.2250738585072014e-308;
const DBL_MAX: f64 = 1.7976931348623157e308;
const SQRT_DBL_MAX: f64 = 1.3407807929942596e154;
const SQRT_THREE: f64 = 1.7320508075688772935274463415058723669428;
const SQRT_ONE_OVER_THREE: f64 = 0.5773502691896257645091487805019574556476;
const TWO_PI: f64 = 6.2831853071795864769252867665590057683943;
const PI_OVER_SIX: f64 = 0.5235987755982988730771072305465838140329;
const SQRT_PI_OVER_TWO: f64 = 1.2533141373155002512078826424055226265035;
const TWO_PI_OVER_SQRT_TWENTY_SEVEN: f64 = 1.2091995761561452337293010161775096;

/** Householder(3) steps allowed per option; LBR reaches machine accuracy in two. */
const MAXIMUM_ITERATIONS: i32 = 2;

/** Status codes of impliedVolBatch (contract with bindings/types.ts ImpliedVolStatus). */
const STATUS_OK: i32 = 0;
const STATUS_BELOW_INTRINSIC: i32 = 1;
const STATUS_ABOVE_MAXIMUM: i32 = 2;
const STATUS_AT_INTRINSIC: i32 = 3;

/**
 * After a Householder(3) step of relative size d the error is O(d⁴) (fourth-order convergence), so a first step
 * below 2^−17 ≈ 7.6e-6 leaves ~1e-21·C: the second step could only move s by round-off and is skipped.
 * Later steps stop at ε, as in Jäckel's reference code.
 */
const CONVERGED_FIRST_STEP: f64 = 7.62939453125e-6;

@inline
function stepTolerance(iterations: i32): f64 {
  return iterations == 1 ? CONVERGED_FIRST_STEP : DBL_EPSILON;
}

// Iterations spent by the last normalisedImpliedVolatility call (single-threaded module state).
let lastIterations: i32 = 0;

@inline
function isBelowHorizon(x: f64): bool {
  return Math.abs(x) < DBL_MIN;
}

/** Householder(3) correction factor: ds = newton·(1 + halley·newton/2)/(1 + newton·(halley + hh3·newton/6)). */
@inline
function householderFactor(newton: f64, halley: f64, hh3: f64): f64 {
  return (1.0 + 0.5 * halley * newton) / (1.0 + newton * (halley + hh3 * newton * (1.0 / 6.0)));
}

// Outputs of the transformation maps (module scratch to avoid tuples).
let mapF: f64 = 0.0;
let mapFp: f64 = 0.0;
let mapFpp: f64 = 0.0;

/**
 * Lower map f(β) = (2π/√27)·|x|·Φ(−|x|/(√3·s))³ with its first two derivatives in β (Jäckel 2015, (4.5)–(4.7));
 * it is nearly linear in β for the lowest branch.
 */
function computeLowerMap(x: f64, s: f64): void {
  const ax = Math.abs(x);
  const z = SQRT_ONE_OVER_THREE * ax / s;
  const y = z * z;
  const s2 = s * s;
  const Phi = normCdf(-z);
  const phi = normPdf(z);
  mapFpp =
    PI_OVER_SIX * y / (s2 * s) * Phi *
    (8.0 * SQRT_THREE * s * ax + (3.0 * s2 * (s2 - 8.0) - 8.0 * x * x) * Phi / phi) *
    Math.exp(2.0 * y + 0.25 * s2);
  if (isBelowHorizon(s)) {
    mapFp = 1.0;
    mapF = 0.0;
  } else {
    const Phi2 = Phi * Phi;
    mapFp = TWO_PI * y * Phi2 * Math.exp(y + 0.125 * s * s);
    mapF = isBelowHorizon(x) ? 0.0 : TWO_PI_OVER_SQRT_TWENTY_SEVEN * ax * (Phi2 * Phi);
  }
}

/** Inverse of the lower map: s = |x/(√3·Φ⁻¹((f/((2π/√27)|x|))^{1/3}))|. */
@inline
function inverseLowerMap(x: f64, f: f64): f64 {
  if (isBelowHorizon(f)) return 0.0;
  return Math.abs(x / (SQRT_THREE * inverseNormalCdf(Math.pow(f / (TWO_PI_OVER_SQRT_TWENTY_SEVEN * Math.abs(x)), 1.0 / 3.0))));
}

/** Upper map f(β) = Φ(−s/2) with derivatives in β (Jäckel 2015, (4.9)–(4.11)); inverse s = −2·Φ⁻¹(f). */
function computeUpperMap(x: f64, s: f64): void {
  mapF = normCdf(-0.5 * s);
  if (isBelowHorizon(x)) {
    mapFp = -0.5;
    mapFpp = 0.0;
  } else {
    const w = (x / s) * (x / s);
    mapFp = -0.5 * Math.exp(0.5 * w);
    mapFpp = SQRT_PI_OVER_TWO * Math.exp(w + 0.125 * s * s) * w / s;
  }
}

// Objective functions of the Householder iteration, one per branch of the initial guess (Jäckel 2015, section 6).
const OBJECTIVE_PRICE: i32 = 0; // g = b(s) − β (middle branches; highest branch below b_max/2)
const OBJECTIVE_LOWER: i32 = 1; // g = 1/ln b(s) − 1/ln β (lowest branch)
const OBJECTIVE_UPPER: i32 = 2; // g = ln((b_max − β)/(b_max − b(s))) (highest branch above b_max/2)

/**
 * Normalised implied volatility s = σ√T of an out-of-the-money call: b(x, s) = beta with x ≤ 0,
 * 0 < beta < bMax = e^{x/2}. Sets lastIterations. Jäckel 2015, sections 4–6: a rational-cubic initial guess on one
 * of four branches, then Householder(3) steps on that branch's objective, kept inside the bracket the guess gave.
 */
export function normalisedImpliedVolatility(beta: f64, x: f64, bMax: f64): f64 {
  let s: f64;
  let sLeft: f64 = DBL_MIN;
  let sRight: f64 = DBL_MAX;
  let objective = OBJECTIVE_PRICE;
  // Central point: the inflexion point of b(s) at s_c = √(2|x|).
  const sC = Math.sqrt(Math.abs(2.0 * x));
  // At s_c, h + t = 0 and E = e^{x/2}, so b = ½·e^{x/2}·(1 − erfcx(√|x|)) and b' = e^{x/2}/√(2π); below |x| = 1e-8
  // the difference 1 − erfcx loses more than 4 digits and the general evaluation is used.
  const bC = x < -1e-8 ? 0.5 * bMax * (1.0 - erfcx(Math.sqrt(-x))) : normalisedBlackCallOutOfTheMoney(x, sC, bMax);
  const vC = INV_SQRT_2PI * bMax;
  if (beta < bC) {
    const sL = sC - bC / vC;
    const bL = normalisedBlackCallOutOfTheMoney(x, sL, bMax);
    const vL = lastNormalisedVega();
    if (beta < bL) {
      // Lowest branch: interpolate the lower map.
      computeLowerMap(x, sL);
      const fLowerL = mapF;
      const rLL = convexControlParameterToFitSecondDerivativeAtRightSide(0.0, bL, 0.0, fLowerL, 1.0, mapFp, mapFpp, true);
      let f = rationalCubicInterpolation(beta, 0.0, bL, 0.0, fLowerL, 1.0, mapFp, rLL);
      if (!(f > 0.0)) {
        // Round-off for extreme |x|: quadratic through f(0) = 0, f(b_l), f'(0) = 1.
        const t = beta / bL;
        f = (fLowerL * t + bL * (1.0 - t)) * t;
      }
      s = inverseLowerMap(x, f);
      sRight = sL;
      objective = OBJECTIVE_LOWER;
    } else {
      // Lower middle branch: rational cubic in (b, s) between s_l and s_c.
      const rLM = convexControlParameterToFitSecondDerivativeAtRightSide(bL, bC, sL, sC, 1.0 / vL, 1.0 / vC, 0.0, false);
      s = rationalCubicInterpolation(beta, bL, bC, sL, sC, 1.0 / vL, 1.0 / vC, rLM);
      sLeft = sL;
      sRight = sC;
    }
  } else {
    const sH = vC > DBL_MIN ? sC + (bMax - bC) / vC : sC;
    const bH = normalisedBlackCallOutOfTheMoney(x, sH, bMax);
    const vH = lastNormalisedVega();
    if (beta <= bH) {
      // Upper middle branch: rational cubic in (b, s) between s_c and s_h.
      const rHM = convexControlParameterToFitSecondDerivativeAtLeftSide(bC, bH, sC, sH, 1.0 / vC, 1.0 / vH, 0.0, false);
      s = rationalCubicInterpolation(beta, bC, bH, sC, sH, 1.0 / vC, 1.0 / vH, rHM);
      sLeft = sC;
      sRight = sH;
    } else {
      // Highest branch: interpolate the upper map.
      computeUpperMap(x, sH);
      const fUpperH = mapF;
      let f: f64 = -DBL_MAX;
      if (mapFpp > -SQRT_DBL_MAX && mapFpp < SQRT_DBL_MAX) {
        const rHH = convexControlParameterToFitSecondDerivativeAtLeftSide(bH, bMax, fUpperH, 0.0, mapFp, -0.5, mapFpp, true);
        f = rationalCubicInterpolation(beta, bH, bMax, fUpperH, 0.0, mapFp, -0.5, rHH);
      }
      if (f <= 0.0) {
        // Quadratic through f(b_h), f(b_max) = 0 and f'(b_max) = −1/2.
        const hh = bMax - bH;
        const t = (beta - bH) / hh;
        f = (fUpperH * (1.0 - t) + 0.5 * hh * t) * (1.0 - t);
      }
      s = -2.0 * inverseNormalCdf(f);
      sLeft = sH;
      if (beta > 0.5 * bMax) objective = OBJECTIVE_UPPER;
    }
  }
  const lnBeta = objective == OBJECTIVE_LOWER ? Math.log(beta) : 0.0;
  let iterations: i32 = 0;
  let directionReversals: i32 = 0;
  let ds: f64 = -DBL_MAX;
  let dsPrevious: f64 = 0.0;
  while (iterations < MAXIMUM_ITERATIONS && Math.abs(ds) > stepTolerance(iterations) * s) {
    if (ds * dsPrevious < 0.0) directionReversals++;
    if (iterations > 0 && (directionReversals == 3 || !(s > sLeft && s < sRight))) {
      // A step left the bracket (only for extreme |x|): restart from its midpoint.
      s = 0.5 * (sLeft + sRight);
      if (sRight - sLeft <= DBL_EPSILON * s) break;
      directionReversals = 0;
      ds = 0.0;
    }
    dsPrevious = ds;
    const b = normalisedBlackCallOutOfTheMoney(x, s, bMax);
    const bp = lastNormalisedVega();
    if (b > beta && s < sRight) sRight = s;
    else if (b < beta && s > sLeft) sLeft = s;
    // Ratios of the derivatives of b: b''/b' = h²/s − s/4 and b'''/b' = (b''/b')² − 3(h/s)² − 1/4 with h = x/s.
    const oneOverS = 1.0 / s;
    const hOverS = x * oneOverS * oneOverS;
    const bHalley = x * hOverS * oneOverS - 0.25 * s;
    const bHh3 = bHalley * bHalley - 3.0 * hOverS * hOverS - 0.25;
    let newton: f64;
    let halley: f64 = bHalley;
    let hh3: f64 = bHh3;
    if (objective == OBJECTIVE_PRICE) {
      newton = (beta - b) / bp;
    } else if (objective == OBJECTIVE_LOWER && b > 0.0 && bp > 0.0) {
      const lnB = Math.log(b);
      const bpob = bp / b;
      const oneOverLnB = 1.0 / lnB;
      newton = (lnBeta - lnB) * lnB / lnBeta / bpob;
      halley = bHalley - bpob * (1.0 + 2.0 * oneOverLnB);
      hh3 = bHh3 + 2.0 * bpob * bpob * (1.0 + 3.0 * oneOverLnB * (1.0 + oneOverLnB)) - 3.0 * bHalley * bpob * (1.0 + 2.0 * oneOverLnB);
    } else if (objective == OBJECTIVE_UPPER && b < bMax && bp > DBL_MIN) {
      const bMaxMinusB = bMax - b;
      const gp = bp / bMaxMinusB;
      newton = -Math.log((bMax - beta) / bMaxMinusB) / gp;
      halley = bHalley + gp;
      hh3 = bHh3 + gp * (2.0 * gp + 3.0 * bHalley);
    } else {
      // b or b' under- or overflowed: take the bracket midpoint for this step.
      newton = 0.5 * (sLeft + sRight) - s;
      halley = 0.0;
      hh3 = 0.0;
    }
    ds = Math.max(-0.5 * s, newton * householderFactor(newton, halley, hh3));
    s += ds;
    iterations++;
  }
  lastIterations = iterations;
  return s;
}

/**
 * Householder(3) steps allowed on a subnormal normalised price: two reach ε from the lower-map guess on every
 * reference case (docs/numerics.md), the third confirms it; 3 is also the documented bound of `iterations`.
 */
const MAXIMUM_ITERATIONS_TINY: i32 = 3;

/**
 * Normalised implied volatility s of an out-of-the-money call from ln β, for β = b(x, s) below the double range
 * (β < 2.2e-308: e.g. a price of 1e-298 against √(F·K) = 1.4e31): Jäckel's lowest branch carried in logarithms.
 * Guess: the inverse lower map at f = β (f(β) = β + O(β²/b_l), Jäckel 2015 (4.5)–(4.7)), whose cube root
 * (β/((2π/√27)|x|))^{1/3} = e^{(ln β − ln((2π/√27)|x|))/3} is a normal number; then Householder(3) steps on the
 * lowest branch's objective 1/ln b(s) − 1/ln β with ln b and b'/b from logNormalisedBlackCallOutOfTheMoney, kept
 * inside the bracket as normalisedImpliedVolatility does. At x = 0, b(0, s) = 2Φ(s/2) − 1 = s/√(2π)·(1 − O(s²)), so
 * s = β·√(2π). Sets lastIterations.
 */
export function normalisedImpliedVolatilityFromLog(lnBeta: f64, x: f64): f64 {
  lastIterations = 0;
  if (x == 0.0) return Math.exp(lnBeta) * SQRT_TWO_PI;
  const ax = Math.abs(x);
  let s = ax / (SQRT_THREE * -inverseNormalCdf(Math.exp((lnBeta - Math.log(TWO_PI_OVER_SQRT_TWENTY_SEVEN * ax)) * (1.0 / 3.0))));
  let sLeft: f64 = 0.0;
  let sRight = Math.sqrt(2.0 * ax); // s_c: b(s_c) ≥ b_c ≫ β
  let iterations: i32 = 0;
  let ds: f64 = -DBL_MAX;
  while (iterations < MAXIMUM_ITERATIONS_TINY && Math.abs(ds) > DBL_EPSILON * s) {
    if (!(s > sLeft && s < sRight)) s = 0.5 * (sLeft + sRight);
    const lnB = logNormalisedBlackCallOutOfTheMoney(x, s);
    const bpob = lastNormalisedVegaOverB();
    if (lnB > lnBeta) sRight = s;
    else if (lnB < lnBeta) sLeft = s;
    // As the OBJECTIVE_LOWER step of normalisedImpliedVolatility, with b''/b' = h²/s − s/4.
    const oneOverS = 1.0 / s;
    const hOverS = x * oneOverS * oneOverS;
    const bHalley = x * hOverS * oneOverS - 0.25 * s;
    const bHh3 = bHalley * bHalley - 3.0 * hOverS * hOverS - 0.25;
    const oneOverLnB = 1.0 / lnB;
    const newton = (lnBeta - lnB) * lnB / lnBeta / bpob;
    const halley = bHalley - bpob * (1.0 + 2.0 * oneOverLnB);
    const hh3 = bHh3 + 2.0 * bpob * bpob * (1.0 + 3.0 * oneOverLnB * (1.0 + oneOverLnB)) - 3.0 * bHalley * bpob * (1.0 + 2.0 * oneOverLnB);
    ds = Math.max(-0.5 * s, newton * householderFactor(newton, halley, hh3));
    if (!(ds == ds)) ds = 0.5 * (sLeft + sRight) - s; // ln b or b'/b overflowed: bisect
    s += ds;
    iterations++;
  }
  lastIterations = iterations;
  return s;
}

/** Iterations used by the last normalisedImpliedVolatility call. */
export function normalisedImpliedVolatilityIterations(): i32 {
  return lastIterations;
}

/**
 * One element of impliedVolBatch, scalar (the reference path; the SIMD pair path falls back to it per lane).
 * Forward F = S·e^{(r−q)T}, undiscounted price u = price·e^{rT}; u < intrinsic → NaN, status 1;
 * u ≥ F (call) or K (put) → NaN, status 2; u within 4ε (relative) of intrinsic (no resolvable time value) → 0, status 3.
 * Otherwise σ = s/√T with s from normalisedImpliedVolatility on β = (u − intrinsic)/√(F·K), x = ±ln(F/K) ≤ 0,
 * or, where β is below the double range, from normalisedImpliedVolatilityFromLog on ln β.
 */
function impliedVolElement(
  i: i32, type: usize, price: usize, spot: usize, strike: usize, expiry: usize, rate: usize, dividend: usize,
  vol: usize, status: usize, iterations: usize,
): void {
  const o = <usize>i << 3;
  const theta = load<f64>(type + o);
  const T = load<f64>(expiry + o);
  const r = load<f64>(rate + o);
  const K = load<f64>(strike + o);
  const F = load<f64>(spot + o) * Math.exp((r - load<f64>(dividend + o)) * T);
  const u = load<f64>(price + o) * Math.exp(r * T);
  const isCall = theta > 0.0;
  const intrinsic = Math.max(isCall ? F - K : K - F, 0.0);
  const upper = isCall ? F : K;
  let sigma: f64 = NaN;
  let code: i32 = STATUS_OK;
  let its: i32 = 0;
  if (u < intrinsic * (1.0 - 4.0 * DBL_EPSILON)) {
    code = STATUS_BELOW_INTRINSIC;
  } else if (u >= upper) {
    code = STATUS_ABOVE_MAXIMUM;
  } else if (u <= intrinsic * (1.0 + 4.0 * DBL_EPSILON) && !(intrinsic == 0.0 && load<f64>(price + o) > 0.0)) {
    // (An out-of-the-money price > 0 whose u = price·e^{rT} rounded to 0 has a time value: the log path below.)
    sigma = 0.0;
    code = STATUS_AT_INTRINSIC;
  } else {
    // Out-of-the-money call form: x ≤ 0 and β the normalised time value.
    let x = Math.log(F / K);
    if (!isCall) x = -x;
    const sqrtFK = Math.sqrt(F) * Math.sqrt(K);
    let beta: f64;
    if (x > 0.0) {
      beta = (u - intrinsic) / sqrtFK;
      x = -x;
    } else beta = u / sqrtFK;
    if (!(beta >= DBL_MIN)) {
      // A subnormal normalised time value: invert its logarithm. Out of the money ln u = ln price + rT, since u itself
      // may have rounded to a subnormal; in the money the time value u − intrinsic is a double > 0 here.
      const lnBeta = (intrinsic > 0.0 ? Math.log(u - intrinsic) : Math.log(load<f64>(price + o)) + r * T) - Math.log(sqrtFK);
      sigma = normalisedImpliedVolatilityFromLog(lnBeta, x) / Math.sqrt(T);
      its = lastIterations;
    } else {
      const bMax = Math.exp(0.5 * x);
      if (beta >= bMax) {
        code = STATUS_ABOVE_MAXIMUM;
      } else {
        sigma = normalisedImpliedVolatility(beta, x, bMax) / Math.sqrt(T);
        its = lastIterations;
      }
    }
  }
  store<f64>(vol + o, sigma);
  store<i32>(status + (<usize>i << 2), code);
  store<i32>(iterations + (<usize>i << 2), its);
}

// ---- SIMD mainstream path ---------------------------------------------------------------------------
// Two options per f64x2. In the mainstream region the normalised call is evaluated directly as
//   b = e^{x/2}·Φ(h+t) − e^{−x/2}·Φ(h−t),  h = x/s, t = s/2, x ≤ 0,
// with one exponential: e^{−(h±t)²/2} = E·e^{∓x/2}, E = e^{−(h²+t²)/2} (because (h±t)² = h² + t² ± x), and Φ
// given that exponential (math.ts normCdfMillsv: Φ(−y) = e^{−y²/2}·R(y), one 8/8 rational, ≤ 7.4e-16 relative for
// |y| ≤ √32, no per-lane range select; lanes beyond √32 take Cody's tail), so b, its vega b' = E/√(2π) cost one expv
// and two rationals.
// Error analysis (why no double-double and no erfcx are needed here): the inversion error is δs = δb/b'.
//   • h + t ≤ 0: the terms are e^{x/2}Φ(h+t) = b'·Y(h+t) and e^{−x/2}Φ(h−t) = b'·Y(h−t), Y = Φ/φ ≤ Y(0) = 1.25, so an
//     error of k ulps in each Φ (R: relative ≤ 7.4e-16, k ≤ 4) gives δs ≤ 2.5·k·ε whatever the cancellation in b.
//   • the rounding of h and of the exponent −(h²+t²)/2 perturbs each term relatively by ~(h² + t²)·ε, i.e.
//     δs ≲ 1.25·(h² + t²)·ε ≤ 3e-14 for h² + t² ≤ 100 (REGION_MAX_EXPONENT).
//   • 0 < h + t ≤ 3 (REGION_MAX_H_PLUS_T): Φ(h+t) = 1 − tail has absolute error ε, δs ≤ ε·e^{x/2}/b'
//     = ε·√(2π)·e^{(h+t)²/2} ≤ 226ε = 5e-14, which one ulp of the price already causes (it is within the
//     conditioning allowance of the tests).
// Lanes whose solution leaves that region, whose guess is on the highest branch, that did not converge, or that are
// at a bound go to the scalar Let's Be Rational path (impliedVolElement).
const REGION_MAX_EXPONENT: f64 = 100.0;
const REGION_MAX_H_PLUS_T: f64 = 3.0;
const SQRT_TWO_PI: f64 = 2.5066282746310005024157652848110452530069867;

// Second outputs of the f64x2 routines (vega lanes, lowest-branch lanes, ...), one 16-byte static slot per pair of
// options in flight (no tuples, and no v128 globals, which the scalar build could not declare).
const SLOTS: usize = memory.data(192, 16);
const VEGA_A: usize = SLOTS;
const VEGA_B: usize = SLOTS + 16;
const LOWER_A: usize = SLOTS + 32;
const LOWER_B: usize = SLOTS + 48;
const B_A: usize = SLOTS + 64;
const B_B: usize = SLOTS + 80;
const DS_A: usize = SLOTS + 96;
const DS_B: usize = SLOTS + 112;
const INV_S_A: usize = SLOTS + 128;
const INV_S_B: usize = SLOTS + 144;
const TAYLOR_OK_A: usize = SLOTS + 160;
const TAYLOR_OK_B: usize = SLOTS + 176;

// Per-lane results of initialGuessFromNodes.
let guessObjective: i32 = OBJECTIVE_PRICE;

/**
 * Jäckel's initial guess (section 4–5) from the nodes the SIMD path computed: s_c, b(s_c), b'(s_c) and b, b' at
 * s₁ = s_l (when β < b_c) or s_h. Returns NaN for the highest branch and degenerate nodes (the caller falls back).
 */
function initialGuessFromNodes(beta: f64, x: f64, bMax: f64, sC: f64, bC: f64, vC: f64, s1: f64, b1: f64, v1: f64): f64 {
  guessObjective = OBJECTIVE_PRICE;
  if (!(s1 > 0.0) || !(bC > 0.0) || !(v1 > 0.0) || !(b1 > 0.0)) return NaN;
  if (beta < bC) {
    if (beta < b1) {
      computeLowerMap(x, s1);
      const fLowerL = mapF;
      const rLL = convexControlParameterToFitSecondDerivativeAtRightSide(0.0, b1, 0.0, fLowerL, 1.0, mapFp, mapFpp, true);
      const f = rationalCubicInterpolation(beta, 0.0, b1, 0.0, fLowerL, 1.0, mapFp, rLL);
      if (!(f > 0.0)) return NaN;
      guessObjective = OBJECTIVE_LOWER;
      return inverseLowerMap(x, f);
    }
    const rLM = convexControlParameterToFitSecondDerivativeAtRightSide(b1, bC, s1, sC, 1.0 / v1, 1.0 / vC, 0.0, false);
    return rationalCubicInterpolation(beta, b1, bC, s1, sC, 1.0 / v1, 1.0 / vC, rLM);
  }
  if (beta > b1) return NaN;
  const rHM = convexControlParameterToFitSecondDerivativeAtLeftSide(bC, b1, sC, s1, 1.0 / vC, 1.0 / v1, 0.0, false);
  return rationalCubicInterpolation(beta, bC, b1, sC, s1, 1.0 / vC, 1.0 / v1, rHM);
}


// P. J. Acklam's rational approximation of Φ⁻¹ (relative error < 1.15e-9; "An algorithm for computing the inverse
// normal cumulative distribution function", 2003): ample for an initial guess that two fourth-order steps refine.
const ACKLAM_A = memory.data<f64>([-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]);
const ACKLAM_B = memory.data<f64>([-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]);
const ACKLAM_C = memory.data<f64>([-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]);
const ACKLAM_D = memory.data<f64>([7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]);
const LN_ACKLAM_LOW: f64 = -3.719339344238073; // ln 0.02425

@inline
function coefficient(table: usize, k: i32): v128 {
  return f64x2.splat(load<f64>(table + (<usize>k << 3)));
}

/**
 * Acklam's Φ⁻¹(p) on both lanes for 0 < p ≤ ½ (lower tail below 0.02425, central rational above), from ln p (the
 * caller has it: the tail needs only √(−2 ln p), and p itself is formed only when some lane is central).
 */
@inline
function inverseNormalCdfGuessv(lnP: v128): v128 {
  const low = f64x2.lt(lnP, f64x2.splat(LN_ACKLAM_LOW));
  let tail = f64x2.splat(0.0);
  let central = f64x2.splat(0.0);
  if (v128.any_true(low)) {
    const q = f64x2.sqrt(f64x2.mul(f64x2.splat(-2.0), v128.and(lnP, low)));
    let num = f64x2.add(f64x2.mul(coefficient(ACKLAM_C, 0), q), coefficient(ACKLAM_C, 1));
    for (let k = 2; k < 6; k++) num = f64x2.add(f64x2.mul(num, q), coefficient(ACKLAM_C, k));
    let den = f64x2.add(f64x2.mul(coefficient(ACKLAM_D, 0), q), coefficient(ACKLAM_D, 1));
    for (let k = 2; k < 4; k++) den = f64x2.add(f64x2.mul(den, q), coefficient(ACKLAM_D, k));
    den = f64x2.add(f64x2.mul(den, q), f64x2.splat(1.0));
    tail = f64x2.div(num, den);
  }
  if (!i64x2.all_true(low)) {
    const q = f64x2.sub(expv(lnP), f64x2.splat(0.5));
    const r = f64x2.mul(q, q);
    let num = f64x2.add(f64x2.mul(coefficient(ACKLAM_A, 0), r), coefficient(ACKLAM_A, 1));
    for (let k = 2; k < 6; k++) num = f64x2.add(f64x2.mul(num, r), coefficient(ACKLAM_A, k));
    let den = f64x2.add(f64x2.mul(coefficient(ACKLAM_B, 0), r), coefficient(ACKLAM_B, 1));
    for (let k = 2; k < 5; k++) den = f64x2.add(f64x2.mul(den, r), coefficient(ACKLAM_B, k));
    den = f64x2.add(f64x2.mul(den, r), f64x2.splat(1.0));
    central = f64x2.div(f64x2.mul(num, q), den);
  }
  return v128.bitselect(tail, central, low);
}

@inline
function isTinyv(v: v128): v128 {
  return f64x2.lt(f64x2.abs(v), f64x2.splat(DBL_MIN));
}

/**
 * Jäckel's initial guess (sections 4–5) on both lanes, from the nodes s_c, b_c, b'_c and s₁, b₁, b'₁ (s₁ = s_l when
 * β < b_c, else s_h). The three branches used here (lowest: the lower map f(β) interpolated on [0, b_l] and inverted;
 * lower middle and upper middle: s(β) interpolated between the nodes) are one Delbourgo–Gregory interpolation with
 * per-lane nodes. The control parameter is the closed form of rational_cubic.ts for its regular case; a lane in one
 * of the degenerate cases (a zero slope or difference, the straight-line limit, f ≤ 0) takes the scalar
 * initialGuessFromNodes instead. The highest branch gives NaN (scalar fallback). Lowest lanes → lowerSlot.
 */
function initialGuessv(beta: v128, x: v128, bMax: v128, sC: v128, bC: v128, vC: v128, invVC: v128, s1: v128, b1: v128, v1: v128, lowerSlot: usize): v128 {
  const one = f64x2.splat(1.0);
  const zero = f64x2.splat(0.0);
  const lowerHalf = f64x2.lt(beta, bC);
  const lowest = v128.and(lowerHalf, f64x2.lt(beta, b1));
  const highest = v128.andnot(f64x2.gt(beta, b1), lowerHalf);
  const ax = f64x2.neg(x);
  const invV1 = f64x2.div(one, v1);
  const anyLowest = v128.any_true(lowest);
  // Lower map at s_l (computeLowerMap): z = |x|/(√3·s), y = z², e^{−y/2} serves Φ(−z) and φ(z), and
  // g = e^{y + s²/8} = e^{−y/2}/E₁ with E₁ = e^{−(h²+s²/4)/2} = √(2π)·b'(s_l) (because h² = 3y): no exponential of its own.
  let fL = zero;
  let fLp = one;
  let fLpp = zero;
  if (anyLowest) {
    const z = f64x2.mul(f64x2.splat(SQRT_ONE_OVER_THREE), f64x2.div(ax, s1));
    const y = f64x2.mul(z, z);
    const s2 = f64x2.mul(s1, s1);
    const e = expv(f64x2.mul(f64x2.splat(-0.5), y));
    const Phi = normCdfMillsv(f64x2.neg(z), e);
    const phi = f64x2.mul(e, v128.load(INV_SQRT_2PI_X2));
    const g = f64x2.mul(f64x2.mul(e, invV1), v128.load(INV_SQRT_2PI_X2));
    const Phi2 = f64x2.mul(Phi, Phi);
    const bracket = f64x2.add(
      f64x2.mul(f64x2.mul(f64x2.splat(8.0 * SQRT_THREE), s1), ax),
      f64x2.div(f64x2.mul(f64x2.sub(f64x2.mul(f64x2.mul(f64x2.splat(3.0), s2), f64x2.sub(s2, f64x2.splat(8.0))), f64x2.mul(f64x2.splat(8.0), f64x2.mul(x, x))), Phi), phi));
    fLpp = f64x2.mul(f64x2.mul(f64x2.mul(f64x2.div(f64x2.mul(f64x2.splat(PI_OVER_SIX), y), f64x2.mul(s2, s1)), Phi), bracket), f64x2.mul(g, g));
    fLp = f64x2.mul(f64x2.mul(f64x2.mul(f64x2.splat(TWO_PI), y), Phi2), g);
    fL = f64x2.mul(f64x2.mul(f64x2.splat(TWO_PI_OVER_SQRT_TWENTY_SEVEN), ax), f64x2.mul(Phi2, Phi));
  }
  // Per-lane interpolation data: lowest (0, b_l) → (0, f_l); lower middle (b_l, b_c) → (s_l, s_c); upper middle (b_c, b_h) → (s_c, s_h).
  const xl = v128.bitselect(zero, v128.bitselect(b1, bC, lowerHalf), lowest);
  const xr = v128.bitselect(b1, v128.bitselect(bC, b1, lowerHalf), lowest);
  const yl = v128.bitselect(zero, v128.bitselect(s1, sC, lowerHalf), lowest);
  const yr = v128.bitselect(fL, v128.bitselect(sC, s1, lowerHalf), lowest);
  const dl = v128.bitselect(one, v128.bitselect(invV1, invVC, lowerHalf), lowest);
  const dr = v128.bitselect(fLp, v128.bitselect(invVC, invV1, lowerHalf), lowest);
  const secondDerivative = v128.and(fLpp, lowest);
  const h = f64x2.sub(xr, xl);
  const invH = f64x2.div(one, h);
  const slope = f64x2.mul(f64x2.sub(yr, yl), invH);
  const drMinusDl = f64x2.sub(dr, dl);
  const drMinusSlope = f64x2.sub(dr, slope);
  const slopeMinusDl = f64x2.sub(slope, dl);
  // The three reciprocals 1/(d_r − slope), 1/(slope − d_l), 1/slope from one division (products of O(1) numbers in
  // this region; an overflow only spoils the guess, which the convergence check then sends to the scalar path).
  const q3 = f64x2.div(one, f64x2.mul(f64x2.mul(drMinusSlope, slopeMinusDl), slope));
  const invDrMinusSlope = f64x2.mul(f64x2.mul(slopeMinusDl, slope), q3);
  const invSlopeMinusDl = f64x2.mul(f64x2.mul(drMinusSlope, slope), q3);
  const invSlope = f64x2.mul(f64x2.mul(drMinusSlope, slopeMinusDl), q3);
  // Fit of the second derivative at the right end (lower branches) or the left end (upper middle).
  const numerator = f64x2.add(f64x2.mul(f64x2.mul(f64x2.splat(0.5), h), secondDerivative), drMinusDl);
  const denominator = v128.bitselect(drMinusSlope, slopeMinusDl, lowerHalf);
  const rFit = f64x2.mul(numerator, v128.bitselect(invDrMinusSlope, invSlopeMinusDl, lowerHalf));
  // Shape-preserving minimum (minimumControlParameter): monotonic → (d_r + d_l)/slope; convex or concave → max |…|.
  const monotonic = v128.and(f64x2.ge(f64x2.mul(dl, slope), zero), f64x2.ge(f64x2.mul(dr, slope), zero));
  const convexOrConcave = v128.or(
    v128.and(f64x2.le(dl, slope), f64x2.le(slope, dr)), v128.and(f64x2.ge(dl, slope), f64x2.ge(slope, dr)));
  const minusMax = f64x2.splat(-DBL_MAX);
  const r1 = v128.bitselect(f64x2.mul(f64x2.add(dr, dl), invSlope), minusMax, monotonic);
  const r2 = v128.bitselect(
    f64x2.pmax(f64x2.abs(f64x2.mul(drMinusDl, invDrMinusSlope)), f64x2.abs(f64x2.mul(drMinusDl, invSlopeMinusDl))), minusMax, convexOrConcave);
  const r = f64x2.pmax(rFit, f64x2.pmax(f64x2.splat(-(1.0 - 1.4901161193847656e-8)), f64x2.pmax(r1, r2)));
  let degenerate = v128.or(v128.or(isTinyv(h), isTinyv(numerator)), v128.or(isTinyv(denominator), isTinyv(slope)));
  degenerate = v128.or(degenerate, v128.and(convexOrConcave, v128.or(isTinyv(drMinusSlope), isTinyv(slopeMinusDl))));
  degenerate = v128.or(degenerate, f64x2.ge(r, f64x2.splat(2.0 / (DBL_EPSILON * DBL_EPSILON))));
  // Delbourgo–Gregory (2.4)/(2.5) at β.
  const t = f64x2.mul(f64x2.sub(beta, xl), invH);
  const omt = f64x2.sub(one, t);
  const t2 = f64x2.mul(t, t);
  const omt2 = f64x2.mul(omt, omt);
  const numeratorRc = f64x2.add(
    f64x2.add(f64x2.mul(f64x2.mul(yr, t2), t), f64x2.mul(f64x2.mul(f64x2.sub(f64x2.mul(r, yr), f64x2.mul(h, dr)), t2), omt)),
    f64x2.add(f64x2.mul(f64x2.mul(f64x2.add(f64x2.mul(r, yl), f64x2.mul(h, dl)), t), omt2), f64x2.mul(f64x2.mul(yl, omt2), omt)));
  const interpolated = f64x2.div(numeratorRc, f64x2.add(one, f64x2.mul(f64x2.mul(f64x2.sub(r, f64x2.splat(3.0)), t), omt)));
  let s = interpolated;
  if (anyLowest) {
    // Inverse lower map: s = |x|/(√3·|Φ⁻¹((f/((2π/√27)|x|))^{1/3})|).
    degenerate = v128.or(degenerate, v128.andnot(lowest, f64x2.gt(interpolated, zero)));
    const ratio = v128.bitselect(f64x2.div(interpolated, f64x2.mul(f64x2.splat(TWO_PI_OVER_SQRT_TWENTY_SEVEN), ax)), f64x2.splat(0.25), lowest);
    const lnP = f64x2.mul(logv(ratio), f64x2.splat(1.0 / 3.0));
    const sLow = f64x2.div(ax, f64x2.mul(f64x2.splat(SQRT_THREE), f64x2.abs(inverseNormalCdfGuessv(lnP))));
    s = v128.bitselect(sLow, s, lowest);
  }
  let lowerLanes = lowest;
  degenerate = v128.andnot(degenerate, highest);
  if (v128.any_true(degenerate)) {
    if (i64x2.extract_lane(degenerate, 0) != 0) {
      s = f64x2.replace_lane(s, 0, initialGuessFromNodes(f64x2.extract_lane(beta, 0), f64x2.extract_lane(x, 0),
        f64x2.extract_lane(bMax, 0), f64x2.extract_lane(sC, 0), f64x2.extract_lane(bC, 0), f64x2.extract_lane(vC, 0),
        f64x2.extract_lane(s1, 0), f64x2.extract_lane(b1, 0), f64x2.extract_lane(v1, 0)));
      lowerLanes = i64x2.replace_lane(lowerLanes, 0, guessObjective == OBJECTIVE_LOWER ? -1 : 0);
    }
    if (i64x2.extract_lane(degenerate, 1) != 0) {
      s = f64x2.replace_lane(s, 1, initialGuessFromNodes(f64x2.extract_lane(beta, 1), f64x2.extract_lane(x, 1),
        f64x2.extract_lane(bMax, 1), f64x2.extract_lane(sC, 1), f64x2.extract_lane(bC, 1), f64x2.extract_lane(vC, 1),
        f64x2.extract_lane(s1, 1), f64x2.extract_lane(b1, 1), f64x2.extract_lane(v1, 1)));
      lowerLanes = i64x2.replace_lane(lowerLanes, 1, guessObjective == OBJECTIVE_LOWER ? -1 : 0);
    }
  }
  v128.store(lowerSlot, lowerLanes);
  return v128.bitselect(f64x2.splat(NaN), s, highest);
}

/** The Householder(3) step on both lanes from b and b' at s (objective per lane: price, or 1/ln b for the lowest branch). */
@inline
function householderFromB(x: v128, s: v128, oneOverS: v128, b: v128, bp: v128, beta: v128, lnBeta: v128, lowerMask: v128, anyLower: bool): v128 {
  const hOverS = f64x2.mul(f64x2.mul(x, oneOverS), oneOverS);
  const bHalley = f64x2.sub(f64x2.mul(f64x2.mul(x, hOverS), oneOverS), f64x2.mul(f64x2.splat(0.25), s));
  const bHh3 = f64x2.sub(f64x2.sub(f64x2.mul(bHalley, bHalley), f64x2.mul(f64x2.splat(3.0), f64x2.mul(hOverS, hOverS))), f64x2.splat(0.25));
  // Newton's step as a fraction num/den: price objective (β − b)/b'.
  let num = f64x2.sub(beta, b);
  let den = bp;
  let halley = bHalley;
  let hh3 = bHh3;
  if (anyLower) {
    // 1/ln b objective: newton = (ln β − ln b)·ln b·b/(ln β·b'); b'/b and 1/ln b from one division 1/(b·ln b).
    const lnB = logv(b);
    const q = f64x2.div(f64x2.splat(1.0), f64x2.mul(b, lnB));
    const bpob = f64x2.mul(f64x2.mul(bp, lnB), q);
    const oneOverLnB = f64x2.mul(b, q);
    const one = f64x2.splat(1.0);
    const twoOverLnB = f64x2.add(oneOverLnB, oneOverLnB);
    const halleyL = f64x2.sub(bHalley, f64x2.mul(bpob, f64x2.add(one, twoOverLnB)));
    const hh3L = f64x2.sub(
      f64x2.add(bHh3, f64x2.mul(f64x2.mul(f64x2.splat(2.0), f64x2.mul(bpob, bpob)),
        f64x2.add(one, f64x2.mul(f64x2.mul(f64x2.splat(3.0), oneOverLnB), f64x2.add(one, oneOverLnB))))),
      f64x2.mul(f64x2.mul(f64x2.splat(3.0), f64x2.mul(bHalley, bpob)), f64x2.add(one, twoOverLnB)));
    num = v128.bitselect(f64x2.mul(f64x2.mul(f64x2.sub(lnBeta, lnB), lnB), b), num, lowerMask);
    den = v128.bitselect(f64x2.mul(lnBeta, bp), den, lowerMask);
    halley = v128.bitselect(halleyL, halley, lowerMask);
    hh3 = v128.bitselect(hh3L, hh3, lowerMask);
  }
  // Householder(3) with n = num/den: n(1 + ½Hn)/(1 + n(H + H₃n/6)) = num(den + ½H·num)/(den² + num(H·den + H₃·num/6)),
  // one division.
  const ds = f64x2.div(
    f64x2.mul(num, f64x2.add(den, f64x2.mul(f64x2.mul(f64x2.splat(0.5), halley), num))),
    f64x2.add(f64x2.mul(den, den), f64x2.mul(num, f64x2.add(f64x2.mul(halley, den), f64x2.mul(f64x2.mul(hh3, num), f64x2.splat(1.0 / 6.0))))));
  return f64x2.pmax(ds, f64x2.mul(f64x2.splat(-0.5), s));
}

// Φ(h ± t) of the price evaluations from normCdfMills's rational with one division for both: e·P(y₊)/Q(y₊) and
// e·P(y₋)/Q(y₋) as P(y₊)·Q(y₋)·q and P(y₋)·Q(y₊)·q with q = 1/(Q(y₊)·Q(y₋)) (Q ∈ [2.6e4, ~2e7] on [0, √32]: no
// overflow; two more roundings, i.e. ≤ 4 + 2 ulps per Φ in the error analysis above). A lane with either |h ± t|
// beyond √32 evaluates both by normCdfMills (Cody's tail there).
const MILLS_RANGE: f64 = 5.656854248; // √32 as math.ts's CDF_ROOT32

const FAR_PHI_P: usize = memory.data(16, 16);
const FAR_PHI_M: usize = memory.data(16, 16);

/**
 * Φ(h ± t) by normCdfMills on the lanes with |h ± t| beyond √32 (→ FAR_PHI_P, FAR_PHI_M; other lanes keep phiP,
 * phiM). Rare, so kept out of line: inlined, its eight copies of Cody's tail bloated the hot loop.
 */
function farPhiPair(far: v128, xp: v128, ep: v128, xm: v128, em: v128, phiP: v128, phiM: v128): void {
  if (i64x2.extract_lane(far, 0) != 0) {
    phiP = f64x2.replace_lane(phiP, 0, normCdfMills(f64x2.extract_lane(xp, 0), f64x2.extract_lane(ep, 0)));
    phiM = f64x2.replace_lane(phiM, 0, normCdfMills(f64x2.extract_lane(xm, 0), f64x2.extract_lane(em, 0)));
  }
  if (i64x2.extract_lane(far, 1) != 0) {
    phiP = f64x2.replace_lane(phiP, 1, normCdfMills(f64x2.extract_lane(xp, 1), f64x2.extract_lane(ep, 1)));
    phiM = f64x2.replace_lane(phiM, 1, normCdfMills(f64x2.extract_lane(xm, 1), f64x2.extract_lane(em, 1)));
  }
  v128.store(FAR_PHI_P, phiP);
  v128.store(FAR_PHI_M, phiM);
}

/** b = e^{x/2}·Φ(h+t) − e^{−x/2}·Φ(h−t) on both lanes given E = e^{−(h²+t²)/2} (see above). */
@inline
function bFromPhiPairv(h: v128, t: v128, E: v128, bMax: v128, invBMax: v128): v128 {
  const xp = f64x2.add(h, t);
  const xm = f64x2.sub(h, t);
  const ep = f64x2.mul(E, invBMax);
  const em = f64x2.mul(E, bMax);
  const yp = f64x2.abs(xp);
  const ym = f64x2.abs(xm);
  const dp = millsDenv(yp);
  const dm = millsDenv(ym);
  const q = f64x2.div(f64x2.splat(1.0), f64x2.mul(dp, dm));
  const tp = f64x2.mul(ep, f64x2.mul(f64x2.mul(millsNumv(yp), dm), q));
  const tm = f64x2.mul(em, f64x2.mul(f64x2.mul(millsNumv(ym), dp), q));
  const zero = f64x2.splat(0.0);
  const one = f64x2.splat(1.0);
  let phiP = v128.bitselect(f64x2.sub(one, tp), tp, f64x2.gt(xp, zero));
  let phiM = v128.bitselect(f64x2.sub(one, tm), tm, f64x2.gt(xm, zero));
  const far = v128.or(f64x2.gt(yp, f64x2.splat(MILLS_RANGE)), f64x2.gt(ym, f64x2.splat(MILLS_RANGE)));
  if (v128.any_true(far)) {
    farPhiPair(far, xp, ep, xm, em, phiP, phiM);
    phiP = v128.load(FAR_PHI_P);
    phiM = v128.load(FAR_PHI_M);
  }
  return f64x2.sub(f64x2.mul(bMax, phiP), f64x2.mul(invBMax, phiM));
}

/** b and b' (→ B_A, VEGA_A and B_B, VEGA_B) for two pairs, their chains interleaved call by call. */
@inline
function fastNormalisedBlack2(
  xA: v128, sA: v128, oneOverSA: v128, bMaxA: v128, invBMaxA: v128,
  xB: v128, sB: v128, oneOverSB: v128, bMaxB: v128, invBMaxB: v128,
): void {
  const hA = f64x2.mul(xA, oneOverSA);
  const hB = f64x2.mul(xB, oneOverSB);
  const tA = f64x2.mul(sA, f64x2.splat(0.5));
  const tB = f64x2.mul(sB, f64x2.splat(0.5));
  const EA = expv(f64x2.mul(f64x2.splat(-0.5), f64x2.add(f64x2.mul(hA, hA), f64x2.mul(tA, tA))));
  const EB = expv(f64x2.mul(f64x2.splat(-0.5), f64x2.add(f64x2.mul(hB, hB), f64x2.mul(tB, tB))));
  v128.store(VEGA_A, f64x2.mul(EA, v128.load(INV_SQRT_2PI_X2)));
  v128.store(VEGA_B, f64x2.mul(EB, v128.load(INV_SQRT_2PI_X2)));
  v128.store(B_A, bFromPhiPairv(hA, tA, EA, bMaxA, invBMaxA));
  v128.store(B_B, bFromPhiPairv(hB, tB, EB, bMaxB, invBMaxB));
}

// ---- second step from the first step's b and b' (no new evaluation of b) ------------------------------------------
// b'(s) = e^{L(s)}/√(2π) with L(s) = −x²/(2s²) − s²/8 in closed form, so with s = s₀(1 + ρ):
//   b'(s)/b'(s₀) = G(ρ) = e^{D(ρ)},  D(ρ) = A·(1 − 1/(1+ρ)²) − B·(2ρ + ρ²),  A = h₀²/2, B = s₀²/8,
// i.e. D = Σ D_k ρ^k with D₁ = 2A − 2B, D₂ = −3A − B, D_k = (−1)^{k+1}(k+1)·A (k ≥ 3), and G = Σ g_k ρ^k by
// G' = D'G: k·g_k = Σ_{j=1..k} j·D_j·g_{k−j}. Then b(s₁) − b(s₀) = b'(s₀)·d·Σ_k g_k ρ^k/(k+1) for d = s₁ − s₀, and the
// second step is Newton on β − b(s₁) with b'(s₁) = b'(s₀)·G(ρ). Truncated after g₆: the first term left out is
// ~ (D₁ρ)⁷/8! relative to d; with |ρ| ≤ 2^-8 and |ρ|·(h₀² + s₀²/4 + 1) ≤ 2^-5 it is below 0.031⁷/40320·2^-8 ≈ 3e-18
// of s, while Newton's own error ~ ds₂²·|L'| is below 1e-19·s (ds₂ ≲ 0.35·ρ⁴·s, measured Householder(3) constant).
// The round-off is that of b(s₀): the same δs = δb/b' as a fresh evaluation at s₁. Lanes outside those bounds (the
// lowest branch, whose first step is ~1e-2·s) take the full evaluation (priceStep).
const TAYLOR_MAX_RHO: f64 = 0.00390625; // 2^-8
const TAYLOR_MAX_D_RHO: f64 = 0.03125; // 2^-5

/** Second step from b, b' at s₀ and s₁ = s₀ + d (see above); lanes where the series is valid → okSlot. */
@inline
function taylorStepv(x: v128, s0: v128, oneOverS0: v128, b0: v128, v0: v128, beta: v128, s1: v128, okSlot: usize): v128 {
  const one = f64x2.splat(1.0);
  const d = f64x2.sub(s1, s0);
  const rho = f64x2.mul(d, oneOverS0);
  const h0 = f64x2.mul(x, oneOverS0);
  const hh = f64x2.mul(h0, h0);
  const quarterS2 = f64x2.mul(f64x2.mul(f64x2.splat(0.25), s0), s0);
  const A = f64x2.mul(f64x2.splat(0.5), hh);
  const absRho = f64x2.abs(rho);
  v128.store(okSlot, v128.and(f64x2.le(absRho, f64x2.splat(TAYLOR_MAX_RHO)),
    f64x2.le(f64x2.mul(absRho, f64x2.add(f64x2.add(hh, quarterS2), one)), f64x2.splat(TAYLOR_MAX_D_RHO))));
  // e_j = j·D_j.
  const e1 = f64x2.sub(hh, quarterS2);
  const e2 = f64x2.sub(f64x2.mul(f64x2.splat(-6.0), A), quarterS2);
  const e3 = f64x2.mul(f64x2.splat(12.0), A);
  const e4 = f64x2.mul(f64x2.splat(-20.0), A);
  const e5 = f64x2.mul(f64x2.splat(30.0), A);
  const e6 = f64x2.mul(f64x2.splat(-42.0), A);
  const g1 = e1;
  const g2 = f64x2.mul(f64x2.add(f64x2.mul(e1, g1), e2), f64x2.splat(1.0 / 2.0));
  const g3 = f64x2.mul(f64x2.add(f64x2.add(f64x2.mul(e1, g2), f64x2.mul(e2, g1)), e3), f64x2.splat(1.0 / 3.0));
  const g4 = f64x2.mul(f64x2.add(f64x2.add(f64x2.add(f64x2.mul(e1, g3), f64x2.mul(e2, g2)), f64x2.mul(e3, g1)), e4), f64x2.splat(1.0 / 4.0));
  const g5 = f64x2.mul(f64x2.add(f64x2.add(f64x2.add(f64x2.add(f64x2.mul(e1, g4), f64x2.mul(e2, g3)), f64x2.mul(e3, g2)), f64x2.mul(e4, g1)), e5), f64x2.splat(1.0 / 5.0));
  const g6 = f64x2.mul(f64x2.add(f64x2.add(f64x2.add(f64x2.add(f64x2.add(f64x2.mul(e1, g5), f64x2.mul(e2, g4)), f64x2.mul(e3, g3)), f64x2.mul(e4, g2)), f64x2.mul(e5, g1)), e6), f64x2.splat(1.0 / 6.0));
  // Σ g_k ρ^k/(k+1) and G(ρ) to g₄ (b'(s₁) only scales the tiny Newton step).
  let integral = f64x2.mul(g6, f64x2.splat(1.0 / 7.0));
  integral = f64x2.add(f64x2.mul(integral, rho), f64x2.mul(g5, f64x2.splat(1.0 / 6.0)));
  integral = f64x2.add(f64x2.mul(integral, rho), f64x2.mul(g4, f64x2.splat(1.0 / 5.0)));
  integral = f64x2.add(f64x2.mul(integral, rho), f64x2.mul(g3, f64x2.splat(1.0 / 4.0)));
  integral = f64x2.add(f64x2.mul(integral, rho), f64x2.mul(g2, f64x2.splat(1.0 / 3.0)));
  integral = f64x2.add(f64x2.mul(integral, rho), f64x2.mul(g1, f64x2.splat(1.0 / 2.0)));
  integral = f64x2.add(f64x2.mul(integral, rho), one);
  let growth = f64x2.add(f64x2.mul(g4, rho), g3);
  growth = f64x2.add(f64x2.mul(growth, rho), g2);
  growth = f64x2.add(f64x2.mul(growth, rho), g1);
  growth = f64x2.add(f64x2.mul(growth, rho), one);
  const residual = f64x2.sub(f64x2.sub(beta, b0), f64x2.mul(v0, f64x2.mul(d, integral)));
  return f64x2.div(residual, f64x2.mul(v0, growth));
}

/** One Householder(3) step for both pairs (steps → DS_A, DS_B). */
@inline
function householderStep2(
  xA: v128, sA: v128, betaA: v128, lnBetaA: v128, lowerA: v128, anyLowerA: bool, bMaxA: v128, invBMaxA: v128,
  xB: v128, sB: v128, betaB: v128, lnBetaB: v128, lowerB: v128, anyLowerB: bool, bMaxB: v128, invBMaxB: v128,
): void {
  const oneOverSA = f64x2.div(f64x2.splat(1.0), sA);
  const oneOverSB = f64x2.div(f64x2.splat(1.0), sB);
  v128.store(INV_S_A, oneOverSA);
  v128.store(INV_S_B, oneOverSB);
  fastNormalisedBlack2(xA, sA, oneOverSA, bMaxA, invBMaxA, xB, sB, oneOverSB, bMaxB, invBMaxB);
  v128.store(DS_A, householderFromB(xA, sA, oneOverSA, v128.load(B_A), v128.load(VEGA_A), betaA, lnBetaA, lowerA, anyLowerA));
  v128.store(DS_B, householderFromB(xB, sB, oneOverSB, v128.load(B_B), v128.load(VEGA_B), betaB, lnBetaB, lowerB, anyLowerB));
}

/** One Householder(3) step on the price objective for one pair (the full second step; out of line, as it is rare). */
function priceStep(x: v128, s: v128, beta: v128, bMax: v128, invBMax: v128): v128 {
  const oneOverS = f64x2.div(f64x2.splat(1.0), s);
  const h = f64x2.mul(x, oneOverS);
  const t = f64x2.mul(s, f64x2.splat(0.5));
  const E = expv(f64x2.mul(f64x2.splat(-0.5), f64x2.add(f64x2.mul(h, h), f64x2.mul(t, t))));
  const bp = f64x2.mul(E, v128.load(INV_SQRT_2PI_X2));
  const b = bFromPhiPairv(h, t, E, bMax, invBMax);
  return householderFromB(x, s, oneOverS, b, bp, beta, f64x2.splat(0.0), f64x2.splat(0.0), false);
}

// ---- a block in two passes, the lowest branch grouped -------------------------------------------------------------
// A pair whose lanes mix the lowest branch with the others pays for both branch bodies (lower map, its inverse, the
// log objective and a full second step): on a random batch ~22% of options are lowest but ~39% of pairs contain one.
// So a block is done in two passes. nodesQuad normalises four options, evaluates the nodes (s_c, b_c, s₁, b₁, b'₁),
// which decide the branch, stores them in the block's node columns (in option order, whole pairs) and appends the
// options to an order: lowest-branch options from the front, the others from the back. finishQuad then takes that
// order four at a time, gathers the nodes, does the guess, two steps and the acceptance test, and writes each result
// to its option. Every lane's arithmetic is independent of the other lane of its pair (lane-wise f64x2 operations
// and per-lane selects; the any/all branches only decide whether a value is computed, never which value a lane
// keeps), so the grouping changes no result bit. (Scattering the nodes into queue slots lane by lane instead cost
// ~6 ns/option more: 48 scalar stores per quad whose addresses are known late fill the store buffer.)

/** Options per block: checked (see blockInDomain), then inverted in two passes. */
const CHECK_BLOCK: i32 = 128;

/** The block's nodes (f64 columns indexed by position in the block) and the order of the second pass (i32 positions). */
const NODE_COLUMN: usize = <usize>CHECK_BLOCK << 3;
const NODES = memory.data(<i32>(NODE_COLUMN * 11 + (<usize>CHECK_BLOCK << 2)), 16);
const N_X = NODES;
const N_BETA = NODES + NODE_COLUMN;
const N_BETA_FULL = NODES + NODE_COLUMN * 2;
const N_BMAX = NODES + NODE_COLUMN * 3;
const N_INV_BMAX = NODES + NODE_COLUMN * 4;
const N_SC = NODES + NODE_COLUMN * 5;
const N_BC = NODES + NODE_COLUMN * 6;
const N_S1 = NODES + NODE_COLUMN * 7;
const N_B1 = NODES + NODE_COLUMN * 8;
const N_V1 = NODES + NODE_COLUMN * 9;
const N_EXPIRY = NODES + NODE_COLUMN * 10;
const ORDER = NODES + NODE_COLUMN * 11;

// Next free places in ORDER for the block being classified: lowest branch at the front, the others at the back.
let orderFront: i32 = 0;
let orderBack: i32 = 0;

/** Appends block position p to ORDER: at the front when `lowest` (0 or 1), else at the back (branch-free). */
@inline
function appendOrder(lowest: i32, p: i32): void {
  store<i32>(ORDER + (<usize>select<i32>(orderFront, orderBack, lowest) << 2), p);
  orderFront += lowest;
  orderBack -= lowest ^ 1;
}

/** Stores a pair's nodes at block positions p, p + 1 and appends both to ORDER by branch. */
@inline
function storeNodes(
  lowest: v128, p: i32, x: v128, beta: v128, betaFull: v128, bMax: v128, invBMax: v128, sC: v128, bC: v128, s1: v128,
  b1: v128, v1: v128, T: v128,
): void {
  const o = <usize>p << 3;
  v128.store(N_X + o, x);
  v128.store(N_BETA + o, beta);
  v128.store(N_BETA_FULL + o, betaFull);
  v128.store(N_BMAX + o, bMax);
  v128.store(N_INV_BMAX + o, invBMax);
  v128.store(N_SC + o, sC);
  v128.store(N_BC + o, bC);
  v128.store(N_S1 + o, s1);
  v128.store(N_B1 + o, b1);
  v128.store(N_V1 + o, v1);
  v128.store(N_EXPIRY + o, T);
  appendOrder(<i32>i64x2.extract_lane(lowest, 0) & 1, p);
  appendOrder(<i32>i64x2.extract_lane(lowest, 1) & 1, p + 1);
}

/**
 * First pass on options i…i+3 (block positions p…p+3) as two f64x2 pairs A = (i, i+1) and B = (i+2, i+3):
 * normalisation and Jäckel's nodes, stored and ordered by branch (see above). The two pairs are independent chains written side by side, so the CPU overlaps their
 * latencies. Normalisation: x = ln(S/K) + (r−q)T = ln(F/K) and β = price·e^{rT − (r−q)T/2}/√(S·K) = u/√(F·K).
 */
@inline
function nodesQuad(i: i32, p: i32, type: usize, price: usize, spot: usize, strike: usize, expiry: usize, rate: usize, dividend: usize): void {
  const oA = <usize>i << 3;
  const oB = oA + 16;
  const half = f64x2.splat(0.5);
  const zero = f64x2.splat(0.0);
  const one = f64x2.splat(1.0);
  const TA = v128.load(expiry + oA);
  const TB = v128.load(expiry + oB);
  const rA = v128.load(rate + oA);
  const rB = v128.load(rate + oB);
  const SA = v128.load(spot + oA);
  const SB = v128.load(spot + oB);
  const KA = v128.load(strike + oA);
  const KB = v128.load(strike + oB);
  const driftA = f64x2.mul(f64x2.sub(rA, v128.load(dividend + oA)), TA);
  const driftB = f64x2.mul(f64x2.sub(rB, v128.load(dividend + oB)), TB);
  // x' = θ·ln(F/K): a call's, or the put's mirrored log-moneyness; x = −|x'| ≤ 0 out of the money.
  const xSignedA = f64x2.mul(v128.load(type + oA), f64x2.add(logv(f64x2.div(SA, KA)), driftA));
  const xSignedB = f64x2.mul(v128.load(type + oB), f64x2.add(logv(f64x2.div(SB, KB)), driftB));
  const xA = f64x2.neg(f64x2.abs(xSignedA));
  const xB = f64x2.neg(f64x2.abs(xSignedB));
  const bMaxA = expv(f64x2.mul(half, xA));
  const bMaxB = expv(f64x2.mul(half, xB));
  const betaFullA = f64x2.div(
    f64x2.mul(v128.load(price + oA), expv(f64x2.sub(f64x2.mul(rA, TA), f64x2.mul(half, driftA)))), f64x2.sqrt(f64x2.mul(SA, KA)));
  const betaFullB = f64x2.div(
    f64x2.mul(v128.load(price + oB), expv(f64x2.sub(f64x2.mul(rB, TB), f64x2.mul(half, driftB)))), f64x2.sqrt(f64x2.mul(SB, KB)));
  const invBMaxA = f64x2.div(one, bMaxA);
  const invBMaxB = f64x2.div(one, bMaxB);
  // In the money: subtract the normalised intrinsic e^{|x|/2} − e^{−|x|/2}.
  const betaA = f64x2.sub(betaFullA, v128.and(f64x2.sub(invBMaxA, bMaxA), f64x2.gt(xSignedA, zero)));
  const betaB = f64x2.sub(betaFullB, v128.and(f64x2.sub(invBMaxB, bMaxB), f64x2.gt(xSignedB, zero)));
  // Central node s_c = √(2|x|): h + t = 0, h − t = −s_c, so b_c = ½·e^{x/2} − e^{−x/2}·Φ(−s_c) with e^{−s_c²/2} = e^{x} = bMax².
  const sCA = f64x2.sqrt(f64x2.mul(f64x2.splat(-2.0), xA));
  const sCB = f64x2.sqrt(f64x2.mul(f64x2.splat(-2.0), xB));
  const bCA = f64x2.sub(f64x2.mul(half, bMaxA), f64x2.mul(invBMaxA, normCdfMillsv(f64x2.neg(sCA), f64x2.mul(bMaxA, bMaxA))));
  const bCB = f64x2.sub(f64x2.mul(half, bMaxB), f64x2.mul(invBMaxB, normCdfMillsv(f64x2.neg(sCB), f64x2.mul(bMaxB, bMaxB))));
  // s_l = s_c − b_c/b'_c (β < b_c), s_h = s_c + (b_max − b_c)/b'_c.
  const lowerHalfA = f64x2.lt(betaA, bCA);
  const lowerHalfB = f64x2.lt(betaB, bCB);
  const invVCA = f64x2.mul(invBMaxA, f64x2.splat(SQRT_TWO_PI)); // 1/b'_c = √(2π)/b_max
  const s1A = f64x2.add(sCA, f64x2.mul(v128.bitselect(f64x2.neg(bCA), f64x2.sub(bMaxA, bCA), lowerHalfA), invVCA));
  const invVCB = f64x2.mul(invBMaxB, f64x2.splat(SQRT_TWO_PI)); // 1/b'_c = √(2π)/b_max
  const s1B = f64x2.add(sCB, f64x2.mul(v128.bitselect(f64x2.neg(bCB), f64x2.sub(bMaxB, bCB), lowerHalfB), invVCB));
  fastNormalisedBlack2(xA, s1A, f64x2.div(one, s1A), bMaxA, invBMaxA, xB, s1B, f64x2.div(one, s1B), bMaxB, invBMaxB);
  const b1A = v128.load(B_A);
  const b1B = v128.load(B_B);
  // The lowest branch as initialGuessv decides it: β < b_c and β < b_l.
  storeNodes(v128.and(lowerHalfA, f64x2.lt(betaA, b1A)), p, xA, betaA, betaFullA, bMaxA, invBMaxA, sCA, bCA, s1A, b1A, v128.load(VEGA_A), TA);
  storeNodes(v128.and(lowerHalfB, f64x2.lt(betaB, b1B)), p + 2, xB, betaB, betaFullB, bMaxB, invBMaxB, sCB, bCB, s1B, b1B, v128.load(VEGA_B), TB);
}

/** Nodes column `column` at block positions p0 (lane 0) and p1 (lane 1). */
@inline
function gatherNodes(column: usize, p0: i32, p1: i32): v128 {
  return v128.load64_lane(column + (<usize>p1 << 3), v128.load64_zero(column + (<usize>p0 << 3)), 1);
}

/**
 * Second pass on ORDER[j…j+3] of the block starting at option `start`, as pairs A = (ORDER[j], ORDER[j+1]) and
 * B = (ORDER[j+2], ORDER[j+3]): Jäckel's guess and two Householder(3) steps, all in SIMD, results written to the
 * options; lanes outside the mainstream region fall back to impliedVolElement.
 */
function finishQuad(
  j: i32, start: i32, type: usize, price: usize, spot: usize, strike: usize, expiry: usize, rate: usize, dividend: usize,
  vol: usize, status: usize, iterations: usize,
): void {
  const order = ORDER + (<usize>j << 2);
  const pA0 = load<i32>(order);
  const pA1 = load<i32>(order, 4);
  const pB0 = load<i32>(order, 8);
  const pB1 = load<i32>(order, 12);
  const half = f64x2.splat(0.5);
  const zero = f64x2.splat(0.0);
  const one = f64x2.splat(1.0);
  const xA = gatherNodes(N_X, pA0, pA1);
  const xB = gatherNodes(N_X, pB0, pB1);
  const betaA = gatherNodes(N_BETA, pA0, pA1);
  const betaB = gatherNodes(N_BETA, pB0, pB1);
  const betaFullA = gatherNodes(N_BETA_FULL, pA0, pA1);
  const betaFullB = gatherNodes(N_BETA_FULL, pB0, pB1);
  const bMaxA = gatherNodes(N_BMAX, pA0, pA1);
  const bMaxB = gatherNodes(N_BMAX, pB0, pB1);
  const invBMaxA = gatherNodes(N_INV_BMAX, pA0, pA1);
  const invBMaxB = gatherNodes(N_INV_BMAX, pB0, pB1);
  const sCA = gatherNodes(N_SC, pA0, pA1);
  const sCB = gatherNodes(N_SC, pB0, pB1);
  const bCA = gatherNodes(N_BC, pA0, pA1);
  const bCB = gatherNodes(N_BC, pB0, pB1);
  const s1A = gatherNodes(N_S1, pA0, pA1);
  const s1B = gatherNodes(N_S1, pB0, pB1);
  // Clearly inside the bounds (64ε margins; the boundary cases and their status codes are the scalar path's).
  let fastA = v128.and(v128.and(
    f64x2.gt(betaA, f64x2.mul(betaFullA, f64x2.splat(64.0 * DBL_EPSILON))),
    f64x2.lt(betaA, f64x2.mul(bMaxA, f64x2.splat(1.0 - 64.0 * DBL_EPSILON)))), f64x2.gt(betaA, f64x2.splat(1e-300)));
  let fastB = v128.and(v128.and(
    f64x2.gt(betaB, f64x2.mul(betaFullB, f64x2.splat(64.0 * DBL_EPSILON))),
    f64x2.lt(betaB, f64x2.mul(bMaxB, f64x2.splat(1.0 - 64.0 * DBL_EPSILON)))), f64x2.gt(betaB, f64x2.splat(1e-300)));
  const vCA = f64x2.mul(bMaxA, v128.load(INV_SQRT_2PI_X2));
  const vCB = f64x2.mul(bMaxB, v128.load(INV_SQRT_2PI_X2));
  const invVCA = f64x2.mul(invBMaxA, f64x2.splat(SQRT_TWO_PI)); // 1/b'_c = √(2π)/b_max
  const invVCB = f64x2.mul(invBMaxB, f64x2.splat(SQRT_TWO_PI));
  let sA = initialGuessv(betaA, xA, bMaxA, sCA, bCA, vCA, invVCA, s1A, gatherNodes(N_B1, pA0, pA1), gatherNodes(N_V1, pA0, pA1), LOWER_A);
  let sB = initialGuessv(betaB, xB, bMaxB, sCB, bCB, vCB, invVCB, s1B, gatherNodes(N_B1, pB0, pB1), gatherNodes(N_V1, pB0, pB1), LOWER_B);
  // Lanes that are not fast get a harmless s (1) and are recomputed by the scalar path below; NaN guesses (highest
  // branch) fail s > 0.
  fastA = v128.and(fastA, f64x2.gt(sA, zero));
  fastB = v128.and(fastB, f64x2.gt(sB, zero));
  sA = v128.bitselect(sA, one, fastA);
  sB = v128.bitselect(sB, one, fastB);
  const lowerA = v128.and(v128.load(LOWER_A), fastA);
  const lowerB = v128.and(v128.load(LOWER_B), fastB);
  const anyLowerA = v128.any_true(lowerA);
  const anyLowerB = v128.any_true(lowerB);
  const safeBetaA = v128.bitselect(betaA, half, fastA);
  const safeBetaB = v128.bitselect(betaB, half, fastB);
  const lnBetaA = anyLowerA ? logv(safeBetaA) : zero;
  const lnBetaB = anyLowerB ? logv(safeBetaB) : zero;
  // Two Householder(3) steps; a lane whose first step is below 2^-17·s has converged (see CONVERGED_FIRST_STEP).
  householderStep2(xA, sA, safeBetaA, lnBetaA, lowerA, anyLowerA, bMaxA, invBMaxA, xB, sB, safeBetaB, lnBetaB, lowerB, anyLowerB, bMaxB, invBMaxB);
  const ds1A = v128.load(DS_A);
  const ds1B = v128.load(DS_B);
  const s0A = sA;
  const s0B = sB;
  sA = f64x2.add(sA, ds1A);
  sB = f64x2.add(sB, ds1B);
  const secondA = f64x2.gt(f64x2.abs(ds1A), f64x2.mul(sA, f64x2.splat(CONVERGED_FIRST_STEP)));
  const secondB = f64x2.gt(f64x2.abs(ds1B), f64x2.mul(sB, f64x2.splat(CONVERGED_FIRST_STEP)));
  // Second step from the series at s₀ where it is valid, else a full evaluation at s₁.
  const invS0A = v128.load(INV_S_A);
  const invS0B = v128.load(INV_S_B);
  let ds2A = taylorStepv(xA, s0A, invS0A, v128.load(B_A), v128.load(VEGA_A), safeBetaA, sA, TAYLOR_OK_A);
  let ds2B = taylorStepv(xB, s0B, invS0B, v128.load(B_B), v128.load(VEGA_B), safeBetaB, sB, TAYLOR_OK_B);
  const taylorA = v128.load(TAYLOR_OK_A);
  const taylorB = v128.load(TAYLOR_OK_B);
  // Where the series is not valid, a full evaluation at s₁ on the price objective, for each pair that needs it: the
  // log objective of the lowest branch is there for the global convergence of the first step; within ~1e-6 of the
  // root both reach the same round-off limit δs = δb/b', and b − β spares a logarithm.
  if (v128.any_true(v128.andnot(secondA, taylorA))) {
    ds2A = v128.bitselect(ds2A, priceStep(xA, sA, safeBetaA, bMaxA, invBMaxA), taylorA);
  }
  if (v128.any_true(v128.andnot(secondB, taylorB))) {
    ds2B = v128.bitselect(ds2B, priceStep(xB, sB, safeBetaB, bMaxB, invBMaxB), taylorB);
  }
  ds2A = v128.and(ds2A, secondA);
  ds2B = v128.and(ds2B, secondB);
  sA = f64x2.add(sA, ds2A);
  sB = f64x2.add(sB, ds2B);
  // Accept lanes inside the region whose second step was below 2^-13·s ≈ 1.2e-4·s: with fourth-order convergence the
  // error after it is ~C·(1.2e-4)⁴ ≈ 2e-16·C, round-off; everything else is recomputed by the scalar path.
  // h at s₀ (the region bounds are not sharp: s moved by ≲ 1e-2·s since) spares a division.
  const hA = f64x2.mul(xA, invS0A);
  const hB = f64x2.mul(xB, invS0B);
  const tA = f64x2.mul(half, sA);
  const tB = f64x2.mul(half, sB);
  fastA = v128.and(v128.and(fastA, f64x2.le(f64x2.abs(ds2A), f64x2.mul(sA, f64x2.splat(1.220703125e-4)))), v128.and(
    f64x2.le(f64x2.add(f64x2.mul(hA, hA), f64x2.mul(tA, tA)), f64x2.splat(REGION_MAX_EXPONENT)),
    f64x2.le(f64x2.add(hA, tA), f64x2.splat(REGION_MAX_H_PLUS_T))));
  fastB = v128.and(v128.and(fastB, f64x2.le(f64x2.abs(ds2B), f64x2.mul(sB, f64x2.splat(1.220703125e-4)))), v128.and(
    f64x2.le(f64x2.add(f64x2.mul(hB, hB), f64x2.mul(tB, tB)), f64x2.splat(REGION_MAX_EXPONENT)),
    f64x2.le(f64x2.add(hB, tB), f64x2.splat(REGION_MAX_H_PLUS_T))));
  const originA = start + pA0;
  const originA1 = start + pA1;
  const originB = start + pB0;
  const originB1 = start + pB1;
  const volA = f64x2.div(sA, f64x2.sqrt(gatherNodes(N_EXPIRY, pA0, pA1)));
  const volB = f64x2.div(sB, f64x2.sqrt(gatherNodes(N_EXPIRY, pB0, pB1)));
  store<f64>(vol + (<usize>originA << 3), f64x2.extract_lane(volA, 0));
  store<f64>(vol + (<usize>originA1 << 3), f64x2.extract_lane(volA, 1));
  store<f64>(vol + (<usize>originB << 3), f64x2.extract_lane(volB, 0));
  store<f64>(vol + (<usize>originB1 << 3), f64x2.extract_lane(volB, 1));
  // Iterations 1 or 2 per lane (1 − the second-step mask), status 0; then the fallback lanes overwrite theirs.
  store<i32>(iterations + (<usize>originA << 2), 1 - <i32>i64x2.extract_lane(secondA, 0));
  store<i32>(iterations + (<usize>originA1 << 2), 1 - <i32>i64x2.extract_lane(secondA, 1));
  store<i32>(iterations + (<usize>originB << 2), 1 - <i32>i64x2.extract_lane(secondB, 0));
  store<i32>(iterations + (<usize>originB1 << 2), 1 - <i32>i64x2.extract_lane(secondB, 1));
  store<i32>(status + (<usize>originA << 2), STATUS_OK);
  store<i32>(status + (<usize>originA1 << 2), STATUS_OK);
  store<i32>(status + (<usize>originB << 2), STATUS_OK);
  store<i32>(status + (<usize>originB1 << 2), STATUS_OK);
  if (!i64x2.all_true(v128.and(fastA, fastB))) {
    if (i64x2.extract_lane(fastA, 0) == 0) impliedVolElement(originA, type, price, spot, strike, expiry, rate, dividend, vol, status, iterations);
    if (i64x2.extract_lane(fastA, 1) == 0) impliedVolElement(originA1, type, price, spot, strike, expiry, rate, dividend, vol, status, iterations);
    if (i64x2.extract_lane(fastB, 0) == 0) impliedVolElement(originB, type, price, spot, strike, expiry, rate, dividend, vol, status, iterations);
    if (i64x2.extract_lane(fastB, 1) == 0) impliedVolElement(originB1, type, price, spot, strike, expiry, rate, dividend, vol, status, iterations);
  }
}

// ---- the same mainstream path, one option at a time (scalar build) --------------------------------------------------
// The functions below repeat nodesQuad + finishQuad, initialGuessv, householderFromB, fastNormalisedBlack2 and
// inverseNormalCdfGuessv operation for operation on one lane (math.ts's exp/log/normCdfMills are the lane forms of
// expv/logv/normCdfMillsv; a bitselect becomes a conditional; a lane the SIMD code computes and then masks away is
// skipped), so the scalar build returns the SIMD build's results bit for bit. Change both forms together.

/** Acklam's Φ⁻¹ from ln p, one lane of inverseNormalCdfGuessv. */
@inline
function inverseNormalCdfGuess(lnP: f64): f64 {
  if (lnP < LN_ACKLAM_LOW) {
    const q = Math.sqrt(-2.0 * lnP);
    let num = load<f64>(ACKLAM_C) * q + load<f64>(ACKLAM_C, 8);
    for (let k = 2; k < 6; k++) num = num * q + load<f64>(ACKLAM_C + (<usize>k << 3));
    let den = load<f64>(ACKLAM_D) * q + load<f64>(ACKLAM_D, 8);
    for (let k = 2; k < 4; k++) den = den * q + load<f64>(ACKLAM_D + (<usize>k << 3));
    den = den * q + 1.0;
    return num / den;
  }
  const q = expScalar(lnP) - 0.5;
  const r = q * q;
  let num = load<f64>(ACKLAM_A) * r + load<f64>(ACKLAM_A, 8);
  for (let k = 2; k < 6; k++) num = num * r + load<f64>(ACKLAM_A + (<usize>k << 3));
  let den = load<f64>(ACKLAM_B) * r + load<f64>(ACKLAM_B, 8);
  for (let k = 2; k < 5; k++) den = den * r + load<f64>(ACKLAM_B + (<usize>k << 3));
  den = den * r + 1.0;
  return (num * q) / den;
}

@inline
function isTiny(v: f64): bool {
  return Math.abs(v) < DBL_MIN;
}

// Lowest-branch flag of the last initialGuessLane call.
let laneLower: bool = false;

/** One lane of initialGuessv (Jäckel's guess from the nodes; NaN on the highest branch); sets laneLower. */
function initialGuessLane(beta: f64, x: f64, bMax: f64, sC: f64, bC: f64, vC: f64, invVC: f64, s1: f64, b1: f64, v1: f64): f64 {
  const lowerHalf = beta < bC;
  const lowest = lowerHalf && beta < b1;
  const highest = !lowerHalf && beta > b1;
  const ax = -x;
  const invV1 = 1.0 / v1;
  let fL: f64 = 0.0;
  let fLp: f64 = 1.0;
  let fLpp: f64 = 0.0;
  if (lowest) {
    const z = SQRT_ONE_OVER_THREE * (ax / s1);
    const y = z * z;
    const s2 = s1 * s1;
    const e = expScalar(-0.5 * y);
    const Phi = normCdfMills(-z, e);
    const phi = e * INV_SQRT_2PI;
    const g = (e * invV1) * INV_SQRT_2PI;
    const Phi2 = Phi * Phi;
    const bracket = ((8.0 * SQRT_THREE) * s1) * ax + ((((3.0 * s2) * (s2 - 8.0)) - 8.0 * (x * x)) * Phi) / phi;
    fLpp = ((((PI_OVER_SIX * y) / (s2 * s1)) * Phi) * bracket) * (g * g);
    fLp = ((TWO_PI * y) * Phi2) * g;
    fL = (TWO_PI_OVER_SQRT_TWENTY_SEVEN * ax) * (Phi2 * Phi);
  }
  const xl = lowest ? 0.0 : (lowerHalf ? b1 : bC);
  const xr = lowest ? b1 : (lowerHalf ? bC : b1);
  const yl = lowest ? 0.0 : (lowerHalf ? s1 : sC);
  const yr = lowest ? fL : (lowerHalf ? sC : s1);
  const dl = lowest ? 1.0 : (lowerHalf ? invV1 : invVC);
  const dr = lowest ? fLp : (lowerHalf ? invVC : invV1);
  const secondDerivative = lowest ? fLpp : 0.0;
  const h = xr - xl;
  const invH = 1.0 / h;
  const slope = (yr - yl) * invH;
  const drMinusDl = dr - dl;
  const drMinusSlope = dr - slope;
  const slopeMinusDl = slope - dl;
  const q3 = 1.0 / ((drMinusSlope * slopeMinusDl) * slope);
  const invDrMinusSlope = (slopeMinusDl * slope) * q3;
  const invSlopeMinusDl = (drMinusSlope * slope) * q3;
  const invSlope = (drMinusSlope * slopeMinusDl) * q3;
  const numerator = (0.5 * h) * secondDerivative + drMinusDl;
  const denominator = lowerHalf ? drMinusSlope : slopeMinusDl;
  const rFit = numerator * (lowerHalf ? invDrMinusSlope : invSlopeMinusDl);
  const monotonic = dl * slope >= 0.0 && dr * slope >= 0.0;
  const convexOrConcave = (dl <= slope && slope <= dr) || (dl >= slope && slope >= dr);
  const r1 = monotonic ? (dr + dl) * invSlope : -DBL_MAX;
  const r2 = convexOrConcave ? pmax(Math.abs(drMinusDl * invDrMinusSlope), Math.abs(drMinusDl * invSlopeMinusDl)) : -DBL_MAX;
  const r = pmax(rFit, pmax(-(1.0 - 1.4901161193847656e-8), pmax(r1, r2)));
  let degenerate = isTiny(h) || isTiny(numerator) || isTiny(denominator) || isTiny(slope) ||
    (convexOrConcave && (isTiny(drMinusSlope) || isTiny(slopeMinusDl))) || r >= 2.0 / (DBL_EPSILON * DBL_EPSILON);
  const t = (beta - xl) * invH;
  const omt = 1.0 - t;
  const t2 = t * t;
  const omt2 = omt * omt;
  const numeratorRc = ((yr * t2) * t + ((r * yr - h * dr) * t2) * omt) + (((r * yl + h * dl) * t) * omt2 + (yl * omt2) * omt);
  const interpolated = numeratorRc / (1.0 + ((r - 3.0) * t) * omt);
  let s = interpolated;
  if (lowest) {
    degenerate = degenerate || !(interpolated > 0.0);
    const lnP = logScalar(interpolated / (TWO_PI_OVER_SQRT_TWENTY_SEVEN * ax)) * (1.0 / 3.0);
    s = ax / (SQRT_THREE * Math.abs(inverseNormalCdfGuess(lnP)));
  }
  laneLower = lowest;
  if (highest) return NaN;
  if (degenerate) {
    s = initialGuessFromNodes(beta, x, bMax, sC, bC, vC, s1, b1, v1);
    laneLower = guessObjective == OBJECTIVE_LOWER;
  }
  return s;
}

// b' of the last fastNormalisedBlack call.
let laneVega: f64 = 0.0;

/** One lane of fastNormalisedBlack2: b (returned) and b' (laneVega). */
@inline
function fastNormalisedBlack(x: f64, s: f64, oneOverS: f64, bMax: f64, invBMax: f64): f64 {
  const h = x * oneOverS;
  const t = s * 0.5;
  const E = expScalar(-0.5 * (h * h + t * t));
  laneVega = E * INV_SQRT_2PI;
  // One lane of bFromPhiPairv.
  const xp = h + t;
  const xm = h - t;
  const ep = E * invBMax;
  const em = E * bMax;
  const yp = Math.abs(xp);
  const ym = Math.abs(xm);
  let phiP: f64;
  let phiM: f64;
  if (yp > MILLS_RANGE || ym > MILLS_RANGE) {
    phiP = normCdfMills(xp, ep);
    phiM = normCdfMills(xm, em);
  } else {
    const dp = millsDen(yp);
    const dm = millsDen(ym);
    const q = 1.0 / (dp * dm);
    const tp = ep * ((millsNum(yp) * dm) * q);
    const tm = em * ((millsNum(ym) * dp) * q);
    phiP = xp > 0.0 ? 1.0 - tp : tp;
    phiM = xm > 0.0 ? 1.0 - tm : tm;
  }
  return bMax * phiP - invBMax * phiM;
}

// b and 1/s of the last householderStepLane call.
let laneB: f64 = 0.0;
let laneInvS: f64 = 0.0;
// Whether the series of the last taylorStepLane call was valid.
let laneTaylorOk: bool = false;

/** One lane of taylorStepv (sets laneTaylorOk). */
@inline
function taylorStepLane(x: f64, s0: f64, oneOverS0: f64, b0: f64, v0: f64, beta: f64, s1: f64): f64 {
  const d = s1 - s0;
  const rho = d * oneOverS0;
  const h0 = x * oneOverS0;
  const hh = h0 * h0;
  const quarterS2 = (0.25 * s0) * s0;
  const A = 0.5 * hh;
  const absRho = Math.abs(rho);
  laneTaylorOk = absRho <= TAYLOR_MAX_RHO && absRho * ((hh + quarterS2) + 1.0) <= TAYLOR_MAX_D_RHO;
  const e1 = hh - quarterS2;
  const e2 = -6.0 * A - quarterS2;
  const e3 = 12.0 * A;
  const e4 = -20.0 * A;
  const e5 = 30.0 * A;
  const e6 = -42.0 * A;
  const g1 = e1;
  const g2 = (e1 * g1 + e2) * (1.0 / 2.0);
  const g3 = ((e1 * g2 + e2 * g1) + e3) * (1.0 / 3.0);
  const g4 = (((e1 * g3 + e2 * g2) + e3 * g1) + e4) * (1.0 / 4.0);
  const g5 = ((((e1 * g4 + e2 * g3) + e3 * g2) + e4 * g1) + e5) * (1.0 / 5.0);
  const g6 = (((((e1 * g5 + e2 * g4) + e3 * g3) + e4 * g2) + e5 * g1) + e6) * (1.0 / 6.0);
  let integral = g6 * (1.0 / 7.0);
  integral = integral * rho + g5 * (1.0 / 6.0);
  integral = integral * rho + g4 * (1.0 / 5.0);
  integral = integral * rho + g3 * (1.0 / 4.0);
  integral = integral * rho + g2 * (1.0 / 3.0);
  integral = integral * rho + g1 * (1.0 / 2.0);
  integral = integral * rho + 1.0;
  let growth = g4 * rho + g3;
  growth = growth * rho + g2;
  growth = growth * rho + g1;
  growth = growth * rho + 1.0;
  const residual = (beta - b0) - v0 * (d * integral);
  return residual / (v0 * growth);
}

/** One lane of householderStep2 (fastNormalisedBlack + householderFromB): the Householder(3) step at s. */
@inline
function householderStepLane(x: f64, s: f64, beta: f64, lnBeta: f64, lower: bool, bMax: f64, invBMax: f64): f64 {
  const oneOverS = 1.0 / s;
  const b = fastNormalisedBlack(x, s, oneOverS, bMax, invBMax);
  const bp = laneVega;
  laneB = b;
  laneInvS = oneOverS;
  const hOverS = (x * oneOverS) * oneOverS;
  const bHalley = (x * hOverS) * oneOverS - 0.25 * s;
  const bHh3 = (bHalley * bHalley - 3.0 * (hOverS * hOverS)) - 0.25;
  let num = beta - b;
  let den = bp;
  let halley = bHalley;
  let hh3 = bHh3;
  if (lower) {
    const lnB = logScalar(b);
    const q = 1.0 / (b * lnB);
    const bpob = (bp * lnB) * q;
    const oneOverLnB = b * q;
    const twoOverLnB = oneOverLnB + oneOverLnB;
    halley = bHalley - bpob * (1.0 + twoOverLnB);
    hh3 = (bHh3 + (2.0 * (bpob * bpob)) * (1.0 + (3.0 * oneOverLnB) * (1.0 + oneOverLnB))) - (3.0 * (bHalley * bpob)) * (1.0 + twoOverLnB);
    num = ((lnBeta - lnB) * lnB) * b;
    den = lnBeta * bp;
  }
  const ds = (num * (den + (0.5 * halley) * num)) / (den * den + num * (halley * den + (hh3 * num) * (1.0 / 6.0)));
  return pmax(ds, -0.5 * s);
}

/**
 * Option i of impliedVolBatch in the scalar build: one lane of nodesQuad + finishQuad (same normalisation, guess, two
 * Householder(3) steps and acceptance test), falling back to impliedVolElement exactly where the SIMD path does.
 */
function impliedVolLane(
  i: i32, type: usize, price: usize, spot: usize, strike: usize, expiry: usize, rate: usize, dividend: usize,
  vol: usize, status: usize, iterations: usize,
): void {
  const o = <usize>i << 3;
  const T = load<f64>(expiry + o);
  const r = load<f64>(rate + o);
  const S = load<f64>(spot + o);
  const K = load<f64>(strike + o);
  const drift = (r - load<f64>(dividend + o)) * T;
  const xSigned = load<f64>(type + o) * (logScalar(S / K) + drift);
  const x = -Math.abs(xSigned);
  const bMax = expScalar(0.5 * x);
  const betaFull = (load<f64>(price + o) * expScalar(r * T - 0.5 * drift)) / Math.sqrt(S * K);
  const invBMax = 1.0 / bMax;
  const beta = betaFull - (xSigned > 0.0 ? invBMax - bMax : 0.0);
  if (!(beta > betaFull * (64.0 * DBL_EPSILON) && beta < bMax * (1.0 - 64.0 * DBL_EPSILON) && beta > 1e-300)) {
    impliedVolElement(i, type, price, spot, strike, expiry, rate, dividend, vol, status, iterations);
    return;
  }
  const sC = Math.sqrt(-2.0 * x);
  const bC = 0.5 * bMax - invBMax * normCdfMills(-sC, bMax * bMax);
  const vC = bMax * INV_SQRT_2PI;
  const invVC = invBMax * SQRT_TWO_PI;
  const s1 = sC + (beta < bC ? -bC : bMax - bC) * invVC;
  const b1 = fastNormalisedBlack(x, s1, 1.0 / s1, bMax, invBMax);
  let s = initialGuessLane(beta, x, bMax, sC, bC, vC, invVC, s1, b1, laneVega);
  if (!(s > 0.0)) {
    impliedVolElement(i, type, price, spot, strike, expiry, rate, dividend, vol, status, iterations);
    return;
  }
  const lower = laneLower;
  const lnBeta = lower ? logScalar(beta) : 0.0;
  const ds1 = householderStepLane(x, s, beta, lnBeta, lower, bMax, invBMax);
  const s0 = s;
  const invS0 = laneInvS;
  s += ds1;
  const second = Math.abs(ds1) > s * CONVERGED_FIRST_STEP;
  let ds2: f64 = 0.0;
  if (second) {
    ds2 = taylorStepLane(x, s0, invS0, laneB, laneVega, beta, s);
    if (!laneTaylorOk) ds2 = householderStepLane(x, s, beta, 0.0, false, bMax, invBMax);
    s += ds2;
  }
  const h = x * invS0;
  const t = 0.5 * s;
  if (Math.abs(ds2) <= s * 1.220703125e-4 && h * h + t * t <= REGION_MAX_EXPONENT && h + t <= REGION_MAX_H_PLUS_T) {
    store<f64>(vol + o, s / Math.sqrt(T));
    store<i32>(status + (<usize>i << 2), STATUS_OK);
    store<i32>(iterations + (<usize>i << 2), second ? 2 : 1);
  } else {
    impliedVolElement(i, type, price, spot, strike, expiry, rate, dividend, vol, status, iterations);
  }
}

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
      orderFront = 0;
      orderBack = quads - 1;
      for (; i + 3 < end; i += 4) nodesQuad(i, i - start, type, price, spot, strike, expiry, rate, dividend);
      for (let j = 0; j < quads; j += 4) finishQuad(j, start, type, price, spot, strike, expiry, rate, dividend, vol, status, iterations);
    }
    // The scalar build, and the SIMD build's last n mod 4 options: the same path one lane at a time.
    for (; i < end; i++) impliedVolLane(i, type, price, spot, strike, expiry, rate, dividend, vol, status, iterations);
  }
  return ok ? 0 : 1;
}
