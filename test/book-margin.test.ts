// The peer book in margin mode: writers post only their portfolio margin (in a MarginLedger account) instead of full
// collateral, checked before every order and every fill; matches move premium and positions in the margin ledger and
// replay in both logs. Full collateral stays the default (test/book.test.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { ManualClock, ManualOracle, OptionPool, PoolError } from "../pool/index.js";
import { PeerBook, bookEventsToJSON } from "../pool/book/index.js";
import { derive33, MarginLedger, marginEventsToJSON, type MarginLedgerConfig } from "../pool/margin/index.js";
import type { BookEvent } from "../pool/book/index.js";
import type { PoolEvent } from "../pool/index.js";
import { FlakyStore } from "./support/flaky-store.js";

const T0 = 1_767_225_600;
const DAY = 86_400;
const USDC = 1_000_000n;
const PUT = { type: "put" as const, strike: 1800, expiry: T0 + 30 * DAY };
const SERIES = { type: "put" as const, strike: 1800, expiry: T0 + 30 * DAY };
let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

function setup(poolLiquidity = 0n, store?: FlakyStore<BookEvent>) {
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
  const pool = new OptionPool({ collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock });
  if (poolLiquidity > 0n) pool.deposit("lp", poolLiquidity);
  const marginConfig: MarginLedgerConfig = { pricer, oracle, clock, scales: { decimals: 6, sizeDecimals: 2 }, preset: derive33() };
  const margin = new MarginLedger(marginConfig);
  const book = new PeerBook(pool, { margin, ...(store ? { store } : {}) });
  book.list(PUT);
  return { clock, oracle, pool, margin, marginConfig, book };
}

function rejects(f: () => unknown, code: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PoolError);
    expect((e as PoolError).code).toBe(code);
    return;
  }
  throw new Error("did not throw");
}

describe("peer book in margin mode", () => {
  it("a writer sells 10 puts on its portfolio margin, a fraction of the 18,000 USDC full collateral", () => {
    const t = setup();
    const im = t.margin.marginOf("writer", [{ series: SERIES, size: -1000n }]).initial;
    expect(im).toBeLessThan(18_000n * USDC / 2n);
    t.margin.deposit("writer", im);
    t.margin.deposit("buyer", 5_000n * USDC);
    const ask = t.book.submit("writer", { ...PUT, side: "sell", size: 1000n, limitPrice: 60n * USDC, funds: 0n });
    expect(ask.resting!.escrow).toBe(0n);
    expect(t.book.assets).toBe(0n);
    const buy = t.book.submit("buyer", { ...PUT, side: "buy", size: 400n, limitPrice: 60n * USDC, funds: 0n });
    expect(buy.filledByPeers).toBe(400n);
    expect(buy.premium).toBe(240n * USDC);
    expect(t.margin.positionsOf("writer")).toEqual([{ series: SERIES, size: -400n }]);
    expect(t.margin.positionsOf("buyer")).toEqual([{ series: SERIES, size: 400n }]);
    expect(t.margin.cashOf("writer")).toBe(im + 240n * USDC);
    expect(t.book.events.map((e) => e.kind)).toEqual(["list", "place", "match"]);
    // Both logs replay; the book's only in margin mode.
    const again = PeerBook.fromJSON(t.pool, bookEventsToJSON(t.book.events), { margin: MarginLedger.fromJSON(t.marginConfig, marginEventsToJSON(t.margin.events)) });
    expect(again.snapshot()).toEqual(t.book.snapshot());
    rejects(() => PeerBook.fromJSON(t.pool, bookEventsToJSON(t.book.events)), "REPLAY_MISMATCH");
  });

  it("refuses an order the account cannot carry, counting what it already has resting", () => {
    const t = setup();
    const im = t.margin.marginOf("writer", [{ series: SERIES, size: -1000n }]).initial;
    t.margin.deposit("writer", im);
    t.book.submit("writer", { ...PUT, side: "sell", size: 1000n, limitPrice: 60n * USDC, funds: 0n });
    const before = JSON.stringify(t.book.snapshot());
    rejects(() => t.book.submit("writer", { ...PUT, side: "sell", size: 500n, limitPrice: 70n * USDC, funds: 0n }), "INSUFFICIENT_COLLATERAL");
    expect(JSON.stringify(t.book.snapshot())).toBe(before);
    rejects(() => t.book.submit("broke", { ...PUT, side: "buy", size: 100n, limitPrice: 50n * USDC, funds: 0n }), "INSUFFICIENT_COLLATERAL");
  });

  it("checks every fill: a maker whose account no longer carries its ask is passed over, a taker stops when it cannot pay", () => {
    const t = setup();
    const im = t.margin.marginOf("a", [{ series: SERIES, size: -500n }]).initial;
    t.margin.deposit("a", im);
    t.margin.deposit("b", 10_000n * USDC);
    t.book.submit("a", { ...PUT, side: "sell", size: 500n, limitPrice: 50n * USDC, funds: 0n });
    t.book.submit("b", { ...PUT, side: "sell", size: 500n, limitPrice: 60n * USDC, funds: 0n });
    t.clock.advance(10);
    t.oracle.push({ spot: 1850, timestamp: t.clock.now(), baseVol: 0.6 }); // a's margin no longer covers its ask
    t.margin.deposit("buyer", 100n * USDC); // pays for 1.66 contracts at 60
    const r = t.book.submit("buyer", { ...PUT, side: "buy", size: 500n, funds: 0n });
    expect(r.peerFills.map((f) => f.maker)).toEqual([]); // a skipped; b's 500 at 60 = 300 USDC > the buyer's cash
    expect(r.unfilled).toBe(500n);
    t.margin.deposit("buyer", 1_000n * USDC);
    const r2 = t.book.submit("buyer", { ...PUT, side: "buy", size: 500n, funds: 0n });
    expect(r2.peerFills.map((f) => f.maker)).toEqual(["b"]);
    expect(t.book.orders(PUT, "sell").map((o) => o.owner)).toEqual(["a"]);
  });

  it("refuses to start without a fresh price, and a book on a base-collateral pool", () => {
    const t = setup();
    t.margin.deposit("buyer", 100n * USDC);
    t.clock.advance(3600);
    rejects(() => t.book.submit("buyer", { ...PUT, side: "buy", size: 100n, limitPrice: 10n * USDC, funds: 0n }), "STALE_ORACLE");
    const base = new OptionPool({ collateral: "base", decimals: 18, sizeDecimals: 2, pricer, oracle: t.oracle, clock: t.clock });
    rejects(() => new PeerBook(base, { margin: t.margin }), "INVALID_INPUT");
  });

  it("a match whose book events the store refuses leaves the margin ledger as it was (STORE_FAILED), then goes through", () => {
    const store = new FlakyStore<BookEvent>();
    const t = setup(0n, store);
    const im = t.margin.marginOf("writer", [{ series: SERIES, size: -1000n }]).initial;
    t.margin.deposit("writer", im);
    t.margin.deposit("buyer", 5_000n * USDC);
    t.book.submit("writer", { ...PUT, side: "sell", size: 1000n, limitPrice: 60n * USDC, funds: 0n });
    const state = () => [JSON.stringify(t.book.snapshot()), marginEventsToJSON(t.margin.events), t.margin.accountNames.map((a) => [a, t.margin.cashOf(a), t.margin.positionsOf(a)])];
    const before = state();
    store.failNext = "disk full";
    // The match runs its margin trade inside the submission; the book's append comes after it and is refused.
    rejects(() => t.book.submit("buyer", { ...PUT, side: "buy", size: 400n, limitPrice: 60n * USDC, funds: 0n }), "STORE_FAILED");
    expect(state()).toEqual(before);
    expect(t.margin.positionsOf("buyer")).toEqual([]);
    expect(t.margin.cashOf("writer")).toBe(im);
    const buy = t.book.submit("buyer", { ...PUT, side: "buy", size: 400n, limitPrice: 60n * USDC, funds: 0n });
    expect(buy.filledByPeers).toBe(400n);
    expect(t.margin.positionsOf("buyer")).toEqual([{ series: SERIES, size: 400n }]);
    expect(store.head().seq).toBe(t.book.seq);
    // The book's log (from its store) and the margin ledger's log still replay together.
    const again = PeerBook.replay(t.pool, store.read(1, 100), { margin: MarginLedger.replay(t.marginConfig, t.margin.events) });
    expect(again.snapshot()).toEqual(t.book.snapshot());
  });

  it("a pool part the pool's store refuses leaves the submission's margin trades undone (STORE_FAILED)", () => {
    const clock = new ManualClock(T0);
    const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
    const poolStore = new FlakyStore<PoolEvent>();
    const pool = new OptionPool({ collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock, store: poolStore });
    pool.deposit("lp", 1_000_000n * USDC);
    const margin = new MarginLedger({ pricer, oracle, clock, scales: { decimals: 6, sizeDecimals: 2 }, preset: derive33() });
    const book = new PeerBook(pool, { margin });
    book.list(PUT);
    margin.deposit("writer", 20_000n * USDC);
    margin.deposit("buyer", 5_000n * USDC);
    book.submit("writer", { ...PUT, side: "sell", size: 400n, limitPrice: 30n * USDC, funds: 0n });
    // The book's holdings (its snapshot without the chain head), the margin ledger and the pool's log.
    const holdings = () => {
      const { seq: _s, hash: _h, time: _t, ...rest } = book.snapshot();
      return [marginEventsToJSON(margin.events), JSON.stringify(rest), poolStore.head().seq];
    };
    const before = holdings();
    const seq = book.seq;
    // The buyer takes the writer's 4 puts (a margin trade) and 2 more from the pool, whose store refuses the trade.
    poolStore.failNext = "pool disk full";
    rejects(() => book.submit("buyer", { ...PUT, side: "buy", size: 600n, funds: 1_000n * USDC }), "STORE_FAILED");
    expect(holdings()).toEqual(before);
    // The pool's part was recorded before the pool traded, and its failure after: the margin trades never ran.
    expect(book.eventsSince(seq).map((e) => e.kind)).toEqual(["poolOrder", "poolFailed"]);
    expect(margin.positionsOf("buyer")).toEqual([]);
    const r = book.submit("buyer", { ...PUT, side: "buy", size: 600n, funds: 1_000n * USDC });
    expect([r.filledByPeers, r.filledByPool]).toEqual([400n, 200n]);
    expect(margin.positionsOf("buyer")).toEqual([{ series: SERIES, size: 400n }]);
  });

  it("a margin unit cannot nest or start inside a margin operation (REENTRANT_CALL)", () => {
    const t = setup();
    rejects(() => t.margin.atomically(() => t.margin.atomically(() => 0)), "REENTRANT_CALL");
    t.margin.deposit("a", 100n * USDC);
    // A unit that throws undoes its deposits; one that returns keeps them.
    expect(() => t.margin.atomically(() => {
      t.margin.deposit("a", 5n * USDC);
      throw new Error("refused elsewhere");
    })).toThrow("refused elsewhere");
    expect(t.margin.cashOf("a")).toBe(100n * USDC);
    expect(t.margin.atomically(() => (t.margin.deposit("a", 5n * USDC), 1))).toBe(1);
    expect(t.margin.cashOf("a")).toBe(105n * USDC);
    expect(MarginLedger.replay(t.marginConfig, t.margin.events).cashOf("a")).toBe(105n * USDC);
  });
});
