// PeerBook: a limit order book per option series beside an OptionPool. Peers trade with each other at
// price-time priority; the pool is the backstop that fills what the peers do not (book/routing.ts). Sellers
// post full collateral exactly like the pool (lockFor), positions settle at the pool's settlement price
// with the pool's payoff code (payoutOf), and every change is a BookEvent so replay rebuilds the book.
//
// Routing: book/routing.ts. The pool's part of an order is recorded in the book's log before the pool trades it, and
// its outcome after (book/pool-part.ts), so a book and a pool on separate stores never disagree.
import type { OptionPool, Quote } from "../option-pool.js";
import { PoolError, check } from "../errors.js";
import type { SeriesRef } from "../events.js";
import { seriesKey } from "../ledger.js";
import { checkAccount } from "../accounts.js";
import { seriesRefOf, type SeriesSpec } from "../series.js";
import type { BookEvent, BookEventBody, BookSide } from "./events.js";
import { bookEventsFromJSON, canonicalBookEvent, decodeBookEvent } from "./events.js";
import { checkChain, genesisHash, ledgerKeyBytes, seal } from "../ledger-chain.js";
import { bookSettlement } from "./settlement.js";
import { checkBookAfter, verifyBookEvent } from "./verify.js";
import { BookState, type RestingOrder } from "./state.js";
import { appendTo, checkStore, readAfter, requireEmptyStore, storeFailure, type SnapshotUse } from "../pool-persistence.js";
import { bookSnapshotRecord, bookSnapshotState } from "./book-persistence.js";
import { MemoryEventStore } from "../store/memory-store.js";
import type { EventStore } from "../store/types.js";
import type { MarginLedger } from "../margin/ledger.js";
import { resolvePoolOrders } from "./pool-part.js";
import { routeOrder, type Route } from "./routing.js";

export type { SeriesSpec } from "../series.js";

export type { BookOrder, FillReport, PeerBookOptions, PeerFill } from "./book-types.js";
import type { BookOrder, FillReport, PeerBookOptions } from "./book-types.js";

/** Events per page when the book copies or reads its log. */
const PAGE = 1024;

/** Marks the constructor call of PeerBook.open (a non-empty store is expected there, refused elsewhere). */
const RESUME: unique symbol = Symbol("resume");

/** The peer order book of one pool (see the file header and docs/book.md). */
export class PeerBook {
  readonly pool: OptionPool;
  private state: BookState;
  /** The hash before the book's first event (its snapshots' MACs cover it). */
  private readonly genesis: string;
  /** The record of the book's events (options.store, or one in memory). */
  readonly store: EventStore<BookEvent>;
  private busy = false;
  private readonly key: Uint8Array | undefined;
  /** The margin ledger of margin mode, or undefined (full collateral). */
  readonly margin: MarginLedger | undefined;

  /**
   * A book beside `pool`. `ledgerKey` (≥ 32 bytes, the operator's secret) MACs every book event as the pool's key
   * does its events; replay then refuses a log without valid MACs. `margin`: margin mode, for a quote-collateral pool
   * whose scales the margin ledger shares.
   */
  constructor(pool: OptionPool, options: PeerBookOptions = {}, resuming?: typeof RESUME) {
    this.pool = pool;
    this.margin = options.margin;
    if (this.margin) {
      const s = pool.settings;
      const m = this.margin.scales;
      if (s.collateral !== "quote" || m.decimals !== s.decimals || m.sizeDecimals !== s.sizeDecimals)
        throw new PoolError("INVALID_INPUT", "margin", "margin mode needs a quote-collateral pool with the margin ledger's decimals and sizeDecimals");
    }
    this.key = options.ledgerKey === undefined ? undefined : ledgerKeyBytes(options.ledgerKey);
    this.genesis = genesisHash(pool.settings, "book");
    this.state = new BookState(this.genesis);
    if (options.store !== undefined) checkStore(options.store);
    this.store = options.store ?? new MemoryEventStore<BookEvent>();
    if (resuming !== RESUME) requireEmptyStore(this.store, "book events", "PeerBook.open(pool, { store })");
  }

  /**
   * Resumes a book from `options.store` (after a restart): from its latest snapshot when `open.snapshot` allows it
   * (SnapshotUse, as OptionPool.open; book-persistence.ts), then every event after it verified as replay does, against
   * `pool` as it stands now (open the pool first). Refuses a log or snapshot that does not verify (TAMPERED,
   * REPLAY_MISMATCH…). Pool parts left without an outcome are then recorded (pool-part.ts).
   */
  static open(pool: OptionPool, options: PeerBookOptions & { store: EventStore<BookEvent> }, open: { snapshot?: SnapshotUse } = {}): PeerBook {
    check(options?.store !== undefined, "store", "PeerBook.open resumes from options.store: give the store to resume");
    const use = open.snapshot ?? "verified";
    check(use === "verified" || use === "trusted" || use === "ignore", "snapshot", 'must be "verified", "trusted" or "ignore"');
    const book = new PeerBook(pool, options, RESUME);
    const restored = bookSnapshotState(book.store, use, book.genesis, book.key);
    if (restored) book.state = restored;
    let events: Iterable<BookEvent>;
    try {
      events = book.store.iterate(book.state.seq + 1);
    } catch (e) {
      throw storeFailure(e, "reading the book's log");
    }
    book.verifyAll(events);
    if (book.store.head().seq !== book.state.seq) throw new PoolError("REPLAY_MISMATCH", "store", `the book's log ends at seq ${book.state.seq}, its head says ${book.store.head().seq}`);
    // Pool parts a crash or a refused append left without an outcome: recorded now, from the pool's log.
    if (book.state.poolOrders.size > 0) book.commit(() => {});
    return book;
  }

  /**
   * Stores a snapshot of the book's state (MAC'ed under the ledger key when there is one) so PeerBook.open resumes
   * from it instead of replaying the whole log. Returns its seq; STORE_FAILED when the store refuses.
   */
  saveSnapshot(): number {
    if (this.busy) throw new PoolError("REENTRANT_CALL", "operation", "saveSnapshot was called while a book operation is running");
    const record = bookSnapshotRecord(this.state, this.genesis, this.key);
    try {
      this.store.saveSnapshot(record);
    } catch (e) {
      throw storeFailure(e, `saving the book's snapshot at seq ${record.seq}`);
    }
    return record.seq;
  }

  /**
   * Rebuilds a book from its events, verifying each before applying it (schema, the book's hash chain, MACs under
   * `ledgerKey`, re-derived amounts: book/verify.ts). A log that does not verify is refused with a PoolError naming
   * the first bad event's seq.
   */
  static replay(pool: OptionPool, events: Iterable<BookEvent>, options: PeerBookOptions = {}): PeerBook {
    const book = new PeerBook(pool, options);
    const verified = book.verifyAll(events, true);
    for (let i = 0; i < verified.length; i += PAGE) book.append(verified.slice(i, i + PAGE));
    return book;
  }

  /** PeerBook.replay over bookEventsToJSON text. */
  static fromJSON(pool: OptionPool, text: string, options: PeerBookOptions = {}): PeerBook {
    return PeerBook.replay(pool, bookEventsFromJSON(text), options);
  }

  /** Verifies and applies each event in order (kept for a later append when `keep`). */
  private verifyAll(events: Iterable<BookEvent>, keep = false): BookEvent[] {
    const kept: BookEvent[] = [];
    let i = 0;
    for (const raw of events) {
      const e = decodeBookEvent(raw, `events[${i++}]`, false);
      const state = this.state;
      if (e.seq !== state.seq + 1) throw new PoolError("REPLAY_MISMATCH", "seq", `book: expected seq ${state.seq + 1}, got ${e.seq}`);
      checkChain(state.hash, e, canonicalBookEvent(e), this.key);
      verifyBookEvent(this.pool, state, e, this.margin !== undefined);
      state.apply(e);
      checkBookAfter(this.pool, state, e);
      if (keep) kept.push(e);
    }
    return kept;
  }

  private append(events: readonly BookEvent[]): void {
    appendTo(this.store, events, "book events");
  }

  /**
   * Makes the book's events durable, then the pool's (for stores that batch their fsyncs, e.g. SqliteEventStore in
   * "group" mode): in this order a crash never keeps a pool trade without the poolOrder it carries the reference of.
   */
  flush(): void {
    try {
      this.store.flush();
    } catch (e) {
      throw storeFailure(e, "flushing the book's store");
    }
    this.pool.flush();
  }


  // ------------------------------------------------------------ views

  /** Every book event so far, oldest first, read from the store (for a long log prefer eventsSince with a limit). */
  get events(): readonly BookEvent[] {
    return this.eventsSince(0);
  }

  /** Book events with seq > `afterSeq`, oldest first, at most `limit` of them. */
  eventsSince(afterSeq: number, limit = Number.MAX_SAFE_INTEGER): readonly BookEvent[] {
    return readAfter(this.store, afterSeq, limit, this.state.seq, "book events");
  }


  /** Seq of the book's last event (0 for a new book). */
  get seq(): number {
    return this.state.seq;
  }

  /** Everything the book holds (base units): escrow of resting orders + writers' locked collateral + claimable. */
  get assets(): bigint {
    return this.state.escrow + this.state.locked + this.state.claimableTotal;
  }

  get escrow(): bigint {
    return this.state.escrow;
  }

  get locked(): bigint {
    return this.state.locked;
  }

  /** Cumulative flows in and out of the book (base units). */
  get flows(): { paidIn: bigint; paidOut: bigint } {
    return { paidIn: this.state.paidIn, paidOut: this.state.paidOut };
  }

  claimableOf(account: string): bigint {
    return this.state.claimable.get(account) ?? 0n;
  }

  /** Resting bids or asks of a series, best first (copies). */
  orders(series: SeriesSpec, side: BookSide): RestingOrder[] {
    return this.state.side(this.keyOf(series), side).map((o) => ({ ...o }));
  }

  /** A resting order by id (copy), or undefined. */
  order(id: number): RestingOrder | undefined {
    const o = this.state.orders.get(id);
    return o ? { ...o } : undefined;
  }

  /** Peer positions of `account`: long and short sizes per open series, by expiry then strike. */
  positionsOf(account: string): { series: SeriesRef; long: bigint; short: bigint }[] {
    return this.state.positionsHeldBy(account)
      .map((p) => ({ series: p.series, long: p.longs.get(account) ?? 0n, short: p.shorts.get(account) ?? 0n }))
      .sort((a, b) => a.series.expiry - b.series.expiry || (a.series.strikeUnits < b.series.strikeUnits ? -1 : a.series.strikeUnits > b.series.strikeUnits ? 1 : 0));
  }

  /** Open peer series: size and locked collateral (copies). */
  openSeries(): { series: SeriesRef; openSize: bigint; locked: bigint }[] {
    return [...this.state.positions.values()].map((p) => ({ series: p.series, openSize: p.openSize, locked: p.locked }));
  }

  snapshot(): Record<string, unknown> {
    return this.state.snapshot();
  }

  // ------------------------------------------------------------ operations

  /** Opens a series for peer trading (the pool's option type; not expired). Returns its reference. */
  list(spec: SeriesSpec): SeriesRef {
    const series = this.seriesOf(spec);
    if (this.state.listed.has(seriesKey(series))) throw new PoolError("INVALID_INPUT", "series", "already listed");
    this.checkNotExpired(series);
    this.commit((_d, emit) => emit({ kind: "list", series }));
    return series;
  }

  /**
   * Routes an order (book/routing.ts): peers at least as good as the pool first, then the pool, then the remaining
   * peers within the limit; a limit order's remainder rests. Nothing changes (book or pool) when it throws; an order
   * the pool refuses its part of leaves a poolOrder and its poolFailed in the book's log (book/pool-part.ts).
   */
  submit(trader: string, order: BookOrder): FillReport {
    checkAccount(trader, "trader");
    check(typeof order === "object" && order !== null, "order", "must be an object");
    check(order.side === "buy" || order.side === "sell", "side", 'must be "buy" or "sell"');
    const series = this.seriesOf(order);
    const key = seriesKey(series);
    if (!this.state.listed.has(key)) throw new PoolError("UNKNOWN_SERIES", "series", `${key} is not listed`);
    this.checkNotExpired(series);
    check(typeof order.size === "bigint" && order.size > 0n, "size", "must be a bigint > 0");
    const limit = order.limitPrice;
    if (limit !== undefined) check(typeof limit === "bigint" && limit > 0n, "limitPrice", "must be a bigint > 0 (base units per contract)");
    check(typeof order.funds === "bigint" && order.funds >= 0n, "funds", "must be a bigint ≥ 0");
    return this.exclusive(() => {
      const time = this.pool.clock.now();
      const plan: BookEventBody[] = [];
      let route: Route | undefined;
      // The whole order on the live state, kept at once when the pool has no part in it.
      this.transact(time, (state, emit) => {
        const record = (body: BookEventBody) => (plan.push(body), emit(body));
        this.stageExpiries(state, record);
        route = routeOrder(this.pool, this.margin, state, record, trader, order, series);
        if (route.poolPart) return false;
        route.margin?.execute();
        return true;
      });
      return route!.poolPart ? this.withPoolPart(trader, route!, plan, time) : route!.report;
    });
  }

  /**
   * An order with a pool part (book/pool-part.ts): its poolOrder first, then the pool's trade carrying that event's
   * hash, then the peer events (planned before, re-applied as they were) with the poolFill. A pool refusal records
   * poolFailed and is thrown: the book's holdings are as they were. When the book's store refuses the peer events
   * after the pool traded, the pool's part stands alone: the report says so (peerPartRefused) and its poolFill is
   * recorded at the book's next operation.
   */
  private withPoolPart(trader: string, route: Route, plan: readonly BookEventBody[], time: number): FillReport {
    const q = route.poolPart!;
    const { report } = route;
    const { series, side } = report;
    const intent = this.transact(time, (_state, emit) => {
      emit({ kind: "poolOrder", trader, side, series, size: q.size, bound: q.total, poolSeq: this.pool.seq });
      return true;
    }).at(-1)!;
    let traded: Quote;
    try {
      const bound = side === "buy" ? { maxCost: q.total } : { minProceeds: q.total };
      traded = this.pool.trade(trader, { type: series.type, strike: series.strike, expiry: series.expiry, size: q.size, side, ...bound, ref: intent.hash });
    } catch (e) {
      const reason = e instanceof PoolError ? `${e.code} (${e.field}): ${e.message}` : String(e);
      try {
        this.transact(time, () => true, new Map([[intent.seq, reason]]));
      } catch {
        // The book's store refuses too: the order stays pending, and its poolFailed is recorded by the next operation.
      }
      throw e;
    }
    const done: FillReport = { ...report, pool: traded, premium: report.premium - q.total + traded.total };
    try {
      this.transact(time, (_state, emit) => {
        for (const body of plan) emit(body);
        route.margin?.execute();
        return true;
      });
    } catch (e) {
      const peerPartRefused = storeFailure(e, "recording the order's peer part after the pool's part");
      return { ...done, peerFills: [], filledByPeers: 0n, premium: traded.total, collateralPosted: 0n, resting: undefined, unfilled: report.requested - traded.size, peerPartRefused };
    }
    return done;
  }

  /** Cancels resting order `id` of `owner`: its remaining escrow (exactly) is paid back. Returns the refund. */
  cancel(owner: string, id: number): bigint {
    const o = this.state.orders.get(id);
    if (!o || o.owner !== owner) throw new PoolError("UNKNOWN_ORDER", "id", `${owner} has no resting order ${id}`);
    const refund = o.escrow;
    this.commit((_d, emit) => emit({ kind: "cancel", id, owner, refund, reason: "cancel" }));
    return refund;
  }

  /** Removes every resting order whose series has expired (escrow refunded). Returns how many. */
  expireOrders(): number {
    let count = 0;
    this.commit((state, emit) => {
      count = this.stageExpiries(state, emit);
    });
    return count;
  }

  /** Stages the refund of every resting order whose series has expired, inside the running commit. */
  private stageExpiries(state: BookState, emit: (body: BookEventBody) => void): number {
    const due = state.dueOrders(this.pool.clock.now());
    for (const o of due) emit({ kind: "cancel", id: o.id, owner: o.owner, refund: o.escrow, reason: "expiry" });
    return due.length;
  }

  /**
   * Settles the peer positions expiring at `expiry` at the pool's settlement price (OptionPool.settlementPrice)
   * with the pool's payoff (payoutOf, rounded down): longs get their payoff, writers share what is left of the
   * locked collateral pro rata to size (rounded down), the rounding dust goes to the pool's treasury.
   */
  settle(expiry: number): bigint {
    check(Number.isInteger(expiry), "expiry", "must be integer unix seconds");
    const now = this.pool.clock.now();
    if (now < expiry) throw new PoolError("NOT_EXPIRED", "expiry", `expires in ${expiry - now} s`);
    if (this.state.positionsExpiring(expiry).length === 0) throw new PoolError("NOTHING_TO_SETTLE", "expiry", `no peer positions expire at ${expiry}`);
    const { priceUnits } = this.pool.settlementPrice(expiry);
    const s = this.pool.settings;
    this.commit((state, emit) => {
      this.stageExpiries(state, emit);
      emit({ kind: "settle", expiry, priceUnits, ...bookSettlement(state, expiry, priceUnits, s), treasury: s.treasury });
    });
    return priceUnits;
  }

  /** Pays `account`'s claimable balance (sale proceeds, settlement payouts). Returns it. */
  claim(account: string): bigint {
    const assets = this.claimableOf(account);
    if (assets === 0n) throw new PoolError("NOTHING_TO_CLAIM", "account", `${account} has nothing to claim`);
    this.commit((_d, emit) => emit({ kind: "claim", account, assets }));
    return assets;
  }

  // ------------------------------------------------------------ internals

  /** Runs `op` alone (a book operation started from inside another is refused); an unexpected failure becomes a PoolError. */
  private exclusive<T>(op: () => T): T {
    if (this.busy) throw new PoolError("REENTRANT_CALL", "operation", "a book operation was called while another is running");
    this.busy = true;
    try {
      return op();
    } catch (e) {
      if (e instanceof PoolError) throw e;
      throw new PoolError("INTERNAL_ERROR", "operation", `book operation failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      this.busy = false;
    }
  }

  /** One operation: `build` in a transaction (transact) that is kept when it returns. */
  private commit(build: (state: BookState, emit: (body: BookEventBody) => void) => void): void {
    this.exclusive(() => this.transact(this.pool.clock.now(), (state, emit) => (build(state, emit), true)));
  }

  /**
   * A transaction on the live state, at `time`: the outcome of every pending pool part is recorded first
   * (pool-part.ts; `reasons` says why the pool refused one), then `build` emits; each event is sealed and applied at
   * once. When `build` returns true the events are appended to the store and kept; false, or any failure, takes every
   * change back. In margin mode the margin trades made by `build` are undone with the book's events when the store
   * refuses them. Returns the events kept.
   */
  private transact(time: number, build: (state: BookState, emit: (body: BookEventBody) => void) => boolean, reasons?: ReadonlyMap<number, string>): BookEvent[] {
    const state = this.state;
    const staged: BookEvent[] = [];
    let keep = false;
    state.begin();
    try {
      const emit = (body: BookEventBody) => {
        const unsealed = { ...body, seq: state.seq + 1, time } as BookEventBody & { seq: number; time: number };
        const e = seal(unsealed, canonicalBookEvent(unsealed), state.hash, this.key) as BookEvent;
        state.apply(e);
        staged.push(e);
      };
      const run = () => {
        resolvePoolOrders(this.pool, state, emit, reasons);
        keep = build(state, emit);
        // The record comes first: an event the store refused is never installed.
        if (keep && staged.length > 0) this.append(staged);
      };
      if (this.margin) this.margin.atomically(run);
      else run();
    } catch (e) {
      state.rollback();
      throw e;
    }
    if (!keep) {
      state.rollback();
      return [];
    }
    state.commit();
    return staged;
  }

  private seriesOf(spec: SeriesSpec): SeriesRef {
    return seriesRefOf(spec, this.pool.settings.collateral, this.pool.settings);
  }

  private keyOf(spec: SeriesSpec): string {
    return seriesKey(this.seriesOf(spec));
  }

  private checkNotExpired(series: SeriesRef): void {
    const now = this.pool.clock.now();
    if (now >= series.expiry) throw new PoolError("EXPIRED", "expiry", `expired ${now - series.expiry} s ago`);
  }
}
