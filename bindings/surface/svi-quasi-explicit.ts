// Stage 1 of a raw SVI slice fit: the quasi-explicit reduction of S. De Marco and C. Martini, "Quasi-explicit
// calibration of Gatheral's SVI model", Zeliade Systems white paper ZWP-0005 (2009). For fixed (m, σ), with
// y = (k − m)/σ the smile is linear in (a, d, c) = (a, ρbσ, bσ):
//   w(y) = a + d·y + c·√(y² + 1),
// so the weighted least squares in total variance is a 3-unknown convex QP over a polytope; Nelder-Mead then
// minimises its optimum over (m, ln σ). The polytope here (linear in (a, d, c) for fixed (m, σ)):
//   |d| ≤ c                      (|ρ| ≤ 1, b ≥ 0)
//   c + |d| ≤ 2σ                 (Lee: wing slopes b(1 ± ρ) ≤ 2, stricter than the note's 4σ)
//   a + c − |d| ≥ ε              (least total variance a + √(c² − d²) ≥ a + c − |d| > 0)
//   for a later slice: wing slopes (c ± d)/σ and asymptote intercepts a − (m/σ)(c ± d) at least the previous
//     slice's, so w ≥ w_prev far out in both wings; and w ≥ w_prev at the context's points (final solve only:
//     Nelder-Mead's objective leaves these rows out, they are many and rarely active)
//   for the last slice: a − (m/σ)(c + d) ≥ 0 and a + (m/σ)(c − d) ≥ 0 (the extrapolation's calendar condition)
// The note's cap a ≤ max target is left out: the QP is strictly convex without it, and it can clash with the
// calendar rows when the previous slice lies above this one's quotes somewhere.
import { nelderMead } from "./optim.js";
import { solveQp, type Qp } from "./qp.js";
import { sviIntercepts, sviPoint, sviWings } from "./svi-math.js";
import type { SviParams, SviSlice } from "./types.js";

/** One expiry's quotes: log-moneyness, vols, weights on squared vol errors. */
export interface SliceQuotes {
  years: number;
  k: Float64Array;
  vol: Float64Array;
  weight: Float64Array;
}

/** What a slice must respect beyond its own domain. */
export interface SliceContext {
  /** The previous (shorter) expiry's fitted smile: no calendar arbitrage against it. */
  previous?: SviSlice;
  /** True for the longest expiry: the extrapolation beyond it must be calendar-free. */
  last: boolean;
  /** Log-moneyness points where calendar and butterfly conditions are enforced (quotes, wings...). */
  points: Float64Array;
}

/** Margin on the least total variance, relative to the largest target (keeps w > 0 strictly). */
const LEAST_VARIANCE_MARGIN = 1e-6;

interface Reduced {
  qp: Qp;
  x0: Float64Array;
  /** Σ weights·target², added back to the QP's value to get the weighted sum of squares. */
  constant: number;
}

/** Constraint rows A·(a, d, c) ≤ b of the header for fixed (m, σ); `points` adds the calendar rows at the points. */
function constraintRows(m: number, s: number, top: number, context: SliceContext, points: boolean): { A: Float64Array[]; b: number[] } {
  const A: Float64Array[] = [];
  const b: number[] = [];
  const row = (a: number, d: number, c: number, bound: number) => {
    A.push(Float64Array.of(a, d, c));
    b.push(bound);
  };
  const r = m / s;
  row(0, 1, -1, 0);
  row(0, -1, -1, 0);
  row(0, 1, 1, 2 * s);
  row(0, -1, 1, 2 * s);
  row(-1, 1, -1, -LEAST_VARIANCE_MARGIN * top);
  row(-1, -1, -1, -LEAST_VARIANCE_MARGIN * top);
  if (context.last) {
    row(-1, r, r, 0);
    row(-1, r, -r, 0);
  }
  const prev = context.previous;
  if (prev) {
    const wings = sviWings(prev);
    const intercepts = sviIntercepts(prev);
    row(0, -1, -1, -s * wings.right);
    row(0, 1, -1, -s * wings.left);
    row(-1, r, r, -intercepts.right);
    row(-1, r, -r, -intercepts.left);
    if (points) {
      for (const k of context.points) {
        const y = (k - m) / s;
        row(-1, -y, -Math.sqrt(y * y + 1), -sviPoint(prev, k).w);
      }
    }
  }
  return { A, b };
}

/** A feasible (a, d, c): d = 0, c as steep as the previous wings need, a above every lower bound. */
function feasibleStart(rows: { A: Float64Array[]; b: number[] }, s: number, context: SliceContext): Float64Array | undefined {
  const prev = context.previous;
  const c = prev ? s * Math.max(sviWings(prev).right, sviWings(prev).left) : 0;
  let a = -Infinity;
  let top = Infinity;
  rows.A.forEach((r, i) => {
    const rest = r[2]! * c;
    if (r[0]! < 0) a = Math.max(a, (rows.b[i]! - rest) / r[0]!);
    else if (r[0]! > 0) top = Math.min(top, (rows.b[i]! - rest) / r[0]!);
  });
  if (!(a <= top)) return undefined;
  const x = Float64Array.of(a, 0, c);
  return rows.A.every((r, i) => r[0]! * x[0]! + r[2]! * x[2]! <= rows.b[i]! + 1e-12 * Math.max(1, Math.abs(rows.b[i]!))) ? x : undefined;
}

/** The QP of fixed (m, σ): weighted least squares of a + d·y + c·√(y² + 1) against the targets. */
function reduce(
  quotes: SliceQuotes, target: Float64Array, weight: Float64Array, m: number, s: number, context: SliceContext, points: boolean,
): Reduced | undefined {
  const H = new Float64Array(9);
  const f = new Float64Array(3);
  let constant = 0;
  let top = 0;
  for (let j = 0; j < target.length; j++) {
    const y = (quotes.k[j]! - m) / s;
    const basis = [1, y, Math.sqrt(y * y + 1)];
    const w = weight[j]!;
    for (let p = 0; p < 3; p++) {
      f[p]! -= w * target[j]! * basis[p]!;
      for (let q = 0; q < 3; q++) H[p * 3 + q]! += w * basis[p]! * basis[q]!;
    }
    constant += w * target[j]! * target[j]!;
    top = Math.max(top, target[j]!);
  }
  const ridge = 1e-13 * (H[0]! + H[4]! + H[8]!);
  for (let p = 0; p < 3; p++) H[p * 4]! += ridge;
  const rows = constraintRows(m, s, top, context, points);
  const x0 = feasibleStart(rows, s, context);
  return x0 === undefined ? undefined : { qp: { n: 3, H, f, A: rows.A, b: rows.b }, x0, constant };
}

/** Weighted sum of squares of the QP's optimum, and the optimum. */
function solveReduced(r: Reduced): { x: Float64Array; value: number } {
  const x = solveQp(r.qp, r.x0);
  let value = r.constant;
  for (let p = 0; p < 3; p++) {
    value += 2 * r.qp.f[p]! * x[p]!;
    for (let q = 0; q < 3; q++) value += x[p]! * r.qp.H[p * 3 + q]! * x[q]!;
  }
  return { x, value };
}

/** Raw SVI from (a, d, c) at (m, σ): b = c/σ, ρ = d/c. */
function rawOf(x: Float64Array, m: number, s: number): SviParams {
  const c = x[2]!;
  return { a: x[0]!, b: c / s, rho: c > 0 ? Math.max(-1 + 1e-12, Math.min(1 - 1e-12, x[1]! / c)) : 0, m, sigma: s };
}

/**
 * The quasi-explicit fit of one slice: targets w = vol²·T with weights weight/(2·vol·T)² (so squared total
 * variance errors approximate squared vol errors), Nelder-Mead over (m, ln σ) from the best of a 3 × 3 grid of
 * starts. Returns undefined when no start is feasible.
 */
export function quasiExplicitFit(quotes: SliceQuotes, context: SliceContext): SviParams | undefined {
  const T = quotes.years;
  const target = quotes.vol.map((v) => v * v * T);
  const weight = quotes.vol.map((v, j) => quotes.weight[j]! / (2 * v * T) ** 2);
  let kMin = Infinity;
  let kMax = -Infinity;
  for (const k of quotes.k) {
    kMin = Math.min(kMin, k);
    kMax = Math.max(kMax, k);
  }
  const range = Math.max(kMax - kMin, 1e-3);
  const objective = (z: Float64Array) => {
    const s = Math.exp(z[1]!);
    if (!(s > 1e-4 * range && s < 10 * range)) return Infinity;
    const reduced = reduce(quotes, target, weight, z[0]!, s, context, false);
    return reduced === undefined ? Infinity : solveReduced(reduced).value;
  };
  let start = Float64Array.of(0, 0);
  let startValue = Infinity;
  for (const mq of [0.25, 0.5, 0.75]) {
    for (const sq of [0.05, 0.2, 0.6]) {
      const z = Float64Array.of(kMin + mq * range, Math.log(sq * range));
      const value = objective(z);
      if (value < startValue) [start, startValue] = [z, value];
    }
  }
  if (!Number.isFinite(startValue)) return undefined;
  // Only the basin matters here: stage 2 (svi-fit.ts) polishes all five parameters.
  const best = nelderMead(objective, start, Float64Array.of(0.1 * range, 0.5), 1e-9 * startValue, 300, 1e-3);
  const s = Math.exp(best.x[1]!);
  const reduced = reduce(quotes, target, weight, best.x[0]!, s, context, true);
  return reduced === undefined ? undefined : rawOf(solveReduced(reduced).x, best.x[0]!, s);
}
