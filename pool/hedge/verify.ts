// The verifying replay of the hedge events (called by verify.ts verifyEvent with the state before the event): what
// follows from that state and the pool's parameters is derived again and must match exactly.
//   hedgeOrder    the next id; the venue mark within maxHedgeDeviation of the oracle spot; the limit price the rule's
//   hedgeFill     the price within the pending order's limit; notional, fee and margin as bookFill computes them
//                 (the realised P&L is checked by the transition itself, hedge/apply.ts)
//   hedgeFunding  the amount and margin from the position before it at the recorded mark and rate
import type { CollateralKind, Scales } from "../collateral.js";
import { PoolError } from "../errors.js";
import type { PoolState } from "../ledger.js";
import type { PoolParams } from "../params.js";
import { bookFill, fundingAmount, marginTarget } from "./accounting.js";
import type { HedgeEventBody } from "./events.js";

/** What hedge verification needs of the pool. */
export interface HedgeVerifyContext extends Scales {
  collateral: CollateralKind;
  params: PoolParams;
}

/** The worst price a hedge order may fill at: oracle spot × (1 + maxHedgeDeviation) for buys, × (1 − it) for sells. */
export function limitPriceOf(side: "buy" | "sell", oracleSpot: number, params: Pick<PoolParams, "maxHedgeDeviation">): number {
  return oracleSpot * (side === "buy" ? 1 + params.maxHedgeDeviation : 1 - params.maxHedgeDeviation);
}

/** |ln(mark / oracleSpot)| ≤ maxHedgeDeviation: a venue mark the pool may trade against. */
export function markWithinGuard(mark: number, oracleSpot: number, params: Pick<PoolParams, "maxHedgeDeviation">): boolean {
  return Math.abs(Math.log(mark / oracleSpot)) <= params.maxHedgeDeviation;
}

/** Checks hedge event `e` (seq `seq`) against `state` before it; PoolError("REPLAY_MISMATCH") naming the field. */
export function verifyHedgeEvent(ctx: HedgeVerifyContext, state: PoolState, e: HedgeEventBody & { seq: number }): void {
  const bad = (field: string, problem: string): never => {
    throw new PoolError("REPLAY_MISMATCH", field, `seq ${e.seq} (${e.kind}): ${problem}`);
  };
  if (ctx.collateral !== "quote") bad("kind", "only quote-collateral pools hedge");
  const h = state.hedge;
  const p = ctx.params;
  if (e.kind === "hedgeOrder") {
    if (e.id !== h.nextOrderId) bad("id", `the next hedge order id is ${h.nextOrderId}`);
    if (!markWithinGuard(e.mark, e.oracleSpot, p)) bad("mark", `venue mark ${e.mark} is beyond maxHedgeDeviation of oracle spot ${e.oracleSpot}`);
    if (e.limitPrice !== limitPriceOf(e.side, e.oracleSpot, p)) bad("limitPrice", `the limit at oracle spot ${e.oracleSpot} is ${limitPriceOf(e.side, e.oracleSpot, p)}`);
  } else if (e.kind === "hedgeFill") {
    const order = h.pending;
    if (!order || order.id !== e.id) return bad("id", `no pending hedge order ${e.id}`);
    if (order.side === "buy" ? e.price > order.limitPrice : e.price < order.limitPrice) bad("price", `${e.price} is beyond the order's limit ${order.limitPrice}`);
    const b = bookFill(h, order.side, order.size, e.price, e.mark, e.feeRate, p.hedgeMarginRate, ctx);
    for (const field of ["notional", "fee", "margin"] as const) if (b[field] !== e[field]) bad(field, `re-booked to ${b[field]}, event says ${e[field]}`);
  } else if (e.kind === "hedgeFunding") {
    const amount = fundingAmount(h, e.mark, e.rate, ctx);
    if (amount !== e.amount) bad("amount", `funding at ${e.rate} on ${h.size} is ${amount}, event says ${e.amount}`);
    const margin = marginTarget(h.size, e.mark, p.hedgeMarginRate, ctx) - h.margin;
    if (margin !== e.margin) bad("margin", `the margin moves ${margin}, event says ${e.margin}`);
  }
}
