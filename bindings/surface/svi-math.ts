// Raw SVI in double precision on the TypeScript side, for the calibration's residuals, Jacobians and penalties
// (the batch evaluation of surfaces runs in WASM, assembly/surface.ts, with the same formulas):
//   w(k) = a + b(ρx + R), x = k − m, R = √(x² + σ²);  w' = b(ρ + x/R);  w'' = bσ²/R³;
//   ∂w/∂a = 1, ∂w/∂b = ρx + R, ∂w/∂ρ = bx, ∂w/∂m = −b(ρ + x/R), ∂w/∂σ = bσ/R.
import type { SviParams } from "./types.js";

/** w, w' and w'' of a raw SVI smile at k. */
export interface SviPoint {
  w: number;
  w1: number;
  w2: number;
}

/** w, w', w'' at k. */
export function sviPoint(p: SviParams, k: number): SviPoint {
  const x = k - p.m;
  const r = Math.sqrt(x * x + p.sigma * p.sigma);
  return { w: p.a + p.b * (p.rho * x + r), w1: p.b * (p.rho + x / r), w2: (p.b * p.sigma * p.sigma) / (r * r * r) };
}

/** Durrleman's g from w, w', w'' at k (GJ Lemma 2.2). */
export function durrleman(k: number, w: number, w1: number, w2: number): number {
  const u = 1 - (k * w1) / (2 * w);
  return u * u - 0.25 * w1 * w1 * (1 / w + 0.25) + 0.5 * w2;
}

/** The λ → ∞ limit of g for the extrapolation λ·w(k/λ): (1 − kw'/(2w))² − w'²/16 (≥ 0 by Fukasawa's necessary condition). */
export function extrapolationMargin(k: number, w: number, w1: number): number {
  const u = 1 - (k * w1) / (2 * w);
  return u * u - (w1 * w1) / 16;
}

/** ∂w/∂(a, b, ρ, m, σ) at k into `out` (5 entries); returns w. */
export function sviGradient(p: SviParams, k: number, out: Float64Array): number {
  const x = k - p.m;
  const r = Math.sqrt(x * x + p.sigma * p.sigma);
  out[0] = 1;
  out[1] = p.rho * x + r;
  out[2] = p.b * x;
  out[3] = -p.b * (p.rho + x / r);
  out[4] = (p.b * p.sigma) / r;
  return p.a + p.b * (p.rho * x + r);
}

/** The least total variance of a smile, a + bσ√(1 − ρ²), reached at k = m − ρσ/√(1 − ρ²). */
export function sviMinimum(p: SviParams): number {
  return p.a + p.b * p.sigma * Math.sqrt(1 - p.rho * p.rho);
}

/** Right and left wing slopes b(1 + ρ), b(1 − ρ). */
export function sviWings(p: SviParams): { right: number; left: number } {
  return { right: p.b * (1 + p.rho), left: p.b * (1 - p.rho) };
}

/** Intercepts of the wing asymptotes at k = 0: a − bm(1 + ρ) (right), a + bm(1 − ρ) (left). */
export function sviIntercepts(p: SviParams): { right: number; left: number } {
  return { right: p.a - p.b * p.m * (1 + p.rho), left: p.a + p.b * p.m * (1 - p.rho) };
}
