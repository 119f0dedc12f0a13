// The hedger: one pool operation (`pool.hedge(hedger)`, run inside the pool's non-reentrant run) that accrues
// funding on the open position, then either re-sends the pending order (same id: the venue fills it at most once)
// or decides a rebalance (policy.ts) on the guarded oracle and records a `hedgeOrder`; then it executes the order at
// the venue and records the `hedgeFill` or, when the venue refuses, `hedgeFailed`. A venue that is down leaves the
// order pending (the next call re-sends it). Every step is its own commit, so a failure anywhere leaves the ledger
// consistent with what the venue did. Manipulation: an order is sent only while the oracle passes every guard a trade
// passes, to a venue whose mark is within maxHedgeDeviation of the oracle spot, with a limit price oracle spot ×
// (1 ± maxHedgeDeviation): a manipulated venue can cost at most that deviation on the hedged notional.
import { PoolError } from "../errors.js";
import type { PoolState } from "../ledger.js";
import { volAt, type OracleSnapshot } from "../oracle.js";
import type { PoolCore } from "../pool-core.js";
import { SECONDS_PER_YEAR } from "../clock.js";
import { floatUnits } from "../units.js";
import { capRuleOf, upperStrikeOf } from "../option-types.js";
import { bookFill, fundingAmount, hedgeIsOpen, marginTarget, type FillBooking } from "./accounting.js";
import { checkPolicy, rebalanceDecision, type Exposure, type HedgePolicy, type RebalanceDecision } from "./policy.js";
import { VenueError, type HedgeVenue } from "./venue.js";
import { limitPriceOf, markWithinGuard } from "./verify.js";

/** Settings of a Hedger. */
export interface HedgerOptions {
  venue: HedgeVenue;
  policy: HedgePolicy;
  /** Smallest order (size units of the base asset). Default 1. */
  minOrderSize?: bigint;
}

/** What one `pool.hedge(hedger)` did. */
export interface HedgeResult {
  /** "filled", "failed" (the venue refused: a new order next time), "pending" (venue down: re-sent next time), "inside-band". */
  status: "filled" | "failed" | "pending" | "inside-band";
  /** The decision made (absent when a pending order was re-sent). */
  decision?: RebalanceDecision;
  /** Order id sent or re-sent. */
  orderId?: number;
  /** Funding paid this call (base units, signed; 0n when none accrued). */
  funding: bigint;
  /** Why the venue did not fill. */
  reason?: string;
}

/** Reusable pricer input columns for exposureOf (grown as needed). */
const scratch = { type: new Float64Array(0), strike: new Float64Array(0), years: new Float64Array(0), vol: new Float64Array(0), size: new Float64Array(0) };

function reserve(n: number): void {
  if (scratch.type.length >= n) return;
  const column = () => new Float64Array(Math.max(n, 2 * scratch.type.length));
  for (const k of Object.keys(scratch) as (keyof typeof scratch)[]) scratch[k] = column();
}

/**
 * The options' delta and gamma of `state`'s open book at `snap` (base units: contracts of one base unit), from the
 * book's columns in one pricer batch, and the hedge position. An expired, unsettled series pays its intrinsic value:
 * delta ∓1 per contract in the money, no gamma.
 */
export function exposureOf(core: PoolCore, state: PoolState, snap: OracleSnapshot): Exposure {
  if (capRuleOf(core.settings)) return exposureWithLegs(core, state, snap);
  const c = state.columns;
  const now = core.now();
  const contracts = 10 ** -core.settings.sizeDecimals;
  reserve(c.length);
  let live = 0;
  let delta = 0;
  for (let row = 0; row < c.length; row++) {
    const seconds = c.expiry[row]! - now;
    const n = c.size[row]! * contracts;
    if (seconds <= 0) {
      const put = c.type[row]! < 0;
      if (put ? snap.spot < c.strike[row]! : snap.spot > c.strike[row]!) delta -= (put ? -1 : 1) * n;
      continue;
    }
    scratch.type[live] = c.type[row]!;
    scratch.strike[live] = c.strike[row]!;
    scratch.years[live] = seconds / SECONDS_PER_YEAR;
    scratch.vol[live] = volAt(snap, c.strike[row]!, scratch.years[live]!);
    scratch.size[live++] = n;
  }
  let gamma = 0;
  if (live > 0) {
    const cut = (a: Float64Array) => a.subarray(0, live);
    const { rate, dividend } = core.settings.params;
    const g = core.pricer.blackScholes({ type: cut(scratch.type), spot: snap.spot, strike: cut(scratch.strike), expiry: cut(scratch.years), vol: cut(scratch.vol), rate, dividend });
    for (let i = 0; i < live; i++) {
      delta -= g.delta[i]! * scratch.size[i]!; // the pool is short what it wrote
      gamma -= g.gamma[i]! * scratch.size[i]!;
    }
  }
  return { spot: snap.spot, optionsDelta: delta, optionsGamma: gamma, hedgeSize: Number(state.hedge.size) * contracts };
}

/**
 * exposureOf for a pool writing capped calls: the open book (valuation.ts openBookOf) with each capped call's upper
 * leg as a row of weight −1; an expired, unsettled capped call has delta −1 per contract between K and K + C only.
 */
function exposureWithLegs(core: PoolCore, state: PoolState, snap: OracleSnapshot): Exposure {
  const contracts = 10 ** -core.settings.sizeDecimals;
  const book = core.bookOf(state, snap);
  let delta = 0;
  let gamma = 0;
  const cap = capRuleOf(core.settings);
  for (const s of book.expired) {
    const n = Number(s.openSize) * contracts;
    const upper = upperStrikeOf(cap, s.type, s.strike, core.settings.priceDecimals) ?? Infinity;
    if (s.type === "put" ? snap.spot < s.strike : snap.spot > s.strike && snap.spot < upper) delta -= (s.type === "put" ? -1 : 1) * n;
  }
  if (book.series.length > 0) {
    const g = core.pricer.blackScholes(book.batch);
    book.series.forEach((s, i) => {
      const n = Number(s.openSize) * contracts * (book.weight?.[i] ?? 1);
      delta -= g.delta[i]! * n;
      gamma -= g.gamma[i]! * n;
    });
  }
  return { spot: snap.spot, optionsDelta: delta, optionsGamma: gamma, hedgeSize: Number(state.hedge.size) * contracts };
}

/**
 * Refuses a base-collateral pool (docs/hedging.md, "Base-collateral pools"): its NAV is in the base asset, so the
 * exposure to hedge is the base-unit sensitivity of C/S (K·N(d₂)/S² per short call), not the quote delta exposureOf
 * measures; hedging that would also hedge away the pool's own collateral; and a linear venue's margin, fee, funding
 * and P&L are quote amounts the one-asset ledger has no conversion rule for yet.
 */
function assertHedgeable(core: PoolCore): void {
  if (core.settings.collateral !== "quote")
    throw new PoolError("INVALID_INPUT", "collateral", "hedging needs a quote-collateral pool: a base-collateral pool's NAV is in the base asset, whose exposure and hedge bookkeeping the hedger does not model (docs/hedging.md)");
}

/** Free liquidity a fill's booking needs: it pays fee − realised, then posts margin (hedge/apply.ts, in that order). */
function bookingNeed(b: FillBooking): bigint {
  const paid = b.fee - b.realised;
  return paid + b.margin > paid ? paid + b.margin : paid;
}

/** Keeps a pool's delta within its policy's band at one venue. */
export class Hedger {
  readonly venue: HedgeVenue;
  readonly policy: HedgePolicy;
  readonly minOrderSize: bigint;

  constructor(options: HedgerOptions) {
    checkPolicy(options.policy);
    if (typeof options.venue?.execute !== "function") throw new RangeError("venue must implement HedgeVenue");
    this.venue = options.venue;
    this.policy = options.policy;
    this.minOrderSize = options.minOrderSize ?? 1n;
    if (this.minOrderSize < 1n) throw new RangeError("minOrderSize must be ≥ 1 size unit");
  }

  /** The rebalance decision for `state` at the guarded oracle (pure: no event, no venue order). */
  decide(core: PoolCore, state: PoolState = core.state): RebalanceDecision {
    assertHedgeable(core);
    const snap = core.market.guarded(core.now(), state.tradingPausedUntil);
    return rebalanceDecision(exposureOf(core, state, snap), this.policy, this.costRate());
  }

  /** The venue's cost of trading one unit of notional (fee + half spread), what the band and the quote's fee use. */
  costRate(): number {
    return this.venue.feeRate() + this.venue.slippage(0);
  }

  /** One hedging pass on `core` (called by OptionPool.hedge inside its run). */
  run(core: PoolCore): HedgeResult {
    assertHedgeable(core);
    const funding = this.accrueFunding(core);
    if (core.state.hedge.pending) return { ...this.execute(core), funding };
    let decision: RebalanceDecision | undefined;
    core.commit("hedge", (tx) => {
      const snap = core.market.guarded(tx.now, tx.draft.tradingPausedUntil);
      decision = rebalanceDecision(exposureOf(core, tx.draft, snap), this.policy, this.costRate());
      const size = floatUnits(Math.abs(decision.trade) * 10 ** core.settings.sizeDecimals, "down");
      if (size < this.minOrderSize) return;
      const mark = this.markOf();
      if (!markWithinGuard(mark, snap.spot, core.settings.params))
        throw new PoolError("HEDGE_PRICE_DEVIATION", "venue.mark", `${this.venue.name} marks ${mark}, beyond maxHedgeDeviation ${core.settings.params.maxHedgeDeviation} of oracle spot ${snap.spot}`);
      const side = decision.trade > 0 ? "buy" : "sell";
      const limitPrice = limitPriceOf(side, snap.spot, core.settings.params);
      const affordable = this.affordableSize(core, tx.draft, side, size, snap.spot, limitPrice);
      tx.emit({ kind: "hedgeOrder", id: tx.draft.hedge.nextOrderId, venue: this.venue.name, side, size: affordable, oracleSpot: snap.spot, mark, limitPrice });
    });
    if (!core.state.hedge.pending) return { status: "inside-band", decision, funding };
    return { ...this.execute(core), decision, funding };
  }

  /**
   * What free liquidity needs for a fill of `size` in the worst case the order allows: the fee and realised P&L at
   * the limit price, the margin at the highest mark the guard lets a fill see (oracle spot × (1 + maxHedgeDeviation)).
   */
  private worstNeed(core: PoolCore, state: PoolState, side: "buy" | "sell", size: bigint, spot: number, limitPrice: number): bigint {
    const p = core.settings.params;
    const b = bookFill(state.hedge, side, size, limitPrice, spot * (1 + p.maxHedgeDeviation), this.venue.feeRate(), p.hedgeMarginRate, core.settings);
    return bookingNeed(b);
  }

  /**
   * The largest order up to `size` whose worst case free liquidity can pay (a partial hedge when the pool's cash is
   * locked as collateral); PoolError HEDGE_MARGIN_SHORTFALL when not even minOrderSize fits.
   */
  private affordableSize(core: PoolCore, state: PoolState, side: "buy" | "sell", size: bigint, spot: number, limitPrice: number): bigint {
    const fits = (n: bigint) => this.worstNeed(core, state, side, n, spot, limitPrice) <= state.free;
    if (fits(size)) return size;
    if (!fits(this.minOrderSize))
      throw new PoolError("HEDGE_MARGIN_SHORTFALL", "margin", `free liquidity ${state.free} cannot post the margin, fee and loss of a ${side} of ${this.minOrderSize} size units`);
    let lo = this.minOrderSize;
    let hi = size;
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n;
      if (fits(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  private markOf(): number {
    try {
      return this.venue.mark();
    } catch (e) {
      throw new PoolError("HEDGE_VENUE_UNAVAILABLE", "venue", `${this.venue.name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /** Sends the pending order and records its fill or failure. */
  private execute(core: PoolCore): Omit<HedgeResult, "funding"> {
    const order = core.state.hedge.pending!;
    const unit = 10 ** -core.settings.sizeDecimals;
    let fill;
    try {
      fill = this.venue.execute({ id: `${order.venue}#${order.id}`, side: order.side, size: Number(order.size) * unit, limitPrice: order.limitPrice });
    } catch (e) {
      const reason = e instanceof Error ? e.message.slice(0, 500) : String(e).slice(0, 500);
      if (e instanceof VenueError && e.reason === "refused") {
        core.commit("hedge", (tx) => tx.emit({ kind: "hedgeFailed", id: order.id, reason }), false, false);
        return { status: "failed", orderId: order.id, reason };
      }
      return { status: "pending", orderId: order.id, reason };
    }
    if (order.side === "buy" ? fill.price > order.limitPrice : fill.price < order.limitPrice)
      throw new PoolError("HEDGE_VENUE_FAULT", "venue", `${this.venue.name} filled order ${order.id} at ${fill.price}, beyond its limit ${order.limitPrice}: reconcile by hand`);
    const p = core.settings.params;
    core.commit("hedge", (tx) => {
      const b = bookFill(tx.draft.hedge, order.side, order.size, fill.price, fill.mark, fill.feeRate, p.hedgeMarginRate, core.settings);
      // The venue has filled: a fill free liquidity cannot book yet stays pending and is booked by a later pass.
      if (bookingNeed(b) > tx.draft.free)
        throw new PoolError("HEDGE_MARGIN_SHORTFALL", "margin", `free liquidity ${tx.draft.free} cannot book the fill of order ${order.id} (margin ${b.margin}, fee ${b.fee}, realised ${b.realised}); it stays pending`);
      tx.emit({ kind: "hedgeFill", id: order.id, price: fill.price, mark: fill.mark, feeRate: fill.feeRate, notional: b.notional, fee: b.fee, realised: b.realised, margin: b.margin });
    }, false, false);
    return { status: "filled", orderId: order.id };
  }

  /** Records funding on the open position since it was last accrued (skipped while the venue is down). */
  private accrueFunding(core: PoolCore): bigint {
    const h = core.state.hedge;
    const now = core.now();
    if (!hedgeIsOpen(h) || h.size === 0n || now <= h.fundedUntil) return 0n;
    let mark: number;
    try {
      mark = this.venue.mark();
    } catch {
      return 0n;
    }
    const rate = (this.venue.fundingRate() * (now - h.fundedUntil)) / SECONDS_PER_YEAR;
    const amount = fundingAmount(h, mark, rate, core.settings);
    const margin = marginTarget(h.size, mark, core.settings.params.hedgeMarginRate, core.settings) - h.margin;
    core.commit("hedge", (tx) => tx.emit({ kind: "hedgeFunding", mark, rate, amount, margin }), false, false);
    return amount;
  }
}
