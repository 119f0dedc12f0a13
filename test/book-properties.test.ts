// Properties of the peer book over random operation sequences (fast-check), checked after every step:
// conservation (paid in − paid out = escrow + locked + claimable: no collateral created or lost), every resting
// order's escrow is exactly the telescoped remainder, a cancel refunds exactly that escrow, the book is never
// left crossed, each series' locked collateral covers its open size, a rejected operation changes nothing,
// and replaying the JSON log rebuilds the identical book.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { ManualClock, ManualOracle, OptionPool, PoolError, collateralFor, seriesKey, type PoolConfig } from "../pool/index.js";
import { mulDiv } from "../pool/units.js";
import { PeerBook, bookEventsToJSON } from "../pool/book/index.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

const T0 = 1_767_225_600;
const DAY = 86_400;
const USDC = 1_000_000n;
const SERIES = [
  { type: "put" as const, strike: 1800, expiry: T0 + DAY },
  { type: "put" as const, strike: 2000, expiry: T0 + 3 * DAY },
];
const ACCOUNTS = ["a", "b", "c"];

const op = fc.oneof(
  { weight: 10, arbitrary: fc.record({
    kind: fc.constant("submit" as const),
    who: fc.constantFrom(...ACCOUNTS),
    s: fc.nat(1),
    side: fc.constantFrom("buy" as const, "sell" as const),
    size: fc.bigInt({ min: -1n, max: 400n }),
    price: fc.option(fc.bigInt({ min: 0n, max: 60n * USDC }), { nil: undefined }),
    funds: fc.bigInt({ min: 0n, max: 20_000n * USDC }),
  }) },
  fc.record({ kind: fc.constant("cancel" as const), who: fc.constantFrom(...ACCOUNTS), pick: fc.nat(20) }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("advance" as const), seconds: fc.integer({ min: 0, max: 2 * DAY }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("settle" as const), s: fc.nat(1) }) },
  fc.record({ kind: fc.constant("claim" as const), who: fc.constantFrom(...ACCOUNTS) }),
  // a writer and a buyer meeting at one price (positions to settle)
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("pair" as const), s: fc.nat(1), size: fc.bigInt({ min: 1n, max: 300n }), price: fc.bigInt({ min: USDC, max: 40n * USDC }) }) },
  // the adversarial actor: a stale feed, a jumping print, pool settlements and LP operations around the expiries
  fc.record({ kind: fc.constant("stale" as const), seconds: fc.integer({ min: 1, max: DAY }) }),
  fc.record({ kind: fc.constant("jump" as const), logReturn: fc.double({ min: -0.5, max: 0.5, noNaN: true }) }),
  fc.record({ kind: fc.constant("poolSettle" as const), s: fc.nat(1) }),
  fc.record({ kind: fc.constant("lp" as const), deposit: fc.boolean(), amount: fc.bigInt({ min: 1n, max: 10_000n * USDC }) }),
);

function checkInvariants(book: PeerBook): void {
  const snap = book.snapshot() as { orders: { id: number; side: string; price: string; size: string; filled: string; escrow: string; series: { strikeUnits: string } }[] };
  const { paidIn, paidOut } = book.flows;
  expect(paidIn - paidOut).toBe(book.assets);
  let escrow = 0n;
  for (const o of snap.orders) {
    const [price, size, filled, e] = [BigInt(o.price), BigInt(o.size), BigInt(o.filled), BigInt(o.escrow)];
    const s = book.pool.settings;
    const expected = o.side === "buy"
      ? mulDiv(price, filled + size, 100n, "up") - mulDiv(price, filled, 100n, "up")
      : collateralFor("quote", BigInt(o.series.strikeUnits), filled + size, s) - collateralFor("quote", BigInt(o.series.strikeUnits), filled, s);
    expect(e).toBe(expected);
    escrow += e;
  }
  expect(book.escrow).toBe(escrow);
  for (const spec of SERIES) {
    const key = seriesKey({ type: spec.type, strikeUnits: BigInt(spec.strike) * 10n ** 8n, expiry: spec.expiry });
    const bids = book.orders(spec, "buy");
    const asks = book.orders(spec, "sell");
    if (bids.length && asks.length) expect(bids[0]!.price < asks[0]!.price).toBe(true);
    for (const p of book.openSeries().filter((x) => seriesKey(x.series) === key))
      expect(p.locked >= collateralFor("quote", p.series.strikeUnits, p.openSize, book.pool.settings)).toBe(true);
  }
}

/** The book's snapshot without its chain head (seq, hash, time): what it holds. */
function holdings(book: PeerBook): Record<string, unknown> {
  const { seq: _s, hash: _h, time: _t, ...rest } = book.snapshot();
  return rest;
}

describe("peer book properties", () => {
  it("conserves collateral, refunds cancels exactly, never rests crossed, rejects atomically, replays identically (300 runs)", () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { minLength: 1, maxLength: 60 }), (withPool, ops) => {
        const clock = new ManualClock(T0);
        const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
        const config: PoolConfig = { collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock, params: { maxOracleAgeSeconds: 10 * DAY, maxSettlementDelaySeconds: 10 * DAY } };
        const pool = new OptionPool(config);
        if (withPool) pool.deposit("lp", 50_000n * USDC); // without liquidity the pool cannot fill buys: peers only
        const book = new PeerBook(pool);
        for (const s of SERIES) book.list(s);
        for (const o of ops) {
          const seqBefore = book.seq;
          const before = JSON.stringify(holdings(book));
          const poolBefore = JSON.stringify(pool.snapshot());
          try {
            if (o.kind === "submit") {
              book.submit(o.who, { ...SERIES[o.s]!, side: o.side, size: o.size, limitPrice: o.price, funds: o.funds });
            } else if (o.kind === "cancel") {
              const mine = [...book.orders(SERIES[0]!, "buy"), ...book.orders(SERIES[0]!, "sell"), ...book.orders(SERIES[1]!, "buy"), ...book.orders(SERIES[1]!, "sell")].filter((x) => x.owner === o.who);
              const target = mine[o.pick % Math.max(1, mine.length)];
              const escrowBefore = book.escrow;
              const { paidOut } = book.flows;
              const refund = book.cancel(o.who, target ? target.id : 999);
              expect(refund).toBe(target!.escrow);
              expect(book.escrow).toBe(escrowBefore - refund);
              expect(book.flows.paidOut).toBe(paidOut + refund);
            } else if (o.kind === "advance") {
              clock.advance(o.seconds);
              oracle.push({ timestamp: clock.now(), spot: 1500 + (o.seconds % 1000) });
              book.expireOrders();
            } else if (o.kind === "settle") book.settle(SERIES[o.s]!.expiry);
            else if (o.kind === "pair") {
              book.submit("a", { ...SERIES[o.s]!, side: "sell", size: o.size, limitPrice: o.price, funds: 20_000n * USDC });
              book.submit("b", { ...SERIES[o.s]!, side: "buy", size: o.size, limitPrice: o.price, funds: 20_000n * USDC });
            } else if (o.kind === "stale") clock.advance(o.seconds);
            else if (o.kind === "jump") oracle.push({ timestamp: clock.now(), spot: oracle.latest().spot * Math.exp(o.logReturn) });
            else if (o.kind === "poolSettle") pool.settle(SERIES[o.s]!.expiry);
            else if (o.kind === "lp") {
              if (o.deposit) pool.deposit("lp", o.amount);
              else pool.redeem("lp", pool.sharesOf("lp") / 3n + 1n);
            } else book.claim(o.who);
          } catch (e) {
            if (!(e instanceof PoolError)) throw e;
            // Refused: neither the book's holdings nor the pool changed (a refused book order never leaves a pool trade);
            // the book's log holds nothing new, or the poolOrder and poolFailed of a pool part the pool refused.
            expect(JSON.stringify(holdings(book))).toBe(before);
            expect(["", "poolOrder,poolFailed"]).toContain(book.eventsSince(seqBefore).map((x) => x.kind).join(","));
            if (!(o.kind === "submit" && e.code === "TRADING_PAUSED")) expect(JSON.stringify(pool.snapshot())).toBe(poolBefore);
          }
          checkInvariants(book);
        }
        // Every run ends past both expiries: whatever positions it opened settle, and their accounts claim.
        clock.set(Math.max(clock.now(), SERIES[1]!.expiry + 60));
        oracle.push({ timestamp: clock.now(), spot: 1900 });
        for (const spec of SERIES) if (book.openSeries().some((p) => p.series.expiry === spec.expiry)) book.settle(spec.expiry);
        for (const who of [...ACCOUNTS, "treasury"]) if (book.claimableOf(who) > 0n) book.claim(who);
        checkInvariants(book);
        expect(book.assets).toBe(book.escrow);
        for (const e of book.events) seen.set(e.kind + (e.kind === "cancel" ? e.reason : ""), (seen.get(e.kind + (e.kind === "cancel" ? e.reason : "")) ?? 0) + 1);
        seen.set("pool-trade", (seen.get("pool-trade") ?? 0) + pool.events.filter((e) => e.kind === "trade").length);
        const copy = PeerBook.fromJSON(new OptionPool(config), bookEventsToJSON(book.events));
        expect(copy.snapshot()).toEqual(book.snapshot());
      }),
      { numRuns: 300, seed: 7 },
    );
    // The sequences really exercised every path (fills, pool fills, cancels, expiries, settlements, claims).
    for (const kind of ["place", "fill", "cancelcancel", "cancelexpiry", "settle", "claim", "pool-trade"]) expect(seen.get(kind) ?? 0, kind).toBeGreaterThan(0);
  });
});
