// Pool parameters (fees and limits) with their defaults, and their validation.
import { PoolError } from "./errors.js";

/** Fee parameters. Amounts per contract are in quote currency, converted to the collateral at spot. */
export interface FeeParams {
  /** Option-price fee: this fraction of the option's price, times the time weight. Default 0.01. */
  optionPriceFeeRate: number;
  /** Spot fee: this fraction of spot per contract, times the time weight. Default 0.0005. */
  spotFeeRate: number;
  /** Time weight of the option-price and spot fees is 1 up to this time to expiry (years). Default 7 days. */
  timeFeeStartYears: number;
  /** ... rising linearly to `timeFeeMaxWeight` at this time to expiry (years) and flat after. Default 90 days. */
  timeFeeFullYears: number;
  /** Largest time weight. Default 2. */
  timeFeeMaxWeight: number;
  /** Vega-utilization fee on risk-adding trades: rate · utilization after the trade · vega (per 1.00 vol). Default 0.01. */
  vegaFeeRate: number;
  /** Utilization premium multiplier on buys: min + (max − min) · u^exponent. Default 1. */
  utilizationMultiplierMin: number;
  /** Default 1.25. */
  utilizationMultiplierMax: number;
  /** Default 2. */
  utilizationMultiplierExponent: number;
  /**
   * IV impact, level part (vol, absolute): a trade of collateral c after recent same-side flow r in its expiry (all its series; both as
   * fractions of pool liquidity) pays the average of the marginal impact over [r, r + c], rate · (G(r + c) − G(r)) / c
   * with G(x) = x · min(1, x): rate · c alone (r = 0, c ≤ 1), and n pieces within the window cost what one trade does.
   * Buys add it, sells subtract it. Default 0.05.
   */
  ivImpactRate: number;
  /**
   * Skew part of the IV impact (fees.ts smileImpact): same-side flow Y = Σ cᵢ·kᵢ in an expiry (collateral as a fraction
   * of liquidity times log-moneyness ln(K/F)) tilts its smile by ivImpactSkewRate · Y vol per unit of k; a trade
   * alone at k pays ivImpactSkewRate · c · k²/2 on top of the level impact. Default 0 (level only).
   */
  ivImpactSkewRate: number;
  /** Same-side flow of a series within this many seconds counts as recent flow r for the IV impact (0 = each trade alone). Default 3600. */
  ivImpactWindowSeconds: number;
  /** Share of every fee paid to the treasury at the expiry's settlement, in [0, 1]. Default 0.1. */
  protocolFeeShare: number;
  /**
   * Hedge fee: the venue's cost of trading one unit of notional (fee + slippage at the expected order size, a fraction),
   * charged on the delta the trade makes the pool trade over its life (fees.ts hedgeDeltaTraded): |delta| at entry,
   * and with hedgeRebalanceSeconds > 0 the expected re-hedging and the exit at settlement. Default 0 (no hedge fee);
   * pool/hedge/ hedgeFeeParams(venue, ...) derives it from a venue.
   */
  hedgeCostRate: number;
  /**
   * Seconds between the hedger's passes, for the hedge fee's re-hedging term; 0 (default): the fee charges the entry
   * trade only (hedgeCostRate · |delta| · spot).
   */
  hedgeRebalanceSeconds: number;
}

/** Limits on trades and the oracle. */
export interface LimitParams {
  /** Largest utilization (locked / (free + locked)) a risk-adding trade may leave. Default 0.8. */
  maxUtilization: number;
  /** Smallest strike / spot of a new position. Default 0.5. */
  minMoneyness: number;
  /** Largest strike / spot of a new position. Default 2. */
  maxMoneyness: number;
  /** No trade closer than this to expiry (seconds). Default 3600 (1 hour). */
  minTimeToExpirySeconds: number;
  /** No new position further than this from expiry (seconds). Default 365 days. */
  maxTimeToExpirySeconds: number;
  /** Oracle older than this (seconds) is stale. Default 300. */
  maxOracleAgeSeconds: number;
  /** Spot moving more than this (|ln ratio|) within the window rejects trades. Default 0.05. */
  maxOracleMove: number;
  /** Window of the moving-oracle check (seconds). Default 600. */
  oracleMoveWindowSeconds: number;
  /** The settlement price is the first oracle print within this many seconds after expiry. Default 3600. */
  maxSettlementDelaySeconds: number;
  /**
   * Without a print within maxSettlementDelaySeconds, the expiry settles at the geometric TWAP of the prints in the
   * following window of this many seconds, once it has passed (settlement.ts). Default 3600.
   */
  settlementFallbackWindowSeconds: number;
  /** Longest pause (seconds) a circuit breaker or a deviation pause may set. Default 7 days. */
  maxPauseSeconds: number;
  /** NAV and share prices use geometric time-weighted spot and base vol over this window (seconds; 0 = latest). Default 1800. */
  navTwapWindowSeconds: number;
  /**
   * A spot or base vol with |ln(latest / time average)| above this records a `tradingPaused` event and trades are
   * refused (TRADING_PAUSED) until it ends. Default 0.1.
   */
  maxTwapDeviation: number;
  /**
   * An oracle vol surface whose implied vol differs by more than this (absolute vol, 0.1 = 10 vol points) at any
   * point of the pool's strike and expiry range from the time-weighted average of the recent arbitrage-free surfaces
   * (over navTwapWindowSeconds) is refused (VOL_SURFACE_REFUSED, pool/surface-guard.ts). Default 0.1.
   */
  maxSurfaceMove: number;
  /** Length of a deviation pause (seconds). Default 900. */
  tradingPauseSeconds: number;
  /**
   * A hedge order goes only to a venue whose mark is within this |ln| distance of the guarded oracle spot, with a
   * limit price of oracle spot × (1 ± this): hedging never trades further than this from the oracle. Default 0.01.
   */
  maxHedgeDeviation: number;
  /** Margin posted at the hedge venue: this fraction of |position| × mark. Default 0.1. */
  hedgeMarginRate: number;
  /**
   * 1: LPs enter at the higher and exit at the lower of the share prices marked at the TWAP and at the latest
   * spot/vol (hit-and-run defence, see OptionPool); 0: both at the TWAP mark. Default 1.
   */
  lpConservativeNav: number;
}

/** Market parameters used by the pricer. */
export interface MarketParams {
  /** Continuously compounded risk-free rate of the quote currency. Default 0. */
  rate: number;
  /** Continuously compounded yield of the base asset. Default 0. */
  dividend: number;
}

/** All tunable pool parameters. */
export type PoolParams = FeeParams & LimitParams & MarketParams;

/** Defaults of every parameter (docs/pool.md). */
export const DEFAULT_POOL_PARAMS: Readonly<PoolParams> = Object.freeze({
  optionPriceFeeRate: 0.01,
  spotFeeRate: 0.0005,
  timeFeeStartYears: 7 / 365,
  timeFeeFullYears: 90 / 365,
  timeFeeMaxWeight: 2,
  vegaFeeRate: 0.01,
  utilizationMultiplierMin: 1,
  utilizationMultiplierMax: 1.25,
  utilizationMultiplierExponent: 2,
  ivImpactRate: 0.05,
  ivImpactSkewRate: 0,
  ivImpactWindowSeconds: 3600,
  protocolFeeShare: 0.1,
  hedgeCostRate: 0,
  hedgeRebalanceSeconds: 0,
  maxUtilization: 0.8,
  minMoneyness: 0.5,
  maxMoneyness: 2,
  minTimeToExpirySeconds: 3600,
  maxTimeToExpirySeconds: 365 * 24 * 3600,
  maxOracleAgeSeconds: 300,
  maxOracleMove: 0.05,
  oracleMoveWindowSeconds: 600,
  maxSettlementDelaySeconds: 3600,
  settlementFallbackWindowSeconds: 3600,
  maxPauseSeconds: 7 * 24 * 3600,
  navTwapWindowSeconds: 1800,
  maxTwapDeviation: 0.1,
  maxSurfaceMove: 0.1,
  tradingPauseSeconds: 900,
  maxHedgeDeviation: 0.01,
  hedgeMarginRate: 0.1,
  lpConservativeNav: 1,
  rate: 0,
  dividend: 0,
});

/** Merges `overrides` over the defaults and validates every parameter (PoolError naming the parameter). */
export function resolveParams(overrides: Partial<PoolParams> = {}): PoolParams {
  const p: PoolParams = { ...DEFAULT_POOL_PARAMS, ...overrides };
  const bad = (field: string, problem: string): never => {
    throw new PoolError("INVALID_INPUT", `params.${field}`, problem);
  };
  for (const [key, value] of Object.entries(p)) {
    if (typeof value !== "number" || !Number.isFinite(value)) bad(key, "must be a finite number");
  }
  const nonNegative: (keyof PoolParams)[] = [
    "optionPriceFeeRate", "spotFeeRate", "timeFeeStartYears", "vegaFeeRate", "ivImpactRate", "ivImpactSkewRate",
    "minTimeToExpirySeconds", "maxOracleAgeSeconds", "maxOracleMove", "oracleMoveWindowSeconds", "maxSettlementDelaySeconds",
    "navTwapWindowSeconds", "maxTwapDeviation", "ivImpactWindowSeconds", "tradingPauseSeconds", "hedgeRebalanceSeconds",
  ];
  const wholeSeconds: (keyof PoolParams)[] = [
    "minTimeToExpirySeconds", "maxTimeToExpirySeconds", "maxOracleAgeSeconds", "oracleMoveWindowSeconds", "maxSettlementDelaySeconds",
    "settlementFallbackWindowSeconds", "maxPauseSeconds", "navTwapWindowSeconds", "ivImpactWindowSeconds", "tradingPauseSeconds",
    "hedgeRebalanceSeconds",
  ];
  for (const key of Object.keys(p)) if (!Object.hasOwn(DEFAULT_POOL_PARAMS, key)) bad(key, "is not a pool parameter");
  for (const key of nonNegative) if (p[key] < 0) bad(key, "must be ≥ 0");
  // Times are whole seconds, at most ten years: a value in milliseconds is refused instead of pausing for millennia.
  for (const key of wholeSeconds) if (!Number.isSafeInteger(p[key]) || p[key] > 10 * 365 * 86_400) bad(key, "must be whole seconds, at most 10 years");
  if (!(p.maxPauseSeconds >= 1 && p.maxPauseSeconds <= 365 * 86_400)) bad("maxPauseSeconds", "must be in [1, 365 days] (seconds)");
  if (p.tradingPauseSeconds > p.maxPauseSeconds) bad("tradingPauseSeconds", "must be at most maxPauseSeconds");
  if (p.settlementFallbackWindowSeconds < 1) bad("settlementFallbackWindowSeconds", "must be ≥ 1 s");
  if (!(p.timeFeeFullYears > p.timeFeeStartYears)) bad("timeFeeFullYears", "must exceed timeFeeStartYears");
  if (!(p.timeFeeMaxWeight >= 1)) bad("timeFeeMaxWeight", "must be ≥ 1");
  if (!(p.utilizationMultiplierMin >= 1)) bad("utilizationMultiplierMin", "must be ≥ 1");
  if (!(p.utilizationMultiplierMax >= p.utilizationMultiplierMin)) bad("utilizationMultiplierMax", "must be ≥ utilizationMultiplierMin");
  if (!(p.utilizationMultiplierExponent > 0)) bad("utilizationMultiplierExponent", "must be > 0");
  if (!(p.maxSurfaceMove > 0)) bad("maxSurfaceMove", "must be > 0 (vol)");
  if (p.lpConservativeNav !== 0 && p.lpConservativeNav !== 1) bad("lpConservativeNav", "must be 0 or 1");
  if (!(p.protocolFeeShare >= 0 && p.protocolFeeShare <= 1)) bad("protocolFeeShare", "must be in [0, 1]");
  if (!(p.maxUtilization > 0 && p.maxUtilization <= 1)) bad("maxUtilization", "must be in (0, 1]");
  if (!(p.hedgeCostRate >= 0 && p.hedgeCostRate < 1)) bad("hedgeCostRate", "must be in [0, 1)");
  if (!(p.maxHedgeDeviation >= 0 && p.maxHedgeDeviation < 0.5)) bad("maxHedgeDeviation", "must be in [0, 0.5)");
  if (!(p.hedgeMarginRate >= 0 && p.hedgeMarginRate <= 1)) bad("hedgeMarginRate", "must be in [0, 1]");
  if (!(p.minMoneyness > 0)) bad("minMoneyness", "must be > 0");
  if (!(p.maxMoneyness >= p.minMoneyness)) bad("maxMoneyness", "must be ≥ minMoneyness");
  if (!(p.maxTimeToExpirySeconds > p.minTimeToExpirySeconds)) bad("maxTimeToExpirySeconds", "must exceed minTimeToExpirySeconds");
  return p;
}
