// Pool risk: stress grid against the Black-Scholes closed form, Monte Carlo VaR/ES reproducibility and a
// closed-form VaR check, the pre-trade check, net greeks and their staleness, circuit breakers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { loadTestCore } from "./support/test-core.js";
import { ManualClock, ManualOracle, OptionPool, PoolError, type PoolConfig } from "../pool/index.js";
import {
  attachRisk,
  CircuitBreakers,
  defaultStressScenarios,
  GreeksMonitor,
  prepareBook,
  stressTestPool,
  valueAtRisk,
  valueAtRiskSync,
  DEFAULT_STRESS_OPTIONS,
} from "../pool/risk/index.js";
import { NORMAL_BLOCK_PATHS, pathNormals } from "../pool/risk/normals.js";
import { createPricingPool, type PricingPool } from "../workers/pool.js";
import { normCdf } from "./support/black-scholes.js";

const T0 = 1_767_225_600;
const DAY = 86_400;
const USDC = 1_000_000n;
let pricer: Pricer;
let workers1: PricingPool;
let workers2: PricingPool;

beforeAll(async () => {
  pricer = await createPricer();
  workers1 = await createPricingPool({ workers: 1, module: pricer.core.module });
  workers2 = await createPricingPool({ workers: 2, module: pricer.core.module });
});
afterAll(async () => {
  await workers1?.close();
  await workers2?.close();
});

function bsPut(s: number, k: number, t: number, v: number): number {
  const d1 = (Math.log(s / k) + 0.5 * v * v * t) / (v * Math.sqrt(t));
  return k * normCdf(-(d1 - v * Math.sqrt(t))) - s * normCdf(-d1);
}

function setup(params: PoolConfig["params"] = {}) {
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
  const config: PoolConfig = { collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock, params };
  return { pool: new OptionPool(config), clock, oracle, config };
}
const buy = (pool: OptionPool, strike: number, expiry: number, size: bigint) =>
  pool.trade("bob", { type: "put", strike, expiry, size, side: "buy", maxCost: 10n ** 15n });

describe("risk path normals (WASM Philox4x32-10 + Box-Muller)", () => {
  it("path p's pair is Box-Muller of the Philox words of counter (⌊p/B⌋, 0, ⌊r/2⌋, 0), seed split lo/hi, to 4e-15", async () => {
    // Independent reference as in test/assembly/rng.test.ts: Philox words from the kernel's known-answer-tested
    // philox4x32Into, then u = (w + ½)·2⁻³² and √(−2 ln u₁)·(cos, sin)(2πu₂) with V8's Math; 4e-15 ≈ 8 ulp at
    // |z| ≈ 4 (both sides within a few ulp of exact), while a wrong counter, word or seed half fails by O(1).
    const seed = 2 ** 32 * 3 + 17;
    const paths = 3 * NORMAL_BLOCK_PATHS + 5;
    const z = pathNormals(pricer.core, seed, paths);
    const { core: testCore, test } = await loadTestCore(pricer.simd);
    const words = testCore.reserve(16);
    for (const p of [0, 1, 2, 3, NORMAL_BLOCK_PATHS - 1, NORMAL_BLOCK_PATHS, 2 * NORMAL_BLOCK_PATHS + 7, paths - 1]) {
      const r = p % NORMAL_BLOCK_PATHS;
      test.philox4x32Into(Math.floor(p / NORMAL_BLOCK_PATHS), 0, r >> 1, 0, 17, 3, words);
      const w = new Uint32Array(testCore.exports.memory.buffer, words, 4);
      const k = 2 * (r & 1);
      const u1 = (w[k]! + 0.5) * 2 ** -32;
      const u2 = (w[k + 1]! + 0.5) * 2 ** -32;
      const radius = Math.sqrt(-2 * Math.log(u1));
      expect(Math.abs(z[2 * p]! - radius * Math.cos(2 * Math.PI * u2))).toBeLessThan(4e-15);
      expect(Math.abs(z[2 * p + 1]! - radius * Math.sin(2 * Math.PI * u2))).toBeLessThan(4e-15);
    }
  });
  it("a path's normals do not depend on how many paths are drawn, and have mean 0, variance 1 within 4 SE over 200k draws", () => {
    const n = 100_000;
    const z = pathNormals(pricer.core, 42, n);
    const prefix = pathNormals(pricer.core, 42, 1001);
    expect(Buffer.from(prefix.buffer).equals(Buffer.from(z.buffer, 0, prefix.byteLength))).toBe(true);
    let s = 0, s2 = 0;
    for (const v of z) {
      s += v;
      s2 += v * v;
    }
    // SE of the mean 1/√(2n); of the second moment √2/√(2n).
    expect(Math.abs(s / (2 * n))).toBeLessThan(4 / Math.sqrt(2 * n));
    expect(Math.abs(s2 / (2 * n) - 1)).toBeLessThan((4 * Math.SQRT2) / Math.sqrt(2 * n));
  });
});

describe("stress test", () => {
  it("a book of one put loses exactly what the closed form says under each of the 23 scenarios", async () => {
    const { pool } = setup();
    pool.deposit("alice", 1_000_000n * USDC);
    const expiry = T0 + 30 * DAY;
    buy(pool, 1900, expiry, 300n); // 3 contracts
    const report = await stressTestPool(pool, pricer);
    expect(report.results).toHaveLength(23);
    const years = (30 * DAY) / (365 * DAY);
    const base = bsPut(2000, 1900, years, 0.6);
    for (const r of report.results) {
      const sc = r.scenario;
      // Vol shock scaled by time to expiry, computed here from its definition.
      const scale = Math.min(2, Math.sqrt(30 / 365 / years));
      const vol = Math.max(0.01, 0.6 * (1 + sc.volShock * scale));
      const expected = -(bsPut(2000 * sc.spotFactor, 1900, years, vol) - base) * 3 * 1e6;
      // Tolerance: both sides are doubles of a ~1e9-unit quantity; 1e-9 relative of the contract value covers
      // the pricer's ~1e-15 relative error and the NAV's rounding-free float path.
      expect(Math.abs(r.navChange - expected)).toBeLessThanOrEqual(1e-9 * 1900 * 3e6);
      expect(r.solvency).toBeGreaterThanOrEqual(1); // fully collateralised
    }
    expect(report.worst.scenario.name).toBe("crash: spot -50% vol up 50%");
    // Base NAV of the float path agrees with the pool's bigint NAV to rounding (1 unit per series).
    expect(Math.abs(report.baseNav - Number(pool.nav()))).toBeLessThanOrEqual(1);
  });

  it("worker pool and pricer give identical stress reports", async () => {
    const { pool } = setup();
    pool.deposit("alice", 1_000_000n * USDC);
    for (let i = 0; i < 10; i++) buy(pool, 1600 + 50 * i, T0 + (7 + 10 * i) * DAY, 100n + BigInt(i));
    const a = await stressTestPool(pool, pricer);
    const b = await stressTestPool(pool, workers2);
    expect(b).toEqual(a);
    expect(defaultStressScenarios()).toHaveLength(23);
    expect(DEFAULT_STRESS_OPTIONS.maxVolScale).toBe(2);
  });
});

describe("pool.stressTest", () => {
  it("rejects with a clear error until attachRisk wires an engine, then equals stressTestPool on the risk pricer", async () => {
    const { pool } = setup();
    pool.deposit("alice", 1_000_000n * USDC);
    buy(pool, 1800, T0 + 30 * DAY, 1000n);
    await expect(pool.stressTest()).rejects.toThrow(/no risk engine attached; call attachRisk/);
    const risk = attachRisk(pool, { pricer, riskPricer: workers2, preTrade: false });
    const viaPool = await pool.stressTest();
    expect(viaPool).toEqual(await stressTestPool(pool, pricer));
    const two = defaultStressScenarios().slice(0, 2);
    expect((await pool.stressTest(two)).results.length).toBe(2);
    expect(await risk.stressTest(two)).toEqual(await pool.stressTest(two));
    const v = await risk.valueAtRisk({ paths: 1000, seed: 3 });
    expect(Object.is(v.expectedShortfall, valueAtRiskSync(prepareBook(pool.openBook(), pool.settings, pool), pricer, 0.6, { paths: 1000, seed: 3 }).expectedShortfall)).toBe(true);
  });
});

describe("Monte Carlo VaR / ES", () => {
  function book() {
    const { pool, oracle } = setup();
    pool.deposit("alice", 1_000_000n * USDC);
    for (let i = 0; i < 12; i++) buy(pool, 1700 + 50 * i, T0 + (3 + 9 * i) * DAY, 200n + BigInt(i * 10));
    return { pool, oracle };
  }

  it("reproduces bit-for-bit for a seed on the pricer (copying and zero-copy paths), 1 worker and 2 workers (pool batches, and transferred blocks), with other block sizes", async () => {
    const { pool } = book();
    const prep = () => prepareBook(pool.openBook(), pool.settings, pool);
    const opts = { paths: 20_000, seed: 99, horizonDays: 10 };
    const sync = valueAtRiskSync(prep(), pricer, 0.6, opts);
    const one = await valueAtRisk(prep(), workers1, 0.6, { ...opts, blockPaths: 100 });
    const two = await valueAtRisk(prep(), workers2, 0.6, { ...opts, blockPaths: 333, window: 3 });
    const inPlace = await valueAtRisk(prep(), pricer, 0.6, { ...opts, blockPaths: 777 }); // zero-copy batch path, short last block
    // A pool without shared memory prices ordinary blocks (transferred), not pool batches.
    const transfer = await createPricingPool({ workers: 2, module: pricer.core.module, sharedMemory: false });
    const transferred = await valueAtRisk(prep(), transfer, 0.6, { ...opts, blockPaths: 500 }).finally(() => transfer.close());
    // More runners than blocks: a runner's first block is the short last one.
    const few = { ...opts, paths: 1_000 };
    const fewSync = valueAtRiskSync(prep(), pricer, 0.6, few);
    const fewTwo = await valueAtRisk(prep(), workers2, 0.6, { ...few, blockPaths: 300, window: 4 });
    expect(Buffer.from(fewTwo.losses.buffer).equals(Buffer.from(fewSync.losses.buffer))).toBe(true);
    for (const r of [one, two, inPlace, transferred]) {
      expect(Object.is(r.valueAtRisk, sync.valueAtRisk)).toBe(true);
      expect(Object.is(r.expectedShortfall, sync.expectedShortfall)).toBe(true);
      expect(Object.is(r.expectedShortfallStdError, sync.expectedShortfallStdError)).toBe(true);
      expect(Buffer.from(r.losses.buffer).equals(Buffer.from(sync.losses.buffer))).toBe(true);
    }
    expect(sync.expectedShortfall).toBeGreaterThanOrEqual(sync.valueAtRisk);
    expect(sync.valueAtRiskStdError).toBeGreaterThan(0);
    expect(sync.expectedShortfallStdError).toBeGreaterThan(0);
    const other = valueAtRiskSync(prep(), pricer, 0.6, { ...opts, seed: 100 });
    expect(other.valueAtRisk).not.toBe(sync.valueAtRisk);
  });

  it("VaR of one short put (no vol moves) matches the closed form at the 1% spot quantile within 4 standard errors", () => {
    const { pool } = setup();
    pool.deposit("alice", 1_000_000n * USDC);
    const expiry = T0 + 30 * DAY;
    buy(pool, 1900, expiry, 500n);
    const h = 10 / 365;
    const r = valueAtRiskSync(prepareBook(pool.openBook(), pool.settings, pool), pricer, 0.6, { paths: 40_000, seed: 5, horizonDays: 10, volOfVol: 0 });
    // The loss is monotone in spot (a short put), so the 99% VaR is the loss at spot's 1% quantile:
    // z_0.01 = −2.3263478740408408 (published quantile of the standard normal).
    const sQ = 2000 * Math.exp(-0.5 * 0.36 * h + 0.6 * Math.sqrt(h) * -2.3263478740408408);
    const years = 30 / 365;
    const nav0 = Number(pool.free + pool.locked) - bsPut(2000, 1900, years, 0.6) * 5e6;
    const navQ = Number(pool.free + pool.locked) - bsPut(sQ, 1900, years - h, 0.6) * 5e6;
    const expectedVar = 1 - (navQ + 1) / (nav0 + 1);
    expect(Math.abs(r.valueAtRisk - expectedVar)).toBeLessThan(4 * r.valueAtRiskStdError);
  });
});

describe("pre-trade check", () => {
  it("rejects a redemption that pushes 99% ES beyond the limit, with a reason, and changes nothing", () => {
    const { pool } = setup();
    pool.deposit("alice", 400_000n * USDC);
    for (let i = 0; i < 6; i++) buy(pool, 1800 + 40 * i, T0 + (5 + i) * DAY, 2000n);
    // The limit: 1.2 × the ES of the pool as it is (same Monte Carlo settings as the check).
    const esNow = valueAtRiskSync(prepareBook(pool.openBook(), pool.settings, pool), pricer, 0.6, { paths: 2000, seed: 7, blockPaths: 500 }).expectedShortfall;
    const limit = 1.2 * esNow;
    const risk = attachRisk(pool, { pricer, preTrade: { maxExpectedShortfall: limit } });
    pool.redeem("alice", pool.sharesOf("alice") / 100n); // small: accepted
    expect(risk.preTrade!.last!.expectedShortfall).toBeLessThan(limit);
    const before = JSON.stringify(pool.snapshot());
    const events = pool.events.length;
    let error: unknown;
    try {
      pool.redeem("alice", (pool.sharesOf("alice") * 9n) / 10n);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PoolError);
    expect((error as PoolError).code).toBe("RISK_LIMIT");
    expect((error as PoolError).message).toMatch(/expected shortfall/);
    expect(risk.preTrade!.last!.expectedShortfall).toBeGreaterThan(limit);
    expect(JSON.stringify(pool.snapshot())).toBe(before);
    expect(pool.events.length).toBe(events);
  });

  it("rejects a buy that pushes stressed solvency below the floor, and never blocks a sell to close", () => {
    const { pool } = setup();
    pool.deposit("alice", 200_000n * USDC);
    buy(pool, 1900, T0 + 10 * DAY, 1000n);
    // Solvency = (free + locked) / worst-case payout; with a floor of 8 the first put passes and a large one fails.
    const risk = attachRisk(pool, { pricer, preTrade: { minSolvency: 8, maxExpectedShortfall: 1 } });
    const before = JSON.stringify(pool.snapshot());
    expect(() => buy(pool, 1900, T0 + 10 * DAY, 4000n)).toThrow(/stressed solvency would be/);
    expect(JSON.stringify(pool.snapshot())).toBe(before);
    expect(risk.preTrade!.last!.solvency).toBeLessThan(8);
    pool.trade("bob", { type: "put", strike: 1900, expiry: T0 + 10 * DAY, size: 500n, side: "sell", minProceeds: 0n });
    expect(pool.positionsOf("bob")[0]!.size).toBe(500n);
  });
});

describe("net greeks", () => {
  it("are −contracts × pricer greeks summed by expiry, and quotes refuse greeks older than the limit", () => {
    const { pool, clock, oracle } = setup();
    pool.deposit("alice", 1_000_000n * USDC);
    buy(pool, 1900, T0 + 10 * DAY, 300n);
    buy(pool, 2100, T0 + 10 * DAY, 100n);
    buy(pool, 1800, T0 + 40 * DAY, 200n);
    const monitor = new GreeksMonitor(pool, { maxQuoteAgeSeconds: 120, refreshAgeSeconds: 60 });
    const g = monitor.refreshSync(pricer);
    const p = (k: number, d: number) => pricer.blackScholes({ type: "put", spot: 2000, strike: k, expiry: (d * DAY) / (365 * DAY), vol: 0.6, rate: 0 });
    const e1 = -3 * p(1900, 10).delta[0]! - 1 * p(2100, 10).delta[0]!;
    expect(g.byExpiry).toHaveLength(2);
    expect(g.byExpiry[0]!.greeks.delta).toBeCloseTo(e1, 12);
    expect(g.total.vega).toBeCloseTo(-3 * p(1900, 10).vega[0]! - p(2100, 10).vega[0]! - 2 * p(1800, 40).vega[0]!, 9);
    expect(monitor.refreshReason()).toBeUndefined();
    oracle.push({ timestamp: T0 + 1, spot: 2030 });
    clock.set(T0 + 1);
    expect(monitor.refreshReason()).toBe("spot");

    pool.riskHooks = { beforeQuote: () => void monitor.assertUsableForQuote() };
    const req = { type: "put" as const, strike: 1900, expiry: T0 + 10 * DAY, size: 100n, side: "buy" as const };
    expect(() => pool.quote(req)).toThrow(/moved beyond/);
    monitor.refreshSync(pricer);
    expect(pool.quote(req).total).toBeGreaterThan(0n);
    clock.set(T0 + 200);
    oracle.push({ timestamp: T0 + 200 });
    try {
      pool.quote(req);
      expect.unreachable();
    } catch (e) {
      expect((e as PoolError).code).toBe("STALE_GREEKS");
    }
  });
});

describe("circuit breakers", () => {
  it("low liquidity, an IV jump and a settlement each trip once, append an event, and pause queue payments (also after replay)", () => {
    const { pool, clock, oracle, config } = setup({ maxUtilization: 0.95 });
    pool.deposit("alice", 100_000n * USDC);
    buy(pool, 1900, T0 + 2 * DAY, 4800n); // locks 91,200 of 100,000: 8.8% free
    const breakers = new CircuitBreakers(pool, { minFreeLiquidityRatio: 0.1, liquidityPauseSeconds: 3600 });
    expect(breakers.check()).toEqual(["liquidity"]);
    expect(breakers.check()).toEqual([]); // not re-tripped while paused
    const last = pool.events.at(-1)!;
    expect(last.kind).toBe("circuitBreaker");
    expect(pool.queuePausedUntil).toBe(T0 + 3600);
    const r = pool.redeem("alice", pool.sharesOf("alice")); // the free part is paid, the rest queued
    expect(r.queuedShares).toBeGreaterThan(0n);
    pool.deposit("carol", 50_000n * USDC); // would pay the queue, but it is paused
    expect(pool.withdrawalQueue()).toHaveLength(1);
    const replayed = OptionPool.replay(config, pool.events);
    expect(replayed.snapshot()).toEqual(pool.snapshot());
    expect(replayed.queuePausedUntil).toBe(T0 + 3600);
    clock.set(T0 + 1800);
    oracle.push({ timestamp: T0 + 1800, baseVol: 0.9 }); // log move 0.405 > 0.25 within the hour
    expect(breakers.check()).toEqual(["ivJump"]);
    clock.set(T0 + 2 * DAY + 10);
    oracle.push({ timestamp: T0 + 2 * DAY + 10, spot: 2100 });
    expect(pool.withdrawalQueue()).toHaveLength(1);
    pool.settle(T0 + 2 * DAY); // the pauses have ended: settlement pays the queue
    expect(pool.withdrawalQueue()).toHaveLength(0);
    expect(breakers.check()).toContain("settlement");
    const trips = pool.events.filter((e) => e.kind === "circuitBreaker").map((e) => (e as { breaker: string }).breaker);
    expect(trips.slice(0, 3)).toEqual(["liquidity", "ivJump", "settlement"]);
    expect(pool.queuePausedUntil).toBe(T0 + 2 * DAY + 10 + 900);
  });
});
