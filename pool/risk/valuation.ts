// Revaluation of a pool's open book under moved markets: the shared core of stress tests, Monte Carlo VaR and
// the pre-trade check. The book is priced as ONE batch per group of scenarios (any SyncPricer or AsyncPricer),
// each series valued in collateral base units like the pool's NAV (pool/option-pool.ts liabilityFromPrices).
// The hedge position (pool/hedge/) moves with spot too: a linear position (spot or perpetual) worth
//   margin + size · spot · unit − entry          (collateral base units; pool/hedge/accounting.ts hedgeValue)
// at every scenario's and path's spot. Funding over the horizon is not counted: a carry of about funding rate ×
// notional × horizon (10 %/yr × 1 day ≈ 3 bp of the hedged notional), next to spot moves of percents.
import type { Greeks, OptionBatch } from "../../bindings/types.js";
import { hedgeUnit, type HedgeState } from "../hedge/accounting.js";
import type { PoolState } from "../ledger.js";
import type { PoolSettings } from "../pool-types.js";
import type { OpenBook } from "../valuation.js";
import { MIN_VOL } from "../oracle.js";
import { seriesValue } from "../valuation.js";
import { capRuleOf, upperStrikeOf } from "../option-types.js";
import { pow10 } from "../units.js";

/** Ledger totals a revaluation needs (from the pool or a draft state). */
export interface LedgerTotals {
  /** Free liquidity, base units. */
  free: bigint;
  /** Locked collateral, base units. */
  locked: bigint;
  /** Total share supply, share units. */
  totalSupply: bigint;
  /** The hedge position (an OptionPool's; `totalsOfState` gives a draft's); absent: no hedge. */
  hedgePosition?(): HedgePosition;
}

/** A ledger state's totals and hedge (a draft's, in the pre-trade check). */
export function totalsOfState(state: Pick<PoolState, "free" | "locked" | "totalSupply" | "hedge">): LedgerTotals {
  return { free: state.free, locked: state.locked, totalSupply: state.totalSupply, hedgePosition: () => state.hedge };
}

/** What revaluation needs of the hedge: signed size (size units), basis and margin (collateral base units). */
export type HedgePosition = Pick<HedgeState, "size" | "entry" | "margin">;

/** The open book as float columns, ready to be repriced many times. */
export interface PreparedBook {
  /** Live series count. */
  n: number;
  type: Int8Array;
  strike: Float64Array;
  /** Years to expiry now. */
  years: Float64Array;
  /** Oracle vol of each series now. */
  vol: Float64Array;
  /** Per row, the strike its vol is of (a capped call's upper leg: K); absent when every row's is its own strike. */
  volStrike?: Float64Array;
  /** Contracts × 10^decimals: per-contract value in collateral → base units (negative for a capped call's upper leg). */
  scale: Float64Array;
  /** Locked collateral (base units, float): the cap of each series' liability (Infinity for a capped call's two rows). */
  locked: Float64Array;
  /** Expired, unsettled series (valued at intrinsic). */
  expired: { type: "call" | "put"; strike: number; scale: number; locked: number }[];
  spot: number;
  rate: number;
  dividend: number;
  /** True for a quote-collateral pool (values in quote currency); false divides by spot (base pools). */
  quoteCollateral: boolean;
  free: number;
  lockedTotal: number;
  supply: number;
  /** 10^shareOffset virtual shares. */
  virtualShares: number;
  /** The hedge's value is hedgeFixed + hedgeScale · spot (base units): margin − entry, and size · unit. */
  hedgeFixed: number;
  hedgeScale: number;
}

/** Turns an OpenBook (pool.openBook() / pool.bookOfState(draft)) and ledger totals into float columns. */
export function prepareBook(book: OpenBook, settings: Readonly<PoolSettings>, totals: LedgerTotals): PreparedBook {
  const n = book.series.length;
  const b = book.batch;
  const hedge = totals.hedgePosition?.();
  const unit = 10 ** settings.decimals / 10 ** settings.sizeDecimals;
  const scale = new Float64Array(n);
  const locked = new Float64Array(n);
  const w = book.weight;
  // A capped call's rows (its call at K, and its upper leg at K + C with weight −1) are valued uncapped: their sum,
  // the spread, is at most C · contracts · e^(−rT), within its lock for rate ≥ 0 (docs/calls-and-puts.md).
  const legged = w ? new Set(book.series.filter((_, i) => w[i] === -1)) : undefined;
  book.series.forEach((s, i) => {
    scale[i] = Number(s.openSize) * unit * (w ? w[i]! : 1);
    locked[i] = legged?.has(s) ? Infinity : Number(s.locked);
  });
  const cap = capRuleOf(settings);
  const expired: PreparedBook["expired"] = [];
  for (const s of book.expired) {
    const upper = upperStrikeOf(cap, s.type, s.strike, settings.priceDecimals);
    const entry = { type: s.type, strike: s.strike, scale: Number(s.openSize) * unit, locked: upper === undefined ? Number(s.locked) : Infinity };
    expired.push(entry);
    if (upper !== undefined) expired.push({ ...entry, strike: upper, scale: -entry.scale });
  }
  const volStrike = w ? Float64Array.from(book.series, (s) => s.strike) : undefined;
  return {
    n,
    volStrike,
    type: b.type as Int8Array,
    strike: b.strike as Float64Array,
    years: b.expiry as Float64Array,
    vol: b.vol as Float64Array,
    scale,
    locked,
    expired,
    spot: book.spot,
    rate: b.rate as number,
    dividend: (b.dividend as number | undefined) ?? 0,
    quoteCollateral: settings.collateral === "quote",
    free: Number(totals.free),
    lockedTotal: Number(totals.locked),
    supply: Number(totals.totalSupply),
    virtualShares: Number(pow10(settings.shareOffset)),
    hedgeFixed: hedge ? Number(hedge.margin - hedge.entry) : 0,
    hedgeScale: hedge ? Number(hedge.size) * hedgeUnit(settings) : 0,
  };
}

/** Value of the book's hedge position at `spot` (collateral base units, as a float; file header). */
export function hedgeValueAt(book: Pick<PreparedBook, "hedgeFixed" | "hedgeScale">, spot: number): number {
  return book.hedgeFixed + book.hedgeScale * spot;
}

/** Share price (whole collateral tokens per whole share... as the pool computes it) for a NAV in base units. */
export function sharePriceOf(book: Pick<PreparedBook, "supply" | "virtualShares">, nav: number): number {
  return ((nav + 1) / (book.supply + book.virtualShares)) * book.virtualShares;
}

/** Liability of one scenario: `capped` at each series' collateral (the NAV's), and `uncapped` (worst-case payout). */
export interface ScenarioLiability {
  capped: number;
  uncapped: number;
}

/**
 * Values the book at `spot` by the pool's one rule (pool/valuation.ts) from per-option prices
 * `prices[offset + i · liveStride]` of the live series (quote currency per contract), plus expired series at intrinsic:
 * `capped` (each series at most its collateral: the NAV's liability) and `uncapped` (the worst-case payout).
 */
export function liabilityAt(book: PreparedBook, spot: number, prices: ArrayLike<number>, offset: number, out: ScenarioLiability, liveStride = 1): void {
  let capped = 0;
  let uncapped = 0;
  const q = book.quoteCollateral;
  for (let i = 0; i < book.n; i++) {
    const v = seriesValue(prices[offset + i * liveStride]!, spot, book.scale[i]!, q);
    uncapped += v;
    capped += v < book.locked[i]! ? v : book.locked[i]!;
  }
  for (const s of book.expired) {
    const v = seriesValue(s.type === "put" ? s.strike - spot : spot - s.strike, spot, s.scale, q);
    uncapped += v;
    capped += v < s.locked ? v : s.locked;
  }
  out.capped = capped;
  out.uncapped = uncapped;
}

/** Intrinsic value per contract (quote currency) of series i at `spot`. */
export function intrinsic(book: PreparedBook, i: number, spot: number): number {
  return Math.max(0, book.type[i] === 1 ? spot - book.strike[i]! : book.strike[i]! - spot);
}

/** Empty columns for `length` options (filled by the caller). */
export function batchColumns(length: number): { type: Int8Array; spot: Float64Array; strike: Float64Array; expiry: Float64Array; vol: Float64Array } {
  return {
    type: new Int8Array(length),
    spot: new Float64Array(length),
    strike: new Float64Array(length),
    expiry: new Float64Array(length),
    vol: new Float64Array(length),
  };
}

/** An OptionBatch over columns from batchColumns(). */
export function asBatch(book: PreparedBook, c: ReturnType<typeof batchColumns>): OptionBatch {
  return { type: c.type, spot: c.spot, strike: c.strike, expiry: c.expiry, vol: c.vol, rate: book.rate, dividend: book.dividend };
}

/** Floors a shocked vol at the pool's MIN_VOL. */
export function floorVol(v: number): number {
  return v > MIN_VOL ? v : MIN_VOL;
}

/** A pricer that may answer now or later (createPricer() or createPricingPool()). */
export interface AnyPricer {
  blackScholes(batch: OptionBatch): Greeks | Promise<Greeks>;
}
