// Issue 16: the peer book writes its events through an EventStore (as the pool does) and resumes from it: a book on
// SQLite reopens beside its reopened pool to the identical state and log; an append the store refuses refuses the
// operation and changes nothing; a new book or a replay refuses a store that holds a log; seq and eventsSince page it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { BOOK_LOG, ManualClock, ManualOracle, MemoryEventStore, OptionPool, POOL_LOG, PoolError, type BookEvent, type PoolConfig, type PoolEvent } from "../pool/index.js";
import { PeerBook } from "../pool/book/index.js";
import { SqliteEventStore } from "../pool/store/index.js";
import { FlakyStore } from "./support/flaky-store.js";

const T0 = 1_767_225_600;
const USDC = 1_000_000n;
const PUT = { type: "put" as const, strike: 1800, expiry: T0 + 30 * 86_400 };
const KEY = "an operator secret of at least thirty-two bytes!";
let pricer: Pricer;
let dir: string;
beforeAll(async () => {
  pricer = await createPricer();
  dir = mkdtempSync(join(tmpdir(), "pool2peer-book-store-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(store?: PoolConfig["store"]): PoolConfig {
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
  return { collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock, ledgerKey: KEY, store };
}

/** A few peers trading: asks, a partial fill, a fill routed to the pool, a cancel. */
function trade(book: PeerBook): void {
  book.list(PUT);
  const alice = book.submit("alice", { ...PUT, side: "sell", size: 300n, limitPrice: 60n * USDC, funds: 5400n * USDC });
  book.submit("bob", { ...PUT, side: "sell", size: 200n, limitPrice: 55n * USDC, funds: 3600n * USDC });
  book.submit("dave", { ...PUT, side: "buy", size: 450n, limitPrice: 60n * USDC, funds: 1000n * USDC });
  book.submit("erin", { ...PUT, side: "buy", size: 100n, funds: 1000n * USDC });
  book.cancel("alice", alice.resting!.id); // 0.5 of her 3 still rest after dave's buy
}

describe("a peer book on SQLite", () => {
  it("reopens beside its reopened pool to the identical book and log", () => {
    const poolStore = new SqliteEventStore<PoolEvent>(join(dir, "pool.db"), POOL_LOG);
    const bookStore = new SqliteEventStore<BookEvent>(join(dir, "book.db"), BOOK_LOG);
    const pool = new OptionPool(config(poolStore));
    pool.deposit("lp", 1_000_000n * USDC);
    const book = new PeerBook(pool, { store: bookStore, ledgerKey: KEY });
    trade(book);
    expect(book.seq).toBeGreaterThan(4);
    expect(bookStore.head().seq).toBe(book.seq);
    const state = JSON.stringify(book.snapshot());
    const hashes = book.events.map((e) => e.hash);
    expect(book.eventsSince(2, 2).map((e) => e.seq)).toEqual([3, 4]);
    poolStore.close();
    bookStore.close();

    const pool2 = OptionPool.open(config(new SqliteEventStore<PoolEvent>(join(dir, "pool.db"), POOL_LOG)));
    const book2 = PeerBook.open(pool2, { store: new SqliteEventStore<BookEvent>(join(dir, "book.db"), BOOK_LOG), ledgerKey: KEY });
    expect(JSON.stringify(book2.snapshot())).toBe(state);
    expect(book2.events.map((e) => e.hash)).toEqual(hashes);
    book2.submit("frank", { ...PUT, side: "buy", size: 100n, limitPrice: 60n * USDC, funds: 1000n * USDC });
    expect(book2.store.head().seq).toBe(book2.seq);
  });

  it("a wrong key, or a store holding a log where a new book starts, is refused", () => {
    const pool = new OptionPool(config());
    pool.deposit("lp", 1_000_000n * USDC);
    const store = new MemoryEventStore<BookEvent>();
    trade(new PeerBook(pool, { store, ledgerKey: KEY }));
    expect(() => new PeerBook(pool, { store })).toThrow(/holds \d+ book events already: resume it with PeerBook.open/);
    expect(() => PeerBook.replay(pool, store.read(1, 100), { store })).toThrow(/holds \d+ book events already/);
    expect(() => PeerBook.open(pool, { store, ledgerKey: "another secret of at least thirty-two bytes" })).toThrow(/TAMPERED/);
  });
});

it("an append the book's store refuses refuses the order (STORE_FAILED): book, pool and store as before", () => {
  const pool = new OptionPool(config());
  pool.deposit("lp", 1_000_000n * USDC);
  const store = new FlakyStore<BookEvent>();
  const book = new PeerBook(pool, { store });
  trade(book);
  const before = [JSON.stringify(book.snapshot()), JSON.stringify(pool.snapshot()), store.head().seq];
  store.failNext = "connection lost";
  let caught: unknown;
  try {
    book.submit("gina", { ...PUT, side: "sell", size: 100n, limitPrice: 70n * USDC, funds: 1800n * USDC });
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(PoolError);
  expect((caught as PoolError).code).toBe("STORE_FAILED");
  expect([JSON.stringify(book.snapshot()), JSON.stringify(pool.snapshot()), store.head().seq]).toEqual(before);
  book.submit("gina", { ...PUT, side: "sell", size: 100n, limitPrice: 70n * USDC, funds: 1800n * USDC });
  expect(store.head().seq).toBe(book.seq);
});
