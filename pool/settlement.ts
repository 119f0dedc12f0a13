// Settlement: the one rule that fixes an expiry's price, and the payouts that follow from it.
//
// The price of expiry E, in order (D = maxSettlementDelaySeconds, W = settlementFallbackWindowSeconds):
//   1. "print": the first oracle print with timestamp in [E, E + D]. With an oracle that keeps history it is found
//      there, so it does not depend on when anyone looks; without history it is the first print the pool sees
//      (a keeper calling observeOracle() on every print makes the two the same).
//   2. "twap": when no print fell in [E, E + D], once E + D + W has passed: the geometric time-weighted average of
//      the prints in (E + D, E + D + W], each holding until the next (needs history and at least one print there).
//   3. "admin": when neither exists, an operator settles at a price of its choice with a reason (adminSettle), a
//      logged event; it is refused while rule 1 or 2 can still give a price.
// No caller chooses the price by choosing the moment: rule 1 and 2 depend only on the oracle's record, and the pool
// asks the oracle to retain its record from the earliest unsettled expiry on (SpotVolOracle.retain).
import type { CollateralKind, Scales } from "./collateral.js";
import { payoutOf, type TypeRule } from "./option-types.js";
import { PoolError } from "./errors.js";
import type { PoolEventBody, SettlementPayout, SettlementSource } from "./events.js";
import type { PoolState } from "./ledger.js";
import { invalidSnapshotField, type OracleSnapshot, type SpotVolOracle } from "./oracle.js";
import { floatUnits } from "./units.js";

/** The timing parameters of the rule (seconds). */
export interface SettlementTiming {
  maxSettlementDelaySeconds: number;
  settlementFallbackWindowSeconds: number;
}

/** A fixed settlement price. */
export interface SettlementPrice {
  price: number;
  /** priceDecimals units, rounded against the holders (up for puts, down for calls). */
  priceUnits: bigint;
  source: SettlementSource;
  /** Timestamp of the print, or end of the TWAP window, or time of the admin call. */
  observedAt: number;
}

/** The price of an expiry, or why there is none yet. */
export type SettlementLookup = ({ status: "priced" } & SettlementPrice) | { status: "pending"; reason: string };

/** `price` in priceDecimals units rounded against the holders, or undefined when it is not a usable price. */
export function settlementUnits(price: number, kind: CollateralKind, scales: Scales): bigint | undefined {
  const scaled = price * 10 ** scales.priceDecimals;
  if (!(Number.isFinite(scaled) && scaled >= 1)) return undefined;
  return floatUnits(scaled, kind === "quote" ? "up" : "down");
}

function usable(o: OracleSnapshot): boolean {
  return invalidSnapshotField(o) === undefined;
}

/** Geometric time-weighted average of the spot prints in (from, to], each holding until the next; undefined without prints. */
function twapAfter(prints: readonly OracleSnapshot[], from: number, to: number): number | undefined {
  const inside = prints.filter((o) => o.timestamp > from && o.timestamp <= to && usable(o));
  if (inside.length === 0) return undefined;
  let integral = 0;
  inside.forEach((o, i) => {
    const until = i + 1 < inside.length ? inside[i + 1]!.timestamp : to;
    integral += Math.log(o.spot) * (until - o.timestamp);
  });
  const covered = to - inside[0]!.timestamp;
  // A single print at the window's end covers no time: it is the average.
  return covered > 0 ? Math.exp(integral / covered) : inside[0]!.spot;
}

/** The settlement price of `expiry` at time `now` under the rule above (prints and TWAP only; admin prices live in the ledger). */
export function lookupSettlementPrice(
  expiry: number,
  oracle: SpotVolOracle,
  timing: SettlementTiming,
  kind: CollateralKind,
  scales: Scales,
  now: number,
): SettlementLookup {
  const D = timing.maxSettlementDelaySeconds;
  const W = timing.settlementFallbackWindowSeconds;
  // Only the prints up to the end of the fallback window matter (an oracle may return later ones too).
  const prints = oracle.history ? oracle.history(expiry, expiry + D + W) : [oracle.latest()].filter((o) => o.timestamp >= expiry);
  for (const o of prints) {
    if (o.timestamp > expiry + D) break;
    const priceUnits = usable(o) ? settlementUnits(o.spot, kind, scales) : undefined;
    // An unusable print (not finite, out of range) is no print: the next one in the window counts.
    if (priceUnits !== undefined) return { status: "priced", price: o.spot, priceUnits, source: "print", observedAt: o.timestamp };
  }
  if (now <= expiry + D) return { status: "pending", reason: `waiting for the first oracle print at or after expiry ${expiry} (until ${expiry + D})` };
  if (now < expiry + D + W)
    return { status: "pending", reason: `no oracle print within ${D} s after expiry ${expiry}; the TWAP fallback is available from ${expiry + D + W}` };
  const average = oracle.history ? twapAfter(prints, expiry + D, expiry + D + W) : undefined;
  const priceUnits = average === undefined ? undefined : settlementUnits(average, kind, scales);
  if (average === undefined || priceUnits === undefined)
    return { status: "pending", reason: `no usable oracle print within ${D} s after expiry ${expiry} nor in the fallback window: an admin settlement is needed (adminSettle)` };
  return { status: "priced", price: average, priceUnits, source: "twap", observedAt: expiry + D + W };
}

/** Expiries at or before `now` that still have open series or pending protocol fees, oldest first. */
export function dueExpiries(state: PoolState, now: number): number[] {
  const due: number[] = [];
  for (const expiry of state.openExpiries) {
    if (expiry > now) break;
    due.push(expiry);
  }
  return due;
}

/** The `settle` event of `expiry` at `price` on `state`: payouts per holder (canonical order), collateral released, treasury fees. */
export function settlementEvent(
  state: PoolState,
  expiry: number,
  price: SettlementPrice,
  settings: TypeRule & { treasury: string },
  reason = "",
): Extract<PoolEventBody, { kind: "settle" }> {
  const payouts: SettlementPayout[] = [];
  let unlocked = 0n;
  for (const key of state.seriesByExpiry.get(expiry) ?? []) {
    const s = state.series.get(key)!;
    unlocked += s.locked;
    for (const [account, size] of state.holders.get(key) ?? []) {
      const amount = payoutOf(settings, s.type, s.strikeUnits, price.priceUnits, size);
      if (amount > 0n) payouts.push({ account, strikeUnits: s.strikeUnits, size, amount });
    }
  }
  payouts.sort((a, b) => (a.account === b.account ? (a.strikeUnits < b.strikeUnits ? -1 : 1) : a.account < b.account ? -1 : 1));
  const treasuryFee = state.treasuryPending.get(String(expiry)) ?? 0n;
  return {
    kind: "settle", expiry, price: price.price, priceUnits: price.priceUnits, source: price.source, observedAt: price.observedAt, reason,
    payouts, unlocked, treasuryFee, treasury: settings.treasury,
  };
}

/** Throws SETTLEMENT_PENDING naming `expiry` with the lookup's reason. */
export function pendingError(expiry: number, lookup: Extract<SettlementLookup, { status: "pending" }>): PoolError {
  return new PoolError("SETTLEMENT_PENDING", "expiry", `expiry ${expiry} has no settlement price yet: ${lookup.reason}`);
}
