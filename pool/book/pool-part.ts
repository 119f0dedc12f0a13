// The pool's part of a book order, across two logs that commit separately (the book's store and the pool's): the book
// records a poolOrder event first, the pool then trades with that event's hash as its `ref`, and the book records the
// outcome: poolFill (the trade's seq and amount, found in the pool's log by reference) or poolFailed (no trade carries
// the reference). Whatever step is refused or cut by a crash, the two logs agree once the outcome is recorded:
//   - the book's poolOrder refused, or a crash before it: the pool never saw the order;
//   - the pool refuses its trade, or a crash before the trade is stored: no trade carries the reference → poolFailed;
//   - the book's record of the outcome refused, or a crash before it: the order stays pending in the book's state and
//     its outcome is read from the pool's log at the book's next operation or at PeerBook.open.
// The pool never holds a trade of the book without the poolOrder before it: the reference is that event's hash.
import { PoolError } from "../errors.js";
import type { PoolEvent } from "../events.js";
import { seriesKey } from "../ledger.js";
import type { OptionPool } from "../option-pool.js";
import type { BookEvent, BookEventBody } from "./events.js";
import type { BookState, PoolOrder } from "./state.js";

/** Pool events read per page while looking for a trade by reference. */
const PAGE = 1024;

type Trade = Extract<PoolEvent, { kind: "trade" }>;

/** Whether the trade `t` is the one `o` asked for: same trader, side, series and size, within its bound. */
function fills(o: PoolOrder, t: Trade): boolean {
  return t.trader === o.trader && t.side === o.side && seriesKey(t.series) === seriesKey(o.series) && t.size === o.size
    && (o.side === "buy" ? t.paid <= o.bound : t.paid >= o.bound);
}

/**
 * The pool's trade of `o` among its events after `o.poolSeq` up to `to`: the first carrying its reference that is the
 * order (trader, side, series, size, within its bound), or undefined. Another trade with the reference is not the
 * order's: the reference is public once the book's log is, and anyone who trades with the pool may set one, so a
 * stranger's trade neither fills the order nor stops the book (it would jam every later operation).
 */
export function findPoolTrade(pool: OptionPool, o: PoolOrder, to: number): Trade | undefined {
  for (let after = o.poolSeq; after < to; ) {
    const page = pool.eventsSince(after, Math.min(PAGE, to - after));
    if (page.length === 0) return undefined;
    for (const e of page) {
      if (e.kind === "trade" && e.ref === o.hash && fills(o, e)) return e;
    }
    after = page[page.length - 1]!.seq;
  }
  return undefined;
}

/**
 * Emits the outcome of every pending pool part whose pool has moved past it (a pool behind the book is not the pool
 * it traded with, or lost events: its orders stay pending): poolFill when the pool's log holds the trade, else
 * poolFailed with `reasons`' word for it when the caller knows why (the pool's refusal).
 */
export function resolvePoolOrders(pool: OptionPool, state: BookState, emit: (body: BookEventBody) => void, reasons?: ReadonlyMap<number, string>): void {
  if (state.poolOrders.size === 0) return;
  const head = pool.seq;
  for (const o of [...state.poolOrders.values()]) {
    if (head < o.poolSeq) continue;
    const t = findPoolTrade(pool, o, head);
    if (t) emit({ kind: "poolFill", order: o.seq, poolSeq: t.seq, paid: t.paid });
    else emit({ kind: "poolFailed", order: o.seq, checkedTo: head, reason: (reasons?.get(o.seq) ?? `no trade in the pool's log up to seq ${head}`).slice(0, 500) });
  }
}

function mismatch(e: BookEvent, field: string, problem: string): never {
  throw new PoolError("REPLAY_MISMATCH", field, `book seq ${e.seq} (${e.kind}): ${problem}`);
}

/**
 * The verifying replay of poolFill and poolFailed (poolOrder is checked as an order: book/verify.ts): against the
 * pool's log when it reaches the seqs the event names (a pool behind them, e.g. a fresh replay, leaves only the hash
 * chain to vouch for the event, as for a settlement price the pool does not have yet).
 */
export function verifyPoolOutcome(pool: OptionPool, state: BookState, e: Extract<BookEvent, { kind: "poolFill" | "poolFailed" }>): void {
  const o = state.poolOrders.get(e.order);
  if (!o) return mismatch(e, "order", `no pool order at book seq ${e.order} is pending`);
  if (e.kind === "poolFill") {
    if (e.poolSeq <= o.poolSeq) mismatch(e, "poolSeq", `the pool's trade comes after seq ${o.poolSeq}`);
    if (o.side === "buy" ? e.paid > o.bound : e.paid < o.bound) mismatch(e, "paid", `${e.paid} is beyond the order's bound ${o.bound}`);
    if (e.poolSeq > pool.seq) return;
    const t = pool.eventsSince(e.poolSeq - 1, 1)[0];
    if (t?.kind !== "trade" || t.ref !== o.hash || !fills(o, t) || t.paid !== e.paid) mismatch(e, "poolSeq", `pool seq ${e.poolSeq} is not the trade of book seq ${o.seq} for ${e.paid}`);
    return;
  }
  if (e.checkedTo < o.poolSeq) mismatch(e, "checkedTo", `the pool's log was at seq ${o.poolSeq} already`);
  if (e.checkedTo <= pool.seq && findPoolTrade(pool, o, e.checkedTo)) mismatch(e, "order", `the pool's log holds the trade of book seq ${o.seq}`);
}
