// Monte Carlo expected-shortfall margin: the close-out cost of the positions after `horizonDays`, on paths where
// spot follows GBM at the ATM vol and the whole vol surface moves by a lognormal factor correlated with spot (the
// model of pool/risk/var.ts). Path p's normals come from the WASM core's Philox stream (risk/normals.ts: they depend
// only on seed and p), and costs are sorted before the tail is summed, so the figure is bit-identical whether the
// paths are priced on this thread or on workers, in any block size.
//   ES = mean of the ⌈paths · (1 − confidence)⌉ largest costs,  cost_p = −V_p  (quote base units).
import type { Greeks, OptionBatch } from "../../bindings/types.js";
import { PoolError } from "../errors.js";
import { coreOf, pathNormals, type RiskPricer } from "../risk/normals.js";
import { floorVol, type AnyPricer } from "../risk/valuation.js";
import type { WasmCore } from "../../bindings/wasm.js";
import { PriceColumns } from "../../bindings/price-columns.js";
import { isPricingPool, type PricingPool } from "../../workers/pool.js";
import type { PoolOptionBatch } from "../../workers/pool-batch.js";
import type { MarginPosition, MarginScales } from "./account.js";
import type { ScenarioCosts } from "./calculator.js";
import { checkMarket, expiredValue, liveValue, portfolioColumns, type MarginMarket, type PortfolioColumns } from "./portfolio.js";
import { checkPreset, type MonteCarloPreset } from "./scenarios.js";

/** The synchronous pricer an ES needs (createPricer()): its WASM core makes the normals. */
export type EsPricer = RiskPricer;

/** Input columns of a block (type as Int8Array or ±1.0). */
type Columns<T extends Int8Array | Float64Array> = { type: T; spot: Float64Array; strike: Float64Array; expiry: Float64Array; vol: Float64Array };

/** Options per block: about 65,536 (cache-sized), whole paths. */
const BLOCK_OPTIONS = 65_536;

/** A planned ES run: per-path markets and the positions that outlive the horizon. */
class EsPlan {
  readonly live: PortfolioColumns;
  readonly blockPaths: number;
  readonly spot: Float64Array;
  readonly volFactor: Float64Array;
  readonly costs: Float64Array;
  /** Series expiring inside the horizon: valued at intrinsic on each path. */
  readonly atHorizon: PortfolioColumns;

  constructor(core: WasmCore, readonly cols: PortfolioColumns, readonly market: MarginMarket, readonly p: MonteCarloPreset) {
    const h = p.horizonDays / 365;
    const keep: number[] = [];
    const expiring: number[] = [];
    for (let i = 0; i < cols.n; i++) (cols.years[i]! - h > 1 / (365 * 24) ? keep : expiring).push(i);
    const pick = (ix: number[], years: (i: number) => number): PortfolioColumns => ({
      n: ix.length, type: Int8Array.from(ix, (i) => cols.type[i]!), strike: Float64Array.from(ix, (i) => cols.strike[i]!),
      years: Float64Array.from(ix, years), vol: Float64Array.from(ix, (i) => cols.vol[i]!), scale: Float64Array.from(ix, (i) => cols.scale[i]!),
      magnitude: cols.magnitude, expired: [],
    });
    this.live = pick(keep, (i) => cols.years[i]! - h);
    this.atHorizon = { ...pick([], () => 0), expired: [...cols.expired, ...expiring.map((i) => ({ call: cols.type[i] === 1, strike: cols.strike[i]!, scale: cols.scale[i]! }))] };
    this.blockPaths = Math.max(1, Math.min(p.paths, Math.floor(BLOCK_OPTIONS / Math.max(1, this.live.n))));
    const z = pathNormals(core, p.seed, p.paths);
    const atm = market.vol(market.spot, Math.max(h, 1 / 365));
    const drift = -0.5 * atm * atm * h;
    const diffusion = atm * Math.sqrt(h);
    const rhoBar = Math.sqrt(1 - p.spotVolCorrelation ** 2);
    this.spot = new Float64Array(p.paths);
    this.volFactor = new Float64Array(p.paths);
    for (let q = 0; q < p.paths; q++) {
      const z1 = z[2 * q]!;
      this.spot[q] = market.spot * Math.exp(drift + diffusion * z1);
      this.volFactor[q] = Math.exp(-0.5 * p.volOfVol ** 2 * h + p.volOfVol * Math.sqrt(h) * (p.spotVolCorrelation * z1 + rhoBar * z[2 * q + 1]!));
    }
    this.costs = new Float64Array(p.paths);
  }

  get blocks(): number {
    return Math.ceil(this.p.paths / this.blockPaths);
  }

  /** The batch of block b: every live series on each of its paths. */
  batch(b: number): { first: number; count: number; batch: OptionBatch } {
    const size = this.pathsOf(b).count * this.live.n;
    const c = { type: new Int8Array(size), spot: new Float64Array(size), strike: new Float64Array(size), expiry: new Float64Array(size), vol: new Float64Array(size) };
    const { first, count } = this.fill(b, c, this.live.type);
    return { first, count, batch: { ...c, rate: this.market.rate, dividend: this.market.dividend ?? 0 } };
  }

  /** First path and path count of block b. */
  pathsOf(b: number): { first: number; count: number } {
    const first = b * this.blockPaths;
    return { first, count: Math.min(this.blockPaths, this.p.paths - first) };
  }

  /**
   * Writes block b's columns into `c` from element 0 (the type column from `type`: the live types as Int8Array or as
   * f64, matching `c.type`, so the copy needs no conversion). Returns the block's first path and path count.
   */
  fill<T extends Int8Array | Float64Array>(b: number, c: Columns<T>, type: T): { first: number; count: number } {
    this.fillSeries(c, type, this.pathsOf(b).count);
    return this.fillPaths(b, c);
  }

  /** The columns that are the same on every path (type, strike, expiry) for `paths` paths from element 0. */
  fillSeries<T extends Int8Array | Float64Array>(c: Columns<T>, type: T, paths: number): void {
    const { n, strike, years } = this.live;
    for (let q = 0; q < paths; q++) {
      c.type.set(type, q * n);
      c.strike.set(strike, q * n);
      c.expiry.set(years, q * n);
    }
  }

  /** The columns that move with the path (spot, vol) of block b from element 0; its first path and path count. */
  fillPaths(b: number, c: Pick<Columns<Int8Array | Float64Array>, "spot" | "vol">): { first: number; count: number } {
    const { first, count } = this.pathsOf(b);
    const { n, vol } = this.live;
    for (let q = 0; q < count; q++) {
      const base = q * n;
      const m = this.volFactor[first + q]!;
      c.spot.fill(this.spot[first + q]!, base, base + n);
      for (let i = 0; i < n; i++) c.vol[base + i] = floorVol(vol[i]! * m);
    }
    return { first, count };
  }

  absorb(first: number, count: number, prices: Float64Array): void {
    for (let q = 0; q < count; q++) {
      this.costs[first + q] = -(liveValue(this.live, prices, q * this.live.n) + expiredValue(this.atHorizon, this.spot[first + q]!));
    }
  }

  /** [ES] and the mark. */
  result(mark: number): ScenarioCosts {
    const sorted = this.costs.sort();
    // 1 − confidence is inexact in binary (1 − 0.975 = 0.025000000000000022): a relative 1e-9 keeps n · 2.5 % whole.
    const tail = Math.max(1, Math.ceil(sorted.length * (1 - this.p.confidence) * (1 - 1e-9)));
    let sum = 0;
    for (let i = sorted.length - tail; i < sorted.length; i++) sum += sorted[i]!;
    let largest = this.market.spot;
    for (const s of this.spot) largest = s > largest ? s : largest;
    return { mark, costs: Float64Array.of(sum / tail), magnitude: (largest / this.market.spot) * this.cols.magnitude, terms: this.cols.n + this.cols.expired.length };
  }
}

/** Prices block b and absorbs its costs. */
type BlockPricer = (b: number) => Promise<void>;

/** Makes the block pricer of one of the blocks in flight, and what frees it. */
type BlockRunner = () => Promise<{ price: BlockPricer; close(): void }>;

function noPricing(plan: EsPlan): BlockRunner {
  return async () => ({ price: async (b) => plan.absorb(b * plan.blockPaths, plan.pathsOf(b).count, new Float64Array(0)), close() {} });
}

/** Any pricer: new columns per block, priced with their greeks. */
function batchRunner(plan: EsPlan, pricer: AnyPricer): BlockRunner {
  const price: BlockPricer = async (b) => {
    const { first, count, batch } = plan.batch(b);
    plan.absorb(first, count, ((await pricer.blackScholes(batch)) as Greeks).price);
  };
  return async () => ({ price, close() {} });
}

/**
 * Pool batches an ES left idle, by pool: the next ES of as many options a block takes them (each is a shared
 * memory the workers instantiate the build in, milliseconds to make and attach). At most IDLE_BATCHES per pool.
 */
const idleBatches = new WeakMap<PricingPool, PoolOptionBatch[]>();
const IDLE_BATCHES = 4;

async function takeBatch(pool: PricingPool, length: number): Promise<PoolOptionBatch> {
  const idle = idleBatches.get(pool) ?? [];
  const at = idle.findIndex((b) => b.length === length);
  return at >= 0 ? idle.splice(at, 1)[0]! : pool.createOptionBatch(length);
}

function giveBatch(pool: PricingPool, batch: PoolOptionBatch): void {
  const idle = idleBatches.get(pool) ?? [];
  idleBatches.set(pool, idle);
  idle.unshift(batch);
  for (const old of idle.splice(IDLE_BATCHES)) old.close();
}

/**
 * The worker pool, by its price-only kernel: each block in flight owns its columns, made once with the series
 * columns (type, strike, expiry, rate, dividend) written once; per block only spot and vol are written. With shared
 * memory the columns are a pool batch (createOptionBatch), which the workers price where it is, nothing copied; a
 * shorter last block goes as its prefix views, read and written in place. Without, ordinary columns are copied.
 */
function poolRunner(plan: EsPlan, pool: PricingPool): BlockRunner {
  const { market, live } = plan;
  const capacity = plan.blockPaths * live.n;
  const rate = market.rate;
  const dividend = market.dividend ?? 0;
  return async () => {
    const batch = pool.sharedMemory ? await takeBatch(pool, capacity) : undefined;
    const column = () => new Float64Array(capacity);
    const c = batch ?? { type: column(), spot: column(), strike: column(), expiry: column(), vol: column(), greeks: { price: column() } };
    plan.fillSeries(c, Float64Array.from(live.type), plan.blockPaths);
    if (batch) {
      batch.rate.fill(rate);
      batch.dividend.fill(dividend);
    }
    const price: BlockPricer = async (b) => {
      const { first, count } = plan.fillPaths(b, c);
      const size = count * live.n;
      const cut = (a: Float64Array) => a.subarray(0, size);
      const prices = batch && size === capacity
        ? await pool.blackScholesPrice(batch)
        : await pool.blackScholesPrice(
          { type: cut(c.type), spot: cut(c.spot), strike: cut(c.strike), expiry: cut(c.expiry), vol: cut(c.vol), rate, dividend },
          { output: cut(c.greeks.price) },
        );
      plan.absorb(first, count, prices);
    };
    return { price, close: () => batch && giveBatch(pool, batch) };
  };
}

function markOf(cols: PortfolioColumns, market: MarginMarket, prices: Float64Array): number {
  return liveValue(cols, prices, 0) + expiredValue(cols, market.spot);
}

function baseBatch(cols: PortfolioColumns, market: MarginMarket): OptionBatch {
  return { type: cols.type, spot: market.spot, strike: cols.strike, expiry: cols.years, vol: cols.vol, rate: market.rate, dividend: market.dividend ?? 0 };
}

/**
 * ES costs ([ES]) of prepared columns, priced on this thread: each block written in place into the core's memory and
 * priced by the price-only kernel (bindings/price-columns.ts; the same prices as blackScholes, bit for bit).
 */
export function esCostsSync(cols: PortfolioColumns, market: MarginMarket, preset: MonteCarloPreset, pricer: EsPricer): ScenarioCosts {
  const plan = new EsPlan(pricer.core, cols, market, preset);
  const n = plan.live.n;
  if (n > 0) {
    // Reserved after the plan: its normals came through the same scratch memory.
    const columns = PriceColumns.reserve(pricer.core, plan.blockPaths * n);
    const type = Float64Array.from(plan.live.type);
    for (let b = 0; b < plan.blocks; b++) {
      const { first, count } = plan.fill(b, columns.view, type);
      columns.view.rate.fill(market.rate, 0, count * n);
      columns.view.dividend.fill(market.dividend ?? 0, 0, count * n);
      plan.absorb(first, count, columns.price(count * n));
    }
  } else for (let b = 0; b < plan.blocks; b++) plan.absorb(b * plan.blockPaths, plan.pathsOf(b).count, new Float64Array(0));
  return plan.result(markOf(cols, market, cols.n > 0 ? pricer.blackScholes(baseBatch(cols, market)).price : new Float64Array(0)));
}

/**
 * ES costs of `positions` priced by any pricer (the worker pool: `window` blocks in flight). Bit-identical to the
 * synchronous figure for the same inputs. Pass the result to MarginCalculator.figuresOf.
 */
export async function esCosts(
  positions: readonly MarginPosition[], market: MarginMarket, preset: MonteCarloPreset, scales: MarginScales, pricer: AnyPricer, window = 4,
): Promise<ScenarioCosts> {
  checkMarket(market);
  checkPreset(preset);
  if (!(Number.isInteger(window) && window >= 1)) throw new PoolError("INVALID_INPUT", "window", "must be an integer ≥ 1");
  const cols = portfolioColumns(positions, market, scales);
  // A pricer holding its core prices on this thread: in place, through the price-only kernel.
  const { core } = pricer as { core?: WasmCore };
  if (core !== undefined && typeof core === "object" && typeof core.reserve === "function") return esCostsSync(cols, market, preset, pricer as EsPricer);
  const plan = new EsPlan(await coreOf(pricer), cols, market, preset);
  const runner = plan.live.n === 0 ? noPricing(plan) : isPricingPool(pricer) ? poolRunner(plan, pricer) : batchRunner(plan, pricer);
  let next = 0;
  const run = async (): Promise<void> => {
    const block = await runner();
    try {
      while (next < plan.blocks) await block.price(next++);
    } finally {
      block.close();
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, plan.blocks) }, run));
  const base = cols.n > 0 ? ((await pricer.blackScholes(baseBatch(cols, market))) as Greeks).price : new Float64Array(0);
  return plan.result(markOf(cols, market, base));
}
