// The mainstream region of the implied-vol batch, shared by its SIMD pair path (implied_vol_simd.ts) and its scalar
// path (implied_vol_scalar.ts), which compute the same operations in the same order: the region's bounds and error
// analysis, Jäckel's initial guess from precomputed nodes, Acklam's Φ⁻¹ coefficients, the bounds of the Taylor second
// step, and the block size. Everything outside the region goes to the reference algorithm (implied_vol_reference.ts).

import { convexControlParameterToFitSecondDerivativeAtLeftSide, convexControlParameterToFitSecondDerivativeAtRightSide, rationalCubicInterpolation } from "./rational_cubic";
import { OBJECTIVE_LOWER, OBJECTIVE_PRICE, computeLowerMap, inverseLowerMap, mapF, mapFp, mapFpp } from "./implied_vol_reference";

// In the mainstream region the normalised call is evaluated directly (two options per f64x2 in the SIMD build) as
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
export const REGION_MAX_EXPONENT: f64 = 100.0;
export const REGION_MAX_H_PLUS_T: f64 = 3.0;
// Per-lane results of initialGuessFromNodes.
export let guessObjective: i32 = OBJECTIVE_PRICE;

/**
 * Jäckel's initial guess (section 4–5) from the nodes the SIMD path computed: s_c, b(s_c), b'(s_c) and b, b' at
 * s₁ = s_l (when β < b_c) or s_h. Returns NaN for the highest branch and degenerate nodes (the caller falls back).
 */
export function initialGuessFromNodes(beta: f64, x: f64, bMax: f64, sC: f64, bC: f64, vC: f64, s1: f64, b1: f64, v1: f64): f64 {
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
export const ACKLAM_A = memory.data<f64>([-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]);
export const ACKLAM_B = memory.data<f64>([-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]);
export const ACKLAM_C = memory.data<f64>([-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]);
export const ACKLAM_D = memory.data<f64>([7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]);
export const LN_ACKLAM_LOW: f64 = -3.719339344238073; // ln 0.02425

// |h ± t| beyond √32 takes normCdfMills (Cody's tail) instead of the one-rational Φ.
export const MILLS_RANGE: f64 = 5.656854248; // √32 as math.ts's CDF_ROOT32

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
export const TAYLOR_MAX_RHO: f64 = 0.00390625; // 2^-8
export const TAYLOR_MAX_D_RHO: f64 = 0.03125; // 2^-5

/** Options per block: checked (see blockInDomain), then inverted in two passes. */
export const CHECK_BLOCK: i32 = 128;
