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
import { solveQp } from "./qp.js";
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

/** Builds the QP of fixed (m, σ) for one slice into buffers sized once per slice. */
class Reducer {
  private readonly A: Float64Array;
  private readonly b: Float64Array;
  private readonly H = new Float64Array(9);
  private readonly f = new Float64Array(3);
  private rows = 0;
  /** Σ weight·target², added to the QP's value to give the weighted sum of squares. */
  private constant = 0;

  constructor(
    private readonly quotes: SliceQuotes,
    private readonly target: Float64Array,
    private readonly weight: Float64Array,
    private readonly context: SliceContext,
  ) {
    const capacity = 12 + context.points.length;
    this.A = new Float64Array(3 * capacity);
    this.b = new Float64Array(capacity);
  }

  private row(a: number, d: number, c: number, bound: number): void {
    const at = 3 * this.rows;
    this.A[at] = a;
    this.A[at + 1] = d;
    this.A[at + 2] = c;
    this.b[this.rows++] = bound;
  }

  /** Constraint rows of the header for fixed (m, σ); `points` adds the calendar rows at the points. */
  private constraints(m: number, s: number, top: number, points: boolean): void {
    this.rows = 0;
    const r = m / s;
    this.row(0, 1, -1, 0);
    this.row(0, -1, -1, 0);
    this.row(0, 1, 1, 2 * s);
    this.row(0, -1, 1, 2 * s);
    this.row(-1, 1, -1, -LEAST_VARIANCE_MARGIN * top);
    this.row(-1, -1, -1, -LEAST_VARIANCE_MARGIN * top);
    if (this.context.last) {
      this.row(-1, r, r, 0);
      this.row(-1, r, -r, 0);
    }
    const prev = this.context.previous;
    if (!prev) return;
    const wings = sviWings(prev);
    const intercepts = sviIntercepts(prev);
    this.row(0, -1, -1, -s * wings.right);
    this.row(0, 1, -1, -s * wings.left);
    this.row(-1, r, r, -intercepts.right);
    this.row(-1, r, -r, -intercepts.left);
    if (!points) return;
    for (const k of this.context.points) {
      const y = (k - m) / s;
      this.row(-1, -y, -Math.sqrt(y * y + 1), -sviPoint(prev, k).w);
    }
  }

  /** A feasible (a, d, c): d = 0, c as steep as the previous wings need, a at the largest lower bound. */
  private feasibleStart(s: number): Float64Array | undefined {
    const prev = this.context.previous;
    const c = prev ? s * Math.max(sviWings(prev).right, sviWings(prev).left) : 0;
    let a = -Infinity;
    for (let i = 0; i < this.rows; i++) if (this.A[3 * i]! < 0) a = Math.max(a, (this.b[i]! - this.A[3 * i + 2]! * c) / this.A[3 * i]!);
    for (let i = 0; i < this.rows; i++) {
      const slack = this.b[i]! - this.A[3 * i]! * a - this.A[3 * i + 2]! * c;
      if (!(slack >= -1e-12 * Math.max(1, Math.abs(this.b[i]!)))) return undefined;
    }
    return Float64Array.of(a, 0, c);
  }

  /** The weighted sum of squares at the optimum of fixed (m, σ), and the optimum (a, d, c); undefined if infeasible. */
  solve(m: number, s: number, points: boolean): { x: Float64Array; value: number } | undefined {
    const { H, f } = this;
    H.fill(0);
    f.fill(0);
    this.constant = 0;
    let top = 0;
    for (let j = 0; j < this.target.length; j++) {
      const y = (this.quotes.k[j]! - m) / s;
      const z = Math.sqrt(y * y + 1);
      const w = this.weight[j]!;
      const t = this.target[j]!;
      f[0]! -= w * t;
      f[1]! -= w * t * y;
      f[2]! -= w * t * z;
      H[0]! += w;
      H[1]! += w * y;
      H[2]! += w * z;
      H[4]! += w * y * y;
      H[5]! += w * y * z;
      H[8]! += w * z * z;
      this.constant += w * t * t;
      top = Math.max(top, t);
    }
    [H[3], H[6], H[7]] = [H[1]!, H[2]!, H[5]!];
    const ridge = 1e-13 * (H[0]! + H[4]! + H[8]!);
    for (let p = 0; p < 3; p++) H[p * 4]! += ridge;
    this.constraints(m, s, top, points);
    const x0 = this.feasibleStart(s);
    if (x0 === undefined) return undefined;
    const x = solveQp({ n: 3, H, f, m: this.rows, A: this.A, b: this.b }, x0);
    let value = this.constant;
    for (let p = 0; p < 3; p++) {
      value += 2 * f[p]! * x[p]!;
      for (let q = 0; q < 3; q++) value += x[p]! * H[p * 3 + q]! * x[q]!;
    }
    return { x, value };
  }
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
  const reducer = new Reducer(quotes, target, weight, context);
  const objective = (z: Float64Array) => {
    const s = Math.exp(z[1]!);
    if (!(s > 1e-4 * range && s < 10 * range)) return Infinity;
    return reducer.solve(z[0]!, s, false)?.value ?? Infinity;
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
  const best = nelderMead(objective, start, Float64Array.of(0.1 * range, 0.5), 1e-9 * startValue, 300, 1e-2);
  const s = Math.exp(best.x[1]!);
  const solved = reducer.solve(best.x[0]!, s, true);
  return solved === undefined ? undefined : rawOf(solved.x, best.x[0]!, s);
}
