// The book's ledger: resting orders, peer positions and balances as exact bigints, changed only by apply() (one
// event at a time; applyBookEvent). Conservation: paidIn − paidOut = escrow + locked + Σ claimable, after every event.
// Changes are made in place. Inside a transaction (begin … commit | rollback) each one records its inverse in an
// UndoLog (pool/undo.ts), so an operation costs what it touches and a refused one is taken back the same way;
// the indexes (indexes.ts) change through the same log. Nothing here depends on a map's insertion order (a
// rolled-back delete puts a key back at the end): snapshots sort, settlement payouts are in canonical order.
import { PoolError } from "../errors.js";
import type { SeriesRef } from "../events.js";
import { seriesKey } from "../ledger.js";
import { UndoLog } from "../undo.js";
import type { BookEvent, BookSide } from "./events.js";
import { OrderIndex, PositionIndex } from "./indexes.js";

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

/** An order's pool part recorded before the pool trades, until its poolFill or poolFailed (book/pool-part.ts). */
export interface PoolOrder {
  /** Seq and hash of the poolOrder event (the hash is the reference the pool's trade carries). */
  seq: number;
  hash: string;
  trader: string;
  side: BookSide;
  series: SeriesRef;
  size: bigint;
  /** Buys: the most paid in total; sells: the least received (base units). */
  bound: bigint;
  /** The pool's last seq when it was recorded: its trade, if any, comes after. */
  poolSeq: number;
}

/** The book's running totals and chain head. */
export interface Head {
  seq: number;
  nextOrderId: number;
  escrow: bigint;
  locked: bigint;
  claimable: bigint;
  paidIn: bigint;
  paidOut: bigint;
  /** Σ paid to the pool by the buyers of pool parts, and by the pool to their sellers (base units; not the book's money). */
  toPool: bigint;
  fromPool: bigint;
  time: number;
  hash: string;
}

function mismatch(field: string, problem: string): never {
  throw new PoolError("REPLAY_MISMATCH", field, problem);
}

/** The whole ledger state of a peer book, with its indexes; read through the getters, changed through apply(). */
export class BookState {
  private readonly undo = new UndoLog();
  private readonly head: Head;
  private readonly listedMap = new Map<string, SeriesRef>();
  private readonly orderMap = new Map<number, RestingOrder>();
  private readonly positionMap = new Map<string, PeerSeries>();
  private readonly claimableMap = new Map<string, bigint>();
  private readonly poolOrderMap = new Map<number, PoolOrder>();
  private readonly book = new OrderIndex(this.undo);
  private readonly holdings = new PositionIndex(this.undo);

  /** An empty book whose chain starts at `genesis` (the hash before any event). */
  constructor(genesis = "") {
    this.head = { seq: 0, nextOrderId: 1, escrow: 0n, locked: 0n, claimable: 0n, paidIn: 0n, paidOut: 0n, toPool: 0n, fromPool: 0n, time: 0, hash: genesis };
  }

  /** Seq of the last event (0 before any). */
  get seq(): number { return this.head.seq; }
  /** Id the next resting order gets. */
  get nextOrderId(): number { return this.head.nextOrderId; }
  /** Held for resting orders (base units). */
  get escrow(): bigint { return this.head.escrow; }
  /** Locked by writers of open peer positions (base units). */
  get locked(): bigint { return this.head.locked; }
  /** Σ claimable balances (base units). */
  get claimableTotal(): bigint { return this.head.claimable; }
  /** Cumulative flows into and out of the book (base units). */
  get paidIn(): bigint { return this.head.paidIn; }
  get paidOut(): bigint { return this.head.paidOut; }
  /** Σ paid to the pool (buys) and by the pool (sells) for the pool parts the book recorded as filled. */
  get toPool(): bigint { return this.head.toPool; }
  get fromPool(): bigint { return this.head.fromPool; }
  /** Pool parts recorded and not yet resolved (poolFill or poolFailed), by the seq of their poolOrder event. */
  get poolOrders(): ReadonlyMap<number, PoolOrder> { return this.poolOrderMap; }
  /** Time of the last event (unix seconds): events never go back in time. */
  get time(): number { return this.head.time; }
  /** Hash of the last event (the head of the book's chain; its genesis hash before any event). */
  get hash(): string { return this.head.hash; }
  /** Listed series by seriesKey. */
  get listed(): ReadonlyMap<string, SeriesRef> { return this.listedMap; }
  /** Resting orders by id. */
  get orders(): ReadonlyMap<number, RestingOrder> { return this.orderMap; }
  /** Open peer series by seriesKey. */
  get positions(): ReadonlyMap<string, PeerSeries> { return this.positionMap; }
  /** Claimable balances by account (base units; no zero entries). */
  get claimable(): ReadonlyMap<string, bigint> { return this.claimableMap; }

  // ------------------------------------------------------------ transactions

  /** Starts recording changes (transactions do not nest). */
  begin(): void {
    this.undo.begin();
  }

  /** Keeps every change since begin(). */
  commit(): void {
    this.undo.commit();
  }

  /** Takes back every change since begin(), indexes included. */
  rollback(): void {
    this.undo.rollback();
  }

  // ------------------------------------------------------------ lookups

  /** Resting orders of a series and side in priority order: best price first, then earliest (lowest id). */
  side(key: string, side: BookSide): RestingOrder[] {
    return this.book.inPriority(key, side);
  }

  /** The best resting order of a series and side, or undefined. O(log n). */
  best(key: string, side: BookSide): RestingOrder | undefined {
    return this.book.best(key, side);
  }

  /** The resting order after `o` in its series' priority (`o` may have left the book since), or undefined. O(log n). */
  after(o: RestingOrder): RestingOrder | undefined {
    return this.book.after(seriesKey(o.series), o);
  }

  /** Resting orders whose series has expired at `now` (unix seconds), by id. */
  dueOrders(now: number): RestingOrder[] {
    return this.book.due(now);
  }

  /** Open peer series expiring at `expiry`. */
  positionsExpiring(expiry: number): PeerSeries[] {
    return this.holdings.expiring(expiry);
  }

  /** Open peer series in which `account` is long or short. */
  positionsHeldBy(account: string): PeerSeries[] {
    return this.holdings.heldBy(account);
  }

  /** Key-sorted JSON-safe picture (bigints as strings): equal books give equal text. */
  snapshot(): Record<string, unknown> {
    const big = (m: ReadonlyMap<string, bigint>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.toString()]));
    const ref = (s: SeriesRef) => ({ ...s, strikeUnits: s.strikeUnits.toString() });
    return {
      seq: this.seq,
      nextOrderId: this.nextOrderId,
      listed: [...this.listedMap].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, series]) => ref(series)),
      orders: [...this.orderMap.values()].sort((a, b) => a.id - b.id).map((o) => ({
        ...o, series: ref(o.series), price: o.price.toString(), size: o.size.toString(), filled: o.filled.toString(), escrow: o.escrow.toString(),
      })),
      positions: [...this.positionMap].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, p]) => ({
        key: k, series: ref(p.series), longs: big(p.longs), shorts: big(p.shorts), locked: p.locked.toString(), openSize: p.openSize.toString(),
      })),
      escrow: this.escrow.toString(),
      locked: this.locked.toString(),
      claimable: big(this.claimableMap),
      paidIn: this.paidIn.toString(),
      paidOut: this.paidOut.toString(),
      toPool: this.toPool.toString(),
      fromPool: this.fromPool.toString(),
      poolOrders: [...this.poolOrderMap.values()].sort((a, b) => a.seq - b.seq).map((o) => ({
        ...o, series: ref(o.series), size: o.size.toString(), bound: o.bound.toString(),
      })),
      time: this.time,
      hash: this.hash,
    };
  }

  /**
   * Installs a whole state read back from a snapshot (book-persistence.ts) into this empty one, indexes included.
   * Outside any transaction: nothing is recorded.
   */
  load(parts: { head: Head; listed: SeriesRef[]; orders: RestingOrder[]; positions: PeerSeries[]; claimable: [string, bigint][]; poolOrders: PoolOrder[] }): void {
    if (this.seq !== 0) mismatch("seq", "a snapshot loads into an empty book only");
    Object.assign(this.head, parts.head);
    for (const series of parts.listed) this.listedMap.set(seriesKey(series), series);
    for (const o of parts.orders) {
      this.orderMap.set(o.id, o);
      this.book.add(seriesKey(o.series), o);
    }
    for (const p of parts.positions) {
      const key = seriesKey(p.series);
      this.positionMap.set(key, p);
      this.holdings.open(key, p);
      for (const account of [...p.longs.keys(), ...p.shorts.keys()]) this.holdings.hold(account, key, p);
    }
    for (const [account, amount] of parts.claimable) this.claimableMap.set(account, amount);
    for (const o of parts.poolOrders) this.poolOrderMap.set(o.seq, o);
  }

  // ------------------------------------------------------------ events

  /** Applies one event in place; throws REPLAY_MISMATCH for an event that does not fit. */
  apply(e: BookEvent): void {
    if (e.seq !== this.seq + 1) mismatch("seq", `expected seq ${this.seq + 1}, got ${String(e.seq)}`);
    if (e.time < this.time) mismatch("time", `seq ${e.seq}: time ${e.time} is before the previous event's ${this.time}`);
    switch (e.kind) {
      case "list": {
        const key = seriesKey(e.series);
        if (this.listedMap.has(key)) mismatch("series", `${key} listed twice`);
        this.undo.mapSet(this.listedMap, key, e.series);
        break;
      }
      case "place":
        this.place(e);
        break;
      case "fill":
        this.fill(e);
        break;
      case "match": {
        // Margin mode: the order's size goes down; money and positions move in the margin ledger.
        const o = this.orderMap.get(e.makerId);
        if (!o || o.owner !== e.maker || o.side !== e.makerSide || o.size < e.size || o.price !== e.price || o.escrow !== 0n) mismatch("makerId", `order ${e.makerId} cannot match ${e.size}`);
        this.undo.set(o, "size", o.size - e.size);
        this.undo.set(o, "filled", o.filled + e.size);
        if (o.size === 0n) this.removeOrder(o);
        break;
      }
      case "cancel": {
        const o = this.orderMap.get(e.id);
        if (!o || o.owner !== e.owner || o.escrow !== e.refund) mismatch("id", `order ${e.id} cannot be cancelled for ${e.refund}`);
        this.removeOrder(o);
        this.add("escrow", -e.refund);
        this.add("paidOut", e.refund);
        break;
      }
      case "settle":
        this.settle(e);
        break;
      case "claim":
        this.bumpClaimable(e.account, -e.assets, "assets");
        this.add("paidOut", e.assets);
        break;
      case "poolOrder": {
        const { kind: _k, time: _t, mac: _m, ...o } = e;
        this.undo.mapSet(this.poolOrderMap, e.seq, o);
        break;
      }
      case "poolFill":
      case "poolFailed": {
        const o = this.poolOrderMap.get(e.order);
        if (!o) mismatch("order", `seq ${e.seq}: no pool order at book seq ${e.order} is pending`);
        this.undo.mapDelete(this.poolOrderMap, e.order);
        if (e.kind === "poolFill") this.add(o.side === "buy" ? "toPool" : "fromPool", e.paid);
        break;
      }
      default:
        mismatch("kind", `seq ${(e as BookEvent).seq}: unknown event kind`);
    }
    this.undo.set(this.head, "seq", e.seq);
    this.undo.set(this.head, "time", e.time);
    this.undo.set(this.head, "hash", e.hash);
  }

  private place(e: Extract<BookEvent, { kind: "place" }>): void {
    const key = seriesKey(e.series);
    if (!this.listedMap.has(key)) mismatch("series", "order on an unlisted series");
    if (e.id !== this.nextOrderId) mismatch("id", `expected order ${this.nextOrderId}, got ${e.id}`);
    if (e.size <= 0n || e.price <= 0n || e.escrow < 0n) mismatch("size", "bad order");
    const o: RestingOrder = { id: e.id, owner: e.owner, side: e.side, series: e.series, price: e.price, size: e.size, filled: 0n, escrow: e.escrow, time: e.time };
    this.undo.mapSet(this.orderMap, e.id, o);
    this.book.add(key, o);
    this.undo.set(this.head, "nextOrderId", e.id + 1);
    this.add("escrow", e.escrow);
    this.add("paidIn", e.escrow);
  }

  private fill(e: Extract<BookEvent, { kind: "fill" }>): void {
    const o = this.orderMap.get(e.makerId);
    if (!o || o.owner !== e.maker || o.side !== e.makerSide || o.size < e.size || o.price !== e.price) mismatch("makerId", `order ${e.makerId} cannot fill ${e.size}`);
    if (e.size <= 0n) mismatch("size", "fill of nothing");
    // The maker's part comes out of its escrow; the taker pays its part in.
    const fromEscrow = o.side === "sell" ? e.collateral : e.amount;
    const paidByTaker = o.side === "sell" ? e.amount : e.collateral;
    if (o.escrow < fromEscrow) mismatch("escrow", `order ${o.id} holds ${o.escrow} < ${fromEscrow}`);
    if (o.size === e.size && o.escrow !== fromEscrow) mismatch("escrow", `order ${o.id} filled with ${o.escrow - fromEscrow} escrow left`);
    this.undo.set(o, "escrow", o.escrow - fromEscrow);
    this.undo.set(o, "size", o.size - e.size);
    this.undo.set(o, "filled", o.filled + e.size);
    if (o.size === 0n) this.removeOrder(o);
    this.add("escrow", -fromEscrow);
    this.add("paidIn", paidByTaker);
    const buyer = o.side === "buy" ? e.maker : e.taker;
    const seller = o.side === "sell" ? e.maker : e.taker;
    this.bumpClaimable(seller, e.amount, "amount");
    const key = seriesKey(e.series);
    let p = this.positionMap.get(key);
    if (!p) {
      p = { series: e.series, longs: new Map(), shorts: new Map(), locked: 0n, openSize: 0n };
      this.undo.mapSet(this.positionMap, key, p);
      this.holdings.open(key, p);
    }
    this.undo.mapSet(p.longs, buyer, (p.longs.get(buyer) ?? 0n) + e.size);
    this.undo.mapSet(p.shorts, seller, (p.shorts.get(seller) ?? 0n) + e.size);
    this.holdings.hold(buyer, key, p);
    this.holdings.hold(seller, key, p);
    this.undo.set(p, "locked", p.locked + e.collateral);
    this.undo.set(p, "openSize", p.openSize + e.size);
    this.add("locked", e.collateral);
  }

  private settle(e: Extract<BookEvent, { kind: "settle" }>): void {
    let unlocked = 0n;
    for (const p of this.holdings.expiring(e.expiry)) {
      const key = seriesKey(p.series);
      unlocked += p.locked;
      this.holdings.close(key, p);
      this.undo.mapDelete(this.positionMap, key);
    }
    if (unlocked !== e.unlocked) mismatch("unlocked", `expected ${unlocked}, event says ${e.unlocked}`);
    let paid = e.dust;
    for (const x of e.payouts) {
      paid += x.amount;
      this.bumpClaimable(x.account, x.amount, "amount");
    }
    if (paid !== unlocked) mismatch("payouts", `payouts ${paid} ≠ unlocked ${unlocked}`);
    this.bumpClaimable(e.treasury, e.dust, "dust");
    this.add("locked", -unlocked);
  }

  private removeOrder(o: RestingOrder): void {
    this.undo.mapDelete(this.orderMap, o.id);
    this.book.remove(seriesKey(o.series), o);
  }

  /** head[field] += delta, recorded. */
  private add(field: "escrow" | "locked" | "claimable" | "paidIn" | "paidOut" | "toPool" | "fromPool", delta: bigint): void {
    this.undo.set(this.head, field, this.head[field] + delta);
  }

  /** claimable[account] += delta (an entry at zero is removed); a negative balance is a REPLAY_MISMATCH on `field`. */
  private bumpClaimable(account: string, delta: bigint, field: string): void {
    const next = (this.claimableMap.get(account) ?? 0n) + delta;
    if (next < 0n) mismatch(field, `${account} would go negative`);
    if (next === 0n) this.undo.mapDelete(this.claimableMap, account);
    else this.undo.mapSet(this.claimableMap, account, next);
    this.add("claimable", delta);
  }
}

/** Applies one event to `state` in place (BookState.apply); throws REPLAY_MISMATCH for an event that does not fit. */
export function applyBookEvent(state: BookState, e: BookEvent): void {
  state.apply(e);
}
