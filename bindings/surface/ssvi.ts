// SSVI (Gatheral & Jacquier 2014, section 4; "GJ"): the curvature function φ(θ), the raw SVI form of an SSVI
// slice, and GJ's closed-form no-arbitrage conditions reduced to the two φ families, over every θ > 0 (the
// surface's θ(T) runs from 0 to ∞ with its extrapolation, see assembly/surface.ts).
import type { SsviPhi, SviSlice, VolSurfaceSpec } from "./types.js";

/**
 * sup_{x>0} x·q(x)² with q(x) = (x − 1 + e^{−x})/x² (the Heston-like φ at x = λθ, so θφ(θ)² = x·q(x)²/λ):
 * 0.16139280395400971733 at x = 2.14912579990706254, from test/fixtures/make-surface-golden.py (mpmath, 40 digits).
 */
export const HESTON_THETA_PHI2_MAX = 0.1613928039540097;

/** φ(θ) of the family (θ > 0). */
export function ssviPhi(phi: SsviPhi, theta: number): number {
  if (phi.form === "power-law") return phi.eta / (theta ** phi.gamma * (1 + theta) ** (1 - phi.gamma));
  const x = phi.lambda * theta;
  // (x − 1 + e^{−x})/x² with expm1 so small x keeps its digits: x − 1 + e^{−x} = x + expm1(−x).
  return (x + Math.expm1(-x)) / (x * x);
}

/**
 * The raw SVI parameters of each SSVI slice (GJ section 4): with φ = φ(θ),
 * a = θ(1 − ρ²)/2, b = θφ/2, ρ, m = −ρ/φ, σ = √(1 − ρ²)/φ.
 */
export function ssviSlices(spec: Extract<VolSurfaceSpec, { model: "ssvi" }>): SviSlice[] {
  const { rho } = spec;
  return spec.slices.map(({ years, theta }) => {
    const phi = ssviPhi(spec.phi, theta);
    return { years, a: (theta * (1 - rho * rho)) / 2, b: (theta * phi) / 2, rho, m: -rho / phi, sigma: Math.sqrt(1 - rho * rho) / phi };
  });
}

/**
 * Margins of GJ Theorem 4.2 (no butterfly arbitrage if, for every θ > 0, θφ(θ)(1 + |ρ|) < 4 and
 * θφ(θ)²(1 + |ρ|) ≤ 4), as `4 − sup(...)`: both must be ≥ 0 (the first supremum is never attained, so the strict
 * inequality holds at every θ). Suprema over θ > 0 in closed form:
 *   power-law (0 < γ < 1): θφ = η(θ/(1 + θ))^{1−γ} ↑ η; θφ² = η²θ^{1−2γ}(1 + θ)^{2γ−2} is unbounded near 0 for
 *     γ > 1/2 and peaks at θ = 1 − 2γ for γ ≤ 1/2, at η²(1 − 2γ)^{1−2γ}(2 − 2γ)^{2γ−2} (η² at γ = 1/2).
 *   Heston-like (x = λθ): θφ = x·q(x)/λ = (1 − (1 − e^{−x})/x)/λ ↑ 1/λ as θ → ∞ (the extrapolation beyond the last
 *     expiry gets there); θφ² = x·q(x)²/λ ≤ HESTON_THETA_PHI2_MAX/λ. The first gives GJ's λ ≥ (1 + |ρ|)/4, which
 *     implies the second.
 */
export function ssviButterflyMargins(rho: number, phi: SsviPhi): { slope: number; curvature: number } {
  const wing = 1 + Math.abs(rho);
  if (phi.form === "heston") return { slope: 4 - wing / phi.lambda, curvature: 4 - (wing * HESTON_THETA_PHI2_MAX) / phi.lambda };
  const { eta, gamma } = phi;
  const peak = gamma > 0.5 ? Infinity : gamma === 0.5 ? 1 : (1 - 2 * gamma) ** (1 - 2 * gamma) * (2 - 2 * gamma) ** (2 * gamma - 2);
  return { slope: 4 - wing * eta, curvature: 4 - wing * eta * eta * peak };
}

/**
 * Largest η (power-law) keeping GJ Theorem 4.2 for ρ and γ ≤ 1/2: min(4/(1 + |ρ|), 2/√((1 + |ρ|)·peak(γ))),
 * the inverse of ssviButterflyMargins; the smallest λ (Heston-like) is hestonLambdaMin(ρ).
 */
export function ssviEtaMax(rho: number, gamma: number): number {
  const wing = 1 + Math.abs(rho);
  const peak = gamma === 0.5 ? 1 : (1 - 2 * gamma) ** (1 - 2 * gamma) * (2 - 2 * gamma) ** (2 * gamma - 2);
  return Math.min(4 / wing, 2 / Math.sqrt(wing * peak));
}

/** Smallest λ of the Heston-like φ keeping GJ Theorem 4.2 for ρ: (1 + |ρ|)/4 (θφ → 1/λ; the θφ² bound is weaker). */
export function hestonLambdaMin(rho: number): number {
  return (1 + Math.abs(rho)) / 4;
}
