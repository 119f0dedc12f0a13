// Calls and puts in one pool (issue 19): a quote pool with optionTypes "both" writes puts and capped calls (a call
// locks and pays at most C = callCapPpm / 10^6 × strike per contract). Its settings, quotes, NAV, settlement, stress,
// VaR and greeks are checked against values computed here by hand with an independent Black-Scholes
// (test/support/black-scholes.ts), and the attack: buying calls to consume the collateral locked for puts.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import {
  aggregateGreeks, eventsToJSON, Hedger, OptionPool, PeerBook, SimulatedVenue, prepareBook, SECONDS_PER_YEAR, sharePriceOf, stressTestSync, valueAtRiskSync,
  type PoolConfig, type PoolEvent,
} from "../pool/index.js";
import { genesisHash } from "../pool/ledger-chain.js";
import { attachRisk } from "../pool/risk/index.js";
import { pathMarkets, resolveVarOptions } from "../pool/risk/var.js";
import { bsm } from "./support/black-scholes.js";
import { DAY, expectRejected, makePool, T0, USDC } from "./support/pool.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

const EXPIRY = T0 + 30 * DAY;
const YEARS = (30 * DAY) / SECONDS_PER_YEAR;
const BIG = 10n ** 15n;

/** A USDC pool writing puts and calls capped at `capPpm` of the strike, spot 2000, flat vol 0.6, 1,000,000 USDC deposited. */
function mixedPool(capPpm: number, params: PoolConfig["params"] = {}) {
  const f = makePool(pricer, { params, config: { optionTypes: "both", callCapPpm: capPpm } });
  f.pool.deposit("lp", 1_000_000n * USDC);
  return f;
}

/** The mixed book of the NAV, stress and VaR tests: 2 puts at 1900, 3 calls at 2100 capped at 50 % (C = 1050). */
function bookedPool() {
  const f = mixedPool(500_000);
  f.pool.trade("alice", { type: "put", strike: 1900, expiry: EXPIRY, size: 200n, side: "buy", maxCost: BIG });
  f.pool.trade("bob", { type: "call", strike: 2100, expiry: EXPIRY, size: 300n, side: "buy", maxCost: BIG });
  return f;
}

/** Hand value (USDC) of the booked pool's options at spot s, vol v, t years: 2 puts + 3 call spreads 2100 / 3150. */
function handLiability(s: number, v: number, t: number): number {
  return 2 * bsm("put", s, 1900, t, v) + 3 * (bsm("call", s, 2100, t, v) - bsm("call", s, 3150, t, v));
}

describe("settings of a pool writing both types", () => {
  it("refuses \"both\" on base collateral and a bad cap, naming the field; a one-type pool refuses the other type unchanged", () => {
    expect(() => makePool(pricer, { kind: "base", config: { optionTypes: "both" } })).toThrow(expect.objectContaining({ code: "INVALID_INPUT", field: "optionTypes" }));
    expect(() => makePool(pricer, { config: { optionTypes: "all" as never } })).toThrow(expect.objectContaining({ field: "optionTypes" }));
    for (const bad of [0, 1.5, 100_000_001]) expect(() => makePool(pricer, { config: { optionTypes: "both", callCapPpm: bad } })).toThrow(expect.objectContaining({ code: "INVALID_INPUT", field: "callCapPpm" }));
    const { pool } = makePool(pricer);
    pool.deposit("lp", 1000n * USDC);
    expectRejected(pool, () => pool.trade("t", { type: "call", strike: 2000, expiry: EXPIRY, size: 100n, side: "buy", maxCost: BIG }), "WRONG_OPTION_TYPE", "type");
    expect(pool.settings.optionTypes).toBe("one");
  });

  it("binds the log to the cap rule: a one-type pool's genesis is unchanged, a mixed log does not replay under another cap", () => {
    const one = makePool(pricer).pool;
    const { collateral, decimals, sizeDecimals, priceDecimals, shareOffset, treasury } = one.settings;
    const today = genesisHash({ collateral, decimals, sizeDecimals, priceDecimals, shareOffset, treasury });
    expect(genesisHash(one.settings)).toBe(today);
    const { pool, config } = bookedPool();
    expect(genesisHash(pool.settings)).not.toBe(today);
    expect(OptionPool.fromJSON(config, eventsToJSON(pool.events)).snapshot()).toEqual(pool.snapshot());
    expect(() => OptionPool.fromJSON({ ...config, callCapPpm: 400_000 }, eventsToJSON(pool.events))).toThrow(expect.objectContaining({ code: "TAMPERED" }));
  });
});

describe("quotes and NAV of a mixed book", () => {
  it("locks K per put and C per call, prices a call as the spread call(K) − call(K + C) at its vol, and marks the NAV by hand", () => {
    const { pool } = mixedPool(500_000);
    const put = pool.trade("alice", { type: "put", strike: 1900, expiry: EXPIRY, size: 200n, side: "buy", maxCost: BIG });
    const call = pool.trade("bob", { type: "call", strike: 2100, expiry: EXPIRY, size: 300n, side: "buy", maxCost: BIG });
    expect(put.collateral).toBe(3800n * USDC); // 2 × 1900
    expect(call.collateral).toBe(3150n * USDC); // 3 × 1050
    expect(pool.locked).toBe(6950n * USDC);
    expect(put.perContract.premium).toBeCloseTo(bsm("put", 2000, 1900, YEARS, put.volUsed), 9);
    expect(call.perContract.premium).toBeCloseTo(bsm("call", 2000, 2100, YEARS, call.volUsed) - bsm("call", 2000, 3150, YEARS, call.volUsed), 9);
    // NAV = free + locked − the liability rounded up; flat vol 0.6, nothing moved since the trades.
    const liability = handLiability(2000, 0.6, YEARS) * 1e6;
    expect(Number(pool.free + pool.locked - pool.nav()) - liability).toBeGreaterThanOrEqual(0);
    expect(Number(pool.free + pool.locked - pool.nav()) - liability).toBeLessThanOrEqual(2);
    // The call's mark (the spread) is below its lock and far below the uncapped call.
    expect(3 * (bsm("call", 2000, 2100, YEARS, 0.6) - bsm("call", 2000, 3150, YEARS, 0.6))).toBeLessThan(3150);
  });

  it("net greeks: −contracts × the greeks of each series, a capped call's being its spread's", () => {
    const { pool } = bookedPool();
    const book = pool.openBook();
    const net = aggregateGreeks(book, pricer.blackScholes(book.batch), pool.settings.sizeDecimals).total;
    const h = 1e-3;
    const delta = (s: number) => -handLiability(s, 0.6, YEARS);
    expect(net.delta).toBeCloseTo((delta(2000 + h) - delta(2000 - h)) / (2 * h), 6);
  });
});

describe("hedging a mixed book", () => {
  it("the hedger's options delta is the hand delta of the puts and call spreads", () => {
    const { pool, clock, oracle } = bookedPool();
    const venue = new SimulatedVenue({ spot: () => oracle.latest().spot, clock, seed: 7 });
    const hedger = new Hedger({ venue, policy: { band: { kind: "fixed", halfWidth: 0.5 } } });
    const h = 1e-3;
    const delta = (s: number) => -handLiability(s, 0.6, YEARS);
    // Before any hedge, net delta = the options' delta (base units: contracts of one ETH).
    expect(pool.hedgeDecision(hedger).netDelta).toBeCloseTo((delta(2000 + h) - delta(2000 - h)) / (2 * h), 6);
  });
});

describe("settlement of a mixed expiry", () => {
  it("pays an ITM put (K − S) and ITM calls min(S − K, C) at one price, releases every lock, conserves the assets", () => {
    const { pool, clock, oracle, config } = mixedPool(100_000); // C = 10 % of the strike
    pool.trade("put-holder", { type: "put", strike: 2100, expiry: EXPIRY, size: 250n, side: "buy", maxCost: BIG });
    pool.trade("capped", { type: "call", strike: 1800, expiry: EXPIRY, size: 150n, side: "buy", maxCost: BIG }); // C = 180
    pool.trade("uncapped", { type: "call", strike: 1950, expiry: EXPIRY, size: 100n, side: "buy", maxCost: BIG }); // C = 195
    expect(pool.locked).toBe((5250n + 270n + 195n) * USDC);
    const freeBefore = pool.free;
    clock.set(EXPIRY);
    oracle.push({ spot: 2000, timestamp: EXPIRY });
    expect(pool.settle(EXPIRY)).toBe(2000);
    const settle = pool.events.at(-1) as Extract<PoolEvent, { kind: "settle" }>;
    expect(settle.unlocked).toBe(5715n * USDC);
    expect(pool.claimableOf("put-holder")).toBe(250n * USDC); // (2100 − 2000) × 2.5
    expect(pool.claimableOf("capped")).toBe(270n * USDC); // min(200, 180) × 1.5
    expect(pool.claimableOf("uncapped")).toBe(50n * USDC); // min(50, 195) × 1
    expect(pool.locked).toBe(0n);
    expect(pool.free).toBe(freeBefore + 5715n * USDC - 570n * USDC);
    expect(pool.totals.paidIn).toBe(pool.assets + pool.totals.paidOut);
    expect(OptionPool.fromJSON(config, eventsToJSON(pool.events)).snapshot()).toEqual(pool.snapshot());
  });
});

describe("the peer book beside a mixed pool", () => {
  it("a call writer escrows the cap C per contract, and the call settles at min(S − K, C) like the pool's", () => {
    const { pool, clock, oracle } = mixedPool(100_000); // C = 200 at strike 2000
    const book = new PeerBook(pool);
    const CALL = { type: "call" as const, strike: 2000, expiry: EXPIRY };
    book.list(CALL);
    const ask = book.submit("writer", { ...CALL, side: "sell", size: 300n, limitPrice: 50n * USDC, funds: 600n * USDC });
    expect(ask.resting!.escrow).toBe(600n * USDC); // 3 × 200, not 3 × 2000
    const r = book.submit("buyer", { ...CALL, side: "buy", size: 300n, limitPrice: 50n * USDC, funds: 150n * USDC });
    expect(r.peerFills.map((f) => [f.maker, f.size, f.collateral])).toEqual([["writer", 300n, 600n * USDC]]);
    clock.set(EXPIRY);
    oracle.push({ spot: 2500, timestamp: EXPIRY });
    book.settle(EXPIRY);
    expect(book.claimableOf("buyer")).toBe(600n * USDC); // 3 × min(500, 200): the writer's whole escrow
  });
});

describe("stress and VaR of a mixed book", () => {
  it("the stress grid's NAVs are free + locked − the hand values of 2 puts and 3 call spreads at each scenario", () => {
    const { pool } = bookedPool();
    const book = prepareBook(pool.openBook(), pool.settings, pool);
    const scenarios = [
      { name: "down", spotFactor: 0.8, volShock: 0 },
      { name: "up, vol up", spotFactor: 1.3, volShock: 0.2 },
      { name: "squeeze", spotFactor: 2, volShock: 0 },
    ];
    const report = stressTestSync(book, pricer, scenarios);
    const assets = Number(pool.free + pool.locked);
    expect(report.baseNav).toBeCloseTo(assets - handLiability(2000, 0.6, YEARS) * 1e6, 3);
    expect(Math.abs(report.baseNav - Number(pool.nav()))).toBeLessThanOrEqual(3);
    // 30 days is the reference tenor: a relative shock applies as given (vol × 1.2).
    for (const [i, s] of scenarios.entries()) {
      const hand = handLiability(2000 * s.spotFactor, 0.6 * (1 + s.volShock), YEARS) * 1e6;
      expect(report.results[i]!.nav).toBeCloseTo(assets - hand, 3);
      expect(report.results[i]!.worstCasePayout).toBeCloseTo(hand, 3);
    }
    // At spot × 2 the 3 calls are worth nearly their cap (3 × 1050 discounted by nothing at rate 0), never more.
    expect(report.results[2]!.worstCasePayout).toBeLessThan(3150e6 + 2 * bsm("put", 4000, 1900, YEARS, 0.6) * 1e6);
  });

  it("Monte Carlo VaR and ES equal a hand revaluation of every path (same normals, independent Black-Scholes)", () => {
    const { pool } = bookedPool();
    const book = prepareBook(pool.openBook(), pool.settings, pool);
    const options = { paths: 2000, seed: 5, horizonDays: 2 };
    const v = valueAtRiskSync(book, pricer, 0.6, options);
    const o = resolveVarOptions(options);
    const h = o.horizonDays / 365;
    const markets = pathMarkets(pricer.core, 2000, o, 0.6, h);
    const assets = Number(pool.free + pool.locked);
    const base = sharePriceOf(book, assets - handLiability(2000, 0.6, YEARS) * 1e6);
    const losses = Float64Array.from(markets.spot, (s, p) => 1 - sharePriceOf(book, assets - handLiability(s, Math.max(0.01, 0.6 * markets.volFactor[p]!), YEARS - h) * 1e6) / base);
    losses.sort();
    const j = Math.ceil(o.paths * o.confidence) - 1;
    const es = losses.subarray(j).reduce((a, x) => a + x, 0) / (o.paths - j);
    expect(v.valueAtRisk).toBeCloseTo(losses[j]!, 9);
    expect(v.expectedShortfall).toBeCloseTo(es, 9);
    expect(v.expectedShortfall).toBeGreaterThan(0);
  });
});

describe("attack: calls bought to consume the collateral locked for puts", () => {
  it("is refused naming size, leaves the pool unchanged, and at settlement the puts are paid in full", () => {
    const { pool, clock, oracle } = makePool(pricer, { params: { maxUtilization: 1 }, config: { optionTypes: "both", callCapPpm: 1_000_000 } });
    pool.deposit("lp", 100_000n * USDC);
    pool.trade("put-holder", { type: "put", strike: 2400, expiry: EXPIRY, size: 2500n, side: "buy", maxCost: BIG }); // locks 60,000
    const locked = pool.locked;
    // Each call locks its cap (its strike, 1600): the attacker asks for more than the free collateral covers.
    const fits = pool.free / (16n * USDC); // size units of 0.01 contract: 16 USDC each
    const e = expectRejected(pool, () => pool.trade("attacker", { type: "call", strike: 1600, expiry: EXPIRY, size: fits + 1n, side: "buy", maxCost: BIG }), "INSUFFICIENT_LIQUIDITY", "size");
    expect(e.message).toMatch(/callCapPpm/);
    // Buy as many calls as the pool lets through (halving a refused size: liquidity, or utilization over the
    // liquidity without the premiums just paid in), every refusal naming size and changing nothing.
    for (let size = fits; size > 0n; ) {
      const before = JSON.stringify(pool.snapshot());
      try {
        pool.trade("attacker", { type: "call", strike: 1600, expiry: EXPIRY, size, side: "buy", maxCost: BIG });
      } catch (refused) {
        expect(refused).toMatchObject({ field: "size" });
        expect(["INSUFFICIENT_LIQUIDITY", "MAX_UTILIZATION"]).toContain((refused as { code: string }).code);
        expect(JSON.stringify(pool.snapshot())).toBe(before);
        size /= 2n;
      }
    }
    expectRejected(pool, () => pool.trade("attacker", { type: "call", strike: 1600, expiry: EXPIRY, size: pool.free / (16n * USDC) + 1n, side: "buy", maxCost: BIG }), "INSUFFICIENT_LIQUIDITY", "size");
    expect(pool.locked - locked).toBe(pool.openSeries().find((s) => s.type === "call")!.locked);
    const calls = pool.positionsOf("attacker")[0]!.size;
    // Both in the money at 2399: the puts get (2400 − 2399) each, the calls min(799, 1600) each, all from their own locks.
    clock.set(EXPIRY);
    oracle.push({ spot: 2399, timestamp: EXPIRY });
    pool.settle(EXPIRY);
    expect(pool.claimableOf("put-holder")).toBe(25n * USDC);
    expect(pool.claimableOf("attacker")).toBe((799n * USDC * calls) / 100n);
    expect(pool.claimableOf("attacker")).toBeLessThan(pool.totals.paidIn);
    expect(pool.totals.paidIn).toBe(pool.assets + pool.totals.paidOut);
  });

  it("a call far in the money pays its cap, exactly its lock: LPs keep the puts' collateral", () => {
    const { pool, clock, oracle } = mixedPool(250_000); // C = 500 at strike 2000
    pool.trade("put-holder", { type: "put", strike: 2000, expiry: EXPIRY, size: 1000n, side: "buy", maxCost: BIG });
    pool.trade("attacker", { type: "call", strike: 2000, expiry: EXPIRY, size: 1000n, side: "buy", maxCost: BIG });
    const callLock = pool.openSeries().find((s) => s.type === "call")!.locked;
    expect(callLock).toBe(5000n * USDC);
    const freeBefore = pool.free;
    clock.set(EXPIRY);
    oracle.push({ spot: 1_000_000, timestamp: EXPIRY });
    pool.settle(EXPIRY);
    expect(pool.claimableOf("attacker")).toBe(callLock);
    expect(pool.claimableOf("put-holder")).toBe(0n);
    expect(pool.free).toBe(freeBefore + 20_000n * USDC); // the puts' lock back to LPs
  });
});

describe("the risk defences on a mixed pool", () => {
  it("the pre-trade check measures the spread book (in full) and refuses a call buy that breaks the ES limit, changing nothing", () => {
    const { pool } = bookedPool();
    const risk = attachRisk(pool, { pricer, preTrade: { maxExpectedShortfall: 0.002 } });
    pool.trade("carol", { type: "call", strike: 2200, expiry: EXPIRY, size: 100n, side: "buy", maxCost: BIG });
    const a = risk.preTrade!.last!;
    expect(a.method).toBe("full");
    // Its stress solvency is the hand one: assets over the worst uncapped value of the puts and spreads on the grid.
    const book = prepareBook(pool.openBook(), pool.settings, pool);
    expect(a.solvency).toBeCloseTo(stressTestSync(book, pricer, risk.preTrade!.limits.scenarios, risk.preTrade!.limits.stress).minSolvency, 9);
    // A quote refreshes the net greeks (the hook's path with the ledger state), from the legs.
    pool.quote({ type: "call", strike: 2000, expiry: EXPIRY, size: 100n, side: "buy" });
    const g = risk.greeks.current!;
    const net = aggregateGreeks(pool.openBook(), pricer.blackScholes(pool.openBook().batch), pool.settings.sizeDecimals).total;
    expect(g.total.delta).toBeCloseTo(net.delta, 9);
    expect(g.total.vega).toBeCloseTo(net.vega, 9);
    expectRejected(pool, () => pool.trade("carol", { type: "call", strike: 1700, expiry: EXPIRY, size: 50_000n, side: "buy", maxCost: BIG }), "RISK_LIMIT", "size");
  });
});
