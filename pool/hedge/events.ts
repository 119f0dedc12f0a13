// The hedge's events (one contract, merged into the pool's EVENT_SCHEMA in events.ts): an order is recorded before
// it goes to the venue, then its fill or its failure; funding accrues on the open position. Every amount is in the
// collateral's base units and carries the market inputs it was computed from, so replay needs no venue and the
// verifying replay (hedge/verify.ts) re-derives every amount from the state before the event.
import type { EventSchema, FieldType } from "../event-schema.js";

/** Hedge event bodies. Sizes in size units of the base asset (10^sizeDecimals per unit), prices in quote per base. */
export type HedgeEventBody =
  /** An order sent to `venue`: the pool buys or sells `size` of the base asset at no worse than `limitPrice`. */
  | {
      kind: "hedgeOrder";
      id: number;
      venue: string;
      side: "buy" | "sell";
      size: bigint;
      /** The oracle spot the order was checked against, and the venue's mark then. */
      oracleSpot: number;
      mark: number;
      /** oracleSpot × (1 ± maxHedgeDeviation): the worst price the venue may fill at. */
      limitPrice: number;
    }
  /** The pending order filled at `price` (a perpetual: no notional changes hands; P&L, fee and margin do). */
  | {
      kind: "hedgeFill";
      id: number;
      price: number;
      mark: number;
      feeRate: number;
      /** size × price in base units (pool buys: rounded up; sells: down). */
      notional: bigint;
      /** notional × feeRate, rounded up. */
      fee: bigint;
      /** P&L realised by the part of the fill that closes the open position (average-cost basis); signed. */
      realised: bigint;
      /** Moved from free liquidity to the venue margin (negative: released), to |size| × mark × hedgeMarginRate rounded up. */
      margin: bigint;
    }
  /** The pending order did not fill (venue down, or it refused): nothing changed but the order is closed. */
  | { kind: "hedgeFailed"; id: number; reason: string }
  /** Funding on the open position: `rate` is the fraction of notional for the period, positive when longs pay. */
  | { kind: "hedgeFunding"; mark: number; rate: number; amount: bigint; margin: bigint };

/** Kinds of hedge events. */
export type HedgeEventKind = HedgeEventBody["kind"];

const SIDES: FieldType = ["buy", "sell"];

/** Fields of every hedge event kind, in canonical order. */
export const HEDGE_EVENT_SCHEMA: EventSchema<HedgeEventKind> = {
  hedgeOrder: [["id", "id"], ["venue", "text"], ["side", SIDES], ["size", "positiveUnits"], ["oracleSpot", "positive"], ["mark", "positive"], ["limitPrice", "positive"]],
  hedgeFill: [
    ["id", "id"], ["price", "positive"], ["mark", "positive"], ["feeRate", "nonNegative"], ["notional", "units"], ["fee", "units"],
    ["realised", "signedUnits"], ["margin", "signedUnits"],
  ],
  hedgeFailed: [["id", "id"], ["reason", "text"]],
  hedgeFunding: [["mark", "positive"], ["rate", "finite"], ["amount", "signedUnits"], ["margin", "signedUnits"]],
};
