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
import { QpWorkspace, solveQp, type Qp } from "./qp.js";
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

/** Builds the QP of fixed (m, σ) for one slice into buffers sized once per slice (no allocation per solve). */
class Reducer {
  private readonly qp: Qp;
  private readonly workspace: QpWorkspace;
  private readonly start = new Float64Array(3);
  /** The previous slice's wing slopes and intercepts (right, left), and its w at the context's points. */
  private readonly wings: [number, number] = [0, 0];
  private readonly intercepts: [number, number] = [0, 0];
  private readonly before: Float64Array;
  /** The optimum (a, d, c) of the last solve. */
  x: Float64Array;
  /** Σ weight·target², added to the QP's value to give the weighted sum of squares. */
  private constant = 0;
  private top = 0;

  constructor(
    private readonly quotes: SliceQuotes,
    private readonly target: Float64Array,
    private readonly weight: Float64Array,
    private readonly context: SliceContext,
  ) {
    const capacity = 12 + context.points.length;
    this.qp = { n: 3, H: new Float64Array(9), f: new Float64Array(3), m: 0, A: new Float64Array(3 * capacity), b: new Float64Array(capacity) };
    this.workspace = new QpWorkspace(3, capacity);
    this.x = this.workspace.x;
    const prev = context.previous;
    this.before = prev ? context.points.map((k) => sviPoint(prev, k).w) : new Float64Array(0);
    if (prev) {
      const [w, i] = [sviWings(prev), sviIntercepts(prev)];
      [this.wings[0], this.wings[1], this.intercepts[0], this.intercepts[1]] = [w.right, w.left, i.right, i.left];
    }
    for (let j = 0; j < target.length; j++) {
      this.constant += weight[j]! * target[j]! * target[j]!;
      this.top = Math.max(this.top, target[j]!);
    }
  }

  private row(a: number, d: number, c: number, bound: number): void {
    const { A, b } = this.qp;
    const at = 3 * this.qp.m;
    A[at] = a;
    A[at + 1] = d;
    A[at + 2] = c;
    b[this.qp.m++] = bound;
  }

  /** Constraint rows of the header for fixed (m, σ); `points` adds the calendar rows at the points. */
  private constraints(m: number, s: number, points: boolean): void {
    this.qp.m = 0;
    const r = m / s;
    const margin = LEAST_VARIANCE_MARGIN * this.top;
    this.row(0, 1, -1, 0);
    this.row(0, -1, -1, 0);
    this.row(0, 1, 1, 2 * s);
    this.row(0, -1, 1, 2 * s);
    this.row(-1, 1, -1, -margin);
    this.row(-1, -1, -1, -margin);
    if (this.context.last) {
      this.row(-1, r, r, 0);
      this.row(-1, r, -r, 0);
    }
    if (!this.context.previous) return;
    this.row(0, -1, -1, -s * this.wings[0]);
    this.row(0, 1, -1, -s * this.wings[1]);
    this.row(-1, r, r, -this.intercepts[0]);
    this.row(-1, r, -r, -this.intercepts[1]);
    if (!points) return;
    const k = this.context.points;
    for (let i = 0; i < k.length; i++) {
      const y = (k[i]! - m) / s;
      this.row(-1, -y, -Math.sqrt(y * y + 1), -this.before[i]!);
    }
  }

  /** A feasible (a, d, c) into `start`: d = 0, c as steep as the previous wings need, a at the largest lower bound. */
  private feasibleStart(s: number): boolean {
    const { A, b, m } = this.qp;
    const c = this.context.previous ? s * Math.max(this.wings[0], this.wings[1]) : 0;
    let a = -Infinity;
    for (let i = 0; i < m; i++) if (A[3 * i]! < 0) a = Math.max(a, (b[i]! - A[3 * i + 2]! * c) / A[3 * i]!);
    for (let i = 0; i < m; i++) {
      const slack = b[i]! - A[3 * i]! * a - A[3 * i + 2]! * c;
      if (!(slack >= -1e-12 * Math.max(1, Math.abs(b[i]!)))) return false;
    }
    [this.start[0], this.start[1], this.start[2]] = [a, 0, c];
    return true;
  }

  /**
   * The weighted sum of squares at the optimum of fixed (m, σ) (Infinity if infeasible); the optimum (a, d, c)
   * is left in `x` until the next solve.
   */
  solve(m: number, s: number, points: boolean): number {
    const { H, f } = this.qp;
    let h0 = 0, h1 = 0, h2 = 0, h4 = 0, h5 = 0, h8 = 0, f0 = 0, f1 = 0, f2 = 0;
    const { k } = this.quotes;
    for (let j = 0; j < k.length; j++) {
      const y = (k[j]! - m) / s;
      const z = Math.sqrt(y * y + 1);
      const w = this.weight[j]!;
      const wt = w * this.target[j]!;
      f0 -= wt;
      f1 -= wt * y;
      f2 -= wt * z;
      h0 += w;
      h1 += w * y;
      h2 += w * z;
      h4 += w * y * y;
      h5 += w * y * z;
      h8 += w * z * z;
    }
    const ridge = 1e-13 * (h0 + h4 + h8);
    H[0] = h0 + ridge;
    H[1] = H[3] = h1;
    H[2] = H[6] = h2;
    H[4] = h4 + ridge;
    H[5] = H[7] = h5;
    H[8] = h8 + ridge;
    [f[0], f[1], f[2]] = [f0, f1, f2];
    this.constraints(m, s, points);
    if (!this.feasibleStart(s)) return Infinity;
    const x = solveQp(this.qp, this.start, this.workspace);
    let value = this.constant;
    for (let p = 0; p < 3; p++) {
      value += 2 * f[p]! * x[p]!;
      for (let q = 0; q < 3; q++) value += x[p]! * H[p * 3 + q]! * x[q]!;
    }
    return value;
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
    return reducer.solve(z[0]!, s, false);
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
  return reducer.solve(best.x[0]!, s, true) !== Infinity ? rawOf(reducer.x, best.x[0]!, s) : undefined;
}
