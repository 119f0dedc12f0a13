// The one valuation rule of the pool's book, for NAV, share prices, stress, VaR and greeks: what the pool owes on
// the options it is short is, per series, the mark-to-market (core price × contracts, in collateral) capped at the
// collateral locked for it, summed over the series. In float form (risk) that sum is the answer; in base units
// (the ledger) it is rounded once in the direction asked, widened by the float summation's error bound, and kept
// within [0, locked]. A live series is priced at the oracle's vol for its strike and expiry; an expired series not
// yet settled is worth its payoff at its fixed settlement price, or (views only: price-taking operations settle or
// refuse first) at the spot.
import type { Greeks, OptionBatch } from "../bindings/types.js";
import { SECONDS_PER_YEAR } from "./clock.js";
import { capRuleOf, payoutOf, upperStrikeOf, type CallCap, type TypeRule } from "./option-types.js";
import type { PoolState, SeriesState } from "./ledger.js";
import type { OracleSnapshot } from "./oracle.js";
import type { MarketParams } from "./params.js";
import type { SyncPricer } from "./pricer-types.js";
import { SmileColumns } from "./smile.js";
import { maxBig, minBig, type Rounding } from "./units.js";

/** What a valuation needs of the pool's settings. */
export interface ValuationSettings extends TypeRule {
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
  /**
   * Live (not expired) series, in batch order: one row each, then (a pool writing capped calls) one more row per
   * capped call for its upper leg, after every series' own row.
   */
  series: SeriesState[];
  /** One option per row: type, spot, strike, years, vol at the oracle, rate, dividend. */
  batch: OptionBatch;
  /**
   * Per row, +1 or −1 (a capped call's upper leg: the call at K + C it is short of, option-types.ts legsOf): a
   * series' value is the weighted sum of its rows' prices. Absent when every row is +1 (a one-type pool).
   */
  weight?: Int8Array;
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
  const cap = capRuleOf(settings);
  const upper: number[] = [];
  const owner: number[] = [];
  if (cap) {
    series.slice().forEach((s, i) => {
      const k = upperStrikeOf(cap, s.type, s.strike, settings.priceDecimals);
      if (k !== undefined) (series.push(s), upper.push(k), owner.push(i));
    });
  }
  const n = series.length;
  const plain = n - upper.length;
  const type = new Int8Array(n);
  const strike = new Float64Array(n);
  const expiry = new Float64Array(n);
  const vol = new Float64Array(n);
  series.forEach((s, i) => {
    type[i] = s.type === "call" ? 1 : -1;
    strike[i] = i < plain ? s.strike : upper[i - plain]!;
    expiry[i] = (s.expiry - now) / SECONDS_PER_YEAR;
  });
  const { rate, dividend } = settings.params;
  new SmileColumns().fill(snap, strike, expiry, n, rate - dividend, vol);
  // A capped call is valued at the vol of its strike K, both legs (docs/calls-and-puts.md).
  owner.forEach((i, j) => (vol[plain + j] = vol[i]!));
  const book: OpenBook = { series, expired, expiredPrice: expired.map((s) => fixedPrice(s.expiry)), spot: snap.spot, batch: { type, spot: snap.spot, strike, expiry, vol, rate, dividend } };
  if (upper.length > 0) book.weight = Int8Array.from(series, (_, i) => (i < plain ? 1 : -1));
  return book;
}

/** Liability of `book` from per-contract prices of its live series (quote currency), rounded as asked, base units. */
export function liabilityFromPrices(book: OpenBook, prices: ArrayLike<number>, rounding: Rounding, settings: ValuationSettings): bigint {
  const quote = settings.collateral === "quote";
  const unit = 10 ** (settings.decimals - settings.sizeDecimals);
  let total = 0;
  const w = book.weight;
  if (!w) {
    book.series.forEach((s, i) => {
      total += seriesLiability(prices[i]!, book.spot, Number(s.openSize) * unit, Number(s.locked), quote);
    });
  } else {
    // A series' price is the weighted sum of its rows' (upper legs follow every series' own row).
    const price = new Map<SeriesState, number>();
    book.series.forEach((s, i) => price.set(s, (price.get(s) ?? 0) + w[i]! * prices[i]!));
    for (const [s, p] of price) total += seriesLiability(p, book.spot, Number(s.openSize) * unit, Number(s.locked), quote);
  }
  return clampLiability(liabilityUnits(total, book.series.length, rounding) + expiredLiability(book.expired, book.expiredPrice, book.spot, settings), book);
}

function clampLiability(units: bigint, book: Pick<OpenBook, "series" | "expired" | "weight">): bigint {
  let cap = 0n;
  book.series.forEach((s, i) => {
    if (book.weight?.[i] !== -1) cap += s.locked;
  });
  for (const s of book.expired) cap += s.locked;
  return minBig(maxBig(units, 0n), cap);
}

/** Expired, unsettled series: the payoff at the fixed price (exact units), or at the spot (float rule). */
function expiredLiability(expired: readonly SeriesState[], fixed: readonly (bigint | undefined)[], spot: number, settings: ValuationSettings): bigint {
  let units = 0n;
  const unit = 10 ** (settings.decimals - settings.sizeDecimals);
  expired.forEach((s, i) => {
    const price = fixed[i];
    if (price !== undefined) units += minBig(s.locked, payoutOf(settings, s.type, s.strikeUnits, price, s.openSize));
    else {
      const upper = upperStrikeOf(capRuleOf(settings), s.type, s.strike, settings.priceDecimals);
      const intrinsic = s.type === "put" ? s.strike - spot : Math.min(spot, upper ?? spot) - s.strike;
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

  /** The call cap of a pool writing capped calls (option-types.ts), and the upper strikes K + C seen. */
  private readonly cap: CallCap | undefined;
  private readonly uppers = new Map<number, number>();

  constructor(
    private readonly settings: ValuationSettings,
    private readonly pricer: SyncPricer,
  ) {
    this.cap = capRuleOf(settings);
  }

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
    const result = this.cap ? this.liveWithLegs(c, snap, now) : this.livePlain(c, snap, now);
    if (this.cache.size > 8) this.cache.clear();
    this.cache.set(key, result);
    return result;
  }

  /** The float total of a one-type pool's live series. */
  private livePlain(c: PoolState["columns"], snap: OracleSnapshot, now: number): { total: number; terms: number } {
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
    return { total, terms: live };
  }

  /** The float total of a pool writing capped calls: each capped call priced as call(K) − call(K + C) in one batch. */
  private liveWithLegs(c: PoolState["columns"], snap: OracleSnapshot, now: number): { total: number; terms: number } {
    const rows: number[] = [];
    const type: number[] = [];
    const strike: number[] = [];
    const years: number[] = [];
    /** Per live row, the batch row of its upper leg, or −1. */
    const upperOf: number[] = [];
    const legs: { strike: number; years: number }[] = [];
    for (let row = 0; row < c.length; row++) {
      const seconds = c.expiry[row]! - now;
      if (seconds <= 0) continue;
      rows.push(row);
      type.push(c.type[row]!);
      strike.push(c.strike[row]!);
      years.push(seconds / SECONDS_PER_YEAR);
      const upper = c.type[row] === 1 ? this.upperStrike(c.strike[row]!) : undefined;
      upperOf.push(upper === undefined ? -1 : legs.length);
      if (upper !== undefined) legs.push({ strike: upper, years: seconds / SECONDS_PER_YEAR });
    }
    const live = rows.length;
    if (live === 0) return { total: 0, terms: 0 };
    for (const leg of legs) (type.push(1), strike.push(leg.strike), years.push(leg.years));
    const n = type.length;
    const { rate, dividend } = this.settings.params;
    const vol = new Float64Array(n);
    const strikes = Float64Array.from(strike);
    const yearsColumn = Float64Array.from(years);
    this.smile.fill(snap, strikes, yearsColumn, live, rate - dividend, vol);
    // A capped call is valued at the vol of its strike K, both legs (docs/calls-and-puts.md).
    for (let i = 0; i < live; i++) if (upperOf[i]! >= 0) vol[live + upperOf[i]!] = vol[i]!;
    const price = this.pricer.blackScholes({ type: Float64Array.from(type), spot: snap.spot, strike: strikes, expiry: yearsColumn, vol, rate, dividend }).price;
    const unit = 10 ** (this.settings.decimals - this.settings.sizeDecimals);
    let total = 0;
    rows.forEach((row, i) => {
      const p = price[i]! - (upperOf[i]! < 0 ? 0 : price[live + upperOf[i]!]!);
      total += seriesLiability(p, snap.spot, c.size[row]! * unit, c.locked[row]!, true);
    });
    return { total, terms: n };
  }

  /** K + C of a capped call at `strike`, cached per strike. */
  private upperStrike(strike: number): number {
    let k = this.uppers.get(strike);
    if (k === undefined) this.uppers.set(strike, (k = upperStrikeOf(this.cap, "call", strike, this.settings.priceDecimals)!));
    return k;
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
