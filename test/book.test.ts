// Worked examples of the peer order book and its routing against the pool, over the REAL pricer.
// Pool: USDC (6 decimals), sizes in 1/100 contract, ETH puts strike 1800, spot 2000, vol 0.6, 30 days.
// Collateral of a put: strike × contracts = 1800 USDC per contract = 1_800_000_000 units.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { ManualClock, ManualOracle, OptionPool, PoolError, type PoolConfig, type PoolParams } from "../pool/index.js";
import { PeerBook, bookEventsFromJSON, bookEventsToJSON } from "../pool/book/index.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

const T0 = 1_767_225_600;
const DAY = 86_400;
const USDC = 1_000_000n;
const EXPIRY = T0 + 30 * DAY;
const PUT = { type: "put" as const, strike: 1800, expiry: EXPIRY };

function setup(liquidity: bigint, params: Partial<PoolParams> = {}) {
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
  const config: PoolConfig = { collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock, params };
  const pool = new OptionPool(config);
  if (liquidity > 0n) pool.deposit("lp", liquidity);
  const book = new PeerBook(pool);
  book.list(PUT);
  return { pool, book, clock, oracle, config };
}

function expectRejected(book: PeerBook, op: () => unknown, code: string, field: string) {
  const before = JSON.stringify(book.snapshot());
  const poolBefore = JSON.stringify(book.pool.snapshot());
  let caught: unknown;
  try {
    op();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(PoolError);
  expect((caught as PoolError).code).toBe(code);
  expect((caught as PoolError).field).toBe(field);
  expect(JSON.stringify(book.snapshot())).toBe(before);
  expect(JSON.stringify(book.pool.snapshot())).toBe(poolBefore);
}

describe("matching (pool with no liquidity, so peers only)", () => {
  it("fills by price then time, partially, and a cancel returns exactly the remaining collateral", () => {
    const { book } = setup(0n);
    // asks: alice 3 @ 60 USDC (posts 3 × 1800 = 5400 USDC), bob 2 @ 55 (3600), carol 1 @ 60 (1800, after alice)
    const a = book.submit("alice", { ...PUT, side: "sell", size: 300n, limitPrice: 60n * USDC, funds: 5400n * USDC });
    const b = book.submit("bob", { ...PUT, side: "sell", size: 200n, limitPrice: 55n * USDC, funds: 3600n * USDC });
    const c = book.submit("carol", { ...PUT, side: "sell", size: 100n, limitPrice: 60n * USDC, funds: 1800n * USDC });
    expect(a.resting!.escrow).toBe(5400n * USDC);
    expect(book.escrow).toBe(10_800n * USDC);
    // dave buys 4.5 @ ≤ 60: bob's 2 @ 55 first (best price) = 110 USDC, then alice's 2.5 @ 60 (earlier than carol) = 150 USDC.
    const r = book.submit("dave", { ...PUT, side: "buy", size: 450n, limitPrice: 60n * USDC, funds: 1000n * USDC });
    expect(r.peerFills.map((f) => [f.maker, f.size, f.amount, f.collateral])).toEqual([
      ["bob", 200n, 110n * USDC, 3600n * USDC],
      ["alice", 250n, 150n * USDC, 4500n * USDC],
    ]);
    expect(r.premium).toBe(260n * USDC);
    expect(r.pool).toBeUndefined();
    expect(r.resting).toBeUndefined();
    expect(book.order(a.resting!.id)!.size).toBe(50n);
    expect(book.order(c.resting!.id)!.size).toBe(100n);
    expect(book.order(b.resting!.id)).toBeUndefined();
    expect(book.claimableOf("bob")).toBe(110n * USDC);
    expect(book.locked).toBe(8100n * USDC);
    expect(book.positionsOf("dave")).toEqual([{ series: r.series, long: 450n, short: 0n }]);
    // alice's 0.5 left holds 5400 − 4500 = 900 USDC; cancelling pays exactly that back.
    expect(book.cancel("alice", a.resting!.id)).toBe(900n * USDC);
    expect(book.escrow).toBe(1800n * USDC);
  });

  it("rounds the buyer's payment up per maker on cumulative size, so the pieces sum to the whole order", () => {
    const { book } = setup(0n);
    // Price 33.333333 USDC per contract; 0.01 contract is 333,333.33 units → the first piece pays ⌈⌉ = 333,334,
    // the next piece ⌈666,666.66⌉ − 333,334 = 333,333, the last ⌈999,999.99⌉ − 666,667 = 333,333: total = ⌈p·size⌉.
    const bid = book.submit("bob", { ...PUT, side: "buy", size: 3n, limitPrice: 33_333_333n, funds: 1_000_000n });
    expect(bid.resting!.escrow).toBe(1_000_000n);
    const amounts = [1n, 1n, 1n].map((size) => book.submit("s", { ...PUT, side: "sell", size, limitPrice: 1n, funds: 18n * USDC }).peerFills[0]!.amount);
    expect(amounts).toEqual([333_334n, 333_333n, 333_333n]);
    expect(book.escrow).toBe(0n);
    expect(book.claimableOf("s")).toBe(1_000_000n);
  });

  it("a limit order that crosses rests only its unfilled remainder; a market order reports it unfilled", () => {
    const { book } = setup(0n);
    book.submit("alice", { ...PUT, side: "sell", size: 100n, limitPrice: 50n * USDC, funds: 1800n * USDC });
    const r = book.submit("bob", { ...PUT, side: "buy", size: 300n, limitPrice: 52n * USDC, funds: 200n * USDC });
    // fills 1 @ 50, rests 2 @ 52 holding 104 USDC; total needed 154 ≤ 200 posted
    expect(r.filledByPeers).toBe(100n);
    expect(r.resting).toMatchObject({ size: 200n, price: 52n * USDC, escrow: 104n * USDC });
    const m = book.submit("carol", { ...PUT, side: "sell", size: 500n, funds: 9000n * USDC });
    expect(m.filledByPeers).toBe(200n);
    expect(m.premium).toBe(104n * USDC);
    expect(m.collateralPosted).toBe(3600n * USDC);
    expect(m.unfilled).toBe(300n);
    expect(book.orders(PUT, "buy")).toEqual([]);
    expect(book.orders(PUT, "sell")).toEqual([]);
  });
});

describe("routing between peers and the pool", () => {
  it("a peer ask equal to the pool's price wins; one unit dearer and the pool fills", () => {
    const { book, pool } = setup(1_000_000n * USDC);
    const q = pool.quote({ ...PUT, size: 100n, side: "buy" }); // 1 contract: per-contract price = q.total
    book.submit("alice", { ...PUT, side: "sell", size: 100n, limitPrice: q.total, funds: 1800n * USDC });
    const tie = book.submit("dave", { ...PUT, side: "buy", size: 100n, funds: q.total });
    expect(tie.peerFills).toHaveLength(1);
    expect(tie.pool).toBeUndefined();
    const q2 = pool.quote({ ...PUT, size: 100n, side: "buy" });
    book.submit("alice", { ...PUT, side: "sell", size: 100n, limitPrice: q2.total + 1n, funds: 1800n * USDC });
    const dearer = book.submit("dave", { ...PUT, side: "buy", size: 100n, funds: q2.total });
    expect(dearer.peerFills).toHaveLength(0);
    expect(dearer.pool!.total).toBe(q2.total);
    expect(pool.positionsOf("dave")[0]!.size).toBe(100n);
  });

  it("splits a market buy: the cheaper peer ask first, then the pool for the rest, the dearer ask untouched", () => {
    const { book, pool } = setup(1_000_000n * USDC);
    // Pool quote for 3 contracts, per contract P3 = q3.total / 3. Ask A (1 contract) at P3 − 1 USDC: better, fills.
    // Then 2 contracts remain; the pool's quote for 2 (P2 per contract, P2 < P3 + 5 USDC) beats ask B at P3 + 5 USDC.
    const q3 = pool.quote({ ...PUT, size: 300n, side: "buy" });
    const p3 = q3.total / 3n;
    book.submit("alice", { ...PUT, side: "sell", size: 100n, limitPrice: p3 - USDC, funds: 1800n * USDC });
    const bAsk = book.submit("bob", { ...PUT, side: "sell", size: 100n, limitPrice: p3 + 5n * USDC, funds: 1800n * USDC });
    const q2 = pool.quote({ ...PUT, size: 200n, side: "buy" });
    const r = book.submit("dave", { ...PUT, side: "buy", size: 300n, funds: 10_000n * USDC });
    expect(r.peerFills.map((f) => [f.maker, f.size, f.amount])).toEqual([["alice", 100n, p3 - USDC]]);
    expect(r.pool!.size).toBe(200n);
    expect(r.pool!.total).toBe(q2.total);
    expect(r.premium).toBe(p3 - USDC + q2.total);
    expect(book.order(bAsk.resting!.id)!.size).toBe(100n);
    expect(pool.events.at(-1)).toMatchObject({ kind: "trade", trader: "dave", size: 200n, paid: q2.total });
  });

  it("the pool never fills above the trader's limit: the remainder rests instead", () => {
    const { book, pool } = setup(1_000_000n * USDC);
    const q = pool.quote({ ...PUT, size: 100n, side: "buy" });
    const r = book.submit("dave", { ...PUT, side: "buy", size: 100n, limitPrice: q.total - 1n, funds: q.total });
    expect(r.pool).toBeUndefined();
    expect(r.resting!.size).toBe(100n);
    expect(pool.positionsOf("dave")).toEqual([]);
    const ok = book.submit("erin", { ...PUT, side: "buy", size: 100n, limitPrice: q.total, funds: q.total });
    expect(ok.pool!.total).toBe(q.total);
  });

  it("a sell goes to bids at least as good as the pool's buy-back, then the pool closes the trader's pool position", () => {
    const { book, pool } = setup(1_000_000n * USDC);
    const bought = book.submit("dave", { ...PUT, side: "buy", size: 200n, funds: 10_000n * USDC });
    expect(bought.filledByPool).toBe(200n);
    const back = pool.quote({ ...PUT, size: 200n, side: "sell" }); // pool pays back.total for 2
    book.submit("bob", { ...PUT, side: "buy", size: 100n, limitPrice: back.total / 2n + USDC, funds: 1000n * USDC });
    const r = book.submit("dave", { ...PUT, side: "sell", size: 200n, funds: 1800n * USDC });
    // bob's bid beats the pool's average buy-back for 2: dave writes 1 contract to bob (posting 1800 USDC),
    // then the pool buys back 1 of dave's pool contracts.
    expect(r.peerFills.map((f) => [f.maker, f.size, f.collateral])).toEqual([["bob", 100n, 1800n * USDC]]);
    expect(r.pool!.size).toBe(100n);
    expect(pool.positionsOf("dave")[0]!.size).toBe(100n);
    expect(book.positionsOf("dave")[0]!.short).toBe(100n);
  });
});

describe("validation: clear errors, nothing changed", () => {
  it("rejects size ≤ 0, price ≤ 0, unknown and expired series, wrong type, insufficient collateral, unknown order", () => {
    const { book, clock } = setup(0n);
    const sell = { ...PUT, side: "sell" as const, size: 100n, limitPrice: 60n * USDC, funds: 1800n * USDC };
    expectRejected(book, () => book.submit("a", { ...sell, size: 0n }), "INVALID_INPUT", "size");
    expectRejected(book, () => book.submit("a", { ...sell, size: -5n }), "INVALID_INPUT", "size");
    expectRejected(book, () => book.submit("a", { ...sell, limitPrice: 0n }), "INVALID_INPUT", "limitPrice");
    expectRejected(book, () => book.submit("a", { ...sell, strike: 1700 }), "UNKNOWN_SERIES", "series");
    expectRejected(book, () => book.submit("a", { ...sell, type: "call" }), "WRONG_OPTION_TYPE", "type");
    expectRejected(book, () => book.submit("a", { ...sell, funds: 1800n * USDC - 1n }), "INSUFFICIENT_COLLATERAL", "funds");
    expectRejected(book, () => book.submit("a", { ...sell, side: "buy", funds: 60n * USDC - 1n }), "INSUFFICIENT_COLLATERAL", "funds");
    expectRejected(book, () => book.cancel("a", 99), "UNKNOWN_ORDER", "id");
    book.submit("a", sell);
    expectRejected(book, () => book.submit("a", { ...sell, side: "buy", limitPrice: 70n * USDC, funds: 70n * USDC }), "INVALID_INPUT", "limitPrice");
    clock.set(EXPIRY);
    expectRejected(book, () => book.submit("b", { ...sell, side: "buy" }), "EXPIRED", "expiry");
  });
});

describe("expiry, settlement and replay", () => {
  it("refunds resting orders at expiry and settles peer positions at the pool's settlement price", () => {
    const { book, pool, clock, oracle, config } = setup(0n);
    book.submit("alice", { ...PUT, side: "sell", size: 300n, limitPrice: 60n * USDC, funds: 5400n * USDC });
    book.submit("bob", { ...PUT, side: "sell", size: 100n, limitPrice: 65n * USDC, funds: 1800n * USDC });
    book.submit("dave", { ...PUT, side: "buy", size: 250n, limitPrice: 60n * USDC, funds: 150n * USDC });
    book.submit("erin", { ...PUT, side: "buy", size: 100n, limitPrice: 40n * USDC, funds: 40n * USDC });
    clock.set(EXPIRY);
    oracle.push({ spot: 1500, timestamp: EXPIRY });
    const price = book.settle(EXPIRY);
    expect(price).toBe(pool.settlementPrice(EXPIRY).priceUnits);
    // Resting: alice's 0.5 (900 USDC), bob's 1 (1800), erin's bid (40) all refunded at expiry.
    expect(book.events.filter((e) => e.kind === "cancel" && e.reason === "expiry")).toHaveLength(3);
    // dave: 2.5 puts × (1800 − 1500) = 750 USDC; alice (writer of 2.5): 4500 − 750 = 3750 back + 150 premium.
    expect(book.claimableOf("dave")).toBe(750n * USDC);
    expect(book.claimableOf("alice")).toBe(3750n * USDC + 150n * USDC);
    expect(book.locked).toBe(0n);
    expect(book.claim("dave")).toBe(750n * USDC);
    const { paidIn, paidOut } = book.flows;
    expect(paidIn - paidOut).toBe(book.assets);
    const copy = PeerBook.fromJSON(new OptionPool(config), bookEventsToJSON(book.events));
    expect(copy.snapshot()).toEqual(book.snapshot());
    expect(bookEventsFromJSON(bookEventsToJSON(book.events))).toEqual(book.events);
  });

  it("a reordered or altered log is refused", () => {
    const { book, config } = setup(0n);
    book.submit("alice", { ...PUT, side: "sell", size: 100n, limitPrice: 60n * USDC, funds: 1800n * USDC });
    book.submit("dave", { ...PUT, side: "buy", size: 100n, limitPrice: 60n * USDC, funds: 60n * USDC });
    const events = book.events.map((e) => ({ ...e }));
    const altered = events.map((e) => (e.kind === "fill" ? { ...e, collateral: e.collateral + 1n } : e));
    expect(() => PeerBook.replay(new OptionPool(config), altered)).toThrow(PoolError);
    expect(() => PeerBook.replay(new OptionPool(config), [events[1]!, events[0]!, events[2]!])).toThrow(PoolError);
  });
});
