// Fee model of a pool quote, per contract in quote currency (pure functions; the pool converts to units).
// Modelled on live AMM option pools (Lyra v1's option-price, spot and vega-utilization fees; Premia's
// utilization-dependent pricing; size-dependent IV impact):
//   time weight      w(T)  = 1 + (wMax − 1) · clamp((T − T0) / (T1 − T0), 0, 1)
//   option-price fee       = optionPriceFeeRate · w(T) · price
//   spot fee               = spotFeeRate · w(T) · spot
//   vega-util fee (buys)   = vegaFeeRate · u_after · vega
//   utilization markup     = price · (m(u_after) − 1),  m(u) = mMin + (mMax − mMin) · u^k   (buys)
//   IV impact              = ivImpactRate · collateral of the trade / pool liquidity (buys +, sells −)
import type { FeeParams } from "./params.js";

/** Time weight of the option-price and spot fees at `years` to expiry. */
export function timeWeight(years: number, p: FeeParams): number {
  const x = (years - p.timeFeeStartYears) / (p.timeFeeFullYears - p.timeFeeStartYears);
  return 1 + (p.timeFeeMaxWeight - 1) * Math.min(1, Math.max(0, x));
}

/** Utilization premium multiplier m(u), u clamped to [0, 1]. */
export function utilizationMultiplier(utilization: number, p: FeeParams): number {
  const u = Math.min(1, Math.max(0, utilization));
  return p.utilizationMultiplierMin + (p.utilizationMultiplierMax - p.utilizationMultiplierMin) * u ** p.utilizationMultiplierExponent;
}

/** IV impact (absolute vol) of a trade locking `collateral` out of `liquidity` (both in base units, as floats). */
export function ivImpact(collateral: number, liquidity: number, p: FeeParams): number {
  if (liquidity <= 0) return p.ivImpactRate;
  return p.ivImpactRate * Math.min(1, collateral / liquidity);
}

/** Inputs of the per-contract fee computation (quote currency, years, per 1.00 vol). */
export interface FeeInputs {
  side: "buy" | "sell";
  /** Core price per contract at the impacted vol. */
  price: number;
  /** Vega per contract (∂price/∂σ per 1.00 of vol). */
  vega: number;
  spot: number;
  years: number;
  /** Utilization after the trade (buys) — the one the trade leaves. */
  utilizationAfter: number;
}

/** Per-contract quote components in quote currency. */
export interface FeeBreakdown {
  /** Core price (Black-Scholes at the impacted vol). */
  premium: number;
  utilizationMarkup: number;
  optionPriceFee: number;
  spotFee: number;
  vegaFee: number;
}

/** Every component of the per-contract quote. Markup and vega fee are charged on buys (risk-adding) only. */
export function feeBreakdown(x: FeeInputs, p: FeeParams): FeeBreakdown {
  const w = timeWeight(x.years, p);
  const buy = x.side === "buy";
  return {
    premium: x.price,
    utilizationMarkup: buy ? x.price * (utilizationMultiplier(x.utilizationAfter, p) - 1) : 0,
    optionPriceFee: p.optionPriceFeeRate * w * x.price,
    spotFee: p.spotFeeRate * w * x.spot,
    vegaFee: buy ? p.vegaFeeRate * Math.max(0, x.utilizationAfter) * Math.abs(x.vega) : 0,
  };
}
