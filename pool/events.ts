// The pool's events: every state change is one of these, numbered by `seq` from 1. Events carry every
// computed amount (no prices are recomputed on replay), so replay needs neither the pricer nor the oracle.
// JSON form: bigints as decimal strings (see eventsToJSON / eventsFromJSON).

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

/** Event bodies (amounts in collateral base units, sizes in size units, shares in share units). */
export type PoolEventBody =
  | { kind: "deposit"; owner: string; assets: bigint; shares: bigint }
  | { kind: "donate"; from: string; assets: bigint }
  | { kind: "redeem"; owner: string; shares: bigint; assets: bigint }
  | { kind: "withdrawalQueued"; id: number; owner: string; shares: bigint }
  | { kind: "withdrawalPaid"; id: number; owner: string; shares: bigint; assets: bigint }
  | { kind: "withdrawalCancelled"; id: number; owner: string; shares: bigint }
  | {
      kind: "trade";
      trader: string;
      side: "buy" | "sell";
      series: SeriesRef;
      size: bigint;
      /** Oracle spot and the vol used (after IV impact), for audit. */
      spot: number;
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
      /** Which breaker tripped (pool/risk/breakers.ts): low free liquidity, an implied-vol jump, a settlement. */
      breaker: "liquidity" | "ivJump" | "settlement";
      reason: string;
      /** LP withdrawal-queue processing is paused until this unix second. */
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
      /** Trades are refused until this unix second. */
      pausedUntil: number;
    };

/** A numbered, timestamped pool event. */
export type PoolEvent = PoolEventBody & {
  /** 1, 2, 3 ... without gaps. */
  seq: number;
  /** Clock time of the operation (unix seconds). */
  time: number;
};

/** Kinds of pool events. */
export type PoolEventKind = PoolEventBody["kind"];

const BIGINT_KEYS = new Set([
  "assets", "shares", "strikeUnits", "size", "premium", "fees", "protocolFee", "paid", "collateral",
  "priceUnits", "amount", "unlocked", "treasuryFee",
]);

/** JSON text of the events, bigints as decimal strings. */
export function eventsToJSON(events: readonly PoolEvent[]): string {
  return JSON.stringify(events, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

/** Events back from eventsToJSON's text (the known amount fields become bigints again). */
export function eventsFromJSON(text: string): PoolEvent[] {
  const parsed: unknown = JSON.parse(text, (key, value: unknown) =>
    BIGINT_KEYS.has(key) && typeof value === "string" && /^-?\d+$/.test(value) ? BigInt(value) : value,
  );
  if (!Array.isArray(parsed)) throw new TypeError("eventsFromJSON: expected an array of events");
  return parsed as PoolEvent[];
}
