// Stage 2 of a raw SVI slice fit: Levenberg-Marquardt on all five parameters from the quasi-explicit start,
// minimising Σ weight·(σ_fit − σ_quote)² (the vol errors themselves, not the total-variance proxy of stage 1).
// Hard constraints (a step leaving them is refused, and the start satisfies them): b ≥ 0, |ρ| < 1, σ > 0, Lee's
// b(1 + |ρ|) ≤ 2, least total variance > 0; against the previous slice, wing slopes and asymptote intercepts at
// least its own and w ≥ w_prev at the context's points; for the last slice, the extrapolation's intercepts ≥ 0.
// Penalties, `strength`·max(0, PENALTY_MARGIN − value) at the context's points, on Durrleman's g, on g of the
// smiles interpolated from the previous slice (α = ¼, ½, ¾), and for the last slice on the extrapolation's
// λ → ∞ limit of g. A hinge settles where the data's pull balances it, a little past its zero: the margin keeps
// that point on the arbitrage-free side. Smiles with g ≥ margin everywhere feel no penalty, so noise-free
// quotes of such smiles are recovered exactly.
import { VolSurfaceError } from "../errors.js";
import { levenbergMarquardt, type LeastSquares } from "./optim.js";
import { durrleman, extrapolationMargin, sviGradient, sviIntercepts, sviMinimum, sviPoint, sviWings } from "./svi-math.js";
import { quasiExplicitFit, type SliceContext, type SliceQuotes } from "./svi-quasi-explicit.js";
import type { SviParams, SviSlice } from "./types.js";

const BLEND = [0.25, 0.5, 0.75];
/**
 * Σ weight·(σ_fit − σ_quote)² below which a fit is exact at rounding level (1e-14 of vol per quote at 40 quotes of
 * weight ~1): Levenberg-Marquardt stops there instead of probing steps that rounding makes useless.
 */
export const VOL_COST_FLOOR = 1e-26;
/** Relative rounding allowed on the comparisons with the previous slice (the checks allow 1e-12). */
const SLACK = 1e-14;
/** Least value the penalised quantities (g and its relatives, O(1) near the money) are pushed to. */
const PENALTY_MARGIN = 1e-4;

function paramsOf(p: Float64Array): SviParams {
  return { a: p[0]!, b: p[1]!, rho: p[2]!, m: p[3]!, sigma: p[4]! };
}

/** The least squares of one slice with its hard constraints and penalties (buffers sized once per slice). */
class SlicePolish implements LeastSquares {
  /** The previous slice's w, w', w'' at the context's points (fixed while this slice is fitted). */
  private readonly before: { w: Float64Array; w1: Float64Array; w2: Float64Array };
  /** The previous slice's wing slopes and asymptote intercepts (right, left). */
  private readonly wings = new Float64Array(2);
  private readonly intercepts = new Float64Array(2);
  /** Penalty values of the last violations() call, and of the shifted parameters of jacobian(). */
  private readonly penalty: Float64Array;
  private readonly shifted: Float64Array;
  private readonly grad = new Float64Array(5);

  constructor(
    private readonly quotes: SliceQuotes,
    private readonly context: SliceContext,
    private readonly strength: number,
  ) {
    const prev = context.previous;
    const n = prev ? context.points.length : 0;
    this.before = { w: new Float64Array(n), w1: new Float64Array(n), w2: new Float64Array(n) };
    if (prev) {
      context.points.forEach((k, i) => {
        const at = sviPoint(prev, k);
        [this.before.w[i], this.before.w1[i], this.before.w2[i]] = [at.w, at.w1, at.w2];
      });
      const [w, c] = [sviWings(prev), sviIntercepts(prev)];
      [this.wings[0], this.wings[1], this.intercepts[0], this.intercepts[1]] = [w.right, w.left, c.right, c.left];
    }
    const perPoint = 1 + (prev ? BLEND.length : 0) + (context.last ? 1 : 0);
    this.penalty = new Float64Array(context.points.length * perPoint);
    this.shifted = new Float64Array(this.penalty.length);
  }

  /**
   * The hard constraints of the header. Comparisons with the previous slice allow SLACK of relative rounding:
   * stage 1's (a, ρbσ, bσ) sit exactly on a bound, and converting them to (a, b, ρ) rounds.
   */
  inside(s: SviParams): boolean {
    if (!(s.b >= 0 && Math.abs(s.rho) < 1 && s.sigma > 0 && s.b * (1 + Math.abs(s.rho)) <= 2 && sviMinimum(s) > 0)) return false;
    const atLeast = (x: number, y: number) => x >= y - SLACK * Math.abs(y);
    const right = s.a - s.b * s.m * (1 + s.rho);
    const left = s.a + s.b * s.m * (1 - s.rho);
    if (this.context.previous) {
      if (!(atLeast(s.b * (1 + s.rho), this.wings[0]!) && atLeast(s.b * (1 - s.rho), this.wings[1]!))) return false;
      if (!(atLeast(right, this.intercepts[0]!) && atLeast(left, this.intercepts[1]!))) return false;
      const { points } = this.context;
      const before = this.before.w;
      const s2 = s.sigma * s.sigma;
      for (let i = 0; i < points.length; i++) {
        const x = points[i]! - s.m;
        if (!atLeast(s.a + s.b * (s.rho * x + Math.sqrt(x * x + s2)), before[i]!)) return false;
      }
    }
    return !this.context.last || (right >= 0 && left >= 0);
  }

  /** Every penalty's violation, PENALTY_MARGIN − value (positive when violated), in a fixed order, into `out`. */
  violations(s: SviParams, out: Float64Array = this.penalty): Float64Array {
    const { points, previous, last } = this.context;
    const { w: bw, w1: bw1, w2: bw2 } = this.before;
    const s2 = s.sigma * s.sigma;
    let at = 0;
    for (let i = 0; i < points.length; i++) {
      const k = points[i]!;
      const x = k - s.m;
      const r = Math.sqrt(x * x + s2);
      const w = s.a + s.b * (s.rho * x + r);
      const w1 = s.b * (s.rho + x / r);
      const w2 = (s.b * s.sigma * s.sigma) / (r * r * r);
      out[at++] = PENALTY_MARGIN - durrleman(k, w, w1, w2);
      if (previous) {
        for (const alpha of BLEND) {
          out[at++] = PENALTY_MARGIN - durrleman(k, bw[i]! + alpha * (w - bw[i]!), bw1[i]! + alpha * (w1 - bw1[i]!), bw2[i]! + alpha * (w2 - bw2[i]!));
        }
      }
      if (last) out[at++] = PENALTY_MARGIN - extrapolationMargin(k, w, w1);
    }
    return out;
  }

  residuals(p: Float64Array): Float64Array | undefined {
    const s = paramsOf(p);
    if (!this.inside(s)) return undefined;
    const { k, vol, weight, years } = this.quotes;
    const v = this.violations(s);
    let active = 0;
    for (let i = 0; i < v.length; i++) if (v[i]! > 0) active++;
    const r = new Float64Array(k.length + active);
    const s2 = s.sigma * s.sigma;
    for (let j = 0; j < k.length; j++) {
      const x = k[j]! - s.m;
      r[j] = Math.sqrt(weight[j]!) * (Math.sqrt((s.a + s.b * (s.rho * x + Math.sqrt(x * x + s2))) / years) - vol[j]!);
    }
    let at = k.length;
    for (let i = 0; i < v.length; i++) if (v[i]! > 0) r[at++] = this.strength * v[i]!;
    return r;
  }

  /** Data rows analytic (∂σ/∂p = (∂w/∂p)/(2σT)); penalty rows by forward differences of the active violations. */
  jacobian(p: Float64Array, r: Float64Array): Float64Array {
    const s = paramsOf(p);
    const { k, weight, years } = this.quotes;
    const J = new Float64Array(r.length * 5);
    const grad = this.grad;
    for (let j = 0; j < k.length; j++) {
      const w = sviGradient(s, k[j]!, grad);
      const scale = Math.sqrt(weight[j]!) / (2 * Math.sqrt(w * years));
      for (let q = 0; q < 5; q++) J[j * 5 + q] = scale * grad[q]!;
    }
    if (r.length === k.length) return J;
    const base = this.violations(s);
    for (let q = 0; q < 5; q++) {
      const h = 1e-7 * Math.max(1e-3, Math.abs(p[q]!));
      const shifted = Float64Array.from(p);
      shifted[q]! += h;
      const moved = this.violations(paramsOf(shifted), this.shifted);
      let row = k.length;
      for (let i = 0; i < base.length; i++) {
        if (base[i]! > 0) J[row++ * 5 + q] = (this.strength * (Math.max(0, moved[i]!) - base[i]!)) / h;
      }
    }
    return J;
  }
}

/**
 * Fits one raw SVI slice: the quasi-explicit start, then the penalised Levenberg-Marquardt polish; the polish
 * is kept unless it leaves the hard constraints.
 * @throws VolSurfaceError when no smile satisfies the hard constraints (e.g. quotes below the previous slice's
 * wings everywhere).
 */
export function fitSviSlice(quotes: SliceQuotes, context: SliceContext, strength: number): SviSlice {
  const start = quasiExplicitFit(quotes, context);
  if (start === undefined) {
    throw new VolSurfaceError("fit", `no raw SVI smile at expiry ${quotes.years} y satisfies Lee's bound and the calendar conditions against the previous expiry`, { years: quotes.years });
  }
  const polish = new SlicePolish(quotes, context, strength);
  const p0 = Float64Array.of(start.a, start.b, start.rho, start.m, start.sigma);
  const { p, cost } = levenbergMarquardt(polish, p0, 100, 1e-13, 1e-12, VOL_COST_FLOOR);
  const best = Number.isFinite(cost) ? paramsOf(p) : start;
  return { years: quotes.years, ...best };
}
