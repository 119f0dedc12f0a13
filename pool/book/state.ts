// The book's ledger: resting orders, peer positions and balances as exact bigints, changed only by
// applyBookEvent(). Conservation: paidIn − paidOut = escrow + locked + Σ claimable, after every event.
import { PoolError } from "../errors.js";
import type { SeriesRef } from "../events.js";
import { seriesKey } from "../ledger.js";
import type { BookEvent, BookSide } from "./events.js";

/** A resting limit order. `size` is what remains; `filled` what has traded; `escrow` what it still holds. */
export interface RestingOrder {
  id: number;
  owner: string;
  side: BookSide;
  series: SeriesRef;
  /** Base units per whole contract. */
  price: bigint;
  /** Remaining size (size units). */
  size: bigint;
  /** Size already filled. */
  filled: bigint;
  /** Escrow still held: bids the premium of the remaining size, asks its collateral. */
  escrow: bigint;
  /** Placement time (unix seconds); priority among equal prices is by id (earlier first). */
  time: number;
}

/** Peer positions of one series: longs by account; shorts by account and the series' locked collateral. */
export interface PeerSeries {
  series: SeriesRef;
  longs: Map<string, bigint>;
  shorts: Map<string, bigint>;
  /** Collateral locked by the writers of this series (base units). */
  locked: bigint;
  /** Open size = Σ longs = Σ shorts. */
  openSize: bigint;
}

function bump(map: Map<string, bigint>, key: string, delta: bigint, field: string): void {
  const next = (map.get(key) ?? 0n) + delta;
  if (next < 0n) throw new PoolError("REPLAY_MISMATCH", field, `${key} would go negative`);
  if (next === 0n) map.delete(key);
  else map.set(key, next);
}

function mismatch(field: string, problem: string): never {
  throw new PoolError("REPLAY_MISMATCH", field, problem);
}

/** The whole ledger state of a peer book. */
export class BookState {
  seq = 0;
  nextOrderId = 1;
  /** Listed series by key. */
  listed = new Map<string, SeriesRef>();
  orders = new Map<number, RestingOrder>();
  positions = new Map<string, PeerSeries>();
  /** Held for resting orders (base units). */
  escrow = 0n;
  /** Locked by writers of open peer positions. */
  locked = 0n;
  claimable = new Map<string, bigint>();
  paidIn = 0n;
  paidOut = 0n;
  /** Time of the last event (unix seconds): events never go back in time. */
  time = 0;
  /** Hash of the last event (the head of the book's chain; its genesis hash before any event). */
  hash = "";

  clone(): BookState {
    const c = new BookState();
    c.seq = this.seq;
    c.nextOrderId = this.nextOrderId;
    c.listed = new Map(this.listed);
    c.orders = new Map([...this.orders].map(([k, o]) => [k, { ...o }]));
    c.positions = new Map([...this.positions].map(([k, p]) => [k, { ...p, longs: new Map(p.longs), shorts: new Map(p.shorts) }]));
    c.escrow = this.escrow;
    c.locked = this.locked;
    c.claimable = new Map(this.claimable);
    c.paidIn = this.paidIn;
    c.paidOut = this.paidOut;
    c.time = this.time;
    c.hash = this.hash;
    return c;
  }

  /** Σ claimable balances. */
  get claimableTotal(): bigint {
    let t = 0n;
    for (const v of this.claimable.values()) t += v;
    return t;
  }

  /** Resting orders of a series and side in priority order: best price first, then earliest (lowest id). */
  side(key: string, side: BookSide): RestingOrder[] {
    const list = [...this.orders.values()].filter((o) => o.side === side && seriesKey(o.series) === key);
    return list.sort((a, b) => (a.price === b.price ? a.id - b.id : (side === "buy" ? a.price > b.price : a.price < b.price) ? -1 : 1));
  }

  /** Key-sorted JSON-safe picture (bigints as strings): equal books give equal text. */
  snapshot(): Record<string, unknown> {
    const big = (m: Map<string, bigint>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.toString()]));
    const ref = (s: SeriesRef) => ({ ...s, strikeUnits: s.strikeUnits.toString() });
    return {
      seq: this.seq,
      nextOrderId: this.nextOrderId,
      listed: [...this.listed.keys()].sort(),
      orders: [...this.orders.values()].sort((a, b) => a.id - b.id).map((o) => ({
        ...o, series: ref(o.series), price: o.price.toString(), size: o.size.toString(), filled: o.filled.toString(), escrow: o.escrow.toString(),
      })),
      positions: [...this.positions].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, p]) => ({
        key: k, longs: big(p.longs), shorts: big(p.shorts), locked: p.locked.toString(), openSize: p.openSize.toString(),
      })),
      escrow: this.escrow.toString(),
      locked: this.locked.toString(),
      claimable: big(this.claimable),
      paidIn: this.paidIn.toString(),
      paidOut: this.paidOut.toString(),
      time: this.time,
      hash: this.hash,
    };
  }
}

/** Applies one event to `state` (mutating it); throws REPLAY_MISMATCH for an event that does not fit. */
export function applyBookEvent(state: BookState, e: BookEvent): void {
  if (e.seq !== state.seq + 1) mismatch("seq", `expected seq ${state.seq + 1}, got ${String(e.seq)}`);
  if (e.time < state.time) mismatch("time", `seq ${e.seq}: time ${e.time} is before the previous event's ${state.time}`);
  switch (e.kind) {
    case "list": {
      const key = seriesKey(e.series);
      if (state.listed.has(key)) mismatch("series", `${key} listed twice`);
      state.listed.set(key, e.series);
      break;
    }
    case "place": {
      if (!state.listed.has(seriesKey(e.series))) mismatch("series", "order on an unlisted series");
      if (e.id !== state.nextOrderId) mismatch("id", `expected order ${state.nextOrderId}, got ${e.id}`);
      if (e.size <= 0n || e.price <= 0n || e.escrow < 0n) mismatch("size", "bad order");
      state.orders.set(e.id, { id: e.id, owner: e.owner, side: e.side, series: e.series, price: e.price, size: e.size, filled: 0n, escrow: e.escrow, time: e.time });
      state.nextOrderId = e.id + 1;
      state.escrow += e.escrow;
      state.paidIn += e.escrow;
      break;
    }
    case "fill": {
      const o = state.orders.get(e.makerId);
      if (!o || o.owner !== e.maker || o.side !== e.makerSide || o.size < e.size || o.price !== e.price) mismatch("makerId", `order ${e.makerId} cannot fill ${e.size}`);
      if (e.size <= 0n) mismatch("size", "fill of nothing");
      // The maker's part comes out of its escrow; the taker pays its part in.
      const fromEscrow = o.side === "sell" ? e.collateral : e.amount;
      const paidByTaker = o.side === "sell" ? e.amount : e.collateral;
      if (o.escrow < fromEscrow) mismatch("escrow", `order ${o.id} holds ${o.escrow} < ${fromEscrow}`);
      o.escrow -= fromEscrow;
      o.size -= e.size;
      o.filled += e.size;
      if (o.size === 0n) {
        if (o.escrow !== 0n) mismatch("escrow", `order ${o.id} filled with ${o.escrow} escrow left`);
        state.orders.delete(o.id);
      }
      state.escrow -= fromEscrow;
      state.paidIn += paidByTaker;
      const buyer = o.side === "buy" ? e.maker : e.taker;
      const seller = o.side === "sell" ? e.maker : e.taker;
      bump(state.claimable, seller, e.amount, "amount");
      const key = seriesKey(e.series);
      let p = state.positions.get(key);
      if (!p) state.positions.set(key, (p = { series: e.series, longs: new Map(), shorts: new Map(), locked: 0n, openSize: 0n }));
      bump(p.longs, buyer, e.size, "size");
      bump(p.shorts, seller, e.size, "size");
      p.locked += e.collateral;
      p.openSize += e.size;
      state.locked += e.collateral;
      break;
    }
    case "cancel": {
      const o = state.orders.get(e.id);
      if (!o || o.owner !== e.owner || o.escrow !== e.refund) mismatch("id", `order ${e.id} cannot be cancelled for ${e.refund}`);
      state.orders.delete(e.id);
      state.escrow -= e.refund;
      state.paidOut += e.refund;
      break;
    }
    case "settle": {
      let unlocked = 0n;
      for (const [key, p] of [...state.positions]) {
        if (p.series.expiry !== e.expiry) continue;
        unlocked += p.locked;
        state.positions.delete(key);
      }
      if (unlocked !== e.unlocked) mismatch("unlocked", `expected ${unlocked}, event says ${e.unlocked}`);
      let paid = e.dust;
      for (const x of e.payouts) {
        paid += x.amount;
        bump(state.claimable, x.account, x.amount, "amount");
      }
      if (paid !== unlocked) mismatch("payouts", `payouts ${paid} ≠ unlocked ${unlocked}`);
      bump(state.claimable, e.treasury, e.dust, "dust");
      state.locked -= unlocked;
      break;
    }
    case "claim":
      bump(state.claimable, e.account, -e.assets, "assets");
      state.paidOut += e.assets;
      break;
    default:
      mismatch("kind", `seq ${(e as BookEvent).seq}: unknown event kind`);
  }
  state.seq = e.seq;
  state.time = e.time;
  state.hash = e.hash;
}
