// Margin accounts settle an expiry at the pool's settlement price (MarginLedger.settleAtPool over
// OptionPool.settlementPrice): the first oracle print at or after expiry as the pool records it, an admin price when
// the pool had to take one, nothing while the pool has no price. Payouts against intrinsic values computed by hand.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { ManualClock, ManualOracle, OptionPool, PoolError } from "../pool/index.js";
import { derive33, MarginLedger, type MarginSeries } from "../pool/margin/index.js";

const T0 = 1_767_225_600;
const DAY = 86_400;
const USDC = 1_000_000n;
const E = T0 + 7 * DAY;
const PUT: MarginSeries = { type: "put", strike: 1800, expiry: E };
const CALL: MarginSeries = { type: "call", strike: 1750, expiry: E };
let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

/** A put pool (USDC, priceDecimals 8) with an open put at E, and a margin ledger on the same oracle and clock. */
function setup() {
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
  const pool = new OptionPool({ collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock });
  pool.deposit("lp", 1_000_000n * USDC);
  pool.trade("alice", { type: "put", strike: 1800, expiry: E, size: 100n, side: "buy", maxCost: 1_000n * USDC });
  const ledger = new MarginLedger({ pricer, oracle, clock, scales: { decimals: 6, sizeDecimals: 2 }, preset: derive33() });
  for (const a of ["writer", "buyer"]) ledger.deposit(a, 50_000n * USDC);
  ledger.trade("buyer", "writer", { series: PUT, size: 300n, price: 40n * USDC }); // 3 puts
  ledger.trade("writer", "buyer", { series: CALL, size: 150n, price: 300n * USDC }); // the buyer writes 1.5 calls
  return { clock, oracle, pool, ledger };
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PoolError);
    return (e as PoolError).code;
  }
  throw new Error("did not throw");
}

describe("margin settlement at the pool's settlement price", () => {
  it("settles at the pool's first print after expiry, as the pool records it (8 price decimals → 6 cash decimals, down)", () => {
    const t = setup();
    t.clock.set(E);
    const before = t.ledger.events.length;
    // No print at or after the expiry yet: the pool has no price, so neither does the margin ledger.
    expect(code(() => t.ledger.settleAtPool(t.pool, E))).toBe("SETTLEMENT_PENDING");
    expect(t.ledger.events.length).toBe(before);
    t.clock.advance(30);
    t.oracle.push({ spot: 1790.12345678, timestamp: t.clock.now() });
    t.clock.advance(60);
    t.oracle.push({ spot: 1700, timestamp: t.clock.now() }); // a later print does not move the settlement price
    expect(t.pool.settle(E)).toBe(1790.12345678);
    const cash = { writer: t.ledger.cashOf("writer"), buyer: t.ledger.cashOf("buyer") };
    const payouts = t.ledger.settleAtPool(t.pool, E);
    const settle = t.ledger.events.at(-1)!;
    expect(settle.kind === "settle" && settle.priceUnits).toBe(1_790_123_456n);
    // By hand at 1790.123456: the put pays (1800 − 1790.123456) × 3 = 29.629632; the call (1790.123456 − 1750) × 1.5
    // = 60.185184. The writer is short the puts and long the calls; the buyer the other way round.
    expect(payouts).toEqual([
      { account: "buyer", amount: 29_629_632n - 60_185_184n },
      { account: "writer", amount: 60_185_184n - 29_629_632n },
    ]);
    expect(t.ledger.cashOf("writer")).toBe(cash.writer + 60_185_184n - 29_629_632n);
    expect(t.ledger.cashOf("buyer")).toBe(cash.buyer - 60_185_184n + 29_629_632n);
    expect(t.ledger.positionsOf("writer")).toEqual([]);
    expect(code(() => t.ledger.settleAtPool(t.pool, E))).toBe("NOTHING_TO_SETTLE");
  });

  it("settles at the pool's admin price when the feed was down, and before the pool itself has settled at its rule's price", () => {
    const t = setup();
    t.clock.set(E + 3600 + 3600);
    // Without any print the pool's rule has no price: refused until the operator's admin settlement.
    expect(code(() => t.ledger.settleAtPool(t.pool, E))).toBe("SETTLEMENT_PENDING");
    t.pool.adminSettle(E, 1850.5, "feed down");
    t.ledger.settleAtPool(t.pool, E);
    const settle = t.ledger.events.at(-1)!;
    expect(settle.kind === "settle" && settle.priceUnits).toBe(1_850_500_000n);
    // Above both strikes: the puts expire worthless, the calls pay (1850.5 − 1750) × 1.5 = 150.75 to the writer.
    expect(settle.kind === "settle" && settle.payouts).toEqual([{ account: "buyer", amount: -150_750_000n }, { account: "writer", amount: 150_750_000n }]);

    const u = setup();
    u.clock.set(E + 5);
    u.oracle.push({ spot: 1810, timestamp: u.clock.now() });
    u.ledger.settleAtPool(u.pool, E); // the pool has not settled yet: its rule gives the same print
    expect(u.pool.settle(E)).toBe(1810);
    const s2 = u.ledger.events.at(-1)!;
    expect(s2.kind === "settle" && s2.priceUnits).toBe(1_810_000_000n);
  });
});
