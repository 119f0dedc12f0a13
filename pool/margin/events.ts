// Events of the margin ledger. Like the pool's and the book's, they carry every computed amount (margins, auction
// prices, penalties, covers, haircuts), so replaying them (state.ts) rebuilds every account, the insurance fund and
// the auctions without a pricer or an oracle; verify.ts re-derives the exact (bigint) parts.
// Amounts are quote base units; sizes size units (signed where a position is: + long, − short).
import { PoolError } from "../errors.js";
import { canonicalWith, decodeWith, parseJSON, toJSON, type EventHeader, type EventSchema, type FieldType } from "../event-schema.js";
import type { MarginSeries } from "./account.js";

/** A signed quantity of one series (a liquidation's transfer). */
export interface SeriesSize {
  series: MarginSeries;
  size: bigint;
}

/** The terms an auction runs on, fixed when it starts. */
export interface AuctionTerms {
  /** Mark-to-market of the account's positions at the start (signed). */
  mark: bigint;
  /** Maintenance and initial margin at the start. */
  maintenance: bigint;
  initial: bigint;
  /** Spot at the start (quote per base). */
  spot: number;
  /** Discounts off the mark (ppm of `maintenance`) at the start and at the floor, reached after `durationSeconds`. */
  startDiscountPpm: bigint;
  floorDiscountPpm: bigint;
  durationSeconds: number;
  /** Penalty (ppm of `maintenance`, per whole portfolio) paid by the account to the insurance fund. */
  penaltyPpm: bigint;
}

/** Event bodies of the margin ledger. */
export type MarginEventBody =
  | { kind: "deposit"; account: string; assets: bigint }
  /** `initial`: the account's initial margin after the withdrawal (≤ its cash then). */
  | { kind: "withdraw"; account: string; assets: bigint; initial: bigint }
  /** `buyer` pays `amount` (= ⌈price · size / 10^sizeDecimals⌉) to `seller` for `size` of `series`. */
  | { kind: "trade"; buyer: string; seller: string; series: MarginSeries; size: bigint; price: bigint; amount: bigint }
  /** Adds to the insurance fund from `account`'s cash. */
  | { kind: "fund"; account: string; assets: bigint }
  /** An account below maintenance goes to auction; `cash` is its cash then. */
  | ({ kind: "auction"; account: string; cash: bigint } & AuctionTerms)
  /**
   * A liquidator takes `fractionPpb` (of the portfolio at the auction's start; cumulative `filledPpb` after) at the
   * auction price `price` (signed, for the whole portfolio): it pays `amount` (signed: negative = it is paid) and the
   * account pays `penalty` to the fund. `take`: the sizes moved from the account to the liquidator.
   */
  | {
      kind: "bid"; account: string; liquidator: string; fractionPpb: bigint; filledPpb: bigint; price: bigint; amount: bigint; penalty: bigint;
      take: SeriesSize[]; liquidatorInitial: bigint;
    }
  /** The insurance fund pays `amount` to an account left below 0 with no positions (after a liquidation or settlement). */
  | { kind: "cover"; account: string; amount: bigint }
  /** Bad debt the fund could not cover, charged pro rata to the cash of every other account. */
  | { kind: "socialise"; account: string; amount: bigint; charges: { account: string; amount: bigint }[] }
  /** Positions of `expiry` settled at `priceUnits` (quote base units per base): signed payouts, rounding dust to the fund. */
  | { kind: "settle"; expiry: number; priceUnits: bigint; payouts: { account: string; amount: bigint }[]; dust: bigint }
  /** The auction ends: the account is back above its initial margin or has nothing left. */
  | { kind: "close"; account: string; reason: "restored" | "emptied" };

/** A numbered, timestamped, chained margin event. */
export type MarginEvent = MarginEventBody & EventHeader;

const SERIES: FieldType = { object: [["type", ["call", "put"]], ["strike", "positive"], ["expiry", "seconds"]] };

/** Fields of every margin event kind, in canonical order (the one contract of the margin log's JSON and hash). */
export const MARGIN_EVENT_SCHEMA: EventSchema<MarginEventBody["kind"]> = {
  deposit: [["account", "account"], ["assets", "positiveUnits"]],
  withdraw: [["account", "account"], ["assets", "positiveUnits"], ["initial", "units"]],
  trade: [["buyer", "account"], ["seller", "account"], ["series", SERIES], ["size", "positiveUnits"], ["price", "units"], ["amount", "units"]],
  fund: [["account", "account"], ["assets", "positiveUnits"]],
  auction: [
    ["account", "account"], ["cash", "signedUnits"], ["mark", "signedUnits"], ["maintenance", "units"], ["initial", "units"], ["spot", "positive"],
    ["startDiscountPpm", "units"], ["floorDiscountPpm", "units"], ["durationSeconds", "seconds"], ["penaltyPpm", "units"],
  ],
  bid: [
    ["account", "account"], ["liquidator", "account"], ["fractionPpb", "positiveUnits"], ["filledPpb", "positiveUnits"], ["price", "signedUnits"],
    ["amount", "signedUnits"], ["penalty", "units"], ["take", { list: [["series", SERIES], ["size", "signedUnits"]] }], ["liquidatorInitial", "units"],
  ],
  cover: [["account", "account"], ["amount", "positiveUnits"]],
  socialise: [["account", "account"], ["amount", "positiveUnits"], ["charges", { list: [["account", "account"], ["amount", "units"]] }]],
  settle: [["expiry", "seconds"], ["priceUnits", "positiveUnits"], ["payouts", { list: [["account", "account"], ["amount", "signedUnits"]] }], ["dust", "units"]],
  close: [["account", "account"], ["reason", ["restored", "emptied"]]],
};

/** Checks (and from JSON converts) one margin event; PoolError("INVALID_EVENT") naming the event and the field. */
export function decodeMarginEvent(raw: unknown, position: string, json = true): MarginEvent {
  return decodeWith(MARGIN_EVENT_SCHEMA, raw, position, json) as unknown as MarginEvent;
}

/** The canonical form of a margin event that its hash covers. */
export function canonicalMarginEvent(e: MarginEventBody & { seq: number; time: number }): string {
  return canonicalWith(MARGIN_EVENT_SCHEMA, e);
}

/** JSON text of margin events (bigints as decimal strings). */
export function marginEventsToJSON(events: readonly MarginEvent[]): string {
  return `[${events.map(toJSON).join(",")}]`;
}

/** Margin events back from marginEventsToJSON's text, each checked against the schema. */
export function marginEventsFromJSON(text: string): MarginEvent[] {
  const parsed = parseJSON(text, "margin events");
  if (!Array.isArray(parsed)) throw new PoolError("INVALID_EVENT", "json", "expected an array of margin events");
  return parsed.map((raw, i) => decodeMarginEvent(raw, `events[${i}]`));
}
