// The book's verifying replay: before a book event is applied, what follows from the book's state and the pool's
// settings is derived again and must match (the pool's log has the same in pool/verify.ts).
//   list / place / fill   the series' exact strike units and type, before its expiry; a resting order's escrow
//                         (bids: ⌈limit·size⌉, asks: the collateral); a fill's premium telescoped on the maker's
//                         cumulative size, the writer's collateral within one unit of the exact amount, no self-fill
//   cancel                an expiry refund only after the series expired
//   settle                at or after expiry, at the pool's recorded price when it has one, every payout, the
//                         collateral released, the dust, the treasury
//   claim                 the whole claimable balance
//   poolOrder             the series as for an order; poolFill / poolFailed against the pool's log (pool-part.ts)
// After it is applied: paid in − paid out = escrow + locked + claimable, and each series' collateral covers it.
import { lockFor } from "../option-types.js";
import { PoolError } from "../errors.js";
import type { OptionPool } from "../option-pool.js";
import { seriesKey } from "../ledger.js";
import { seriesRefOf } from "../series.js";
import { mulDiv, pow10 } from "../units.js";
import type { BookEvent } from "./events.js";
import { canonicalBookEvent } from "./events.js";
import { matchAmount } from "./margin-mode.js";
import { bookSettlement } from "./settlement.js";
import type { BookState } from "./state.js";
import { verifyPoolOutcome } from "./pool-part.js";
import type { SeriesRef } from "../events.js";

function mismatch(e: BookEvent, field: string, problem: string): never {
  throw new PoolError("REPLAY_MISMATCH", field, `book seq ${e.seq} (${e.kind}): ${problem}`);
}

function checkSeries(pool: OptionPool, e: BookEvent, series: SeriesRef): void {
  const s = pool.settings;
  let ref: SeriesRef;
  try {
    ref = seriesRefOf(series, s.collateral, s);
  } catch (err) {
    return mismatch(e, "series", (err as Error).message);
  }
  if (ref.strikeUnits !== series.strikeUnits) mismatch(e, "series.strikeUnits", `strike ${series.strike} is ${ref.strikeUnits} units`);
  if (e.kind !== "cancel" && e.kind !== "settle" && e.time >= series.expiry) mismatch(e, "time", `the series expired at ${series.expiry}`);
}

function verifyFill(pool: OptionPool, state: BookState, e: Extract<BookEvent, { kind: "fill" }>): void {
  const s = pool.settings;
  const o = state.orders.get(e.makerId);
  if (!o) return mismatch(e, "makerId", `no resting order ${e.makerId}`);
  if (e.taker === e.maker) mismatch(e, "taker", "an order never fills its owner's own order");
  const scale = pow10(s.sizeDecimals);
  const amount = mulDiv(o.price, o.filled + e.size, scale, "up") - mulDiv(o.price, o.filled, scale, "up");
  if (e.amount !== amount) mismatch(e, "amount", `${e.size} at ${o.price} after ${o.filled} filled is ${amount}`);
  const exact = lockFor(s, e.series.type, e.series.strikeUnits, e.size);
  if (o.side === "sell") {
    const telescoped = lockFor(s, e.series.type, e.series.strikeUnits, o.filled + e.size) - lockFor(s, e.series.type, e.series.strikeUnits, o.filled);
    if (e.collateral !== telescoped) mismatch(e, "collateral", `the writer's collateral is ${telescoped}`);
  } else if (e.collateral + 1n < exact || e.collateral > exact) mismatch(e, "collateral", `the taker writes ${e.size}: collateral within one unit below ${exact}`);
}

/**
 * Checks `e` against `state` (the book before it) and its pool; throws PoolError("REPLAY_MISMATCH") naming the book seq
 * and field. `margin`: the book runs in margin mode (orders escrow nothing, matches instead of fills).
 */
export function verifyBookEvent(pool: OptionPool, state: BookState, e: BookEvent, margin = false): void {
  const s = pool.settings;
  switch (e.kind) {
    case "list":
      return checkSeries(pool, e, e.series);
    case "place": {
      checkSeries(pool, e, e.series);
      const escrow = margin ? 0n : e.side === "buy" ? mulDiv(e.price, e.size, pow10(s.sizeDecimals), "up") : lockFor(s, e.series.type, e.series.strikeUnits, e.size);
      if (e.escrow !== escrow) mismatch(e, "escrow", `a ${e.side} of ${e.size} at ${e.price} escrows ${escrow}`);
      return;
    }
    case "fill":
      checkSeries(pool, e, e.series);
      if (margin) mismatch(e, "kind", "a margin-mode book matches, it does not fill");
      return verifyFill(pool, state, e);
    case "match": {
      checkSeries(pool, e, e.series);
      if (!margin) mismatch(e, "kind", "only a margin-mode book matches");
      if (e.taker === e.maker) mismatch(e, "taker", "an order never fills its owner's own order");
      const amount = matchAmount(e.price, e.size, s.sizeDecimals);
      if (e.amount !== amount) mismatch(e, "amount", `${e.size} at ${e.price} is ${amount}`);
      return;
    }
    case "cancel": {
      const o = state.orders.get(e.id);
      if (o && e.reason === "expiry" && e.time < o.series.expiry) mismatch(e, "reason", `order ${e.id}'s series expires at ${o.series.expiry}`);
      return;
    }
    case "settle": {
      if (e.time < e.expiry) mismatch(e, "time", `settled at ${e.time}, before expiry ${e.expiry}`);
      if (e.treasury !== s.treasury) mismatch(e, "treasury", `the pool's treasury is ${s.treasury}`);
      let recorded: bigint | undefined;
      try {
        recorded = pool.settlementPrice(e.expiry).priceUnits;
      } catch {
        recorded = undefined; // the pool has no price for it (yet): only the hash chain vouches for this one
      }
      if (recorded !== undefined && recorded !== e.priceUnits) mismatch(e, "priceUnits", `the pool settled expiry ${e.expiry} at ${recorded}`);
      const expected = { ...e, ...bookSettlement(state, e.expiry, e.priceUnits, s) };
      if (canonicalBookEvent(expected) !== canonicalBookEvent(e)) mismatch(e, "payouts", "payouts, released collateral or dust differ from the positions at this price");
      return;
    }
    case "claim":
      if (e.assets !== (state.claimable.get(e.account) ?? 0n)) mismatch(e, "assets", `${e.account} can claim ${state.claimable.get(e.account) ?? 0n}`);
      return;
    case "poolOrder":
      return checkSeries(pool, e, e.series);
    case "poolFill":
    case "poolFailed":
      return verifyPoolOutcome(pool, state, e);
  }
}

/** After an event: conservation, and every open series covered by its writers' collateral. */
export function checkBookAfter(pool: OptionPool, state: BookState, e: BookEvent): void {
  if (state.paidIn - state.paidOut !== state.escrow + state.locked + state.claimableTotal)
    mismatch(e, "flows", "paid in − paid out ≠ escrow + locked + claimable");
  if (e.kind !== "fill") return;
  // A fill changes one series: only its cover can have moved.
  const p = state.positions.get(seriesKey(e.series));
  if (p && p.locked < lockFor(pool.settings, p.series.type, p.series.strikeUnits, p.openSize)) mismatch(e, "collateral", "a series' collateral no longer covers its open size");
}
