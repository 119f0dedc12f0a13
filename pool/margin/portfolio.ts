// A margin account's positions as float columns for the pricer, and the one rule that turns option prices into the
// account's value: V = Σ size_i · price_i · 10^decimals / 10^sizeDecimals (quote base units, signed: longs count +,
// shorts −). Series at or past expiry are worth their intrinsic value at the scenario's spot.
import { SECONDS_PER_YEAR } from "../clock.js";
import { PoolError } from "../errors.js";
import { volAt, type OracleSnapshot } from "../oracle.js";
import type { MarginPosition, MarginScales } from "./account.js";

/** The market a margin is computed in. */
export interface MarginMarket {
  /** Spot, quote per base, > 0. */
  spot: number;
  /** Continuously compounded rate per year. */
  rate: number;
  /** Continuously compounded dividend (base asset yield) per year. Default 0. */
  dividend?: number;
  /** Valuation time, unix seconds. */
  now: number;
  /** Implied vol at (strike, years to expiry), > 0. */
  vol(strike: number, years: number): number;
}

/** A MarginMarket from an oracle observation at time `now` (unix seconds). */
export function marketOf(snapshot: OracleSnapshot, now: number, rate = 0, dividend = 0): MarginMarket {
  return { spot: snapshot.spot, rate, dividend, now, vol: (k, t) => volAt(snapshot, k, t) };
}

/** Positions as columns: live series (priced) and expired ones (intrinsic). */
export interface PortfolioColumns {
  /** Live series count. */
  n: number;
  type: Int8Array;
  strike: Float64Array;
  years: Float64Array;
  vol: Float64Array;
  /** Signed size × 10^decimals / 10^sizeDecimals: the base units per quote unit of price. */
  scale: Float64Array;
  /** Σ |scale_i| · strike-scale bound used for the rounding slack (base units of the largest term). */
  magnitude: number;
  expired: { call: boolean; strike: number; scale: number }[];
}

/** Checks the market; PoolError("INVALID_INPUT") naming `market.<field>`. */
export function checkMarket(m: MarginMarket): void {
  const bad = (field: string, problem: string): never => {
    throw new PoolError("INVALID_INPUT", `market.${field}`, problem);
  };
  if (!(typeof m.spot === "number" && Number.isFinite(m.spot) && m.spot > 0)) bad("spot", "must be a finite number > 0");
  if (!(typeof m.rate === "number" && Number.isFinite(m.rate))) bad("rate", "must be a finite number");
  if (m.dividend !== undefined && !Number.isFinite(m.dividend)) bad("dividend", "must be a finite number");
  if (!Number.isSafeInteger(m.now)) bad("now", "must be integer unix seconds");
}

/**
 * Lays `positions` out as columns at `market` (vols read once per series). The typed arrays of `reuse` (columns this
 * function made before, no longer read) are written again when they have the live series count.
 */
export function portfolioColumns(positions: readonly MarginPosition[], market: MarginMarket, scales: MarginScales, reuse?: PortfolioColumns): PortfolioColumns {
  const unit = 10 ** scales.decimals / 10 ** scales.sizeDecimals;
  let n = 0;
  for (const p of positions) if (p.series.expiry > market.now) n++;
  const old = reuse !== undefined && reuse.type.length === n ? reuse : undefined;
  // One object literal either way: callers' loops see one shape of columns.
  const cols: PortfolioColumns = {
    n, type: old?.type ?? new Int8Array(n), strike: old?.strike ?? new Float64Array(n), years: old?.years ?? new Float64Array(n),
    vol: old?.vol ?? new Float64Array(n), scale: old?.scale ?? new Float64Array(n), magnitude: 0, expired: [],
  };
  // Live series first, then expired ones: the order of the magnitude's sum.
  let magnitude = 0;
  let i = 0;
  for (const p of positions) {
    const { type, strike, expiry } = p.series;
    if (expiry <= market.now) continue;
    const years = (expiry - market.now) / SECONDS_PER_YEAR;
    const scale = Number(p.size) * unit;
    cols.type[i] = type === "call" ? 1 : -1;
    cols.strike[i] = strike;
    cols.years[i] = years;
    cols.vol[i] = market.vol(strike, years);
    cols.scale[i] = scale;
    magnitude += Math.abs(scale) * (strike + market.spot);
    i++;
  }
  for (const p of positions) {
    if (p.series.expiry > market.now) continue;
    const scale = Number(p.size) * unit;
    cols.expired.push({ call: p.series.type === "call", strike: p.series.strike, scale });
    magnitude += Math.abs(scale) * (p.series.strike + market.spot);
  }
  cols.magnitude = magnitude;
  return cols;
}

/** Value of the expired series at `spot` (base units, signed). */
export function expiredValue(cols: PortfolioColumns, spot: number): number {
  let v = 0;
  for (const e of cols.expired) v += e.scale * Math.max(0, e.call ? spot - e.strike : e.strike - spot);
  return v;
}

/** Value of the live series from prices[offset + i] (base units, signed). */
export function liveValue(cols: PortfolioColumns, prices: ArrayLike<number>, offset: number): number {
  let v = 0;
  const scale = cols.scale;
  for (let i = 0; i < cols.n; i++) v += scale[i]! * prices[offset + i]!;
  return v;
}

/**
 * A float amount of base units as bigint, rounded as asked after widening by the float error bound of a sum of
 * `terms` terms of total magnitude `magnitude` ((terms + 2) ulps of it, plus the pricer's 1e-12 relative error), so the
 * result is never on the wrong side of the exact value.
 */
export function roundUnits(x: number, magnitude: number, terms: number, rounding: "up" | "down"): bigint {
  const slack = magnitude * ((terms + 2) * Number.EPSILON + 1e-12);
  return BigInt(rounding === "up" ? Math.ceil(x + slack) : Math.floor(x - slack));
}
