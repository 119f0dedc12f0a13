// Events of the peer order book. Like the pool's events they carry every computed amount, so replaying them
// (state.ts applyBookEvent) rebuilds the book and the peer positions without the pool, pricer or oracle.
// Amounts are collateral base units, sizes size units, `price` base units per whole contract.
import { PoolError } from "../errors.js";
import { canonicalWith, decodeWith, parseJSON, toJSON, type EventHeader, type EventSchema } from "../event-schema.js";
import { SERIES_FIELD, type SeriesRef } from "../events.js";

/** A side of an order: "buy" (bid) or "sell" (ask, writes the option against full collateral). */
export type BookSide = "buy" | "sell";

/** One settled peer holding: what `account` receives for its `size` long or short. */
export interface BookPayout {
  account: string;
  /** "long": the option payoff; "short": collateral back after the longs' payoffs. */
  position: "long" | "short";
  strikeUnits: bigint;
  size: bigint;
  amount: bigint;
}

/** Event bodies of the book. */
export type BookEventBody =
  /** A series opened for peer trading. */
  | { kind: "list"; series: SeriesRef }
  /** A limit order rests: `escrow` paid in (bids: premium at the limit; asks: full collateral). */
  | { kind: "place"; id: number; owner: string; side: BookSide; series: SeriesRef; price: bigint; size: bigint; escrow: bigint }
  /**
   * A match of a taker against resting order `makerId` at the maker's price. The buyer pays `amount` to the
   * seller (claimable); the seller's `collateral` is locked for the position. The maker's side of both comes
   * out of its escrow; the taker pays its side in.
   */
  | {
      kind: "fill";
      makerId: number;
      maker: string;
      taker: string;
      /** Side of the maker's order. */
      makerSide: BookSide;
      series: SeriesRef;
      price: bigint;
      size: bigint;
      amount: bigint;
      collateral: bigint;
    }
  /**
   * Margin mode (book/margin-mode.ts): a taker matches resting order `makerId`; the premium `amount` (⌈price · size /
   * 10^sizeDecimals⌉) and the positions move in the margin ledger, not in the book.
   */
  | { kind: "match"; makerId: number; maker: string; taker: string; makerSide: BookSide; series: SeriesRef; price: bigint; size: bigint; amount: bigint }
  /** A resting order leaves the book: its remaining escrow is paid back exactly. */
  | { kind: "cancel"; id: number; owner: string; refund: bigint; reason: "cancel" | "expiry" }
  /** Peer positions of `expiry` settled at the pool's settlement price; `dust` (rounding) to the treasury. */
  | { kind: "settle"; expiry: number; priceUnits: bigint; payouts: BookPayout[]; unlocked: bigint; dust: bigint; treasury: string }
  /** `account` takes its claimable balance (sale proceeds and settlement payouts). */
  | { kind: "claim"; account: string; assets: bigint }
  /**
   * The pool's part of `trader`'s order, recorded before the pool trades (book/pool-part.ts): `size` at no worse than
   * `bound` in total (buys: the most paid; sells: the least received), when the pool's log ended at `poolSeq`. Its
   * hash is the reference the pool's trade event carries (`ref`). Money moves between the trader and the pool only.
   */
  | { kind: "poolOrder"; trader: string; side: BookSide; series: SeriesRef; size: bigint; bound: bigint; poolSeq: number }
  /** The pool traded poolOrder `order` (a book seq): its trade event is the pool's seq `poolSeq`, for `paid` in total. */
  | { kind: "poolFill"; order: number; poolSeq: number; paid: bigint }
  /** The pool did not trade poolOrder `order`: no trade carries its reference in the pool's log up to `checkedTo`. */
  | { kind: "poolFailed"; order: number; checkedTo: number; reason: string };

/** A numbered, timestamped, chained book event (`seq` 1, 2, 3 ... without gaps; `time` unix seconds; `hash`, `mac` as the pool's). */
export type BookEvent = BookEventBody & EventHeader;

const SIDES = ["buy", "sell"] as const;

/** Fields of every book event kind, in canonical order (the one contract of the book's event JSON and hash). */
export const BOOK_EVENT_SCHEMA: EventSchema<BookEventBody["kind"]> = {
  list: [["series", SERIES_FIELD]],
  place: [["id", "id"], ["owner", "account"], ["side", SIDES], ["series", SERIES_FIELD], ["price", "positiveUnits"], ["size", "positiveUnits"], ["escrow", "units"]],
  fill: [
    ["makerId", "id"], ["maker", "account"], ["taker", "account"], ["makerSide", SIDES], ["series", SERIES_FIELD], ["price", "positiveUnits"],
    ["size", "positiveUnits"], ["amount", "units"], ["collateral", "units"],
  ],
  match: [
    ["makerId", "id"], ["maker", "account"], ["taker", "account"], ["makerSide", SIDES], ["series", SERIES_FIELD], ["price", "positiveUnits"],
    ["size", "positiveUnits"], ["amount", "units"],
  ],
  cancel: [["id", "id"], ["owner", "account"], ["refund", "units"], ["reason", ["cancel", "expiry"]]],
  settle: [
    ["expiry", "seconds"], ["priceUnits", "positiveUnits"],
    ["payouts", { list: [["account", "account"], ["position", ["long", "short"]], ["strikeUnits", "positiveUnits"], ["size", "positiveUnits"], ["amount", "positiveUnits"]] }],
    ["unlocked", "units"], ["dust", "units"], ["treasury", "account"],
  ],
  claim: [["account", "account"], ["assets", "positiveUnits"]],
  poolOrder: [["trader", "account"], ["side", SIDES], ["series", SERIES_FIELD], ["size", "positiveUnits"], ["bound", "units"], ["poolSeq", "seq"]],
  poolFill: [["order", "id"], ["poolSeq", "id"], ["paid", "units"]],
  poolFailed: [["order", "id"], ["checkedTo", "seq"], ["reason", "text"]],
};

/** Checks (and from JSON converts) one book event; PoolError("INVALID_EVENT") naming the event and the field. */
export function decodeBookEvent(raw: unknown, position: string, json = true): BookEvent {
  return decodeWith(BOOK_EVENT_SCHEMA, raw, position, json) as unknown as BookEvent;
}

/** The canonical form of a book event that its hash covers. */
export function canonicalBookEvent(e: BookEventBody & { seq: number; time: number }): string {
  return canonicalWith(BOOK_EVENT_SCHEMA, e);
}

/** JSON text of book events (bigints as decimal strings). */
export function bookEventsToJSON(events: readonly BookEvent[]): string {
  return `[${events.map(toJSON).join(",")}]`;
}

/** Book events back from bookEventsToJSON's text, each checked against the schema. */
export function bookEventsFromJSON(text: string): BookEvent[] {
  const parsed = parseJSON(text, "book events");
  if (!Array.isArray(parsed)) throw new PoolError("INVALID_EVENT", "json", "expected an array of book events");
  return parsed.map((raw, i) => decodeBookEvent(raw, `events[${i}]`));
}
