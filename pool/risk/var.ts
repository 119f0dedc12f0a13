// Monte Carlo value at risk and expected shortfall of the share price over a horizon, with full revaluation
// of the book and the hedge position (valuation.ts) on every path. Spot follows GBM at the at-the-money vol; the whole vol surface moves by a
// lognormal factor correlated with spot. Path p's two normals come from the WASM core's Philox4x32-10 stream
// (normals.ts: depends only on seed and p), paths are priced in blocks, and losses are sorted before any sum:
// the figures are bit-for-bit the same for a seed whatever pricer, block size or worker count prices them.
// Speed: the book's constant columns (type, strike, expiry at the horizon) are laid out once per run for a
// whole block and shared by every block; per block only spot (one `fill` per path) and vol are written.
import type { Pricer } from "../../bindings/pricer.js";
import type { Greeks, OptionBatch } from "../../bindings/types.js";
import type { WasmOptionBatch } from "../../bindings/wasm-batch.js";
import { isPricingPool } from "../../workers/pool.js";
import type { WasmCore } from "../../bindings/wasm.js";
import { coreOf, pathNormals, type RiskPricer } from "./normals.js";
import { seriesLiability } from "../valuation.js";
import { floorVol, hedgeValueAt, liabilityAt, sharePriceOf, type AnyPricer, type PreparedBook } from "./valuation.js";

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
  /** Paths per pricing block, or "auto" (default): enough paths for about 65,536 options per block (cache-sized). */
  blockPaths: number | "auto";
  /** Blocks in flight at once with an asynchronous pricer. Default 4. */
  window: number;
}

export const DEFAULT_VAR_OPTIONS: Readonly<VarOptions> = Object.freeze({
  horizonDays: 1, paths: 100_000, seed: 1, confidence: 0.99, volOfVol: 1.5, spotVolCorrelation: -0.5, drift: 0, blockPaths: "auto", window: 4,
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

/** The options with defaults filled in, checked (RangeError naming the field). */
export function resolveVarOptions(options: Partial<VarOptions>): VarOptions {
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
  if (o.blockPaths !== "auto" && !(Number.isInteger(o.blockPaths) && o.blockPaths >= 1)) bad("blockPaths", 'must be "auto" or an integer ≥ 1');
  if (!(Number.isInteger(o.window) && o.window >= 1)) bad("window", "must be an integer ≥ 1");
  return o;
}

/** True when a series `years` from expiry is repriced at a horizon `h` years ahead: it outlives it by more than an hour (else it is worth its payoff there). */
export function outlivesHorizon(years: number, h: number): boolean {
  return years - h > 1 / (365 * 24);
}

/** Spot and vol factor of every path at the horizon. */
export interface PathMarkets {
  spot: Float64Array;
  volFactor: Float64Array;
}

/** Spot (GBM at `atmVol`) and vol factor (lognormal, correlated) of every path at the horizon of `h` years, from `spot`. */
export function pathMarkets(core: WasmCore, spot0: number, o: VarOptions, atmVol: number, h: number): PathMarkets {
  const z = pathNormals(core, o.seed, o.paths);
  const spot = new Float64Array(o.paths);
  const volFactor = new Float64Array(o.paths);
  const s = atmVol;
  const nu = o.volOfVol;
  const rho = o.spotVolCorrelation;
  const spotDrift = (o.drift - 0.5 * s * s) * h;
  const spotDiffusion = s * Math.sqrt(h);
  const volDrift = -0.5 * nu * nu * h;
  const volDiffusion = nu * Math.sqrt(h);
  const rhoBar = Math.sqrt(1 - rho * rho);
  for (let p = 0; p < o.paths; p++) {
    const z1 = z[2 * p]!;
    const z2 = z[2 * p + 1]!;
    spot[p] = spot0 * Math.exp(spotDrift + spotDiffusion * z1);
    volFactor[p] = Math.exp(volDrift + volDiffusion * (rho * z1 + rhoBar * z2));
  }
  return { spot, volFactor };
}

/** Per-block input columns that change with the paths (one set per block in flight). */
interface BlockSlot {
  spot: Float64Array;
  vol: Float64Array;
  output: Greeks | undefined;
}

/** A planned run: which series survive the horizon, the per-path markets and the shared batch columns. */
class VarPlan {
  readonly h: number;
  /** Series that outlive the horizon, as contiguous columns (index l). */
  readonly nl: number;
  private readonly liveVol: Float64Array;
  private readonly liveScale: Float64Array;
  private readonly liveLocked: Float64Array;
  /** Series expiring inside the horizon (valued at intrinsic), and series already expired. */
  private readonly intrinsic: { call: boolean; strike: number; scale: number; locked: number }[] = [];
  /** Paths per block. */
  readonly blockPaths: number;
  /** Type (one string when every live series has the same), strike and expiry columns of a full block (blockPaths × nl), written once. */
  private readonly type: Int8Array;
  private readonly sameType: "call" | "put" | undefined;
  private readonly strike: Float64Array;
  private readonly expiry: Float64Array;
  /** Free + locked collateral (the hedge is revalued on each path). */
  readonly assets: number;
  readonly baseSharePrice: number;
  readonly losses: Float64Array;
  readonly markets: PathMarkets;

  constructor(core: WasmCore, readonly book: PreparedBook, readonly o: VarOptions, atmVol: number, readonly baseNav: number) {
    this.h = o.horizonDays / 365;
    const live: number[] = [];
    for (let i = 0; i < book.n; i++) {
      if (outlivesHorizon(book.years[i]!, this.h)) live.push(i);
      else this.intrinsic.push({ call: book.type[i] === 1, strike: book.strike[i]!, scale: book.scale[i]!, locked: book.locked[i]! });
    }
    for (const s of book.expired) this.intrinsic.push({ call: s.type === "call", strike: s.strike, scale: s.scale, locked: s.locked });
    const nl = (this.nl = live.length);
    this.liveVol = Float64Array.from(live, (i) => book.vol[i]!);
    this.liveScale = Float64Array.from(live, (i) => book.scale[i]!);
    this.liveLocked = Float64Array.from(live, (i) => book.locked[i]!);
    this.blockPaths = Math.min(o.paths, o.blockPaths === "auto" ? Math.max(1, Math.round(65_536 / Math.max(1, nl))) : o.blockPaths);
    const size = this.blockPaths * nl;
    this.type = new Int8Array(size);
    this.strike = new Float64Array(size);
    this.expiry = new Float64Array(size);
    live.forEach((i, l) => {
      this.type[l] = book.type[i]!;
      this.strike[l] = book.strike[i]!;
      this.expiry[l] = book.years[i]! - this.h;
    });
    // Repeat the first path's columns across the block by doubling copies.
    for (let filled = nl; filled > 0 && filled < size; filled *= 2) {
      const count = Math.min(filled, size - filled);
      this.type.copyWithin(filled, 0, count);
      this.strike.copyWithin(filled, 0, count);
      this.expiry.copyWithin(filled, 0, count);
    }
    const first = nl > 0 ? this.type[0]! : 0;
    this.sameType = nl > 0 && this.type.subarray(0, nl).every((t) => t === first) ? (first === 1 ? "call" : "put") : undefined;
    this.assets = book.free + book.lockedTotal;
    this.baseSharePrice = sharePriceOf(book, baseNav);
    this.losses = new Float64Array(o.paths);
    this.markets = pathMarkets(core, book.spot, o, atmVol, this.h);
  }

  get blocks(): number {
    return Math.ceil(this.o.paths / this.blockPaths);
  }

  /** Columns of one block runner: spot, vol and (withOutput) reused output columns. */
  slot(withOutput: boolean): BlockSlot {
    const size = this.type.length;
    const column = () => new Float64Array(size);
    const output = withOutput
      ? { price: column(), delta: column(), gamma: column(), vega: column(), theta: column(), rho: column() }
      : undefined;
    return { spot: column(), vol: column(), output };
  }

  /** Writes the columns that do not change between blocks into a zero-copy batch of blockPaths × nl options. */
  fillConstants(batch: WasmOptionBatch): void {
    batch.type.set(this.type); // Int8Array ±1 → f64
    batch.strike.set(this.strike);
    batch.expiry.set(this.expiry);
    batch.rate.fill(this.book.rate);
    batch.dividend.fill(this.book.dividend);
  }

  /**
   * Writes block b's spot and vol into `spot` / `vol` (columns of at least blockPaths × nl) and returns its
   * paths. Elements past the block's end keep earlier (valid) values: their prices are not read.
   */
  fillMarkets(b: number, spot: Float64Array, vol: Float64Array): { first: number; count: number } {
    const first = b * this.blockPaths;
    const count = Math.min(this.blockPaths, this.o.paths - first);
    const nl = this.nl;
    const liveVol = this.liveVol;
    for (let q = 0; q < count; q++) {
      const base = q * nl;
      spot.fill(this.markets.spot[first + q]!, base, base + nl);
      const m = this.markets.volFactor[first + q]!;
      for (let l = 0; l < nl; l++) vol[base + l] = floorVol(liveVol[l]! * m);
    }
    return { first, count };
  }

  /** The batch of block b in `slot`: for each path, every series that outlives the horizon. */
  batch(b: number, slot: BlockSlot): { first: number; count: number; batch: OptionBatch } {
    const nl = this.nl;
    const { spot, vol } = slot;
    const { first, count } = this.fillMarkets(b, spot, vol);
    const size = count * nl;
    const whole = size === this.type.length;
    const batch: OptionBatch = {
      type: this.sameType ?? (whole ? this.type : this.type.subarray(0, size)),
      spot: whole ? spot : spot.subarray(0, size),
      strike: whole ? this.strike : this.strike.subarray(0, size),
      expiry: whole ? this.expiry : this.expiry.subarray(0, size),
      vol: whole ? vol : vol.subarray(0, size),
      rate: this.book.rate,
      dividend: this.book.dividend,
    };
    return { first, count, batch };
  }

  /** Records the losses of a block from its prices. */
  absorb(first: number, count: number, prices: Float64Array): void {
    const book = this.book;
    const nl = this.nl;
    const { liveScale, liveLocked, intrinsic } = this;
    for (let q = 0; q < count; q++) {
      const spot = this.markets.spot[first + q]!;
      const quote = book.quoteCollateral;
      const base = q * nl;
      let liability = 0;
      for (let l = 0; l < nl; l++) liability += seriesLiability(prices[base + l]!, spot, liveScale[l]!, liveLocked[l]!, quote);
      for (const s of intrinsic) liability += seriesLiability(s.call ? spot - s.strike : s.strike - spot, spot, s.scale, s.locked, quote);
      this.losses[first + q] = 1 - sharePriceOf(book, this.assets + hedgeValueAt(book, spot) - liability) / this.baseSharePrice;
    }
  }

  result(): VarResult {
    return varResult(this.losses, this.o, this.baseNav);
  }
}

/**
 * VaR, ES and their standard errors from every path's relative loss (`losses` is sorted in place and kept as the
 * result's); `baseNav` (base units) turns relative losses into units.
 */
export function varResult(losses: Float64Array, o: VarOptions, baseNav: number): VarResult {
  losses.sort();
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
  const perUnit = baseNav;
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

/** Base NAV (capped liability and the hedge at the current market) for a prepared book, priced with `prices` of its series. */
function baseNav(book: PreparedBook, prices: Float64Array): number {
  const liability = { capped: 0, uncapped: 0 };
  liabilityAt(book, book.spot, prices, 0, liability);
  return book.free + book.lockedTotal + hedgeValueAt(book, book.spot) - liability.capped;
}

function baseBatch(book: PreparedBook) {
  return { type: book.type, spot: book.spot, strike: book.strike, expiry: book.years, vol: book.vol, rate: book.rate, dividend: book.dividend };
}

/**
 * Monte Carlo VaR / ES with the synchronous pricer (the pre-trade check uses this with a few thousand paths).
 * `atmVol`: the vol spot moves with (e.g. the oracle's baseVol). Blocks reuse one set of input and output columns.
 */
export function valueAtRiskSync(book: PreparedBook, pricer: RiskPricer, atmVol: number, options: Partial<VarOptions> = {}): VarResult {
  const o = resolveVarOptions(options);
  const nav = baseNav(book, book.n > 0 ? pricer.blackScholes(baseBatch(book)).price : new Float64Array(0));
  const plan = new VarPlan(pricer.core, book, o, atmVol, nav);
  const slot = plan.slot(true);
  for (let b = 0; b < plan.blocks; b++) {
    const { first, count, batch } = plan.batch(b, slot);
    if (plan.nl === 0) {
      plan.absorb(first, count, new Float64Array(0));
      continue;
    }
    // The output must match the batch length: the last, shorter block gets new columns.
    const output = count * plan.nl === slot.spot.length ? slot.output : undefined;
    plan.absorb(first, count, pricer.blackScholes(batch, output).price);
  }
  return plan.result();
}

/** A pricer that makes zero-copy batches and prices them synchronously (createPricer()). */
function hasZeroCopyBatches(pricer: AnyPricer): pricer is Pricer {
  return typeof (pricer as Partial<Pricer>).createOptionBatch === "function" && (pricer as Partial<Pricer>).core !== undefined;
}

/**
 * Monte Carlo VaR / ES with any pricer (the worker pool: `window` blocks in flight, each with its own spot and
 * vol columns). Bit-identical to valueAtRiskSync for the same book, atmVol and options. The normals come from
 * the pricer's WASM core, or one instantiated from its module (worker pool) or from the bundled build. With the
 * single-thread pricer, blocks are priced in place in one zero-copy batch (pricer.createOptionBatch); with a
 * shared-memory worker pool, in one pool batch per block in flight (pool.createOptionBatch).
 * `onProgress(pathsDone, paths)` after each block.
 */
export async function valueAtRisk(
  book: PreparedBook,
  pricer: AnyPricer,
  atmVol: number,
  options: Partial<VarOptions> = {},
  onProgress?: (done: number, total: number) => void,
): Promise<VarResult> {
  const o = resolveVarOptions(options);
  const nav = baseNav(book, book.n > 0 ? ((await pricer.blackScholes(baseBatch(book))) as Greeks).price : new Float64Array(0));
  const plan = new VarPlan(await coreOf(pricer), book, o, atmVol, nav);
  const workerPool = isPricingPool(pricer) ? pricer : undefined;
  let next = 0;
  let done = 0;
  const blockDone = (count: number): void => {
    done += count;
    onProgress?.(done, o.paths);
  };
  if (plan.nl > 0 && (hasZeroCopyBatches(pricer) || workerPool?.sharedMemory)) {
    // Zero-copy batches: the single-thread pricer's (one), or a shared-memory pool's (one per block in flight, its
    // ranges priced by the workers where they are). Constant columns written once, each block's spot and vol
    // written in place, prices read from the batch's views: no copies, no allocation per block.
    const size = plan.blockPaths * plan.nl;
    const inPlace = async (batch: WasmOptionBatch, price: (batch: WasmOptionBatch) => Greeks | Promise<Greeks>): Promise<void> => {
      plan.fillConstants(batch);
      // Block 0 is full: its markets leave valid values past the end of a shorter last block (priced, not read),
      // even when that block is the first this batch takes.
      plan.fillMarkets(0, batch.spot, batch.vol);
      while (next < plan.blocks) {
        const { first, count } = plan.fillMarkets(next++, batch.spot, batch.vol);
        plan.absorb(first, count, (await price(batch)).price);
        blockDone(count);
      }
    };
    if (hasZeroCopyBatches(pricer)) {
      await inPlace(await pricer.createOptionBatch(size), (batch) => pricer.blackScholes(batch));
    } else {
      const pool = workerPool!;
      const poolRunner = async (): Promise<void> => {
        const batch = await pool.createOptionBatch(size);
        try {
          await inPlace(batch, (b) => pool.blackScholes(b));
        } finally {
          batch.close();
        }
      };
      await Promise.all(Array.from({ length: Math.min(o.window, plan.blocks) }, poolRunner));
    }
    return plan.result();
  }
  // Otherwise a worker pool writes full blocks into each runner's reused output columns (no result buffers per block).
  const runner = async (): Promise<void> => {
    const slot = plan.slot(workerPool !== undefined);
    while (next < plan.blocks) {
      const { first, count, batch } = plan.batch(next++, slot);
      const output = count * plan.nl === slot.spot.length ? slot.output : undefined;
      let prices: Float64Array = new Float64Array(0);
      if (plan.nl > 0) prices = (await (workerPool ? workerPool.blackScholes(batch, { output }) : pricer.blackScholes(batch))).price;
      plan.absorb(first, count, prices);
      blockDone(count);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.window, plan.blocks) }, runner));
  return plan.result();
}
