// The price of a trade against the pool: a pure function of the ledger state, the request, the market (spot and
// the oracle vol at the strike and expiry) and the time. `quote()` and `trade()` call it with the oracle's values;
// the verifying replay calls it with the values a trade event recorded and must get the event's amounts back.
import type { Greeks } from "../bindings/types.js";
import type { SyncPricer } from "./pricer-types.js";
import { SECONDS_PER_YEAR } from "./clock.js";
import { quoteAmountToUnitsFloat, type CollateralKind, type Scales } from "./collateral.js";
import { capRuleOf, lockFor, upperStrikeOf, type OptionTypes } from "./option-types.js";
import { PoolError, check } from "./errors.js";
import type { SeriesRef } from "./events.js";
import { feeBreakdown, smileImpact, type ExpiryFlow, type FeeBreakdown } from "./fees.js";
import { recentCollateral, recentTradeCash, seriesKey, type PoolState } from "./ledger.js";
import type { MarketParams, PoolParams } from "./params.js";
import { logMoneyness, MIN_VOL, volAt } from "./smile.js";
import type { OracleSnapshot } from "./oracle.js";
import { seriesRefOf } from "./series.js";
import { floatUnits, minBig, mulDiv, type Rounding } from "./units.js";

/** What a trader asks a quote for (docs/units.md). */
export interface QuoteRequest {
  type: "call" | "put";
  /** Quote currency per unit of the underlying (1800 = 1,800 USDC per ETH); exact at the pool's priceDecimals. */
  strike: number;
  /** Unix seconds of the expiry instant: not years, unlike the pricer's `expiry`. */
  expiry: number;
  /** Size units: 10^sizeDecimals per contract, so with the default sizeDecimals 2, 150n is 1.5 contracts (`contracts(1.5)`). */
  size: bigint;
  side: "buy" | "sell";
}

/** A priced quote. Unit amounts are collateral base units, rounded in the pool's favour. */
export interface Quote {
  side: "buy" | "sell";
  series: SeriesRef;
  size: bigint;
  spot: number;
  /** Oracle vol at the strike and expiry. */
  vol: number;
  /** Vol the premium is priced at (vol ± IV impact: the move of the expiry's smile at this strike). */
  volUsed: number;
  ivImpact: number;
  years: number;
  utilizationBefore: number;
  utilizationAfter: number;
  /** Per-contract components in quote currency. */
  perContract: FeeBreakdown;
  premium: bigint;
  utilizationMarkup: bigint;
  optionPriceFee: bigint;
  spotFee: bigint;
  vegaFee: bigint;
  /** Hedge fee (fees.ts): the expected cost of hedging the trade's delta at the pool's venue, paid to LPs. */
  hedgeFee: bigint;
  /** Fees charged: buys, markup + all fees; sells, what is withheld from the premium (≤ premium). */
  fees: bigint;
  /** Treasury's share of `fees`. */
  protocolFee: bigint;
  /** Buys: collateral locked. Sells: collateral unlocked. */
  collateral: bigint;
  /** Buys: total the trader pays. Sells: what the trader receives (never negative). */
  total: bigint;
}

/** The pool's side of the quote computation. */
export interface QuoteContext extends Scales {
  collateral: CollateralKind;
  /** The pool's option types and call cap (PoolSettings); absent: a one-type pool. */
  optionTypes?: OptionTypes;
  callCapPpm?: number;
  params: PoolParams;
  /** protocolFeeShare in basis points. */
  protocolShareBps: bigint;
  pricer: SyncPricer;
}

/** The market a quote is priced at: oracle spot, and the oracle vol at a strike and years to expiry. */
export interface QuoteMarket {
  spot: number;
  volAt(strike: number, years: number): number;
}

/** The market of an oracle snapshot: its spot, and its vol (pool/smile.ts) at the forward of `params`' carry. */
export function quoteMarketOf(snap: OracleSnapshot, params: MarketParams): QuoteMarket {
  const carry = params.rate - params.dividend;
  return { spot: snap.spot, volAt: (strike, years) => volAt(snap, strike, years, carry) };
}

/** Unix seconds before 2001-09-09: an expiry this small is a time to expiry (years, days) given by mistake. */
const EARLIEST_PLAUSIBLE_EXPIRY = 1e9;

/** A hint for an expiry that looks like years or days rather than the unix seconds the pool takes. */
function yearsHint(expiry: number): string {
  return expiry < EARLIEST_PLAUSIBLE_EXPIRY ? ` (expiry is unix seconds, e.g. clock.now() + 30 * 86_400, not years or days: got ${expiry})` : "";
}

/** The request's series, checked (type, strike, expiry, size, side), with the seconds left to expiry. */
export function checkRequest(ctx: QuoteContext, request: QuoteRequest, now: number): { series: SeriesRef; secondsLeft: number } {
  check(typeof request === "object" && request !== null, "request", "must be an object");
  check(request.side === "buy" || request.side === "sell", "side", 'must be "buy" or "sell"');
  const series = seriesRefOf(request, ctx.collateral, ctx);
  check(typeof request.size === "bigint" && request.size > 0n, "size", "must be a bigint > 0 in size units (150n = 1.5 contracts at sizeDecimals 2: contracts(1.5))");
  const p = ctx.params;
  const secondsLeft = series.expiry - now;
  // An expired series (or one expiring now) has no premium: its value is its settlement payoff.
  if (secondsLeft <= 0 || secondsLeft < p.minTimeToExpirySeconds)
    throw new PoolError("TOO_CLOSE_TO_EXPIRY", "expiry", `${secondsLeft} s to expiry < ${Math.max(1, p.minTimeToExpirySeconds)} s${yearsHint(series.expiry)}`);
  if (request.side === "buy" && secondsLeft > p.maxTimeToExpirySeconds)
    throw new PoolError("EXPIRY_OUT_OF_BOUNDS", "expiry", `${secondsLeft} s to expiry > ${p.maxTimeToExpirySeconds} s`);
  return { series, secondsLeft };
}

/**
 * Recent same-side flow of the traded series' expiry (fees.ts smileImpact), each series weighted by its
 * log-moneyness at `spot`: the traded series always (its flow outlives a close, so buying back after a close still
 * pays), the expiry's other series while they are open.
 */
function expiryFlow(state: PoolState, series: SeriesRef, side: "buy" | "sell", spot: number, years: number, carry: number, now: number): ExpiryFlow {
  const flow = { collateral: 0, moneyness: 0 };
  const traded = seriesKey(series);
  addFlow(flow, state, flowKey(traded, side), series.strike, spot, years, carry, now);
  for (const key of state.seriesByExpiry.get(series.expiry) ?? [])
    if (key !== traded) addFlow(flow, state, flowKey(key, side), state.series.get(key)!.strike, spot, years, carry, now);
  return flow;
}

/** For a capped call, the lock rule in words (the refusal says what the collateral is for). */
function capNote(ctx: QuoteContext, series: SeriesRef): string {
  const cap = series.type === "call" ? capRuleOf(ctx) : undefined;
  return cap ? ` (a call on quote collateral locks its cap, callCapPpm ${cap.capPpm} of the strike, per contract; collateral locked for other series is not free)` : "";
}

function addFlow(flow: ExpiryFlow, state: PoolState, key: string, strike: number, spot: number, years: number, carry: number, now: number): void {
  const recent = Number(recentCollateral(state, key, now));
  flow.collateral += recent;
  flow.moneyness += recent === 0 ? 0 : recent * logMoneyness(strike, spot, years, carry);
}

/** Flow keys ("<series key>:<side>") made once per series: a string made again is hashed again at each lookup. */
const flowKeys = { buy: new Map<string, string>(), sell: new Map<string, string>() };

function flowKey(series: string, side: "buy" | "sell"): string {
  const keys = flowKeys[side];
  let key = keys.get(series);
  if (key === undefined) {
    if (keys.size >= 4096) keys.clear(); // bounded: series come and go with their expiries
    keys.set(series, (key = `${series}:${side}`));
  }
  return key;
}

/** The Greeks output a pricer writes a quote's single price into (reused: the values are read at once). */
const quoteOutputs = new WeakMap<SyncPricer, Greeks>();

function quoteOutput(pricer: SyncPricer): Greeks {
  let out = quoteOutputs.get(pricer);
  if (!out) {
    const column = () => new Float64Array(1);
    quoteOutputs.set(pricer, (out = { price: column(), delta: column(), gamma: column(), vega: column(), theta: column(), rho: column() }));
  }
  return out;
}

/** Liquidity, utilization before and after, and the collateral a trade moves (buys lock, sells unlock). */
function sizing(ctx: QuoteContext, state: PoolState, series: SeriesRef, size: bigint, buy: boolean, now: number) {
  const p = ctx.params;
  // Fees and impact are measured against liquidity without the premiums the impact window brought in, so that the
  // first pieces of a split trade do not make the later ones look smaller. Cash that left (sales) is not added back:
  // liquidity is never counted above what the pool holds.
  const held = state.free + state.locked;
  const inflow = recentTradeCash(state, now);
  const liquidity = inflow > 0n && inflow < held ? held - inflow : held;
  const utilizationBefore = liquidity === 0n ? 0 : Number(state.locked) / Number(liquidity);
  if (buy) {
    const collateral = lockFor(ctx, series.type, series.strikeUnits, size);
    if (collateral > state.free) throw new PoolError("INSUFFICIENT_LIQUIDITY", "size", `needs ${collateral} collateral, ${state.free} free${capNote(ctx, series)}`);
    const utilizationAfter = Number(state.locked + collateral) / Number(liquidity);
    if (utilizationAfter > p.maxUtilization)
      throw new PoolError("MAX_UTILIZATION", "size", `utilization would be ${utilizationAfter.toFixed(4)} > ${p.maxUtilization}`);
    return { liquidity, utilizationBefore, utilizationAfter, collateral };
  }
  const open = state.series.get(seriesKey(series));
  if (!open || open.openSize < size) throw new PoolError("INSUFFICIENT_POSITION", "size", `the pool has ${open?.openSize ?? 0n} of this series open`);
  const collateral = size === open.openSize ? open.locked : mulDiv(open.locked, size, open.openSize, "down");
  const utilizationAfter = liquidity === 0n ? 0 : Number(state.locked - collateral) / Number(liquidity);
  return { liquidity, utilizationBefore, utilizationAfter, collateral };
}

/**
 * Core price, vega and delta per contract of `series` at `volUsed`: the option itself, or a capped call on quote
 * collateral as its spread call(K) − call(K + C) (option-types.ts legsOf), both legs at `volUsed` (the vol of its
 * strike K: what the trade event records, so the verifying replay prices it again).
 */
function corePrice(ctx: QuoteContext, market: QuoteMarket, series: SeriesRef, years: number, volUsed: number): { price: number; vega: number; delta: number } {
  const p = ctx.params;
  const upper = upperStrikeOf(capRuleOf(ctx), series.type, series.strike, ctx.priceDecimals);
  if (upper === undefined) {
    const g = ctx.pricer.blackScholes({ type: series.type, spot: market.spot, strike: series.strike, expiry: years, vol: volUsed, rate: p.rate, dividend: p.dividend }, quoteOutput(ctx.pricer));
    return { price: g.price[0]!, vega: g.vega[0]!, delta: g.delta[0]! };
  }
  const g = ctx.pricer.blackScholes({ type: "call", spot: market.spot, strike: [series.strike, upper], expiry: years, vol: volUsed, rate: p.rate, dividend: p.dividend });
  return { price: g.price[0]! - g.price[1]!, vega: g.vega[0]! - g.vega[1]!, delta: g.delta[0]! - g.delta[1]! };
}

/**
 * Prices `request` against `state` at `market` and time `now`: core price at the oracle vol ± IV impact, then fees
 * (fees.ts), converted to base units rounded in the pool's favour. Throws PoolError for what the trade would hit.
 */
export function priceQuote(ctx: QuoteContext, state: PoolState, request: QuoteRequest, market: QuoteMarket, now: number): Quote {
  const p = ctx.params;
  const { series, secondsLeft } = checkRequest(ctx, request, now);
  const { side, size } = request;
  const buy = side === "buy";
  const moneyness = series.strike / market.spot;
  if (buy && (moneyness < p.minMoneyness || moneyness > p.maxMoneyness))
    throw new PoolError("STRIKE_OUT_OF_BOUNDS", "strike", `strike/spot ${moneyness.toFixed(4)} outside [${p.minMoneyness}, ${p.maxMoneyness}]`);
  const { liquidity, utilizationBefore, utilizationAfter, collateral } = sizing(ctx, state, series, size, buy, now);
  const years = secondsLeft / SECONDS_PER_YEAR;
  const vol = market.volAt(series.strike, years);
  // Same-side flow of this expiry within ivImpactWindowSeconds moves its smile (split trades pay as one).
  const carry = p.rate - p.dividend;
  const k = logMoneyness(series.strike, market.spot, years, carry);
  const impact = smileImpact(Number(collateral), k, Number(liquidity), p, expiryFlow(state, series, side, market.spot, years, carry, now));
  const volUsed = buy ? vol + impact : Math.max(MIN_VOL, vol - impact);
  const g = corePrice(ctx, market, series, years, volUsed);
  const option = { type: series.type, strike: series.strike, vol: volUsed, carry };
  const perContract = feeBreakdown({ side, price: g.price, vega: g.vega, delta: g.delta, option, spot: market.spot, years, utilizationBefore, utilizationAfter }, p);
  const units = (perUnit: number, rounding: Rounding) =>
    floatUnits(quoteAmountToUnitsFloat(Math.max(0, perUnit), market.spot, size, ctx.collateral, ctx), rounding);
  // Buys round every component up; sells round the premium down and the fees up.
  const premium = units(perContract.premium, buy ? "up" : "down");
  const utilizationMarkup = units(perContract.utilizationMarkup, "up");
  const optionPriceFee = units(perContract.optionPriceFee, "up");
  const spotFee = units(perContract.spotFee, "up");
  const vegaFee = units(perContract.vegaFee, "up");
  const hedgeFee = units(perContract.hedgeFee, "up");
  const feeSum = utilizationMarkup + optionPriceFee + spotFee + vegaFee + hedgeFee;
  const fees = buy ? feeSum : minBig(premium, feeSum);
  const total = buy ? premium + fees : premium - fees;
  const protocolFee = (fees * ctx.protocolShareBps) / 10_000n;
  if (!buy && state.free + collateral < total + protocolFee) throw new PoolError("INSUFFICIENT_LIQUIDITY", "size", "the pool cannot pay this sale");
  return {
    side, series, size, spot: market.spot, vol, volUsed, ivImpact: impact, years, utilizationBefore, utilizationAfter, perContract,
    premium, utilizationMarkup, optionPriceFee, spotFee, vegaFee, hedgeFee, fees, protocolFee, collateral, total,
  };
}
