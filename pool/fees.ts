// Fee model of a pool quote, per contract in quote currency (pure functions; the pool converts to units).
// Modelled on live AMM option pools (Lyra v1's option-price, spot and vega-utilization fees; Premia's
// utilization-dependent pricing; size-dependent IV impact):
//   time weight      w(T)  = 1 + (wMax − 1) · clamp((T − T0) / (T1 − T0), 0, 1)
//   option-price fee       = optionPriceFeeRate · w(T) · price
//   spot fee               = spotFeeRate · w(T) · spot
//   vega-util fee (buys)   = vegaFeeRate · (u_before + u_after)/2 · vega
//   utilization markup     = price · (m̄ − 1), m̄ = mean of m(u) = mMin + (mMax − mMin) · u^k over [u_before, u_after] (buys)
//   hedge fee              = hedgeCostRate · the notional hedging the contract trades over its life (hedgeTurnover)
//   IV impact              = a move of the expiry's smile, level and skew: the trade at log-moneyness k pays
//                            (Φ(X + c, Y + c·k) − Φ(X, Y)) / c, Φ(X, Y) = ivImpactRate · G(X) + ivImpactSkewRate · Y²/2,
//                            G(x) = x·min(1, x), c = trade collateral, X = recent same-side collateral of the expiry and
//                            Y = the same weighted by each series' k, as fractions of liquidity (buys +, sells −)
// Averages over the move (not the end point) make n pieces of a trade cost what the whole does.
import { normalCdf } from "../bindings/montecarlo.js";
import { SECONDS_PER_YEAR } from "./clock.js";
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

/** G(x) = x · min(1, x): integral of the marginal IV impact (2x below 1, 1 above), so that G(c)/c = min(1, c). */
function impactIntegral(x: number): number {
  return x * Math.min(1, x);
}

/**
 * IV impact (absolute vol) of a trade locking (or unlocking) `collateral` out of `liquidity`, after `recent`
 * same-side collateral in the series within ivImpactWindowSeconds (all base units, as floats). The trade pays the
 * average marginal impact over [r, r + c] (r, c as fractions of liquidity): rate · (G(r + c) − G(r)) / c, so
 * Σ pieces cᵢ · impactᵢ telescopes to G(Σ cᵢ) — n pieces within the window pay what one trade does. With r = 0 it is
 * rate · min(1, c).
 */
export function ivImpact(collateral: number, liquidity: number, p: FeeParams, recent = 0): number {
  if (liquidity <= 0) return p.ivImpactRate;
  const r = Math.max(0, recent) / liquidity;
  const c = collateral / liquidity;
  if (!(c > 0)) return p.ivImpactRate * Math.min(1, 2 * r); // marginal impact at r (a zero-size quote)
  return (p.ivImpactRate * (impactIntegral(r + c) - impactIntegral(r))) / c;
}

/** Recent same-side flow of one expiry (base units, as floats): Σ collateral, and Σ collateral · k over its series. */
export interface ExpiryFlow {
  collateral: number;
  /** Σ collateral · ln(K/F) over the expiry's series. */
  moneyness: number;
}

/**
 * IV impact (absolute vol) of a trade at log-moneyness `k` locking (or unlocking) `collateral` out of `liquidity`
 * after `recent` same-side flow in its expiry: the average over the trade of the marginal smile move, level
 * (ivImpact over the expiry's flow X) plus skew ivImpactSkewRate · k · Y at Y = Σ cᵢkᵢ, i.e.
 * (Φ(X + c, Y + ck) − Φ(X, Y)) / c with Φ = ivImpactRate · G(X) + ivImpactSkewRate · Y²/2. Φ is a potential, so n
 * pieces of a trade pay Σ cᵢ · impactᵢ = Φ(end) − Φ(start), what one trade does. Flow at strikes on the other side
 * of the forward lowers the skew term (puts bought cheapen calls); the impact is floored at 0, which only ever
 * charges a splitter more. With ivImpactSkewRate 0 it is ivImpact(collateral, liquidity, p, X).
 */
export function smileImpact(collateral: number, k: number, liquidity: number, p: FeeParams, recent: ExpiryFlow = { collateral: 0, moneyness: 0 }): number {
  const level = ivImpact(collateral, liquidity, p, recent.collateral);
  if (p.ivImpactSkewRate === 0 || liquidity <= 0) return level;
  const y = recent.moneyness / liquidity;
  const c = collateral / liquidity;
  const skew = p.ivImpactSkewRate * k * (c > 0 ? y + (c * k) / 2 : y);
  return Math.max(0, level + skew);
}

/**
 * Average utilization multiplier over a buy moving utilization from `before` to `after`:
 * min + (max − min) · (a^{k+1} − b^{k+1}) / ((k + 1)(a − b)), so pieces of a trade pay what the whole does.
 */
export function averageUtilizationMultiplier(before: number, after: number, p: FeeParams): number {
  const b = Math.min(1, Math.max(0, before));
  const a = Math.min(1, Math.max(0, after));
  if (!(a - b > 1e-12)) return utilizationMultiplier(a, p);
  const k = p.utilizationMultiplierExponent;
  return p.utilizationMultiplierMin + ((p.utilizationMultiplierMax - p.utilizationMultiplierMin) * (a ** (k + 1) - b ** (k + 1))) / ((k + 1) * (a - b));
}

/** Inputs of the per-contract fee computation (quote currency, years, per 1.00 vol). */
export interface FeeInputs {
  side: "buy" | "sell";
  /** Core price per contract at the impacted vol. */
  price: number;
  /** Vega per contract (∂price/∂σ per 1.00 of vol). */
  vega: number;
  /** Delta per contract (∂price/∂spot); the hedge fee is charged on its absolute value. Omitted: no hedge fee. */
  delta?: number;
  /** The option (for the hedge fee's re-hedging and exit terms): type, strike, the vol it is priced at, carry r − q. */
  option?: { type: "call" | "put"; strike: number; vol: number; carry: number };
  spot: number;
  years: number;
  /** Utilization after the trade (buys) — the one the trade leaves. */
  utilizationAfter: number;
  /**
   * Utilization before the trade. When given, buys pay the markup and vega fee averaged over [before, after]
   * (so splitting a trade does not lower them); when omitted, at `utilizationAfter`.
   */
  utilizationBefore?: number;
}

/** Per-contract quote components in quote currency. */
export interface FeeBreakdown {
  /** Core price (Black-Scholes at the impacted vol). */
  premium: number;
  utilizationMarkup: number;
  optionPriceFee: number;
  spotFee: number;
  vegaFee: number;
  /** What hedging the trade's delta is expected to cost over its life (hedgeCostRate · hedgeTurnover), both sides. */
  hedgeFee: number;
}

/** Every component of the per-contract quote. Markup and vega fee are charged on buys (risk-adding) only. */
export function feeBreakdown(x: FeeInputs, p: FeeParams): FeeBreakdown {
  const w = timeWeight(x.years, p);
  const buy = x.side === "buy";
  const before = x.utilizationBefore ?? x.utilizationAfter;
  const multiplier = averageUtilizationMultiplier(before, x.utilizationAfter, p);
  return {
    premium: x.price,
    utilizationMarkup: buy ? x.price * (multiplier - 1) : 0,
    optionPriceFee: p.optionPriceFeeRate * w * x.price,
    spotFee: p.spotFeeRate * w * x.spot,
    vegaFee: buy ? p.vegaFeeRate * Math.max(0, (before + x.utilizationAfter) / 2) * Math.abs(x.vega) : 0,
    hedgeFee: p.hedgeCostRate === 0 ? 0 : p.hedgeCostRate * chargedTurnover(hedgeTurnover(x, p.hedgeRebalanceSeconds)),
  };
}

/** Notional (quote currency per contract) a hedger trades because of one contract, by cause (hedgeTurnover). */
export interface HedgeTurnover {
  entry: number;
  rebalance: number;
  exit: number;
}

/**
 * The turnover the hedge fee charges for: with re-hedging, the re-hedging alone; without, the entry. A pool that
 * keeps writing nets entries against exits in its daily orders (new puts add delta as expiring and decaying ones
 * remove it), so what its hedger trades is the re-hedging of the book's gamma, to which every option the pool is
 * short adds in the same direction (docs/hedging.md has the measurement).
 */
export function chargedTurnover(d: HedgeTurnover): number {
  return d.rebalance > 0 ? d.rebalance : d.entry;
}

/**
 * Expected notional a hedger trades over one contract's life (its first `elapsedYears`) when it re-hedges every
 * Δt = `rebalanceSeconds` (Black-Scholes world: spot a martingale at the option's vol σ, rates ≈ 0 over the horizon):
 *   entry      |δ|·S, traded at the next pass
 *   rebalance  Σ over passes of E[|Γ·S·σ·√Δt·Z|·S] = √(2/π)·σ·√Δt·Σ E[S_t²·Γ_t]. The dollar gamma S²Γ solves the
 *              Black-Scholes equation, so it is a martingale: E[S_t²·Γ_t] = S²Γ at the trade, and over [0, t₁]
 *              the sum is √(2/(π·Δt))·σ·S²Γ·t₁ = S·φ(d₁)·√(2/(π·Δt))·t₁/√T: a constant expected cost per pass,
 *              √(2N/π)·S·φ(d₁) over the N passes of the whole life (the 1/√N of the replication error is paid
 *              for with √N of turnover)
 *   exit       E[S_T·1{in the money}] = S·N(±d₁) when the expiry is within `elapsedYears`: the hedge of a settled
 *              contract (delta ±1) is unwound at S_T
 * With rebalanceSeconds 0 only the entry counts.
 */
export function hedgeTurnover(x: Pick<FeeInputs, "delta" | "spot" | "years" | "option">, rebalanceSeconds: number, elapsedYears = x.years): HedgeTurnover {
  const entry = Math.abs(x.delta ?? 0) * x.spot;
  const o = x.option;
  if (!(rebalanceSeconds > 0) || !o || !(x.years > 0) || !(o.vol > 0)) return { entry, rebalance: 0, exit: 0 };
  const sd = o.vol * Math.sqrt(x.years);
  const d1 = (Math.log(x.spot / o.strike) + o.carry * x.years) / sd + sd / 2;
  const t1 = Math.min(x.years, Math.max(0, elapsedYears));
  const density = Math.exp(-0.5 * d1 * d1) / Math.sqrt(2 * Math.PI);
  const rebalance = (x.spot * density * Math.sqrt(2 / (Math.PI * (rebalanceSeconds / SECONDS_PER_YEAR))) * t1) / Math.sqrt(x.years);
  return { entry, rebalance, exit: t1 < x.years ? 0 : x.spot * normalCdf(o.type === "call" ? d1 : -d1) };
}
