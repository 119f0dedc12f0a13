// SSVI calibration: Levenberg-Marquardt on Σ weight·(σ_fit − σ_quote)² over ρ, φ's parameters and one θ per
// expiry, with GJ's closed-form conditions built into the parameterisation, so every iterate is free of
// butterfly arbitrage (GJ Theorem 4.2, reduced in ssvi.ts):
//   ρ = 0.999·tanh(u)
//   power-law: γ = ½·logistic(v) ∈ (0, ½),  η = η_max(ρ, γ)·logistic(e)
//   Heston-like: λ = λ_min(ρ)·(1 + e^l),  λ_min = (1 + |ρ|)/4
//   θ_i = e^{τ_i}, with the penalty strength·max(0, θ_{i−1} − θ_i)/θ_i and a final running maximum, so θ never
//   decreases (GJ Theorem 4.1: no calendar arbitrage).
import { levenbergMarquardt, type LeastSquares } from "./optim.js";
import { VOL_COST_FLOOR } from "./svi-fit.js";
import { hestonLambdaMin, ssviEtaMax, ssviPhi } from "./ssvi.js";
import type { SliceQuotes } from "./svi-quasi-explicit.js";
import type { SsviPhi, VolSurfaceSpec } from "./types.js";

type SsviSpec = Extract<VolSurfaceSpec, { model: "ssvi" }>;

const logistic = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));
const RHO_SCALE = 0.999;
/** Penalty weight on a decreasing θ, relative to vol residuals (O(1e-3)). */
const MONOTONE_STRENGTH = 10;

/** The spec of parameter vector z (globals first, then τ per slice). */
function specOf(z: Float64Array, form: SsviPhi["form"], slices: readonly SliceQuotes[]): SsviSpec {
  const rho = RHO_SCALE * Math.tanh(z[0]!);
  const globals = form === "power-law" ? 3 : 2;
  let phi: SsviPhi;
  if (form === "power-law") {
    const gamma = 0.5 * logistic(z[1]!);
    phi = { form, gamma, eta: ssviEtaMax(rho, gamma) * logistic(z[2]!) };
  } else phi = { form, lambda: hestonLambdaMin(rho) * (1 + Math.exp(z[1]!)) };
  return { model: "ssvi", rho, phi, slices: slices.map((s, i) => ({ years: s.years, theta: Math.exp(z[globals + i]!) })) };
}

/** Total variance of an SSVI slice (θ, φ) at k. */
function ssviW(rho: number, theta: number, phi: number, k: number): number {
  const z = phi * k + rho;
  return 0.5 * theta * (1 + rho * phi * k + Math.sqrt(z * z + 1 - rho * rho));
}

class SsviProblem implements LeastSquares {
  readonly quotes: number;
  constructor(
    private readonly slices: readonly SliceQuotes[],
    private readonly form: SsviPhi["form"],
  ) {
    this.quotes = slices.reduce((n, s) => n + s.k.length, 0);
  }

  residuals(z: Float64Array): Float64Array | undefined {
    const spec = specOf(z, this.form, this.slices);
    const r = new Float64Array(this.quotes + this.slices.length - 1);
    let at = 0;
    this.slices.forEach((s, i) => {
      const theta = spec.slices[i]!.theta;
      const phi = ssviPhi(spec.phi, theta);
      for (let j = 0; j < s.k.length; j++) {
        r[at++] = Math.sqrt(s.weight[j]!) * (Math.sqrt(ssviW(spec.rho, theta, phi, s.k[j]!) / s.years) - s.vol[j]!);
      }
    });
    for (let i = 1; i < this.slices.length; i++) {
      const [before, here] = [spec.slices[i - 1]!.theta, spec.slices[i]!.theta];
      r[at++] = (MONOTONE_STRENGTH * Math.max(0, before - here)) / here;
    }
    return r.every(Number.isFinite) ? r : undefined;
  }

  /** Forward differences, with every τ_i shifted in one evaluation (slice i's residuals depend on τ_i alone). */
  jacobian(z: Float64Array, r: Float64Array): Float64Array {
    const n = z.length;
    const globals = n - this.slices.length;
    const m = r.length;
    const J = new Float64Array(m * n);
    const h = 1e-7;
    const column = (shifted: Float64Array, write: (i: number, d: number) => void) => {
      const moved = this.residuals(shifted);
      if (moved !== undefined) for (let i = 0; i < this.quotes; i++) write(i, (moved[i]! - r[i]!) / h);
    };
    for (let q = 0; q < globals; q++) {
      const shifted = Float64Array.from(z);
      shifted[q]! += h;
      column(shifted, (i, d) => (J[i * n + q] = d));
    }
    const shifted = z.map((v, q) => (q >= globals ? v + h : v));
    const sliceOf = new Int32Array(this.quotes);
    let at = 0;
    this.slices.forEach((s, i) => sliceOf.fill(i, at, (at += s.k.length)));
    column(shifted, (i, d) => (J[i * n + globals + sliceOf[i]!] = d));
    // d/dτ of max(0, θ_{i−1} − θ_i)/θ_i with θ = e^τ: −θ_{i−1}/θ_i (τ_i) and θ_{i−1}/θ_i (τ_{i−1}) while active.
    for (let i = 1; i < this.slices.length; i++, at++) {
      if (r[at]! <= 0) continue;
      const ratio = Math.exp(z[globals + i - 1]! - z[globals + i]!);
      J[at * n + globals + i] = -MONOTONE_STRENGTH * ratio;
      J[at * n + globals + i - 1] = MONOTONE_STRENGTH * ratio;
    }
    return J;
  }
}

/** ATM total variance of a slice, interpolated linearly in k between the quotes around k = 0. */
function atmVariance(s: SliceQuotes): number {
  let below = -1;
  let above = -1;
  s.k.forEach((k, j) => {
    if (k <= 0 && (below < 0 || k > s.k[below]!)) below = j;
    if (k >= 0 && (above < 0 || k < s.k[above]!)) above = j;
  });
  const w = (j: number) => s.vol[j]! * s.vol[j]! * s.years;
  if (below < 0) return w(above);
  if (above < 0 || above === below) return w(below);
  const t = -s.k[below]! / (s.k[above]! - s.k[below]!);
  return w(below) + t * (w(above) - w(below));
}

/** Starting point: θ from the ATM quotes (made non-decreasing), ρ = −0.5 or 0.5 by the sign of the skew, φ mid-range. */
function start(slices: readonly SliceQuotes[], form: SsviPhi["form"]): Float64Array {
  let skew = 0;
  for (const s of slices) for (let j = 0; j < s.k.length; j++) skew += s.k[j]! * (s.vol[j]! - s.vol[0]!);
  const rho = skew < 0 ? -0.5 : 0.5;
  let theta = 0;
  const taus = slices.map((s) => {
    theta = Math.max(theta * (1 + 1e-9), atmVariance(s));
    return Math.log(theta);
  });
  const globals = form === "power-law" ? [Math.atanh(rho / RHO_SCALE), logit(0.8), logit(0.5)] : [Math.atanh(rho / RHO_SCALE), Math.log(4)];
  return Float64Array.from([...globals, ...taus]);
}

/** Fits SSVI with φ of `form` to the slices; θ made non-decreasing at the end. */
export function fitSsvi(slices: readonly SliceQuotes[], form: SsviPhi["form"]): SsviSpec {
  const problem = new SsviProblem(slices, form);
  const { p } = levenbergMarquardt(problem, start(slices, form), 300, 1e-13, 1e-12, VOL_COST_FLOOR);
  const spec = specOf(p, form, slices);
  let theta = 0;
  return { ...spec, slices: spec.slices.map((s) => ({ years: s.years, theta: (theta = Math.max(theta, s.theta)) })) };
}
