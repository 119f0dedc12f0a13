// PeerBook: a limit order book per option series beside an OptionPool. Peers trade with each other at
// price-time priority; the pool is the backstop that fills what the peers do not (routing below). Sellers
// post full collateral exactly like the pool (lockFor), positions settle at the pool's settlement price
// with the pool's payoff code (payoutOf), and every change is a BookEvent so replay rebuilds the book.
//
// Routing of a submitted order (buy shown; a sell mirrors it with bids and "pays more" for "better"):
//   1. walk the asks in priority (lowest price, then earliest); before each, price the pool for the size still
//      wanted (r): the ask fills while  ask · r ≤ poolTotal(r) · 10^sizeDecimals  (peers win ties) and, for a
//      limit order, ask ≤ limit;
//   2. the pool fills the rest r at its quote if  poolTotal(r) · 10^sizeDecimals ≤ limit · r  (market: always);
//   3. when the pool cannot or may not (its limits, liquidity, price above the limit), the walk goes on to
//      the remaining asks within the limit; 4. a limit order's remainder rests, a market order's is reported.
import type { OptionPool, Quote } from "../option-pool.js";
import { PoolError, check } from "../errors.js";
import type { SeriesRef } from "../events.js";
import { seriesKey } from "../ledger.js";
import { checkAccount } from "../accounts.js";
import { lockFor } from "../option-types.js";
import { seriesRefOf, type SeriesSpec } from "../series.js";
import { mulDiv, pow10 } from "../units.js";
import type { BookEvent, BookEventBody, BookSide } from "./events.js";
import { bookEventsFromJSON, canonicalBookEvent, decodeBookEvent } from "./events.js";
import { checkChain, genesisHash, ledgerKeyBytes, seal } from "../ledger-chain.js";
import { bookSettlement } from "./settlement.js";
import { checkBookAfter, verifyBookEvent } from "./verify.js";
import { BookState, type RestingOrder } from "./state.js";
import { appendTo, checkStore, readAfter, requireEmptyStore, storeFailure } from "../pool-persistence.js";
import { MemoryEventStore } from "../store/memory-store.js";
import type { EventStore } from "../store/types.js";
import type { MarginLedger } from "../margin/ledger.js";
import { MarginSubmission, matchAmount } from "./margin-mode.js";

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
  private readonly state: BookState;
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
    this.state = new BookState(genesisHash(pool.settings, "book"));
    if (options.store !== undefined) checkStore(options.store);
    this.store = options.store ?? new MemoryEventStore<BookEvent>();
    if (resuming !== RESUME) requireEmptyStore(this.store, "book events", "PeerBook.open(pool, { store })");
  }

  /**
   * Resumes a book from the events in `options.store` (after a restart), verifying each one as replay does, against
   * `pool` as it stands now (open the pool first). Refuses a log that does not verify (TAMPERED, REPLAY_MISMATCH…).
   */
  static open(pool: OptionPool, options: PeerBookOptions & { store: EventStore<BookEvent> }): PeerBook {
    check(options?.store !== undefined, "store", "PeerBook.open resumes from options.store: give the store to resume");
    const book = new PeerBook(pool, options, RESUME);
    let events: Iterable<BookEvent>;
    try {
      events = book.store.iterate(1);
    } catch (e) {
      throw storeFailure(e, "reading the book's log");
    }
    book.verifyAll(events);
    if (book.store.head().seq !== book.state.seq) throw new PoolError("REPLAY_MISMATCH", "store", `the book's log ends at seq ${book.state.seq}, its head says ${book.store.head().seq}`);
    return book;
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
   * Routes an order: peers at least as good as the pool first, then the pool, then the remaining peers within
   * the limit; a limit order's remainder rests. Nothing changes (book or pool) when it throws.
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

    const buy = order.side === "buy";
    const scale = pow10(this.pool.settings.sizeDecimals);
    const s = this.pool.settings;
    const report: FillReport = {
      side: order.side, series, requested: order.size, peerFills: [], pool: undefined, resting: undefined, unfilled: 0n,
      filledByPeers: 0n, filledByPool: 0n, premium: 0n, collateralPosted: 0n,
    };
    const poolQuote = (r: bigint): Quote | undefined => {
      if (!buy && this.pool.positionsOf(trader).every((p) => seriesKey(p.series) !== key || p.size < r)) return undefined;
      let q: Quote;
      try {
        q = this.pool.quote({ type: series.type, strike: series.strike, expiry: series.expiry, size: r, side: order.side });
      } catch (e) {
        if (e instanceof PoolError) return undefined; // the pool cannot take it (limits, liquidity, oracle): peers only
        throw e;
      }
      if (limit === undefined) return q;
      return (buy ? q.total * scale <= limit * r : q.total * scale >= limit * r) ? q : undefined;
    };
    // Maker worse than the pool's average price per contract for r (peers win ties).
    const worseThanPool = (price: bigint, q: Quote, r: bigint) => (buy ? price * r > q.total * scale : price * r < q.total * scale);
    const withinLimit = (price: bigint) => limit === undefined || (buy ? price <= limit : price >= limit);

    const opposite = buy ? "sell" : "buy";
    let poolPart: Quote | undefined;
    const margin = this.margin && new MarginSubmission(this.margin, this.state, s.sizeDecimals);
    this.commit((state, emit) => {
      this.stageExpiries(state, emit);
      let remaining = order.size;
      let takerWritten = 0n; // cumulative size this taker writes to peers (sell), for exact collateral rounding
      // Best first; the next maker is looked up after each fill, which may have taken the current one off the book.
      for (let m = state.best(key, opposite); m !== undefined; m = state.after(m)) {
        if (remaining === 0n) break;
        if (m.owner === trader) continue; // no self-matching: own orders are skipped, not filled
        if (!withinLimit(m.price)) break;
        const q = poolPart === undefined ? poolQuote(remaining) : undefined;
        if (q && worseThanPool(m.price, q, remaining)) break;
        const size = remaining < m.size ? remaining : m.size;
        if (margin) {
          const carried = margin.match(buy ? trader : m.owner, buy ? m.owner : trader, series, size, m.price, m.side);
          if (carried !== "ok" && (carried === "buyer") === buy) break; // the taker carries no more
          if (carried !== "ok") continue; // this maker no longer carries its order
          const amount = matchAmount(m.price, size, s.sizeDecimals);
          emit({ kind: "match", makerId: m.id, maker: m.owner, taker: trader, makerSide: m.side, series, price: m.price, size, amount });
          report.peerFills.push({ makerId: m.id, maker: m.owner, price: m.price, size, amount, collateral: 0n });
          report.filledByPeers += size;
          report.premium += amount;
          remaining -= size;
          continue;
        }
        // Telescoping on cumulative sizes keeps every order's escrow exact: the pieces sum to the whole.
        const amount = mulDiv(m.price, m.filled + size, scale, "up") - mulDiv(m.price, m.filled, scale, "up");
        const collateral = m.side === "sell"
          ? lockFor(s, series.type, series.strikeUnits, m.filled + size) - lockFor(s, series.type, series.strikeUnits, m.filled)
          : lockFor(s, series.type, series.strikeUnits, takerWritten + size) - lockFor(s, series.type, series.strikeUnits, takerWritten);
        if (m.side === "buy") takerWritten += size;
        emit({ kind: "fill", makerId: m.id, maker: m.owner, taker: trader, makerSide: m.side, series, price: m.price, size, amount, collateral });
        report.peerFills.push({ makerId: m.id, maker: m.owner, price: m.price, size, amount, collateral });
        report.filledByPeers += size;
        report.premium += amount;
        if (!buy) report.collateralPosted += collateral;
        remaining -= size;
      }
      if (remaining > 0n) {
        poolPart = poolQuote(remaining);
        if (poolPart) {
          remaining -= poolPart.size;
          report.filledByPool = poolPart.size;
          report.premium += poolPart.total;
          report.pool = poolPart;
        }
      }
      let restEscrow = 0n;
      if (remaining > 0n && limit !== undefined) {
        // Only the trader's own orders can still cross (everyone else's within the limit has filled): refuse
        // to rest a crossed book rather than trade with oneself.
        const best = state.best(key, opposite);
        if (best !== undefined && withinLimit(best.price))
          throw new PoolError("INVALID_INPUT", "limitPrice", "would rest crossing your own resting order");
        if (margin && !margin.canRest(trader, order.side, series, remaining, limit))
          throw new PoolError("INSUFFICIENT_COLLATERAL", "size", `${trader}'s margin account does not carry the resting ${remaining}`);
        restEscrow = margin ? 0n : buy ? mulDiv(limit, remaining, scale, "up") : lockFor(s, series.type, series.strikeUnits, remaining);
        const id = state.nextOrderId;
        emit({ kind: "place", id, owner: trader, side: order.side, series, price: limit, size: remaining, escrow: restEscrow });
        report.resting = { id, size: remaining, price: limit, escrow: restEscrow };
      } else report.unfilled = remaining;
      const needed = margin ? (buy ? poolPart?.total ?? 0n : 0n) : buy ? report.premium + restEscrow : report.collateralPosted + restEscrow;
      if (needed > order.funds) throw new PoolError("INSUFFICIENT_COLLATERAL", "funds", `needs ${needed}, ${order.funds} posted`);
      // The margin trades and the pool's part last: the only changes outside the book's state, made once everything
      // else has succeeded.
      margin?.execute();
      if (poolPart) {
        const q = poolPart;
        const traded = this.pool.trade(trader, {
          type: series.type, strike: series.strike, expiry: series.expiry, size: q.size, side: order.side,
          ...(buy ? { maxCost: q.total } : { minProceeds: q.total }),
        });
        report.pool = traded;
      }
    });
    return report;
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

  /**
   * Runs an operation on the state in place inside a transaction: each emitted event is sealed and applied at once,
   * and the whole is kept only when `build` returns. Non-reentrant (a book operation started from inside another is
   * refused), and any failure rolls every change back; an unexpected one becomes a PoolError.
   */
  private commit(build: (state: BookState, emit: (body: BookEventBody) => void) => void): void {
    if (this.busy) throw new PoolError("REENTRANT_CALL", "operation", "a book operation was called while another is running");
    this.busy = true;
    const state = this.state;
    state.begin();
    try {
      const staged: BookEvent[] = [];
      const time = this.pool.clock.now();
      const run = () => {
        build(state, (body) => {
          const unsealed = { ...body, seq: state.seq + 1, time } as BookEventBody & { seq: number; time: number };
          const e = seal(unsealed, canonicalBookEvent(unsealed), state.hash, this.key) as BookEvent;
          state.apply(e);
          staged.push(e);
        });
        // The record comes first: an event the store refused is never installed.
        if (staged.length > 0) this.append(staged);
      };
      // In margin mode the margin trades made by `build` are undone with the book's events when the store refuses them.
      if (this.margin) this.margin.atomically(run);
      else run();
      state.commit();
    } catch (e) {
      state.rollback();
      if (e instanceof PoolError) throw e;
      throw new PoolError("INTERNAL_ERROR", "operation", `book operation failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      this.busy = false;
    }
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
