// The pool's events: every state change is one of these, numbered by `seq` from 1 and chained by `hash`. Events
// carry every computed amount and the market inputs they were computed from (spot, vol, NAV), so replay needs
// neither the oracle nor a pricer to rebuild the state, and a verifying replay (verify.ts) can re-derive the
// amounts. The schema below is the one contract of the event JSON: it drives the TypeScript types' runtime check,
// the JSON decoding (bigints as decimal strings) and the canonical form the hash chain is computed over.
import { accountProblem } from "./accounts.js";
import { PoolError } from "./errors.js";

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
  | { kind: "pauseLifted"; scope: "withdrawals" | "trading"; reason: string };

/** What every stored event carries besides its body. */
export interface EventHeader {
  /** 1, 2, 3 ... without gaps. */
  seq: number;
  /** Clock time of the operation (unix seconds, integer). */
  time: number;
  /** SHA-256 (hex) over the previous event's hash and this event's canonical form (ledger-chain.ts). */
  hash: string;
  /** HMAC-SHA-256 (hex) of `hash` under the operator's ledger key, when the pool has one. */
  mac?: string;
}

/** A numbered, timestamped, chained pool event. */
export type PoolEvent = PoolEventBody & EventHeader;

/** Kinds of pool events. */
export type PoolEventKind = PoolEventBody["kind"];

// ------------------------------------------------------------------------------------------------ the schema

type Scalar =
  | "account" | "units" | "positiveUnits" | "id" | "seconds" | "positive" | "nonNegative" | "text"
  | "series" | "payouts" | readonly string[];

const SIDES = ["buy", "sell"] as const;
const BY = ["assets", "shares"] as const;

/** Fields of every event kind, in canonical order (the order of the hashed form). */
export const EVENT_SCHEMA: { readonly [K in PoolEventKind]: readonly (readonly [string, Scalar])[] } = {
  deposit: [["owner", "account"], ["assets", "positiveUnits"], ["shares", "positiveUnits"], ["nav", "units"], ["by", BY]],
  donate: [["from", "account"], ["assets", "positiveUnits"]],
  redeem: [["owner", "account"], ["shares", "positiveUnits"], ["assets", "units"], ["nav", "units"], ["by", BY]],
  withdrawalQueued: [["id", "id"], ["owner", "account"], ["shares", "positiveUnits"]],
  withdrawalPaid: [["id", "id"], ["owner", "account"], ["shares", "positiveUnits"], ["assets", "units"], ["nav", "units"]],
  withdrawalCancelled: [["id", "id"], ["owner", "account"], ["shares", "positiveUnits"]],
  trade: [
    ["trader", "account"], ["side", SIDES], ["series", "series"], ["size", "positiveUnits"], ["spot", "positive"],
    ["oracleVol", "positive"], ["vol", "positive"], ["premium", "units"], ["fees", "units"], ["protocolFee", "units"],
    ["paid", "units"], ["collateral", "units"],
  ],
  settle: [
    ["expiry", "seconds"], ["price", "positive"], ["priceUnits", "positiveUnits"], ["source", ["print", "twap", "admin"]],
    ["observedAt", "seconds"], ["reason", "text"], ["payouts", "payouts"], ["unlocked", "units"], ["treasuryFee", "units"],
    ["treasury", "account"],
  ],
  claim: [["account", "account"], ["assets", "positiveUnits"]],
  circuitBreaker: [["breaker", ["liquidity", "ivJump", "settlement"]], ["reason", "text"], ["pausedUntil", "seconds"]],
  tradingPaused: [["field", ["oracle.spot", "oracle.baseVol"]], ["latest", "positive"], ["average", "positive"], ["deviation", "nonNegative"], ["pausedUntil", "seconds"]],
  pauseLifted: [["scope", ["withdrawals", "trading"]], ["reason", "text"]],
};

/** Longest free text (reasons) in an event, in characters. */
export const MAX_EVENT_TEXT = 500;
const UNSIGNED = /^(0|[1-9][0-9]*)$/;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * A value of `type` checked, from its JSON form (`json`: bigints as decimal strings, converted) or as held in memory
 * (bigints as bigint). Throws through `bad` naming `where`.
 */
function decodeValue(type: Scalar, v: unknown, where: string, bad: (where: string, problem: string) => never, json: boolean): unknown {
  if (Array.isArray(type)) return type.includes(v as string) ? v : bad(where, `must be one of ${type.join(", ")}`);
  switch (type) {
    case "account": {
      const problem = accountProblem(v);
      return problem ? bad(where, `account name ${problem}`) : v;
    }
    case "units":
    case "positiveUnits": {
      let x: bigint;
      if (json) {
        if (typeof v !== "string" || !UNSIGNED.test(v)) return bad(where, "must be a decimal string of digits");
        x = BigInt(v);
      } else {
        if (typeof v !== "bigint" || v < 0n) return bad(where, "must be a bigint ≥ 0");
        x = v;
      }
      return type === "positiveUnits" && x === 0n ? bad(where, "must be > 0") : x;
    }
    case "id":
      return Number.isSafeInteger(v) && (v as number) >= 1 ? v : bad(where, "must be an integer ≥ 1");
    case "seconds":
      return Number.isSafeInteger(v) && (v as number) >= 0 ? v : bad(where, "must be integer unix seconds ≥ 0");
    case "positive":
      return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : bad(where, "must be a finite number > 0");
    case "nonNegative":
      return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : bad(where, "must be a finite number ≥ 0");
    case "text":
      return typeof v === "string" && v.length <= MAX_EVENT_TEXT ? v : bad(where, `must be a string of at most ${MAX_EVENT_TEXT} characters`);
    case "series":
      return decodeObject(v, where, SERIES_FIELDS, bad, json);
    case "payouts":
      if (!Array.isArray(v)) return bad(where, "must be an array");
      return v.map((p, i) => decodeObject(p, `${where}[${i}]`, PAYOUT_FIELDS, bad, json));
  }
  return bad(where, "has an unknown type");
}

function decodeObject(v: unknown, where: string, fields: readonly (readonly [string, Scalar])[], bad: (where: string, problem: string) => never, json: boolean): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return bad(where, "must be an object");
  const raw = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, type] of fields) out[name] = decodeValue(type, raw[name], `${where}.${name}`, bad, json);
  for (const key of Object.keys(raw)) if (!fields.some(([name]) => name === key)) bad(`${where}.${key}`, "is not a field of this object");
  return out;
}

const SERIES_FIELDS = [["type", ["call", "put"]], ["strike", "positive"], ["strikeUnits", "positiveUnits"], ["expiry", "seconds"]] as const;
const PAYOUT_FIELDS = [["account", "account"], ["strikeUnits", "positiveUnits"], ["size", "positiveUnits"], ["amount", "positiveUnits"]] as const;

/**
 * Checks (and from JSON converts) one event: a known kind, every field of that kind and no other, each of its type.
 * `json`: the parsed JSON form (bigints as decimal strings); otherwise an event object as held in memory. Throws
 * PoolError("INVALID_EVENT") naming the event (`position`, and its seq when readable) and the field.
 */
export function decodeEvent(raw: unknown, position: string, json = true): PoolEvent {
  const rawSeq = (raw as { seq?: unknown } | null)?.seq;
  const label = Number.isSafeInteger(rawSeq) ? `${position} (seq ${rawSeq as number})` : position;
  const bad = (where: string, problem: string): never => {
    throw new PoolError("INVALID_EVENT", where, `${label}: ${where} ${problem}`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return bad("event", "must be an object");
  const r = raw as Record<string, unknown>;
  const kind = r.kind as PoolEventKind;
  if (typeof kind !== "string" || !Object.hasOwn(EVENT_SCHEMA, kind)) return bad("kind", `"${String(kind)}" is not an event kind`);
  const fields: readonly (readonly [string, Scalar])[] = [["seq", "id"], ["time", "seconds"], ...EVENT_SCHEMA[kind]];
  const event: Record<string, unknown> = { kind };
  for (const [name, type] of fields) event[name] = decodeValue(type, r[name], name, bad, json);
  if (typeof r.hash !== "string" || !HEX64.test(r.hash)) bad("hash", "must be 64 lowercase hex digits");
  event.hash = r.hash;
  if (r.mac !== undefined) {
    if (typeof r.mac !== "string" || !HEX64.test(r.mac)) bad("mac", "must be 64 lowercase hex digits");
    event.mac = r.mac;
  }
  for (const key of Object.keys(r)) if (!Object.hasOwn(event, key)) bad(key, `is not a field of a ${kind} event`);
  return event as unknown as PoolEvent;
}

/** The canonical form of an event (kind, seq, time, then its fields in schema order) that the hash covers. */
export function canonicalEvent(e: PoolEventBody & { seq: number; time: number }): string {
  const values: unknown[] = [e.kind, e.seq, e.time];
  for (const [name, type] of EVENT_SCHEMA[e.kind]) {
    const v = (e as unknown as Record<string, unknown>)[name];
    if (type === "series") {
      const s = v as SeriesRef;
      values.push([s.type, s.strike, s.strikeUnits, s.expiry]);
    } else if (type === "payouts") values.push((v as SettlementPayout[]).map((p) => [p.account, p.strikeUnits, p.size, p.amount]));
    else values.push(v);
  }
  return JSON.stringify(values, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
}

/** JSON text of one event (bigints as decimal strings): a line of a journal. */
export function eventToJSON(event: PoolEvent): string {
  return JSON.stringify(event, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

/** One event back from eventToJSON's text, checked against the schema (PoolError "INVALID_EVENT" naming `position`). */
export function eventFromJSON(text: string, position = "event"): PoolEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new PoolError("INVALID_EVENT", "json", `${position}: not JSON (${(e as Error).message})`);
  }
  return decodeEvent(raw, position);
}

/** JSON text of the events (an array), bigints as decimal strings. */
export function eventsToJSON(events: readonly PoolEvent[]): string {
  return `[${events.map(eventToJSON).join(",")}]`;
}

/** Events back from eventsToJSON's text, each checked against the schema (PoolError "INVALID_EVENT" naming events[i] and its seq). */
export function eventsFromJSON(text: string): PoolEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new PoolError("INVALID_EVENT", "json", `not JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new PoolError("INVALID_EVENT", "json", "expected an array of events");
  return parsed.map((raw, i) => decodeEvent(raw, `events[${i}]`));
}
