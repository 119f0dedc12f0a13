// The ledger transitions of the hedge events (called by ledger-apply.ts applyEvent, inside the state's undo log).
// Realised P&L, fees and funding settle against free liquidity; margin moves between free liquidity and the venue.
// An event that does not fit (no such pending order, free liquidity or margin going negative) is refused with
// PoolError("REPLAY_MISMATCH"), like every other transition.
import { PoolError } from "../errors.js";
import type { PoolState } from "../ledger.js";
import { positionAfterFill } from "./accounting.js";
import type { HedgeEventBody } from "./events.js";

function mismatch(field: string, problem: string): never {
  throw new PoolError("REPLAY_MISMATCH", field, problem);
}

/** free += amount (signed); refused when free would go negative. */
function settleFree(state: PoolState, amount: bigint, field: string): void {
  const next = state.free + amount;
  if (next < 0n) mismatch(field, `free liquidity ${state.free} cannot pay ${-amount}`);
  state.undo.set(state, "free", next);
}

/** Moves `amount` (signed) from free liquidity to the venue margin. */
function moveMargin(state: PoolState, amount: bigint): void {
  const h = state.hedge;
  if (h.margin + amount < 0n) mismatch("margin", `margin ${h.margin} cannot release ${-amount}`);
  settleFree(state, -amount, "margin");
  state.undo.set(h, "margin", h.margin + amount);
}

function addTotal(state: PoolState, field: "hedgeRealised" | "hedgeFees" | "hedgeFunding", amount: bigint): void {
  state.undo.set(state.totals, field, state.totals[field] + amount);
}

/** Applies one hedge event to `state` in place (recorded in its undo log). */
export function applyHedgeEvent(state: PoolState, e: HedgeEventBody & { time: number }): void {
  const h = state.hedge;
  const u = state.undo;
  switch (e.kind) {
    case "hedgeOrder":
      if (h.pending) mismatch("id", `order ${h.pending.id} is still pending`);
      if (e.id !== h.nextOrderId) mismatch("id", `the next hedge order id is ${h.nextOrderId}`);
      u.set(h, "pending", { id: e.id, venue: e.venue, side: e.side, size: e.size, limitPrice: e.limitPrice });
      u.set(h, "nextOrderId", e.id + 1);
      return;
    case "hedgeFill": {
      if (!h.pending || h.pending.id !== e.id) mismatch("id", `no pending hedge order ${e.id}`);
      const booked = positionAfterFill(h, h.pending.side, h.pending.size, e.notional);
      if (booked.realised !== e.realised) mismatch("realised", `the fill realises ${booked.realised}, event says ${e.realised}`);
      settleFree(state, e.realised - e.fee, "realised");
      moveMargin(state, e.margin);
      if (h.size === 0n) u.set(h, "fundedUntil", e.time);
      u.set(h, "size", booked.size);
      u.set(h, "entry", booked.entry);
      u.set(h, "pending", undefined);
      addTotal(state, "hedgeRealised", e.realised);
      addTotal(state, "hedgeFees", e.fee);
      return;
    }
    case "hedgeFailed":
      if (!h.pending || h.pending.id !== e.id) mismatch("id", `no pending hedge order ${e.id}`);
      u.set(h, "pending", undefined);
      return;
    case "hedgeFunding":
      settleFree(state, -e.amount, "amount");
      moveMargin(state, e.margin);
      u.set(h, "fundedUntil", e.time);
      addTotal(state, "hedgeFunding", e.amount);
      return;
  }
}
