// The one valuation rule of the pool's book, for NAV, share prices, stress, VaR and greeks: what the pool owes on
// the options it is short is, per series, the mark-to-market (core price × contracts, in collateral) capped at the
// collateral locked for it, summed over the series. In float form (risk) that sum is the answer; in base units
// (the ledger) it is rounded once in the direction asked, widened by the float summation's error bound, and kept
// within [0, locked]. A live series is priced at the oracle's vol for its strike and expiry; an expired series not
// yet settled is worth its payoff at its fixed settlement price, or (views only: price-taking operations settle or
// refuse first) at the spot.
import type { Greeks, OptionBatch } from "../bindings/types.js";
import { SECONDS_PER_YEAR } from "./clock.js";
import { payoutFor, type CollateralKind, type Scales } from "./collateral.js";
import type { PoolState, SeriesState } from "./ledger.js";
import type { OracleSnapshot } from "./oracle.js";
import type { MarketParams } from "./params.js";
import type { SyncPricer } from "./pricer-types.js";
import { SmileColumns } from "./smile.js";
import { maxBig, minBig, type Rounding } from "./units.js";

/** What a valuation needs of the pool's settings. */
export interface ValuationSettings extends Scales {
  collateral: CollateralKind;
  params: MarketParams;
}

/**
 * Mark-to-market of one series: `price` per contract (quote currency) × `sizeScale` (contracts × 10^decimals) in base
 * units of the collateral (÷ spot for a base pool), negative prices read as 0. Uncapped: the worst-case payout.
 */
export function seriesValue(price: number, spot: number, sizeScale: number, quoteCollateral: boolean): number {
  return (price > 0 ? price : 0) * (quoteCollateral ? 1 : 1 / spot) * sizeScale;
}

/** The rule, for one series: its mark-to-market capped at the collateral `locked` for it (base units). */
export function seriesLiability(price: number, spot: number, sizeScale: number, locked: number, quoteCollateral: boolean): number {
  const v = seriesValue(price, spot, sizeScale, quoteCollateral);
  return v < locked ? v : locked;
}

/**
 * A float sum of `terms` non-negative base-unit values as bigint units, rounded in the pool's favour as asked,
 * widened by the summation's error bound ((terms + 1) ulps of the total), so the result is never on the wrong side.
 */
export function liabilityUnits(total: number, terms: number, rounding: Rounding): bigint {
  const slack = total * (terms + 1) * Number.EPSILON;
  return rounding === "up" ? BigInt(Math.ceil(total + slack)) : BigInt(Math.max(0, Math.floor(total - slack)));
}

/** The open book as one pricer batch (the pricing seam for greeks and risk). */
export interface OpenBook {
  /** Live (not expired) series, in batch order. */
  series: SeriesState[];
  /** One option per live series: type, spot, strike, years, vol at the oracle, rate, dividend. */
  batch: OptionBatch;
  /** Series past expiry, not yet settled. */
  expired: SeriesState[];
  /** Per expired series: its settlement price when fixed, else undefined (valued at `spot`). */
  expiredPrice: (bigint | undefined)[];
  spot: number;
}

/** The open book of `state` at `snap` and `now`; `fixedPrice(expiry)` gives an expired series' settlement price units when known. */
export function openBookOf(state: PoolState, snap: OracleSnapshot, now: number, settings: ValuationSettings, fixedPrice: (expiry: number) => bigint | undefined): OpenBook {
  const series: SeriesState[] = [];
  const expired: SeriesState[] = [];
  for (const s of state.series.values()) (s.expiry > now ? series : expired).push(s);
  const n = series.length;
  const type = new Int8Array(n);
  const strike = new Float64Array(n);
  const expiry = new Float64Array(n);
  const vol = new Float64Array(n);
  series.forEach((s, i) => {
    type[i] = s.type === "call" ? 1 : -1;
    strike[i] = s.strike;
    expiry[i] = (s.expiry - now) / SECONDS_PER_YEAR;
  });
  const { rate, dividend } = settings.params;
  new SmileColumns().fill(snap, strike, expiry, n, rate - dividend, vol);
  return { series, expired, expiredPrice: expired.map((s) => fixedPrice(s.expiry)), spot: snap.spot, batch: { type, spot: snap.spot, strike, expiry, vol, rate, dividend } };
}

/** Liability of `book` from per-contract prices of its live series (quote currency), rounded as asked, base units. */
export function liabilityFromPrices(book: OpenBook, prices: ArrayLike<number>, rounding: Rounding, settings: ValuationSettings): bigint {
  const quote = settings.collateral === "quote";
  const unit = 10 ** (settings.decimals - settings.sizeDecimals);
  let total = 0;
  book.series.forEach((s, i) => {
    total += seriesLiability(prices[i]!, book.spot, Number(s.openSize) * unit, Number(s.locked), quote);
  });
  return clampLiability(liabilityUnits(total, book.series.length, rounding) + expiredLiability(book.expired, book.expiredPrice, book.spot, settings), book);
}

function clampLiability(units: bigint, book: { series: SeriesState[]; expired: SeriesState[] }): bigint {
  let cap = 0n;
  for (const s of book.series) cap += s.locked;
  for (const s of book.expired) cap += s.locked;
  return minBig(maxBig(units, 0n), cap);
}

/** Expired, unsettled series: the payoff at the fixed price (exact units), or at the spot (float rule). */
function expiredLiability(expired: readonly SeriesState[], fixed: readonly (bigint | undefined)[], spot: number, settings: ValuationSettings): bigint {
  let units = 0n;
  const unit = 10 ** (settings.decimals - settings.sizeDecimals);
  expired.forEach((s, i) => {
    const price = fixed[i];
    if (price !== undefined) units += minBig(s.locked, payoutFor(settings.collateral, s.strikeUnits, price, s.openSize, settings));
    else {
      const intrinsic = s.type === "put" ? s.strike - spot : spot - s.strike;
      units += liabilityUnits(seriesLiability(intrinsic, spot, Number(s.openSize) * unit, Number(s.locked), settings.collateral === "quote"), 1, "up");
    }
  });
  return units;
}

/**
 * Values a pool state's live series from its columns (PoolState.columns) in reusable buffers, one pricer batch per
 * mark, caching the float total per (book version, snapshot, time): consecutive LP operations at one print and one
 * second share one pricing, and a trade re-prices the book once.
 */
export class BookValuer {
  private capacity = 0;
  private strike = new Float64Array(0);
  private years = new Float64Array(0);
  private vol = new Float64Array(0);
  private type = new Float64Array(0);
  private output: Greeks | undefined;
  private cache = new Map<string, { total: number; terms: number }>();
  private readonly smile = new SmileColumns();
  /** A number per surface object seen, for the cache key (surfaces are immutable). */
  private readonly surfaceIds = new WeakMap<object, number>();
  private surfacesSeen = 0;

  constructor(
    private readonly settings: ValuationSettings,
    private readonly pricer: SyncPricer,
  ) {}

  /** Liability of `state` at `snap` and `now`, base units rounded as asked; `fixedPrice` as openBookOf's. */
  liability(state: PoolState, snap: OracleSnapshot, now: number, rounding: Rounding, fixedPrice: (expiry: number) => bigint | undefined): bigint {
    const { total, terms } = this.live(state, snap, now);
    const expired: SeriesState[] = [];
    for (const expiry of state.openExpiries) {
      if (expiry > now) break;
      for (const key of state.seriesByExpiry.get(expiry) ?? []) expired.push(state.series.get(key)!);
    }
    const expiredUnits = expiredLiability(expired, expired.map((s) => fixedPrice(s.expiry)), snap.spot, this.settings);
    const units = liabilityUnits(total, terms, rounding) + expiredUnits;
    return units < 0n ? 0n : units > state.locked ? state.locked : units;
  }

  /** The float total of the live series and how many there are. */
  private live(state: PoolState, snap: OracleSnapshot, now: number): { total: number; terms: number } {
    const c = state.columns;
    const key = `${c.version}|${now}|${snap.spot}|${snap.baseVol}|${snap.skew ?? ""}|${snap.timestamp}|${this.surfaceId(snap)}`;
    const hit = snap.surface ? undefined : this.cache.get(key);
    if (hit) return hit;
    const n = c.length;
    this.reserve(n);
    let live = 0;
    for (let row = 0; row < n; row++) {
      const seconds = c.expiry[row]! - now;
      if (seconds <= 0) continue;
      this.type[live] = c.type[row]!;
      this.strike[live] = c.strike[row]!;
      this.years[live] = seconds / SECONDS_PER_YEAR;
      live++;
    }
    let total = 0;
    if (live > 0) {
      const sub = (a: Float64Array) => (live === this.capacity ? a : a.subarray(0, live));
      const { rate, dividend } = this.settings.params;
      this.smile.fill(snap, this.strike, sub(this.years), live, rate - dividend, this.vol);
      const batch: OptionBatch = { type: sub(this.type), spot: snap.spot, strike: sub(this.strike), expiry: sub(this.years), vol: sub(this.vol), rate, dividend };
      const output = live === this.capacity ? this.output : undefined;
      const price = this.pricer.blackScholes(batch, output).price;
      const quote = this.settings.collateral === "quote";
      const unit = 10 ** (this.settings.decimals - this.settings.sizeDecimals);
      let i = 0;
      for (let row = 0; row < n; row++) {
        if (c.expiry[row]! - now <= 0) continue;
        total += seriesLiability(price[i++]!, snap.spot, c.size[row]! * unit, c.locked[row]!, quote);
      }
    }
    const result = { total, terms: live };
    if (this.cache.size > 8) this.cache.clear();
    this.cache.set(key, result);
    return result;
  }

  private surfaceId(snap: OracleSnapshot): string {
    const s = snap.volSurface;
    if (!s) return "";
    let id = this.surfaceIds.get(s);
    if (id === undefined) this.surfaceIds.set(s, (id = ++this.surfacesSeen));
    return String(id);
  }

  private reserve(n: number): void {
    if (n <= this.capacity && n >= this.capacity / 4) return;
    this.capacity = Math.max(n, 1);
    const column = () => new Float64Array(this.capacity);
    this.strike = column();
    this.years = column();
    this.vol = column();
    this.type = column();
    this.output = { price: column(), delta: column(), gamma: column(), vega: column(), theta: column(), rho: column() };
  }
}
