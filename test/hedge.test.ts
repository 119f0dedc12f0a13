// Hedging: the hedge's events replay and verify like every other event, a venue failing or refusing leaves the pool
// consistent and the hedge retried, a manipulated venue cannot make the pool trade beyond the oracle guards, the
// quote charges the hedge fee from the trade's delta, and the bookkeeping is exact.
import { blackScholes as referenceBlackScholes } from "black-scholes";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import {
  eventsFromJSON, eventsToJSON, Hedger, OptionPool, PoolError, positionAfterFill, SimulatedVenue, VenueError, whalleyWilmottHalfWidth,
  type HedgeVenue, type VenueFill, type VenueOrder,
} from "../pool/index.js";
import { genesisHash, sealEvent } from "../pool/ledger-chain.js";
import type { PoolEvent, PoolEventBody } from "../pool/events.js";
import { DAY, expectRejected, makePool, T0, USDC, type PoolFixture } from "./support/pool.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

/** A pool with 100k USDC and 30 ETH-contracts of 30-day 1900 puts sold. */
function hedgedPool(params = {}): PoolFixture & { venue: SimulatedVenue } {
  const f = makePool(pricer, { params });
  f.pool.deposit("lp", 100_000n * USDC);
  f.pool.trade("alice", { type: "put", strike: 1900, expiry: T0 + 30 * DAY, size: 3000n, side: "buy", maxCost: 10n ** 12n });
  const venue = new SimulatedVenue({ spot: () => f.oracle.latest().spot, clock: f.clock, seed: 7 });
  return { ...f, venue };
}

/** A venue that follows another and can be taken down, or made to mark or fill away from it. */
class ControlledVenue implements HedgeVenue {
  readonly name = "controlled";
  readonly kind = "perpetual";
  down = false;
  markFactor = 1;
  executed: string[] = [];
  constructor(private readonly inner: HedgeVenue) {}
  mark(): number {
    if (this.down) throw new VenueError("unavailable", "down");
    return this.inner.mark() * this.markFactor;
  }
  feeRate(): number { return this.inner.feeRate(); }
  slippage(size: number): number { return this.inner.slippage(size); }
  fundingRate(): number { return this.inner.fundingRate(); }
  execute(order: VenueOrder): VenueFill {
    if (this.down) throw new VenueError("unavailable", "down");
    this.executed.push(order.id);
    return this.inner.execute(order);
  }
}

const policy = { band: { kind: "fixed" as const, halfWidth: 0.5 } };

function conservation(pool: OptionPool): void {
  const t = pool.totals;
  expect(t.paidIn - t.paidOut + t.hedgeRealised - t.hedgeFees - t.hedgeFunding).toBe(pool.assets);
}

describe("the hedger", () => {
  it("refuses a base-collateral pool, its pass and its decision, naming the collateral and changing nothing", () => {
    const f = makePool(pricer, { kind: "base" });
    f.pool.deposit("lp", 100n * 10n ** 18n);
    f.pool.trade("alice", { type: "call", strike: 2200, expiry: T0 + 30 * DAY, size: 300n, side: "buy", maxCost: 10n ** 20n });
    const hedger = new Hedger({ venue: new SimulatedVenue({ spot: () => f.oracle.latest().spot, clock: f.clock, seed: 7 }), policy });
    expect(expectRejected(f.pool, () => f.pool.hedge(hedger), "INVALID_INPUT", "collateral").message).toMatch(/quote-collateral/);
    expectRejected(f.pool, () => f.pool.hedgeDecision(hedger), "INVALID_INPUT", "collateral");
  });

  it("hedges the book's delta to within the band and the events replay to the identical pool", () => {
    const f = hedgedPool();
    const hedger = new Hedger({ venue: f.venue, policy });
    const r = f.pool.hedge(hedger);
    expect(r.status).toBe("filled");
    // Short puts: positive delta, hedged by a short position of that size (size units, 2 decimals).
    const d = r.decision!;
    expect(d.netDelta).toBeGreaterThan(0.5);
    const after = f.pool.hedgeDecision(hedger);
    expect(Math.abs(after.netDelta)).toBeLessThanOrEqual(0.01 + 1e-9); // one size unit of rounding
    for (let day = 1; day <= 5; day++) {
      f.clock.set(T0 + day * DAY);
      f.oracle.push({ timestamp: T0 + day * DAY, spot: 2000 * (1 - 0.01 * day) });
      f.pool.hedge(hedger);
      conservation(f.pool);
    }
    const kinds = f.pool.events.map((e) => e.kind);
    expect(kinds).toContain("hedgeFunding");
    const replayed = OptionPool.fromJSON(f.config, eventsToJSON(f.pool.events));
    expect(replayed.snapshot()).toEqual(f.pool.snapshot());
    expect(replayed.nav()).toBe(f.pool.nav());
  });

  it("the verifying replay refuses a hedge fill whose fee, margin or realised P&L was changed", () => {
    const f = hedgedPool();
    const hedger = new Hedger({ venue: f.venue, policy });
    f.pool.hedge(hedger);
    f.clock.set(T0 + DAY);
    f.oracle.push({ timestamp: T0 + DAY, spot: 2100 });
    f.pool.hedge(hedger);
    const text = eventsToJSON(f.pool.events);
    for (const field of ["fee", "margin", "realised", "notional"]) {
      const events = eventsFromJSON(text).map((e) => (e.kind === "hedgeFill" ? { ...e, [field]: (e as unknown as Record<string, bigint>)[field]! + 1n } : e));
      // Re-chained, so that only the re-derivation (not the hash) can catch it.
      let caught: unknown;
      try {
        OptionPool.replay(f.config, resealed(events, f.pool.settings));
      } catch (e) {
        caught = e;
      }
      expect(caught, field).toBeInstanceOf(PoolError);
      expect((caught as PoolError).code).toBe("REPLAY_MISMATCH");
    }
  });

  it("a venue that is down leaves the order pending and re-sends the same id; it fills once", () => {
    const f = hedgedPool();
    const venue = new ControlledVenue(f.venue);
    const hedger = new Hedger({ venue, policy });
    venue.down = true;
    expectRejected(f.pool, () => f.pool.hedge(hedger), "HEDGE_VENUE_UNAVAILABLE", "venue");
    venue.down = false;
    // Down between the order and its execution: the order stays pending, the pool stays consistent.
    const inner = venue.execute.bind(venue);
    venue.execute = (o) => {
      venue.down = true;
      return inner(o);
    };
    const r1 = f.pool.hedge(hedger);
    expect(r1.status).toBe("pending");
    expect(f.pool.hedgePosition().pending?.id).toBe(1);
    expect(f.pool.hedgePosition().size).toBe(0n);
    conservation(f.pool);
    venue.execute = inner;
    venue.down = false;
    const r2 = f.pool.hedge(hedger);
    expect(r2).toMatchObject({ status: "filled", orderId: 1 });
    const r3 = f.pool.hedge(hedger);
    expect(r3.status).toBe("inside-band");
    expect(venue.executed).toEqual(["controlled#1"]);
    expect(f.pool.hedgePosition().size).toBeLessThan(0n);
    expect(OptionPool.replay(f.config, f.pool.events).snapshot()).toEqual(f.pool.snapshot());
  });

  it("a venue refusing records hedgeFailed, changes no balance, and the next pass sends a new order", () => {
    const f = hedgedPool();
    const refusing = new SimulatedVenue({ spot: () => f.oracle.latest().spot, clock: f.clock, impact: 1, depth: 1 });
    const before = { free: f.pool.free, nav: f.pool.nav() };
    const r = f.pool.hedge(new Hedger({ venue: refusing, policy }));
    expect(r.status).toBe("failed");
    expect(r.reason).toMatch(/beyond the limit/);
    expect(f.pool.events.at(-1)!.kind).toBe("hedgeFailed");
    expect({ free: f.pool.free, nav: f.pool.nav() }).toEqual(before);
    expect(f.pool.hedgePosition()).toMatchObject({ size: 0n, pending: undefined, nextOrderId: 2 });
    const ok = f.pool.hedge(new Hedger({ venue: f.venue, policy }));
    expect(ok).toMatchObject({ status: "filled", orderId: 2 });
    conservation(f.pool);
  });
});

describe("manipulation with hedging on", () => {
  it("a venue marking beyond maxHedgeDeviation of the oracle gets no order (nothing changes)", () => {
    const f = hedgedPool();
    const venue = new ControlledVenue(f.venue);
    venue.markFactor = 1.03; // a pumped venue mark, 3 % above the oracle (limit 1 %)
    expectRejected(f.pool, () => f.pool.hedge(new Hedger({ venue, policy })), "HEDGE_PRICE_DEVIATION", "venue.mark");
    venue.markFactor = 0.97;
    expectRejected(f.pool, () => f.pool.hedge(new Hedger({ venue, policy })), "HEDGE_PRICE_DEVIATION", "venue.mark");
    expect(venue.executed).toEqual([]);
  });

  it("a mark just inside the guard fills no worse than the oracle limit, and the loss is bounded by it", () => {
    const f = hedgedPool();
    const venue = new ControlledVenue(f.venue);
    venue.markFactor = 0.9905; // the pool sells: a depressed mark, just inside 1 %
    const r = f.pool.hedge(new Hedger({ venue, policy }));
    const fill = f.pool.events.find((e) => e.kind === "hedgeFill");
    const order = f.pool.events.find((e) => e.kind === "hedgeOrder");
    if (r.status === "filled") {
      expect(fill && fill.kind === "hedgeFill" && order && order.kind === "hedgeOrder" && fill.price >= order.limitPrice).toBe(true);
      if (order?.kind === "hedgeOrder") expect(order.limitPrice).toBe(2000 * (1 - 0.01));
    } else expect(r.status).toBe("failed");
  });

  it("an oracle spike (deviation from its average) or a moving spot stops hedging like trading", () => {
    const f = hedgedPool();
    f.clock.set(T0 + 3600);
    f.oracle.push({ timestamp: T0 + 3600, spot: 2000 });
    f.clock.set(T0 + 3601);
    f.oracle.push({ timestamp: T0 + 3601, spot: 2500 }); // +25 % in one second
    const venue = new SimulatedVenue({ spot: () => f.oracle.latest().spot, clock: f.clock });
    const e = expectRejected(f.pool, () => f.pool.hedge(new Hedger({ venue, policy })), "TRADING_PAUSED");
    expect(e.field).toBe("oracle.spot");
  });
});

describe("the hedge fee in the quote", () => {
  it("is hedgeCostRate · |Black-Scholes delta| · spot per contract, in the fees, and re-derived on replay", () => {
    const f = makePool(pricer, { params: { hedgeCostRate: 0.002 } });
    f.pool.deposit("lp", 100_000n * USDC);
    const q = f.pool.quote({ type: "put", strike: 1900, expiry: T0 + 30 * DAY, size: 500n, side: "buy" });
    const ref = referenceBlackScholes(2000, 1900, 30 / 365, q.volUsed, 0, "put");
    // Reference delta: N(d1) − 1 by the closed form (the "black-scholes" package prices only, so d1 is computed here).
    const t = 30 / 365;
    const d1 = (Math.log(2000 / 1900) + 0.5 * q.volUsed ** 2 * t) / (q.volUsed * Math.sqrt(t));
    const delta = normalCdf(d1) - 1;
    expect(ref).toBeGreaterThan(0);
    expect(q.perContract.hedgeFee).toBeCloseTo(0.002 * Math.abs(delta) * 2000, 6); // 1e-6 $: the kernel's delta is accurate to ~1e-9
    expect(Number(q.hedgeFee)).toBeCloseTo(q.perContract.hedgeFee * 5 * 1e6, -1);
    expect(q.fees).toBe(q.utilizationMarkup + q.optionPriceFee + q.spotFee + q.vegaFee + q.hedgeFee);
    f.pool.trade("alice", { type: "put", strike: 1900, expiry: T0 + 30 * DAY, size: 500n, side: "buy", maxCost: 10n ** 12n });
    expect(OptionPool.replay(f.config, f.pool.events).snapshot()).toEqual(f.pool.snapshot());
    const none = makePool(pricer).pool;
    none.deposit("lp", 100_000n * USDC);
    expect(none.quote({ type: "put", strike: 1900, expiry: T0 + 30 * DAY, size: 500n, side: "buy" }).hedgeFee).toBe(0n);
  });
});

describe("hedge bookkeeping", () => {
  it("realised P&L minus the open basis equals minus the signed notional traded, exactly, over random fills", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.bigInt({ min: 1n, max: 10n ** 12n })), { minLength: 1, maxLength: 30 }), (fills) => {
        let h = { size: 0n, entry: 0n };
        let realised = 0n;
        let cash = 0n;
        for (const [buy, size, notional] of fills) {
          const r = positionAfterFill(h, buy ? "buy" : "sell", size, notional);
          realised += r.realised;
          cash += buy ? -notional : notional;
          h = { size: r.size, entry: r.entry };
          if (h.size === 0n) expect(h.entry).toBe(0n);
          if (h.size !== 0n) expect(h.size > 0n ? h.entry >= 0n : h.entry <= 0n).toBe(true); // the basis has the position's sign
        }
        expect(realised - h.entry).toBe(cash);
      }),
      { numRuns: 500 },
    );
  });

  it("the Whalley-Wilmott half-width is (3λSΓ²/2γ)^(1/3)", () => {
    // λ = 0.001, S = 2000, Γ = 0.05, γ = 0.01: 3·0.001·2000·0.0025/0.02 = 0.75, cube root 0.908560296...
    expect(whalleyWilmottHalfWidth(0.001, 2000, 0.05, 0.01)).toBeCloseTo(0.9085602964160698, 14);
    expect(whalleyWilmottHalfWidth(0.001, 2000, -0.05, 0.01)).toBeCloseTo(0.9085602964160698, 14);
  });
});

/** Φ(x) from the Taylor series of erf (60 terms: converges to double precision for |x| ≤ 3, where it is used). */
function normalCdf(x: number): number {
  const z = x / Math.SQRT2;
  let term = z;
  let sum = z;
  for (let n = 1; n < 60; n++) {
    term *= (-z * z) / n;
    sum += term / (2 * n + 1);
  }
  return 0.5 * (1 + (2 / Math.sqrt(Math.PI)) * sum);
}

/** The events re-sealed into a fresh chain (no ledger key) from the pool's genesis, so a replay checks only the amounts. */
function resealed(events: readonly PoolEvent[], settings: OptionPool["settings"]): PoolEvent[] {
  let previous = genesisHash(settings);
  return events.map((e) => {
    const { seq, time, hash: _hash, mac: _mac, ...body } = e;
    const sealed = sealEvent(body as PoolEventBody, seq, time, previous, undefined);
    previous = sealed.hash;
    return sealed;
  });
}
