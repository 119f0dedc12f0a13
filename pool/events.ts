// The pool's events: every state change is one of these, numbered by `seq` from 1 and chained by `hash`. Events
// carry every computed amount and the market inputs they were computed from (spot, vol, NAV), so replay needs
// neither the oracle nor a pricer to rebuild the state, and a verifying replay (verify.ts) can re-derive the
// amounts. The schema below is the one contract of the event JSON: it drives the TypeScript types' runtime check,
// the JSON decoding (bigints as decimal strings) and the canonical form the hash chain is computed over.
import { PoolError } from "./errors.js";
import { canonicalWith, decodeWith, parseJSON, toJSON, type EventSchema, type FieldType } from "./event-schema.js";
import { HEDGE_EVENT_SCHEMA, type HedgeEventBody } from "./hedge/events.js";

/** A position's option series. `strikeUnits` = strike × 10^priceDecimals; `expiry` in unix seconds. */
export interface SeriesRef {
  type: "call" | "put";
  strike: number;
  strikeUnits: bigint;
  expiry: number;
}

/** One settled holding: what `account` is owed for `size` of the series. */
export interface SettlementPayout {
  account: string;
  strikeUnits: bigint;
  size: bigint;
  amount: bigint;
}

/** Breakers that pause LP withdrawals (pool/risk/breakers.ts). */
export type BreakerName = "liquidity" | "ivJump" | "settlement";
/** Where a settlement price comes from (see OptionPool.settle and docs/pool-safety.md). */
export type SettlementSource = "print" | "twap" | "admin";

/** Event bodies (amounts in collateral base units, sizes in size units, shares in share units, times unix seconds). */
export type PoolEventBody =
  /** LP entry. `nav`: the NAV the shares were priced at; `by`: "assets" (deposit, shares rounded down) or "shares" (mint, assets rounded up). */
  | { kind: "deposit"; owner: string; assets: bigint; shares: bigint; nav: bigint; by: "assets" | "shares" }
  | { kind: "donate"; from: string; assets: bigint }
  /** LP exit paid now. `by`: "shares" (redeem, assets rounded down) or "assets" (withdraw, shares rounded up). */
  | { kind: "redeem"; owner: string; shares: bigint; assets: bigint; nav: bigint; by: "assets" | "shares" }
  | { kind: "withdrawalQueued"; id: number; owner: string; shares: bigint }
  | { kind: "withdrawalPaid"; id: number; owner: string; shares: bigint; assets: bigint; nav: bigint }
  | { kind: "withdrawalCancelled"; id: number; owner: string; shares: bigint }
  | {
      kind: "trade";
      trader: string;
      side: "buy" | "sell";
      series: SeriesRef;
      size: bigint;
      /** Oracle spot, the oracle vol at the strike and expiry, and the vol used (after IV impact). */
      spot: number;
      oracleVol: number;
      vol: number;
      /** Core premium part (buy: rounded up; sell: rounded down). */
      premium: bigint;
      /** Fees charged (buy: markup + fees; sell: what was withheld from the premium). */
      fees: bigint;
      /** Treasury's share of `fees`, reserved until the expiry settles. */
      protocolFee: bigint;
      /** Buy: total paid by the trader (premium + fees). Sell: paid to the trader (≥ 0). */
      paid: bigint;
      /** Buy: collateral locked. Sell: collateral unlocked. */
      collateral: bigint;
      /** The pool part of a PeerBook order this trade fills: the hash of the book's poolOrder event (absent otherwise). */
      ref?: string;
    }
  | {
      kind: "settle";
      expiry: number;
      price: number;
      priceUnits: bigint;
      /** "print": the first oracle print in [expiry, expiry + maxSettlementDelaySeconds]; "twap": the fallback; "admin": the last resort. */
      source: SettlementSource;
      /** Oracle timestamp of the print, end of the TWAP window, or time of the admin call. */
      observedAt: number;
      /** Why (admin settlements); empty otherwise. */
      reason: string;
      payouts: SettlementPayout[];
      /** Collateral released by the expiry's series. */
      unlocked: bigint;
      /** Protocol fees of the expiry moved to the treasury's claimable balance. */
      treasuryFee: bigint;
      /** The treasury account credited with `treasuryFee`. */
      treasury: string;
    }
  | { kind: "claim"; account: string; assets: bigint }
  | {
      kind: "circuitBreaker";
      breaker: BreakerName;
      reason: string;
      /** LP withdrawals (direct and queued) are paused until this unix second. */
      pausedUntil: number;
    }
  | {
      kind: "tradingPaused";
      /** Which oracle value deviated from its time average. */
      field: "oracle.spot" | "oracle.baseVol";
      /** The latest value and its geometric time average over navTwapWindowSeconds. */
      latest: number;
      average: number;
      /** |ln(latest / average)|, above maxTwapDeviation. */
      deviation: number;
      /** Trades and LP operations are refused until this unix second. */
      pausedUntil: number;
    }
  /** An operator lifts a pause before its end (logged with its reason). */
  | { kind: "pauseLifted"; scope: "withdrawals" | "trading"; reason: string }
  /**
   * An operator changes some of the pool's parameters (params-change.ts): `changes` holds the new values as
   * key-sorted JSON text; with the earlier changes over the configured parameters they pass resolveParams.
   */
  | { kind: "paramsChanged"; changes: string; reason: string }
  /** Hedge orders, fills, failures and funding (hedge/events.ts). */
  | HedgeEventBody;

export type { EventHeader } from "./event-schema.js";
import type { EventHeader } from "./event-schema.js";

/** A numbered, timestamped, chained pool event. */
export type PoolEvent = PoolEventBody & EventHeader;

/** Kinds of pool events. */
export type PoolEventKind = PoolEventBody["kind"];

// ------------------------------------------------------------------------------------------------ the schema

const SIDES = ["buy", "sell"] as const;
const BY = ["assets", "shares"] as const;
const SERIES: FieldType = { object: [["type", ["call", "put"]], ["strike", "positive"], ["strikeUnits", "positiveUnits"], ["expiry", "seconds"]] };
const PAYOUTS: FieldType = { list: [["account", "account"], ["strikeUnits", "positiveUnits"], ["size", "positiveUnits"], ["amount", "positiveUnits"]] };

/** The series reference of an event (type, strike, strikeUnits, expiry), shared with the book's schema. */
export const SERIES_FIELD = SERIES;

/** Fields of every event kind, in canonical order (the order of the hashed form). */
export const EVENT_SCHEMA: EventSchema<PoolEventKind> = {
  deposit: [["owner", "account"], ["assets", "positiveUnits"], ["shares", "positiveUnits"], ["nav", "units"], ["by", BY]],
  donate: [["from", "account"], ["assets", "positiveUnits"]],
  redeem: [["owner", "account"], ["shares", "positiveUnits"], ["assets", "units"], ["nav", "units"], ["by", BY]],
  withdrawalQueued: [["id", "id"], ["owner", "account"], ["shares", "positiveUnits"]],
  withdrawalPaid: [["id", "id"], ["owner", "account"], ["shares", "positiveUnits"], ["assets", "units"], ["nav", "units"]],
  withdrawalCancelled: [["id", "id"], ["owner", "account"], ["shares", "positiveUnits"]],
  trade: [
    ["trader", "account"], ["side", SIDES], ["series", SERIES], ["size", "positiveUnits"], ["spot", "positive"],
    ["oracleVol", "positive"], ["vol", "positive"], ["premium", "units"], ["fees", "units"], ["protocolFee", "units"],
    ["paid", "units"], ["collateral", "units"], ["ref", { optional: "hash" }],
  ],
  settle: [
    ["expiry", "seconds"], ["price", "positive"], ["priceUnits", "positiveUnits"], ["source", ["print", "twap", "admin"]],
    ["observedAt", "seconds"], ["reason", "text"], ["payouts", PAYOUTS], ["unlocked", "units"], ["treasuryFee", "units"],
    ["treasury", "account"],
  ],
  claim: [["account", "account"], ["assets", "positiveUnits"]],
  circuitBreaker: [["breaker", ["liquidity", "ivJump", "settlement"]], ["reason", "text"], ["pausedUntil", "seconds"]],
  tradingPaused: [["field", ["oracle.spot", "oracle.baseVol"]], ["latest", "positive"], ["average", "positive"], ["deviation", "nonNegative"], ["pausedUntil", "seconds"]],
  pauseLifted: [["scope", ["withdrawals", "trading"]], ["reason", "text"]],
  paramsChanged: [["changes", "text"], ["reason", "text"]],
  ...HEDGE_EVENT_SCHEMA,
};

/**
 * Checks (and from JSON converts) one pool event against EVENT_SCHEMA; `json`: the parsed JSON form (bigints as
 * decimal strings), otherwise an event object as held in memory. PoolError("INVALID_EVENT") naming the event and field.
 */
export function decodeEvent(raw: unknown, position: string, json = true): PoolEvent {
  return decodeWith(EVENT_SCHEMA, raw, position, json) as unknown as PoolEvent;
}

/** The canonical form of a pool event (kind, seq, time, then its fields in schema order) that the hash covers. */
export function canonicalEvent(e: PoolEventBody & { seq: number; time: number }): string {
  return canonicalWith(EVENT_SCHEMA, e);
}

/** JSON text of one event (bigints as decimal strings): a line of a journal. */
export function eventToJSON(event: PoolEvent): string {
  return toJSON(event);
}

/** Events eventFromJSON built: fresh objects, checked against the schema when they were made. */
const fromJSON = new WeakSet<object>();

/** One event back from eventToJSON's text, checked against the schema (PoolError "INVALID_EVENT" naming `position`). */
export function eventFromJSON(text: string, position = "event"): PoolEvent {
  const event = decodeEvent(parseJSON(text, position), position);
  fromJSON.add(event);
  return event;
}

/**
 * The event last marked by markDecoded: checked against the schema when it was made (by eventFromJSON in a replay's
 * reader thread, pool/store/checked-reader.ts), and arrived here as a structured-clone copy. One slot: the reader
 * marks each event as it yields it, and the replay checks it at once.
 */
let decodedElsewhere: object | undefined;

/** Marks `event` as checked against the schema (see decodedElsewhere). */
export function markDecoded(event: PoolEvent): void {
  decodedElsewhere = event;
}

/**
 * `raw` checked against the schema as decodeEvent(raw, position(), false) does, skipping the check of an event that
 * eventFromJSON made (a store's read: checked once, not twice, in a replay of millions of events).
 */
export function checkedEvent(raw: unknown, position: () => string): PoolEvent {
  if (typeof raw === "object" && raw !== null && (raw === decodedElsewhere || fromJSON.has(raw))) return raw as PoolEvent;
  return decodeEvent(raw, position(), false);
}

/** JSON text of the events (an array), bigints as decimal strings. */
export function eventsToJSON(events: readonly PoolEvent[]): string {
  return `[${events.map(eventToJSON).join(",")}]`;
}

/** Events back from eventsToJSON's text, each checked against the schema (PoolError "INVALID_EVENT" naming events[i] and its seq). */
export function eventsFromJSON(text: string): PoolEvent[] {
  const parsed = parseJSON(text, "events");
  if (!Array.isArray(parsed)) throw new PoolError("INVALID_EVENT", "json", "expected an array of events");
  return parsed.map((raw, i) => decodeEvent(raw, `events[${i}]`));
}
