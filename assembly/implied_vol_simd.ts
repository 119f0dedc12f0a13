// The implied-vol batch's SIMD pair path: two options per f64x2 in the mainstream region (see
// implied_vol_mainstream.ts for the region and its error analysis), a block in two passes with the lowest branch
// grouped (nodesQuad, finishQuad); lanes outside the region fall back to the reference (impliedVolElement).

import { INV_SQRT_2PI_X2, expv, logv, millsDenv, millsNumv, normCdfMills, normCdfMillsv, pmax } from "./math";
import { CONVERGED_FIRST_STEP, DBL_EPSILON, DBL_MAX, DBL_MIN, OBJECTIVE_LOWER, PI_OVER_SIX, SQRT_ONE_OVER_THREE, SQRT_THREE, SQRT_TWO_PI, STATUS_OK, TWO_PI, TWO_PI_OVER_SQRT_TWENTY_SEVEN, impliedVolElement } from "./implied_vol_reference";
import { ACKLAM_A, ACKLAM_B, ACKLAM_C, ACKLAM_D, CHECK_BLOCK, LN_ACKLAM_LOW, MILLS_RANGE, REGION_MAX_EXPONENT, REGION_MAX_H_PLUS_T, TAYLOR_MAX_D_RHO, TAYLOR_MAX_RHO, guessObjective, initialGuessFromNodes } from "./implied_vol_mainstream";

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
export function nodesQuad(i: i32, p: i32, type: usize, price: usize, spot: usize, strike: usize, expiry: usize, rate: usize, dividend: usize): void {
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
export function finishQuad(
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

/** Starts the order of a block of `quads` options (a multiple of 4) for the two passes. */
export function startBlockOrder(quads: i32): void {
  orderFront = 0;
  orderBack = quads - 1;
}
