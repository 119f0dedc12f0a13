// Monte Carlo value at risk and expected shortfall of the share price over a horizon, with full revaluation
// of the book on every path. Spot follows GBM at the at-the-money vol; the whole vol surface moves by a
// lognormal factor correlated with spot. Path p's two normals come from Philox(seed, p) (philox.ts), paths are
// priced in fixed blocks, and losses are sorted before any sum: the figures are bit-for-bit the same for a
// seed whatever pricer or worker count prices the blocks (the worker pool is bit-identical to the pricer).
import type { Greeks } from "../../bindings/types.js";
import type { SyncPricer } from "../option-pool.js";
import { pathNormals } from "./philox.js";
import { asBatch, batchColumns, floorVol, sharePriceOf, type AnyPricer, type PreparedBook } from "./valuation.js";

/** Parameters of a Monte Carlo risk run. */
export interface VarOptions {
  /** Horizon in days (365-day year). Default 1. */
  horizonDays: number;
  /** Number of paths. Default 100,000. */
  paths: number;
  /** Seed of the Philox streams (integer, 0 ≤ seed < 2^53). Default 1. */
  seed: number;
  /** Confidence level of VaR and ES. Default 0.99. */
  confidence: number;
  /** Annualised vol of the ATM vol (lognormal vol-of-vol). Default 1.5. */
  volOfVol: number;
  /** Correlation of spot and vol shocks. Default −0.5 (vol rises when spot falls). */
  spotVolCorrelation: number;
  /** Spot drift per year. Default 0. */
  drift: number;
  /** Paths per pricing block. Default 256. */
  blockPaths: number;
  /** Blocks in flight at once with an asynchronous pricer. Default 4. */
  window: number;
}

export const DEFAULT_VAR_OPTIONS: Readonly<VarOptions> = Object.freeze({
  horizonDays: 1, paths: 100_000, seed: 1, confidence: 0.99, volOfVol: 1.5, spotVolCorrelation: -0.5, drift: 0, blockPaths: 256, window: 4,
});

/** VaR and ES of the relative share-price loss (0.05 = the share price falls 5 %), with standard errors. */
export interface VarResult {
  horizonDays: number;
  paths: number;
  seed: number;
  confidence: number;
  /** Loss quantile at `confidence` (relative share-price loss). */
  valueAtRisk: number;
  /** Asymptotic standard error: √(α(1−α)/n) / f(VaR), density f from order-statistic spacings. */
  valueAtRiskStdError: number;
  /** Mean loss beyond VaR. */
  expectedShortfall: number;
  /** Standard error √((Var(L | L ≥ VaR) + (1−α)(ES − VaR)²) / (n α)) (Manistre & Hancock 2005), α = 1 − confidence. */
  expectedShortfallStdError: number;
  /** VaR and ES in collateral base units (relative loss × NAV now). */
  valueAtRiskUnits: number;
  expectedShortfallUnits: number;
  /** Mean relative loss over all paths. */
  meanLoss: number;
  /** Every path's relative loss, sorted ascending (for histograms). */
  losses: Float64Array;
}

function resolve(options: Partial<VarOptions>): VarOptions {
  const o: VarOptions = { ...DEFAULT_VAR_OPTIONS, ...options };
  const bad = (field: string, what: string): never => {
    throw new RangeError(`valueAtRisk: ${field} ${what}`);
  };
  if (!(o.horizonDays > 0 && Number.isFinite(o.horizonDays))) bad("horizonDays", "must be > 0");
  if (!(Number.isInteger(o.paths) && o.paths >= 100)) bad("paths", "must be an integer ≥ 100");
  if (!(Number.isInteger(o.seed) && o.seed >= 0 && o.seed < 2 ** 53)) bad("seed", "must be an integer in [0, 2^53)");
  if (!(o.confidence > 0.5 && o.confidence < 1)) bad("confidence", "must be in (0.5, 1)");
  if (!(o.volOfVol >= 0 && Number.isFinite(o.volOfVol))) bad("volOfVol", "must be ≥ 0");
  if (!(Math.abs(o.spotVolCorrelation) <= 1)) bad("spotVolCorrelation", "must be in [-1, 1]");
  if (!Number.isFinite(o.drift)) bad("drift", "must be finite");
  if (!(Number.isInteger(o.blockPaths) && o.blockPaths >= 1)) bad("blockPaths", "must be an integer ≥ 1");
  if (!(Number.isInteger(o.window) && o.window >= 1)) bad("window", "must be an integer ≥ 1");
  return o;
}

/** A planned run: which series survive the horizon, and the per-path markets. */
class VarPlan {
  readonly h: number;
  readonly live: number[] = [];
  readonly expiring: number[] = [];
  readonly assets: number;
  readonly baseSharePrice: number;
  readonly losses: Float64Array;
  private readonly z = new Float64Array(2);

  constructor(readonly book: PreparedBook, readonly o: VarOptions, readonly atmVol: number, readonly baseNav: number) {
    this.h = o.horizonDays / 365;
    for (let i = 0; i < book.n; i++) (book.years[i]! - this.h > 1 / (365 * 24) ? this.live : this.expiring).push(i);
    this.assets = book.free + book.lockedTotal;
    this.baseSharePrice = sharePriceOf(book, baseNav);
    this.losses = new Float64Array(o.paths);
  }

  get blocks(): number {
    return Math.ceil(this.o.paths / this.o.blockPaths);
  }

  /** Spot and vol factor of path p. */
  market(p: number, out: Float64Array): void {
    const { h, o } = this;
    pathNormals(o.seed, p, this.z, 0);
    const z1 = this.z[0]!;
    const z2 = this.z[1]!;
    const s = this.atmVol;
    out[0] = this.book.spot * Math.exp((o.drift - 0.5 * s * s) * h + s * Math.sqrt(h) * z1);
    const nu = o.volOfVol;
    const rho = o.spotVolCorrelation;
    out[1] = Math.exp(-0.5 * nu * nu * h + nu * Math.sqrt(h) * (rho * z1 + Math.sqrt(1 - rho * rho) * z2));
  }

  /** The batch of block b: for each path, every series that outlives the horizon. */
  batch(b: number) {
    const first = b * this.o.blockPaths;
    const count = Math.min(this.o.blockPaths, this.o.paths - first);
    const nl = this.live.length;
    const c = batchColumns(count * nl);
    const m = new Float64Array(2);
    const book = this.book;
    for (let q = 0; q < count; q++) {
      this.market(first + q, m);
      const base = q * nl;
      for (let l = 0; l < nl; l++) {
        const i = this.live[l]!;
        c.type[base + l] = book.type[i]!;
        c.spot[base + l] = m[0]!;
        c.strike[base + l] = book.strike[i]!;
        c.expiry[base + l] = book.years[i]! - this.h;
        c.vol[base + l] = floorVol(book.vol[i]! * m[1]!);
      }
    }
    return { first, count, batch: asBatch(book, c) };
  }

  /** Records the losses of a block from its prices. */
  absorb(first: number, count: number, prices: Float64Array): void {
    const book = this.book;
    const nl = this.live.length;
    const m = new Float64Array(2);
    for (let q = 0; q < count; q++) {
      this.market(first + q, m);
      const spot = m[0]!;
      const toCollateral = book.quoteCollateral ? 1 : 1 / spot;
      let liability = 0;
      for (let l = 0; l < nl; l++) {
        const i = this.live[l]!;
        liability += Math.min(Math.max(0, prices[q * nl + l]!) * toCollateral * book.scale[i]!, book.locked[i]!);
      }
      for (const i of this.expiring) {
        const v = Math.max(0, book.type[i] === 1 ? spot - book.strike[i]! : book.strike[i]! - spot);
        liability += Math.min(v * toCollateral * book.scale[i]!, book.locked[i]!);
      }
      for (const s of book.expired) {
        const v = Math.max(0, s.type === "put" ? s.strike - spot : spot - s.strike);
        liability += Math.min(v * toCollateral * s.scale, s.locked);
      }
      this.losses[first + q] = 1 - sharePriceOf(book, this.assets - liability) / this.baseSharePrice;
    }
  }

  result(): VarResult {
    const { o } = this;
    const losses = this.losses.sort();
    const n = losses.length;
    const alpha = 1 - o.confidence;
    const j = Math.min(n - 1, Math.ceil(n * o.confidence) - 1);
    const valueAtRisk = losses[j]!;
    let tail = 0;
    for (let i = j; i < n; i++) tail += losses[i]!;
    const k = n - j;
    const expectedShortfall = tail / k;
    let tailVar = 0;
    for (let i = j; i < n; i++) tailVar += (losses[i]! - expectedShortfall) ** 2;
    tailVar /= Math.max(1, k - 1);
    // Density at VaR from the spacing of order statistics m either side (m ≈ √(nα)).
    const m = Math.max(1, Math.floor(Math.sqrt(n * alpha)));
    const spacing = losses[Math.min(n - 1, j + m)]! - losses[Math.max(0, j - m)]!;
    const density = spacing > 0 ? (Math.min(n - 1, j + m) - Math.max(0, j - m)) / n / spacing : Infinity;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += losses[i]!;
    const perUnit = this.baseNav;
    return {
      horizonDays: o.horizonDays, paths: n, seed: o.seed, confidence: o.confidence,
      valueAtRisk,
      valueAtRiskStdError: Math.sqrt((alpha * (1 - alpha)) / n) / density,
      expectedShortfall,
      expectedShortfallStdError: Math.sqrt((tailVar + (1 - alpha) * (expectedShortfall - valueAtRisk) ** 2) / (n * alpha)),
      valueAtRiskUnits: valueAtRisk * perUnit,
      expectedShortfallUnits: expectedShortfall * perUnit,
      meanLoss: sum / n,
      losses,
    };
  }
}

/** Base NAV (capped liability at the current market) for a prepared book, priced with `prices` of its series. */
function baseNav(book: PreparedBook, prices: Float64Array): number {
  let liability = 0;
  const toCollateral = book.quoteCollateral ? 1 : 1 / book.spot;
  for (let i = 0; i < book.n; i++) liability += Math.min(Math.max(0, prices[i]!) * toCollateral * book.scale[i]!, book.locked[i]!);
  for (const s of book.expired) {
    const v = Math.max(0, s.type === "put" ? s.strike - book.spot : book.spot - s.strike);
    liability += Math.min(v * toCollateral * s.scale, s.locked);
  }
  return book.free + book.lockedTotal - liability;
}

function baseBatch(book: PreparedBook) {
  return { type: book.type, spot: book.spot, strike: book.strike, expiry: book.years, vol: book.vol, rate: book.rate, dividend: book.dividend };
}

/**
 * Monte Carlo VaR / ES with a synchronous pricer (the pre-trade check uses this with a few thousand paths).
 * `atmVol`: the vol spot moves with (e.g. the oracle's baseVol).
 */
export function valueAtRiskSync(book: PreparedBook, pricer: SyncPricer, atmVol: number, options: Partial<VarOptions> = {}): VarResult {
  const o = resolve(options);
  const nav = baseNav(book, book.n > 0 ? pricer.blackScholes(baseBatch(book)).price : new Float64Array(0));
  const plan = new VarPlan(book, o, atmVol, nav);
  for (let b = 0; b < plan.blocks; b++) {
    const { first, count, batch } = plan.batch(b);
    plan.absorb(first, count, plan.live.length > 0 ? pricer.blackScholes(batch).price : new Float64Array(0));
  }
  return plan.result();
}

/**
 * Monte Carlo VaR / ES with any pricer (the worker pool: `window` blocks in flight). Bit-identical to
 * valueAtRiskSync for the same book, atmVol and options. `onProgress(pathsDone, paths)` after each block.
 */
export async function valueAtRisk(
  book: PreparedBook,
  pricer: AnyPricer,
  atmVol: number,
  options: Partial<VarOptions> = {},
  onProgress?: (done: number, total: number) => void,
): Promise<VarResult> {
  const o = resolve(options);
  const nav = baseNav(book, book.n > 0 ? ((await pricer.blackScholes(baseBatch(book))) as Greeks).price : new Float64Array(0));
  const plan = new VarPlan(book, o, atmVol, nav);
  let next = 0;
  let done = 0;
  const runner = async (): Promise<void> => {
    while (next < plan.blocks) {
      const { first, count, batch } = plan.batch(next++);
      const prices = plan.live.length > 0 ? ((await pricer.blackScholes(batch)) as Greeks).price : new Float64Array(0);
      plan.absorb(first, count, prices);
      done += count;
      onProgress?.(done, o.paths);
    }
  };
  await Promise.all(Array.from({ length: o.window }, runner));
  return plan.result();
}
