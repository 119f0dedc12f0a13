// What the pool owes on its open book: the mark-to-market of the options it is short, capped per series at the
// collateral locked for it (NAV = free + locked − liability). Live series are priced as one pricer batch at the
// oracle's vol for their strike and expiry; an expired series not yet settled is worth its payoff at its fixed
// settlement price when one exists, else (views only: price-taking operations settle or refuse first) at the spot.
import type { OptionBatch } from "../bindings/types.js";
import { SECONDS_PER_YEAR } from "./clock.js";
import { payoutFor, quoteAmountToUnitsFloat, type CollateralKind, type Scales } from "./collateral.js";
import type { PoolState, SeriesState } from "./ledger.js";
import { volAt, type OracleSnapshot } from "./oracle.js";
import type { MarketParams } from "./params.js";
import type { SyncPricer } from "./pricer-types.js";
import { floatUnits, minBig, type Rounding } from "./units.js";

/** The open book as one pricer batch (the pricing seam for NAV, greeks and stress tests). */
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

/** What a valuation needs of the pool's settings. */
export interface ValuationSettings extends Scales {
  collateral: CollateralKind;
  params: MarketParams;
}

/** The open book of `state` at `snap` and `now`; `fixedPrice(expiry)` gives an expired series' settlement price units when known. */
export function openBookOf(
  state: PoolState,
  snap: OracleSnapshot,
  now: number,
  settings: ValuationSettings,
  fixedPrice: (expiry: number) => bigint | undefined,
): OpenBook {
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
    vol[i] = volAt(snap, s.strike, expiry[i]!);
  });
  const { rate, dividend } = settings.params;
  return {
    series, expired, expiredPrice: expired.map((s) => fixedPrice(s.expiry)), spot: snap.spot,
    batch: { type, spot: snap.spot, strike, expiry, vol, rate, dividend },
  };
}

/** Liability of `book` from per-contract prices of its live series (quote currency), rounded as asked, base units. */
export function liabilityFromPrices(book: OpenBook, prices: ArrayLike<number>, rounding: Rounding, settings: ValuationSettings): bigint {
  let total = 0n;
  const value = (s: SeriesState, perContract: number) =>
    minBig(s.locked, floatUnits(quoteAmountToUnitsFloat(Math.max(0, perContract), book.spot, s.openSize, settings.collateral, settings), rounding));
  book.series.forEach((s, i) => {
    total += value(s, prices[i]!);
  });
  book.expired.forEach((s, i) => {
    const fixed = book.expiredPrice[i];
    if (fixed !== undefined) total += minBig(s.locked, payoutFor(settings.collateral, s.strikeUnits, fixed, s.openSize, settings));
    else total += value(s, s.type === "put" ? s.strike - book.spot : book.spot - s.strike);
  });
  return total;
}

/** Liability of `book`, its live series priced by `pricer` in one batch. */
export function liabilityOf(book: OpenBook, pricer: SyncPricer, rounding: Rounding, settings: ValuationSettings): bigint {
  const prices = book.series.length > 0 ? pricer.blackScholes(book.batch).price : new Float64Array(0);
  return liabilityFromPrices(book, prices, rounding, settings);
}

/** Seconds to years (ACT/365), for the pricer. */
export function yearsFrom(seconds: number): number {
  return seconds / SECONDS_PER_YEAR;
}
