// The implied-vol batch's scalar path: the SIMD pair path of implied_vol_simd.ts one lane at a time, bit for bit.

import { INV_SQRT_2PI, exp as expScalar, log as logScalar, millsDen, millsNum, normCdfMills, pmax } from "./math";
import { CONVERGED_FIRST_STEP, DBL_EPSILON, DBL_MAX, DBL_MIN, OBJECTIVE_LOWER, PI_OVER_SIX, SQRT_ONE_OVER_THREE, SQRT_THREE, SQRT_TWO_PI, STATUS_OK, TWO_PI, TWO_PI_OVER_SQRT_TWENTY_SEVEN, impliedVolElement } from "./implied_vol_reference";
import { ACKLAM_A, ACKLAM_B, ACKLAM_C, ACKLAM_D, LN_ACKLAM_LOW, MILLS_RANGE, REGION_MAX_EXPONENT, REGION_MAX_H_PLUS_T, TAYLOR_MAX_D_RHO, TAYLOR_MAX_RHO, guessObjective, initialGuessFromNodes } from "./implied_vol_mainstream";

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
export function impliedVolLane(
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
