// Events of the peer order book. Like the pool's events they carry every computed amount, so replaying them
// (state.ts applyBookEvent) rebuilds the book and the peer positions without the pool, pricer or oracle.
// Amounts are collateral base units, sizes size units, `price` base units per whole contract.
import type { SeriesRef } from "../events.js";

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
  /** A resting order leaves the book: its remaining escrow is paid back exactly. */
  | { kind: "cancel"; id: number; owner: string; refund: bigint; reason: "cancel" | "expiry" }
  /** Peer positions of `expiry` settled at the pool's settlement price; `dust` (rounding) to the treasury. */
  | { kind: "settle"; expiry: number; priceUnits: bigint; payouts: BookPayout[]; unlocked: bigint; dust: bigint; treasury: string }
  /** `account` takes its claimable balance (sale proceeds and settlement payouts). */
  | { kind: "claim"; account: string; assets: bigint };

/** A numbered, timestamped book event (`seq` 1, 2, 3 ... without gaps; `time` unix seconds). */
export type BookEvent = BookEventBody & { seq: number; time: number };

const BIGINT_KEYS = new Set(["strikeUnits", "price", "size", "escrow", "amount", "collateral", "refund", "priceUnits", "unlocked", "dust", "assets"]);

/** JSON text of book events (bigints as decimal strings). */
export function bookEventsToJSON(events: readonly BookEvent[]): string {
  return JSON.stringify(events, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** Book events back from bookEventsToJSON's text. */
export function bookEventsFromJSON(text: string): BookEvent[] {
  const parsed: unknown = JSON.parse(text, (key, value: unknown) =>
    BIGINT_KEYS.has(key) && typeof value === "string" && /^-?\d+$/.test(value) ? BigInt(value) : value,
  );
  if (!Array.isArray(parsed)) throw new TypeError("bookEventsFromJSON: expected an array of events");
  return parsed as BookEvent[];
}
