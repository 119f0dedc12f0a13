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
import { durrleman, extrapolationMargin, sviGradient, sviIntercepts, sviMinimum, sviPoint, sviWings, type SviPoint } from "./svi-math.js";
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

/** The least squares of one slice with its hard constraints and penalties. */
class SlicePolish implements LeastSquares {
  /** The previous slice's w, w', w'' at the context's points (fixed while this slice is fitted). */
  private readonly before: SviPoint[];

  constructor(
    private readonly quotes: SliceQuotes,
    private readonly context: SliceContext,
    private readonly strength: number,
  ) {
    const prev = context.previous;
    this.before = prev ? Array.from(context.points, (k) => sviPoint(prev, k)) : [];
  }

  /**
   * The hard constraints of the header. Comparisons with the previous slice allow SLACK of relative rounding:
   * stage 1's (a, ρbσ, bσ) sit exactly on a bound, and converting them to (a, b, ρ) rounds.
   */
  inside(s: SviParams): boolean {
    if (!(s.b >= 0 && Math.abs(s.rho) < 1 && s.sigma > 0 && s.b * (1 + Math.abs(s.rho)) <= 2 && sviMinimum(s) > 0)) return false;
    const prev = this.context.previous;
    if (prev) {
      const atLeast = (x: number, y: number) => x >= y - SLACK * Math.abs(y);
      const [wings, before] = [sviWings(s), sviWings(prev)];
      const [intercepts, above] = [sviIntercepts(s), sviIntercepts(prev)];
      if (!(atLeast(wings.right, before.right) && atLeast(wings.left, before.left))) return false;
      if (!(atLeast(intercepts.right, above.right) && atLeast(intercepts.left, above.left))) return false;
      const { points } = this.context;
      for (let i = 0; i < points.length; i++) if (!atLeast(sviPoint(s, points[i]!).w, this.before[i]!.w)) return false;
    }
    if (this.context.last) {
      const { right, left } = sviIntercepts(s);
      if (!(right >= 0 && left >= 0)) return false;
    }
    return true;
  }

  /** Every penalty's violation, PENALTY_MARGIN − value (positive when violated), in a fixed order. */
  violations(s: SviParams): Float64Array {
    const { points, previous, last } = this.context;
    const perPoint = 1 + (previous ? BLEND.length : 0) + (last ? 1 : 0);
    const out = new Float64Array(points.length * perPoint);
    let at = 0;
    for (let i = 0; i < points.length; i++) {
      const k = points[i]!;
      const here = sviPoint(s, k);
      out[at++] = PENALTY_MARGIN - durrleman(k, here.w, here.w1, here.w2);
      if (previous) {
        const before = this.before[i]!;
        for (const alpha of BLEND) {
          const w = before.w + alpha * (here.w - before.w);
          const w1 = before.w1 + alpha * (here.w1 - before.w1);
          out[at++] = PENALTY_MARGIN - durrleman(k, w, w1, before.w2 + alpha * (here.w2 - before.w2));
        }
      }
      if (last) out[at++] = PENALTY_MARGIN - extrapolationMargin(k, here.w, here.w1);
    }
    return out;
  }

  residuals(p: Float64Array): Float64Array | undefined {
    const s = paramsOf(p);
    if (!this.inside(s)) return undefined;
    const { k, vol, weight, years } = this.quotes;
    const v = this.violations(s);
    let active = 0;
    for (const x of v) if (x > 0) active++;
    const r = new Float64Array(k.length + active);
    for (let j = 0; j < k.length; j++) r[j] = Math.sqrt(weight[j]!) * (Math.sqrt(sviPoint(s, k[j]!).w / years) - vol[j]!);
    let at = k.length;
    for (const x of v) if (x > 0) r[at++] = this.strength * x;
    return r;
  }

  /** Data rows analytic (∂σ/∂p = (∂w/∂p)/(2σT)); penalty rows by forward differences of the active violations. */
  jacobian(p: Float64Array, r: Float64Array): Float64Array {
    const s = paramsOf(p);
    const { k, weight, years } = this.quotes;
    const J = new Float64Array(r.length * 5);
    const grad = new Float64Array(5);
    for (let j = 0; j < k.length; j++) {
      const w = sviGradient(s, k[j]!, grad);
      const scale = Math.sqrt(weight[j]!) / (2 * Math.sqrt(w * years));
      for (let q = 0; q < 5; q++) J[j * 5 + q] = scale * grad[q]!;
    }
    if (r.length === k.length) return J;
    const base = this.violations(s);
    const on: number[] = [];
    base.forEach((x, i) => {
      if (x > 0) on.push(i);
    });
    for (let q = 0; q < 5; q++) {
      const h = 1e-7 * Math.max(1e-3, Math.abs(p[q]!));
      const shifted = Float64Array.from(p);
      shifted[q]! += h;
      const moved = this.violations(paramsOf(shifted));
      on.forEach((i, row) => {
        J[(k.length + row) * 5 + q] = (this.strength * (Math.max(0, moved[i]!) - base[i]!)) / h;
      });
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
