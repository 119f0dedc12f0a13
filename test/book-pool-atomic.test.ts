// A PeerBook and its pool on separate stores commit an order as one: the pool never keeps a trade the book did not
// record, whichever append is refused (a full disk: the process goes on) or never happens (a crash: the test reopens
// from what the stores hold). The book records the pool's part as an intent (poolOrder) before the pool trades, and
// its outcome (poolFill found in the pool's log by reference, or poolFailed) after, or on reopen.
// Conservation checked throughout: what the pool recorded from the book (its trades carrying a book reference) equals
// what the book recorded of the pool (its poolFill events), trade by trade.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { ManualClock, ManualOracle, OptionPool, PoolError, type BookEvent, type PoolConfig, type PoolEvent } from "../pool/index.js";
import { PeerBook } from "../pool/book/index.js";
import { canonicalBookEvent } from "../pool/book/events.js";
import { canonicalEvent, eventFromJSON, eventToJSON } from "../pool/events.js";
import { genesisHash, seal } from "../pool/ledger-chain.js";
import { Process, ProcessStore } from "./support/crash-stores.js";
import { T0, USDC } from "./support/pool.js";

const PUT = { type: "put" as const, strike: 1800, expiry: T0 + 30 * 86_400 };
const KEY = "an operator secret of at least thirty-two bytes!";
let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

interface World {
  process: Process;
  poolStore: ProcessStore<PoolEvent>;
  bookStore: ProcessStore<BookEvent>;
  pool: OptionPool;
  book: PeerBook;
  config: PoolConfig;
}

function world(): World {
  const process = new Process();
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
  const poolStore = new ProcessStore<PoolEvent>(process);
  const bookStore = new ProcessStore<BookEvent>(process);
  const config: PoolConfig = { collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock, ledgerKey: KEY, store: poolStore };
  const pool = new OptionPool(config);
  pool.deposit("lp", 1_000_000n * USDC);
  const book = new PeerBook(pool, { store: bookStore, ledgerKey: KEY });
  book.list(PUT);
  return { process, poolStore, bookStore, pool, book, config };
}

/** The pool and book reopened from what their stores hold (a restart), on a new process without faults. */
function restart(w: World): World {
  const process = new Process();
  const poolStore = new ProcessStore<PoolEvent>(process);
  const bookStore = new ProcessStore<BookEvent>(process);
  for (const [from, to] of [[w.poolStore, poolStore], [w.bookStore, bookStore]] as const) {
    const events = from.reopened().read(1, from.head().seq);
    if (events.length > 0) (to as ProcessStore<PoolEvent | BookEvent>).append(events);
  }
  process.appends = 0;
  const config = { ...w.config, store: poolStore };
  const pool = OptionPool.open(config);
  const book = PeerBook.open(pool, { store: bookStore, ledgerKey: KEY });
  return { process, poolStore, bookStore, pool, book, config };
}

/**
 * The pool's trades (every trade here goes through the book) against the book's record of them (poolFill events), as
 * "reference seq paid"; `pending`: pool parts without an outcome yet; `unknown`: pool trades whose reference is no
 * poolOrder of the book.
 */
function poolPartsOf(w: World): { pool: string[]; book: string[]; pending: number; unknown: number } {
  const trades = w.pool.events.filter((e) => e.kind === "trade");
  const pool = trades.map((e) => `${e.ref ?? "no ref"} ${e.seq} ${e.paid}`);
  const orders = new Map<number, string>();
  const hashes = new Set<string>();
  const book: string[] = [];
  for (const e of w.book.events) {
    if (e.kind === "poolOrder") orders.set(e.seq, e.hash), hashes.add(e.hash);
    if (e.kind === "poolFill") book.push(`${orders.get(e.order)} ${e.poolSeq} ${e.paid}`);
    if (e.kind === "poolFill" || e.kind === "poolFailed") orders.delete(e.order);
  }
  return { pool, book, pending: orders.size, unknown: trades.filter((e) => !hashes.has(e.ref ?? "")).length };
}

/** Conservation once nothing is pending: the same trades, at the same pool seqs, for the same amounts. */
function expectConserved(w: World): void {
  const parts = poolPartsOf(w);
  expect(parts.pending).toBe(0);
  expect(parts.unknown).toBe(0);
  expect(parts.book).toEqual(parts.pool);
}

/** A peer ask under the pool's price, then a market buy of 3 contracts: 1 from the peer, 2 from the pool. */
function orderFlow(w: World): void {
  w.book.submit("alice", { ...PUT, side: "sell", size: 100n, limitPrice: 1n * USDC, funds: 1800n * USDC });
}
const BUY = { ...PUT, side: "buy" as const, size: 300n, funds: 10_000n * USDC };

describe("a pool and its book on separate stores", () => {
  it("a clean order: the pool's part carries the book's reference and the book records its fill", () => {
    const w = world();
    orderFlow(w);
    const r = w.book.submit("erin", BUY);
    expect([r.filledByPeers, r.filledByPool]).toEqual([100n, 200n]);
    expect(poolPartsOf(w).pool).toHaveLength(1);
    expectConserved(w);
    expectConserved(restart(w));
  });

  for (const fault of ["refuse", "crash"] as const) {
    it(`every append of an order ${fault === "refuse" ? "refused" : "cut by a crash"} in turn: the pool never keeps a trade the book did not record`, () => {
      for (let k = 1; k <= 4; k++) {
        let w = world();
        orderFlow(w);
        const fail = new Process(w.process.appends + k, fault);
        Object.assign(w.process, { failAt: fail.failAt, fault });
        let report: unknown;
        try {
          report = w.book.submit("erin", BUY);
        } catch (e) {
          if (!(e instanceof PoolError)) throw e;
        }
        if (fault === "crash") w = restart(w);
        else {
          w.book.expireOrders(); // any later operation records what is pending
          expect(w.process.dead).toBe(false);
        }
        expectConserved(w);
        if (report) expect((report as { filledByPool: bigint }).filledByPool > 0n).toBe(poolPartsOf(w).pool.length === 1);
        expectConserved(restart(w));
      }
    });
  }
});

describe("a trade of someone else carrying a pending pool part's reference", () => {
  it("is not taken for that part and cannot jam the book: the part fails, later operations and a reopen go on", () => {
    const w = world();
    // A full disk for two appends: the pool refuses the order's trade, and the book cannot record that it failed.
    const failing = new Set([w.process.appends + 2, w.process.appends + 3]);
    w.process.next = function () {
      if (failing.has(++this.appends)) throw new Error("disk full");
    };
    expect(() => w.book.submit("erin", BUY)).toThrow(PoolError);
    const pending = w.book.events.filter((e) => e.kind === "poolOrder");
    expect(pending).toHaveLength(1);
    expect(w.pool.events.some((e) => e.kind === "trade")).toBe(false);
    // Mallory reads the reference off the book's log and puts it on a trade of her own before the book looks again.
    w.pool.trade("mallory", { ...PUT, side: "buy", size: 100n, maxCost: 10n ** 12n, ref: pending[0]!.hash });
    w.book.expireOrders();
    const outcome = w.book.events.filter((e) => e.kind === "poolFill" || e.kind === "poolFailed");
    expect(outcome.map((e) => e.kind)).toEqual(["poolFailed"]);
    expect(w.book.positionsOf("erin")).toEqual([]);
    expect(w.book.submit("erin", BUY).filledByPool).toBe(300n);
    const reopened = restart(w);
    expect(reopened.book.seq).toBe(w.book.seq);
  });
});

const op = fc.oneof(
  fc.record({ kind: fc.constant("ask" as const), who: fc.constantFrom("alice", "bob"), size: fc.bigInt({ min: 1n, max: 300n }), price: fc.integer({ min: 1, max: 120 }) }),
  fc.record({ kind: fc.constant("buy" as const), who: fc.constantFrom("erin", "frank"), size: fc.bigInt({ min: 1n, max: 500n }), limit: fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }) }),
  fc.record({ kind: fc.constant("sell" as const), who: fc.constantFrom("erin", "frank"), size: fc.bigInt({ min: 1n, max: 200n }) }),
  fc.record({ kind: fc.constant("cancel" as const), who: fc.constantFrom("alice", "bob", "erin", "frank") }),
  fc.record({ kind: fc.constant("print" as const), seconds: fc.integer({ min: 0, max: 600 }), move: fc.double({ min: -0.2, max: 0.2, noNaN: true }) }),
);
/** A fault in one of the next appends of the process (none, refused, or a crash), for each operation. */
const fault = fc.option(fc.record({ at: fc.integer({ min: 1, max: 5 }), kind: fc.constantFrom("refuse" as const, "crash" as const) }), { nil: undefined });

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function perform(w: World, o: Op): void {
  const b = w.book;
  if (o.kind === "ask") b.submit(o.who, { ...PUT, side: "sell", size: o.size, limitPrice: BigInt(o.price) * USDC, funds: 10_000n * USDC });
  else if (o.kind === "buy") b.submit(o.who, { ...PUT, side: "buy", size: o.size, ...(o.limit ? { limitPrice: BigInt(o.limit) * USDC } : {}), funds: 100_000n * USDC });
  else if (o.kind === "sell") b.submit(o.who, { ...PUT, side: "sell", size: o.size, funds: 0n });
  else if (o.kind === "cancel") {
    const mine = [...b.orders(PUT, "buy"), ...b.orders(PUT, "sell")].find((x) => x.owner === o.who);
    if (mine) b.cancel(o.who, mine.id);
  } else {
    const clock = w.config.clock as ManualClock;
    clock.advance(o.seconds);
    (w.config.oracle as ManualOracle).push({ timestamp: clock.now(), spot: 2000 * Math.exp(o.move) });
  }
}

describe("random faults at either store (fast-check)", () => {
  it("never leave the pool and the book disagreeing: every pool trade of the book is a poolOrder of it, and once recorded, the same trades for the same amounts (200 runs of ≤ 30 operations)", () => {
    const seen = { poolParts: 0, failed: 0, crashes: 0 };
    fc.assert(
      fc.property(fc.array(fc.tuple(op, fault), { minLength: 1, maxLength: 30 }), (steps) => {
        let w = world();
        for (const [o, f] of steps) {
          Object.assign(w.process, f ? { failAt: w.process.appends + f.at, fault: f.kind } : { failAt: Number.POSITIVE_INFINITY });
          try {
            perform(w, o);
          } catch (e) {
            if (!(e instanceof PoolError)) throw e;
          }
          if (w.process.dead) {
            seen.crashes++;
            w = restart(w);
          }
          // At every moment: the pool holds no trade of the book without the book's poolOrder before it.
          expect(poolPartsOf(w).unknown).toBe(0);
        }
        Object.assign(w.process, { failAt: Number.POSITIVE_INFINITY });
        w.book.expireOrders(); // records whatever is pending
        expectConserved(w);
        const parts = poolPartsOf(w);
        seen.poolParts += parts.book.length;
        seen.failed += w.book.events.filter((e) => e.kind === "poolFailed").length;
        const again = restart(w);
        expectConserved(again);
        expect(again.book.snapshot()).toEqual(w.book.snapshot());
      }),
      { numRuns: 200, seed: 29 },
    );
    // The runs really traded with the pool, and really lost pool parts to refusals and crashes.
    expect(seen.poolParts).toBeGreaterThan(50);
    expect(seen.failed).toBeGreaterThan(5);
    expect(seen.crashes).toBeGreaterThan(20);
  });
});

describe("the verifying replay of pool parts (a forger who rechains the book's log without a key)", () => {
  /** The book's events with `change` applied to the poolFill, the chain recomputed from the book's genesis. */
  function forged(book: PeerBook, change: (e: BookEvent & Record<string, unknown>) => Record<string, unknown>): BookEvent[] {
    let previous = genesisHash(book.pool.settings, "book");
    return book.events.map((e) => {
      const { hash: _h, mac: _m, ...body } = e.kind === "poolFill" ? (change(e as BookEvent & Record<string, unknown>) as unknown as BookEvent) : e;
      const sealed = seal(body, canonicalBookEvent(body as BookEvent), previous, undefined) as BookEvent;
      previous = sealed.hash;
      return sealed;
    });
  }

  it("refuses a poolFill whose amount or pool seq is not the pool's trade, and a poolFailed while the pool holds the trade (REPLAY_MISMATCH)", () => {
    const clock = new ManualClock(T0);
    const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
    const pool = new OptionPool({ collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock });
    pool.deposit("lp", 1_000_000n * USDC);
    const book = new PeerBook(pool);
    book.list(PUT);
    book.submit("alice", { ...PUT, side: "sell", size: 100n, limitPrice: 1n * USDC, funds: 1800n * USDC });
    book.submit("erin", BUY);
    const replayed = (events: BookEvent[]) => () => PeerBook.replay(pool, events);
    expect(replayed(forged(book, (e) => e))().snapshot()).toEqual(book.snapshot()); // the rechain itself is faithful
    expect(replayed(forged(book, (e) => ({ ...e, paid: (e.paid as bigint) - 1n })))).toThrow(/REPLAY_MISMATCH.*poolSeq/);
    expect(replayed(forged(book, (e) => ({ ...e, poolSeq: 1 })))).toThrow(/REPLAY_MISMATCH/);
    const { poolSeq: _p, paid: _paid, ...rest } = book.events.find((e) => e.kind === "poolFill") as BookEvent & Record<string, unknown>;
    expect(replayed(forged(book, () => ({ ...rest, kind: "poolFailed", checkedTo: pool.seq, reason: "never traded" })))).toThrow(/REPLAY_MISMATCH.*holds the trade/);
  });
});

describe("the pool's trade event and its optional ref", () => {
  it("a trade without ref keeps the canonical form it had before the field existed; a ref is checked, kept and hashed", () => {
    const w = world();
    orderFlow(w);
    w.book.submit("erin", BUY);
    const trade = w.pool.events.find((e) => e.kind === "trade")!;
    expect(trade.ref).toMatch(/^[0-9a-f]{64}$/);
    const { ref: _ref, ...plain } = trade;
    // kind, seq, time and the twelve fields of a trade, nothing for the absent ref.
    expect(JSON.parse(canonicalEvent(plain))).toHaveLength(15);
    expect(JSON.parse(canonicalEvent(trade))).toHaveLength(16);
    expect(eventFromJSON(eventToJSON(trade))).toEqual(trade);
    expect(() => eventFromJSON(eventToJSON({ ...trade, ref: "not a hash" }))).toThrow(/INVALID_EVENT.*ref must be 64 lowercase hex digits/);
    expect(() => w.pool.trade("erin", { ...PUT, side: "buy", size: 100n, maxCost: 10n ** 12n, ref: "x" })).toThrow(/INVALID_INPUT.*ref/);
  });
});
