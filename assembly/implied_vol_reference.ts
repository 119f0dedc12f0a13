// Implied Black volatility by P. Jäckel, "Let's Be Rational", Wilmott (2015) 40–53: a rational-cubic initial
// guess on four branches of the normalised call price (sections 4–5), then at most MAXIMUM_ITERATIONS
// third-order Householder steps on a branch-specific objective (section 6) that reach machine precision.
// Everything is done in normalised form: x = ln(F/K) ≤ 0 after mapping in-the-money to out-of-the-money
// (subtracting the intrinsic value) and puts to calls (x → −x).

import { lastNormalisedVega, lastNormalisedVegaOverB, logNormalisedBlackCallOutOfTheMoney, normalisedBlackCallOutOfTheMoney } from "./normalised_black";
import { erfcx } from "./erf_cody";
import { INV_SQRT_2PI, normCdf, normPdf } from "./math";
import { inverseNormalCdf } from "./normal_inverse";
import { convexControlParameterToFitSecondDerivativeAtLeftSide, convexControlParameterToFitSecondDerivativeAtRightSide, rationalCubicInterpolation } from "./rational_cubic";




export const DBL_EPSILON: f64 = 2.220446049250313e-16;
export const DBL_MIN: f64 = 2.2250738585072014e-308;
export const DBL_MAX: f64 = 1.7976931348623157e308;
const SQRT_DBL_MAX: f64 = 1.3407807929942596e154;
export const SQRT_THREE: f64 = 1.7320508075688772935274463415058723669428;
export const SQRT_ONE_OVER_THREE: f64 = 0.5773502691896257645091487805019574556476;
export const TWO_PI: f64 = 6.2831853071795864769252867665590057683943;
export const PI_OVER_SIX: f64 = 0.5235987755982988730771072305465838140329;
const SQRT_PI_OVER_TWO: f64 = 1.2533141373155002512078826424055226265035;
export const TWO_PI_OVER_SQRT_TWENTY_SEVEN: f64 = 1.2091995761561452337293010161775096;

/** Householder(3) steps allowed per option; LBR reaches machine accuracy in two. */
const MAXIMUM_ITERATIONS: i32 = 2;

/** Status codes of impliedVolBatch (contract with bindings/types.ts ImpliedVolStatus). */
export const STATUS_OK: i32 = 0;
const STATUS_BELOW_INTRINSIC: i32 = 1;
const STATUS_ABOVE_MAXIMUM: i32 = 2;
const STATUS_AT_INTRINSIC: i32 = 3;

/**
 * After a Householder(3) step of relative size d the error is O(d⁴) (fourth-order convergence), so a first step
 * below 2^−17 ≈ 7.6e-6 leaves ~1e-21·C: the second step could only move s by round-off and is skipped.
 * Later steps stop at ε, as in Jäckel's reference code.
 */
export const CONVERGED_FIRST_STEP: f64 = 7.62939453125e-6;

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
export let mapF: f64 = 0.0;
export let mapFp: f64 = 0.0;
export let mapFpp: f64 = 0.0;

/**
 * Lower map f(β) = (2π/√27)·|x|·Φ(−|x|/(√3·s))³ with its first two derivatives in β (Jäckel 2015, (4.5)–(4.7));
 * it is nearly linear in β for the lowest branch.
 */
export function computeLowerMap(x: f64, s: f64): void {
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
export function inverseLowerMap(x: f64, f: f64): f64 {
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
export const OBJECTIVE_PRICE: i32 = 0; // g = b(s) − β (middle branches; highest branch below b_max/2)
export const OBJECTIVE_LOWER: i32 = 1; // g = 1/ln b(s) − 1/ln β (lowest branch)
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
export function impliedVolElement(
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

/** √(2π). */
export const SQRT_TWO_PI: f64 = 2.5066282746310005024157652848110452530069867;
