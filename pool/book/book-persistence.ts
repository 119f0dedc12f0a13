// Snapshots of the peer book (issue 16), as the pool has them (pool-persistence.ts): the book's state at seq N in its
// store, MAC'ed under the ledger key over the book's genesis, the seq, the chain head and the state text, so
// PeerBook.open starts from it and verifies only the events after it. A snapshot is a shortcut, never the truth: one
// whose MAC, chain head or own totals do not hold is refused (TAMPERED), and without a key a snapshot is used only
// when the caller trusts the store ({ snapshot: "trusted" }).
import { PoolError } from "../errors.js";
import type { SeriesRef } from "../events.js";
import { restoreSnapshot, snapshotRecord, type SnapshotUse } from "../pool-persistence.js";
import type { EventStore, StoredSnapshot } from "../store/types.js";
import type { BookEvent, BookSide } from "./events.js";
import { BookState, type Head, type PeerSeries, type PoolOrder, type RestingOrder } from "./state.js";

type Json = Record<string, unknown>;

function bad(field: string, problem: string): never {
  throw new PoolError("INVALID_EVENT", `snapshot.${field}`, `the book's snapshot: ${field} ${problem}`);
}

function big(v: unknown, field: string): bigint {
  if (typeof v !== "string" || !/^(0|[1-9][0-9]*)$/.test(v)) bad(field, "must be a decimal string of digits");
  return BigInt(v);
}

function int(v: unknown, field: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) bad(field, "must be an integer ≥ 0");
  return v as number;
}

function text(v: unknown, field: string): string {
  if (typeof v !== "string") bad(field, "must be a string");
  return v;
}

function list(v: unknown, field: string): Json[] {
  if (!Array.isArray(v)) bad(field, "must be an array");
  return v as Json[];
}

function side(v: unknown, field: string): BookSide {
  if (v !== "buy" && v !== "sell") bad(field, 'must be "buy" or "sell"');
  return v;
}

function series(v: unknown, field: string): SeriesRef {
  const s = v as Json;
  if (s?.type !== "call" && s?.type !== "put") bad(`${field}.type`, 'must be "call" or "put"');
  if (typeof s.strike !== "number" || !(s.strike > 0)) bad(`${field}.strike`, "must be a number > 0");
  return { type: s.type, strike: s.strike, strikeUnits: big(s.strikeUnits, `${field}.strikeUnits`), expiry: int(s.expiry, `${field}.expiry`) };
}

function amounts(v: unknown, field: string): [string, bigint][] {
  if (typeof v !== "object" || v === null) bad(field, "must be an object");
  return Object.entries(v as Json).map(([k, x]) => [k, big(x, `${field}.${k}`)]);
}

/** The book's state from its snapshot JSON (BookState.snapshot()), checked field by field and against its own totals. */
export function bookStateFromSnapshot(json: Json, genesis: string): BookState {
  const head: Head = {
    seq: int(json.seq, "seq"), nextOrderId: int(json.nextOrderId, "nextOrderId"), escrow: big(json.escrow, "escrow"), locked: big(json.locked, "locked"),
    claimable: 0n, paidIn: big(json.paidIn, "paidIn"), paidOut: big(json.paidOut, "paidOut"), toPool: big(json.toPool, "toPool"),
    fromPool: big(json.fromPool, "fromPool"), time: int(json.time, "time"), hash: text(json.hash, "hash"),
  };
  const orders: RestingOrder[] = list(json.orders, "orders").map((o, i) => ({
    id: int(o.id, `orders[${i}].id`), owner: text(o.owner, `orders[${i}].owner`), side: side(o.side, `orders[${i}].side`), series: series(o.series, `orders[${i}].series`),
    price: big(o.price, `orders[${i}].price`), size: big(o.size, `orders[${i}].size`), filled: big(o.filled, `orders[${i}].filled`),
    escrow: big(o.escrow, `orders[${i}].escrow`), time: int(o.time, `orders[${i}].time`),
  }));
  const positions: PeerSeries[] = list(json.positions, "positions").map((p, i) => ({
    series: series(p.series, `positions[${i}].series`), longs: new Map(amounts(p.longs, `positions[${i}].longs`)),
    shorts: new Map(amounts(p.shorts, `positions[${i}].shorts`)), locked: big(p.locked, `positions[${i}].locked`), openSize: big(p.openSize, `positions[${i}].openSize`),
  }));
  const poolOrders: PoolOrder[] = list(json.poolOrders, "poolOrders").map((o, i) => ({
    seq: int(o.seq, `poolOrders[${i}].seq`), hash: text(o.hash, `poolOrders[${i}].hash`), trader: text(o.trader, `poolOrders[${i}].trader`),
    side: side(o.side, `poolOrders[${i}].side`), series: series(o.series, `poolOrders[${i}].series`), size: big(o.size, `poolOrders[${i}].size`),
    bound: big(o.bound, `poolOrders[${i}].bound`), poolSeq: int(o.poolSeq, `poolOrders[${i}].poolSeq`),
  }));
  const claimable = amounts(json.claimable, "claimable");
  head.claimable = claimable.reduce((t, [, x]) => t + x, 0n);
  const listed = list(json.listed, "listed").map((s, i) => series(s, `listed[${i}]`));
  // The totals must be the sums of what they total, and conservation must hold, as after any event.
  const sum = <T>(xs: T[], f: (x: T) => bigint) => xs.reduce((t, x) => t + f(x), 0n);
  if (sum(orders, (o) => o.escrow) !== head.escrow) throw new PoolError("TAMPERED", "snapshot", "the book's snapshot: escrow is not the sum of its orders' escrow");
  if (sum(positions, (p) => p.locked) !== head.locked) throw new PoolError("TAMPERED", "snapshot", "the book's snapshot: locked is not the sum of its series' collateral");
  if (head.paidIn - head.paidOut !== head.escrow + head.locked + head.claimable) throw new PoolError("TAMPERED", "snapshot", "the book's snapshot: paid in − paid out ≠ escrow + locked + claimable");
  const state = new BookState(genesis);
  state.load({ head, listed, orders, positions, claimable, poolOrders });
  return state;
}

/** The snapshot record of the book's state (MAC'ed under `key` over the book's genesis when there is one). */
export function bookSnapshotRecord(state: BookState, genesis: string, key: Uint8Array | undefined): StoredSnapshot {
  return snapshotRecord(state, genesis, key);
}

/** The book's state to resume from: its store's latest snapshot when `use` allows it (see SnapshotUse), else undefined. */
export function bookSnapshotState(store: EventStore<BookEvent>, use: SnapshotUse, genesis: string, key: Uint8Array | undefined): BookState | undefined {
  return restoreSnapshot(store, use, genesis, key, (json) => bookStateFromSnapshot(json, genesis));
}
