// Risk at the cost of what changed (issue 16): the cached pre-trade check decides as the full recompute does and
// agrees with its figures on random books and event sequences; each cause of invalidation (spot, vol, skew, surface,
// clock, series terms, size, settlement) is seen; net greeks maintained per trade equal a full recompute at their market.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { Hedger, PoolError, SimulatedVenue, type OptionPool, type PoolEvent, type PoolState } from "../pool/index.js";
import { volAt } from "../pool/oracle.js";
import { attachRisk, PreTradeCheck, type PreTradeLimits } from "../pool/risk/index.js";
import { DAY, T0, USDC, makePool, type PoolFixture } from "./support/pool.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

// Guards that would refuse most random moves are widened: the point is the risk figures, not the market guard.
const PARAMS = { navTwapWindowSeconds: 0, maxOracleMove: 10, maxOracleAgeSeconds: 30 * DAY, maxUtilization: 0.95 };
const STRIKES = [1600, 1800, 1900, 2000, 2100, 2300];
// 0.15 day expires inside the check's 1-day VaR horizon (valued at its payoff on the paths).
const EXPIRIES = [0.15, 0.9, 2, 7, 30].map((d) => T0 + Math.round(d * DAY));

function fixture(): PoolFixture {
  const f = makePool(pricer, { params: PARAMS, oracle: { skew: -0.1 } });
  f.pool.deposit("alice", 2_000_000n * USDC);
  return f;
}

function buy(pool: OptionPool, strike: number, expiry: number, size: bigint, trader = "bob"): void {
  pool.trade(trader, { type: "put", strike, expiry, size, side: "buy", maxCost: 10n ** 15n });
}

function sell(pool: OptionPool, strike: number, expiry: number, size: bigint, trader = "bob"): void {
  pool.trade(trader, { type: "put", strike, expiry, size, side: "sell", minProceeds: 0n });
}

/**
 * Runs `op`, keeping only PoolErrors (a refused operation is part of a random sequence), except INTERNAL_ERROR: the
 * pool wraps what a hook throws in it, so a failed expectation inside the side-by-side hook surfaces.
 */
function attempt(op: () => unknown): void {
  try {
    op();
  } catch (e) {
    if (!(e instanceof PoolError) || e.code === "INTERNAL_ERROR") throw e;
  }
}

/** "accept", or the breached limit ("stressed solvency" / "99% expected shortfall"). */
function decision(check: PreTradeCheck, operation: Parameters<PreTradeCheck["check"]>[0], draft: PoolState, events: readonly PoolEvent[]): string {
  try {
    check.check(operation, draft, events);
    return "accept";
  } catch (e) {
    if (e instanceof PoolError && e.code === "RISK_LIMIT") return e.message.split(" would be")[0]!;
    throw e;
  }
}

/** Tallies over a whole property run, so the test can insist that each branch was exercised. */
const tally = { accept: 0, refuse: 0, cached: 0, full: 0, checks: 0 };

/**
 * Installs a cached and an uncached check side by side on `pool`: each draft is measured by both, the decisions
 * must be equal, and the figures agree within 1e-9 relative (solvency) and 1e-9 absolute (ES). The bound of
 * scenario-book.ts is 2u(2(n + 1) + updates)·M on the totals (u = 2⁻⁵³, n ≤ 40 series, updates ≤ 4n + 64,
 * M ≤ 10 × the largest total here): below 1e-12 relative, so 1e-9 leaves three orders of margin and still catches
 * any stale series (a 1 % spot move shifts the figures by more than 1e-4).
 */
function sideBySide(pool: OptionPool, limits: Partial<PreTradeLimits>): { cached: PreTradeCheck; full: PreTradeCheck } {
  const cached = new PreTradeCheck(pool, pricer, limits);
  const full = new PreTradeCheck(pool, pricer, { ...limits, cacheScenarios: false });
  pool.riskHooks = {
    beforeCommit(operation, draft, events) {
      const before = full.last;
      const expected = decision(full, operation, draft, events);
      const got = decision(cached, operation, draft, events);
      if (full.last !== before) {
        tally.checks++;
        expect(got).toBe(expected);
        const a = cached.last!;
        const b = full.last!;
        tally[a.method]++;
        tally[got === "accept" ? "accept" : "refuse"]++;
        if (Number.isFinite(b.solvency)) expect(Math.abs(a.solvency - b.solvency)).toBeLessThanOrEqual(1e-9 * b.solvency);
        else expect(a.solvency).toBe(Infinity);
        expect(Math.abs(a.expectedShortfall - b.expectedShortfall)).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(a.expectedShortfallStdError - b.expectedShortfallStdError)).toBeLessThanOrEqual(1e-7 * Math.max(1e-3, b.expectedShortfallStdError));
      }
      if (got !== "accept") throw new PoolError("RISK_LIMIT", "size", got);
    },
  };
  return { cached, full };
}

const step = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("buy" as const), strike: fc.integer({ min: 0, max: 5 }), expiry: fc.integer({ min: 0, max: 4 }), size: fc.integer({ min: 1, max: 3000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("sell" as const), which: fc.nat(), fraction: fc.double({ min: 0.05, max: 1, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 30_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("print" as const), spot: fc.double({ min: -0.03, max: 0.03, noNaN: true }), vol: fc.double({ min: -0.1, max: 0.1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("redeem" as const), part: fc.integer({ min: 2, max: 50 }) }) },
);
/** The steps with hedging passes among them. */
const stepOrHedge = fc.oneof(
  { weight: 14, arbitrary: step },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("hedge" as const), halfWidth: fc.constantFrom(0, 2, 10) }) },
);
type Step = typeof stepOrHedge extends fc.Arbitrary<infer S> ? S : never;

/** Applies one random step to the pool. */
function play(f: PoolFixture, s: Step): void {
  const { pool, clock, oracle } = f;
  if (s.kind === "buy") attempt(() => buy(pool, STRIKES[s.strike]!, EXPIRIES[s.expiry]!, BigInt(s.size)));
  else if (s.kind === "sell") {
    const held = pool.positionsOf("bob");
    if (held.length === 0) return;
    const p = held[s.which % held.length]!;
    const size = BigInt(Math.max(1, Math.round(Number(p.size) * s.fraction)));
    attempt(() => sell(pool, p.series.strike, p.series.expiry, size > p.size ? p.size : size));
  } else if (s.kind === "wait") clock.set(clock.now() + s.seconds);
  else if (s.kind === "print") {
    const last = oracle.latest();
    oracle.push({ timestamp: clock.now(), spot: last.spot * Math.exp(s.spot), baseVol: last.baseVol * Math.exp(s.vol) });
  } else if (s.kind === "hedge") {
    // Later drafts carry a hedge position: both checks revalue it with spot (risk/valuation.ts hedgeValueAt).
    const venue = new SimulatedVenue({ spot: () => oracle.latest().spot, clock, seed: 5 });
    attempt(() => pool.hedge(new Hedger({ venue, policy: { band: { kind: "fixed", halfWidth: s.halfWidth } } })));
  } else attempt(() => pool.redeem("alice", pool.sharesOf("alice") / BigInt(s.part)));
}

describe("cached pre-trade check", () => {
  it("decides as the full recompute on 60 random books and event sequences (hedge passes among them), its figures within 1e-9", () => {
    Object.assign(tally, { accept: 0, refuse: 0, cached: 0, full: 0, checks: 0 });
    let hedged = 0;
    fc.assert(
      fc.property(
        fc.record({ minSolvency: fc.constantFrom(0.5, 1, 2, 4, 8), maxExpectedShortfall: fc.double({ min: 0.001, max: 0.06, noNaN: true }) }),
        fc.array(stepOrHedge, { minLength: 5, maxLength: 30 }),
        (limits, steps) => {
          const f = fixture();
          sideBySide(f.pool, limits);
          for (const s of steps) play(f, s);
          if (f.pool.hedgePosition().size !== 0n) hedged++;
        },
      ),
      { numRuns: 60, seed: 16_2026 },
    );
    // Both outcomes and both methods occurred: the property compared something.
    expect(tally.accept).toBeGreaterThan(20);
    expect(tally.refuse).toBeGreaterThan(20);
    expect(tally.cached).toBeGreaterThan(tally.checks / 2);
    expect(hedged).toBeGreaterThan(5);
  });

  it("with a limit exactly at the full recompute's figure, falls back to it (and decides as it does)", () => {
    for (const which of ["maxExpectedShortfall", "minSolvency"] as const) {
      const f = fixture();
      buy(f.pool, 1900, EXPIRIES[3]!, 2000n);
      buy(f.pool, 2000, EXPIRIES[4]!, 1500n);
      // The full recompute's figures for the next buy, measured on a twin (same ledger, oracle and clock)...
      const twin = f.pool.fork();
      const probe = sideBySide(twin, { minSolvency: 0, maxExpectedShortfall: 1 });
      buy(twin, 2100, EXPIRIES[2]!, 700n);
      const measured = probe.full.last!;
      // ...become the limit for the same buy on the pool: the cached figures cannot tell which side it is on.
      const limits = which === "maxExpectedShortfall" ? { minSolvency: 0, maxExpectedShortfall: measured.expectedShortfall } : { minSolvency: measured.solvency, maxExpectedShortfall: 1 };
      const { cached, full } = sideBySide(f.pool, limits);
      buy(f.pool, 2100, EXPIRIES[2]!, 700n); // ES > limit and solvency < limit are both false at equality
      expect(full.last![which === "maxExpectedShortfall" ? "expectedShortfall" : "solvency"]).toBe(which === "maxExpectedShortfall" ? measured.expectedShortfall : measured.solvency);
      expect(cached.last!.method, which).toBe("full");
    }
  });
});

describe("what the cached values depend on", () => {
  // Each cause changes the figures by far more than the 1e-9 of sideBySide, so a cache that missed it would fail there.
  const causes: [string, (f: PoolFixture) => void][] = [
    ["spot moves", (f) => f.oracle.push({ timestamp: f.clock.now(), spot: 2020 })],
    ["base vol moves", (f) => f.oracle.push({ timestamp: f.clock.now(), baseVol: 0.63 })],
    ["the skew changes", (f) => f.oracle.push({ timestamp: f.clock.now(), skew: -0.05 })],
    ["the surface changes", (f) => f.oracle.push({ timestamp: f.clock.now(), surface: (k, t) => 0.5 + 0.2 * t + 0.0001 * (k - 2000) })],
    ["the clock moves ten minutes", (f) => f.clock.set(f.clock.now() + 600)],
    ["a series closes and another with the same size and collateral opens in its row", (f) => {
      sell(f.pool, 1900, EXPIRIES[3]!, 1000n);
      buy(f.pool, 1900, EXPIRIES[4]!, 1000n, "carol");
    }],
    ["a series' size changes", (f) => buy(f.pool, 1900, EXPIRIES[3]!, 1500n)],
    ["an expiry settles", (f) => {
      f.clock.set(EXPIRIES[0]! + 60);
      f.oracle.push({ timestamp: EXPIRIES[0]! + 30, spot: 1950 });
    }],
  ];
  for (const [name, cause] of causes) {
    it(`${name}: the next check agrees with the full recompute`, () => {
      const f = fixture();
      if (name.startsWith("the surface")) f.oracle.push({ timestamp: T0, surface: (k, t) => 0.6 + 0.1 * t + 0.0001 * (k - 2000) });
      const { cached } = sideBySide(f.pool, { minSolvency: 0, maxExpectedShortfall: 1 });
      buy(f.pool, 1800, EXPIRIES[0]!, 800n);
      buy(f.pool, 1900, EXPIRIES[3]!, 1000n); // cached from here on
      expect(cached.last!.method).toBe("cached");
      cause(f);
      buy(f.pool, 2000, EXPIRIES[2]!, 500n); // sideBySide compares the figures
      expect(cached.last!.method).toBe("cached");
    });
  }

  it("the pricer prices an option to the same bits wherever it sits in a batch (the bound assumes equal terms)", () => {
    const strike = Float64Array.from({ length: 37 }, (_, i) => 1500 + 29 * i);
    const years = Float64Array.from({ length: 37 }, (_, i) => 0.002 + 0.05 * i);
    const vol = Float64Array.from({ length: 37 }, (_, i) => 0.2 + 0.03 * i);
    const all = pricer.blackScholes({ type: "put", spot: 2000, strike, expiry: years, vol, rate: 0 });
    for (let i = 0; i < 37; i++) {
      const one = pricer.blackScholes({ type: "put", spot: 2000, strike: strike.subarray(i, i + 3), expiry: years.subarray(i, i + 3), vol: vol.subarray(i, i + 3), rate: 0 });
      expect([one.price[0], one.delta[0], one.vega[0]]).toEqual([all.price[i], all.delta[i], all.vega[i]]);
    }
  });

  it("limits are frozen: the cached values are of the scenarios they were built for", () => {
    const f = fixture();
    const check = new PreTradeCheck(f.pool, pricer);
    expect(() => ((check.limits.scenarios[0] as { spotFactor: number }).spotFactor = 2)).toThrow(TypeError);
    expect(() => (check.limits.var as { paths: number }).paths = 10).toThrow(TypeError);
  });
});

describe("net greeks when the market moves", () => {
  it("a trade after a move beyond the thresholds (or after the refresh age) reprices the book at the market of the moment", () => {
    const f = fixture();
    const risk = attachRisk(f.pool, { pricer, preTrade: false });
    buy(f.pool, 1900, EXPIRIES[3]!, 1000n);
    buy(f.pool, 2000, EXPIRIES[4]!, 1000n);
    const first = risk.greeks.current!;
    f.clock.set(T0 + 10);
    f.oracle.push({ timestamp: T0 + 10, spot: 2100 }); // 4.9 % > the 1 % threshold
    buy(f.pool, 2100, EXPIRIES[4]!, 1000n);
    let g = risk.greeks.current!;
    f.clock.set(T0 + 20);
    buy(f.pool, 2100, EXPIRIES[4]!, 10n);
    expect([g.spot, g.computedAt, first.spot]).toEqual([2100, T0 + 10, 2000]);
    f.clock.set(T0 + 200); // past the 60 s refresh age
    buy(f.pool, 2100, EXPIRIES[4]!, 10n);
    f.pool.quote({ type: "put", strike: 2000, expiry: EXPIRIES[4]!, size: 1n, side: "buy" }); // a book-only refresh at T0 + 200's market
    g = risk.greeks.current!;
    expect([g.computedAt, g.seq]).toEqual([T0 + 200, f.pool.seq]);
    const ref = greeksAt(f.pool, g);
    expect(Math.abs(g.total.delta - ref.total[0]!)).toBeLessThanOrEqual(1e-12 * ref.magnitude[0]!);
  });
});

/**
 * Net greeks of `pool`'s book recomputed from scratch at the market of `g` (its spot, base vol, the fixture's skew and
 * its clock second): −contracts × pricer greeks summed by expiry. Also returns Σ|terms| per greek for the tolerance.
 */
function greeksAt(pool: OptionPool, g: { spot: number; baseVol: number; computedAt: number }) {
  const live = pool.openSeries().filter((s) => s.expiry > g.computedAt);
  const years = live.map((s) => (s.expiry - g.computedAt) / (365 * DAY));
  const vol = live.map((s, i) => volAt({ spot: g.spot, baseVol: g.baseVol, skew: -0.1, timestamp: 0 }, s.strike, years[i]!));
  const out = pricer.blackScholes({ type: "put", spot: g.spot, strike: live.map((s) => s.strike), expiry: years, vol, rate: 0 });
  const byExpiry = new Map<number, number[]>();
  const total = [0, 0, 0, 0];
  const magnitude = [0, 0, 0, 0];
  live.forEach((s, i) => {
    const c = -Number(s.openSize) / 100;
    const e = byExpiry.get(s.expiry) ?? [0, 0, 0, 0];
    [out.delta[i]!, out.gamma[i]!, out.vega[i]!, out.theta[i]!].forEach((x, k) => {
      e[k]! += c * x;
      total[k]! += c * x;
      magnitude[k]! += Math.abs(c * x);
    });
    byExpiry.set(s.expiry, e);
  });
  return { total, magnitude, byExpiry };
}

describe("net greeks maintained per trade", () => {
  it("equal a full recompute at their market on 60 random event sequences, to 1e-12 of Σ|terms|", () => {
    // Both sums hold the same n ≤ 40 terms in different orders, the maintained one after ≤ 4n + 64 updates since it was
    // last summed afresh: each within (n + updates)·u·Σ|terms| ≤ 250 · 1.1e-16 ≈ 3e-14 of the exact sum (Higham §4.2).
    let bookOnly = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 5, maxLength: 30 }), (steps) => {
        const f = fixture();
        const risk = attachRisk(f.pool, { pricer, preTrade: false, greeks: { spotMoveThreshold: 0.02, volMoveThreshold: 0.06 } });
        const request = { type: "put" as const, strike: 2000, expiry: EXPIRIES[4]!, size: 1n, side: "buy" as const };
        for (const s of steps) {
          play(f, s);
          const before = risk.greeks.current;
          attempt(() => f.pool.quote(request)); // the beforeQuote hook refreshes the figures
          const g = risk.greeks.current!;
          if (before && g.seq !== before.seq && g.computedAt === before.computedAt && g.spot === before.spot && f.clock.now() !== g.computedAt) bookOnly++;
          expect(g.seq).toBeGreaterThanOrEqual(f.pool.bookSeq);
          const ref = greeksAt(f.pool, g);
          (["delta", "gamma", "vega", "theta"] as const).forEach((k, i) => {
            expect(Math.abs(g.total[k] - ref.total[i]!)).toBeLessThanOrEqual(1e-12 * ref.magnitude[i]! + 1e-300);
          });
          expect(g.byExpiry.map((e) => e.expiry)).toEqual([...ref.byExpiry.keys()].sort((a, b) => a - b));
          for (const e of g.byExpiry) expect(Math.abs(e.greeks.delta - ref.byExpiry.get(e.expiry)![0]!)).toBeLessThanOrEqual(1e-12 * ref.magnitude[0]! + 1e-300);
        }
      }),
      { numRuns: 60, seed: 2026_12_05 },
    );
    // Trades at a later second with the market within the thresholds moved the figures without repricing the book.
    expect(bookOnly).toBeGreaterThan(20);
  });
});
