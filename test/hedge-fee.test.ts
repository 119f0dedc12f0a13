// The hedge fee as the expected cost of the hedging a trade causes: the re-hedging turnover's closed form against a
// Monte Carlo of the dollar gamma, the quote charging it, the venue calibration, and a hedge order sized to what free
// liquidity can margin (HEDGE_MARGIN_SHORTFALL when not even the smallest order fits).
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { normalCdf } from "../bindings/montecarlo.js";
import { hedgeFeeParams, hedgeTurnover, Hedger, OptionPool, SimulatedVenue } from "../pool/index.js";
import { DAY, expectRejected, makePool, T0, USDC } from "./support/pool.js";
import { normals } from "./support/normals.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

describe("hedgeTurnover", () => {
  it("re-hedging: Σ over daily passes of √(2/π)·σ·√Δt·E[S²Γ] matches a 20,000-path Monte Carlo within 4 standard errors", () => {
    const sigma = 0.6;
    const dt = 1 / 365;
    const z = normals(11);
    for (const [days, moneyness] of [[7, 1], [14, 0.9], [28, 0.85]] as const) {
      const T = days / 365;
      const K = 2000 * moneyness;
      const paths = 20_000;
      let sum = 0;
      let sumSq = 0;
      for (let p = 0; p < paths; p++) {
        let S = 2000;
        let total = 0;
        for (let k = 0; k < days; k++) {
          const tau = T - k * dt;
          const d1 = (Math.log(S / K) + 0.5 * sigma * sigma * tau) / (sigma * Math.sqrt(tau));
          total += (S * phi(d1)) / (sigma * Math.sqrt(tau)) * sigma * Math.sqrt(dt) * Math.sqrt(2 / Math.PI); // S²Γ·σ·√Δt·E|Z|
          S *= Math.exp(-0.5 * sigma * sigma * dt + sigma * Math.sqrt(dt) * z());
        }
        sum += total;
        sumSq += total * total;
      }
      const mean = sum / paths;
      const se = Math.sqrt((sumSq / paths - mean * mean) / paths);
      const t = hedgeTurnover({ delta: -0.4, spot: 2000, years: T, option: { type: "put", strike: K, vol: sigma, carry: 0 } }, DAY);
      expect(Math.abs(t.rebalance - mean)).toBeLessThan(4 * se);
      // Exit: E[S_T·1{S_T < K}] = S·N(−d₁); entry |δ|·S; half the life accrues half the re-hedging and no exit.
      const d1 = (Math.log(2000 / K) + 0.5 * sigma * sigma * T) / (sigma * Math.sqrt(T));
      expect(t.exit).toBeCloseTo(2000 * normalCdf(-d1), 9);
      expect(t.entry).toBeCloseTo(800, 9);
      const half = hedgeTurnover({ delta: -0.4, spot: 2000, years: T, option: { type: "put", strike: K, vol: sigma, carry: 0 } }, DAY, T / 2);
      expect(half.rebalance).toBeCloseTo(t.rebalance / 2, 9);
      expect(half.exit).toBe(0);
    }
  });

  it("without re-hedging only the entry counts", () => {
    expect(hedgeTurnover({ delta: -0.4, spot: 2000, years: 0.1, option: { type: "put", strike: 1900, vol: 0.6, carry: 0 } }, 0)).toEqual({ entry: 800, rebalance: 0, exit: 0 });
  });
});

describe("the hedge fee with re-hedging", () => {
  it("is hedgeCostRate · S·φ(d₁)·√(2T/(π·Δt)) per contract, both sides, and re-derived on replay", () => {
    const f = makePool(pricer, { params: { hedgeCostRate: 0.0008, hedgeRebalanceSeconds: DAY } });
    f.pool.deposit("lp", 100_000n * USDC);
    const request = { type: "put" as const, strike: 1900, expiry: T0 + 21 * DAY, size: 500n };
    const q = f.pool.quote({ ...request, side: "buy" });
    const T = 21 / 365;
    const d1 = (Math.log(2000 / 1900) + 0.5 * q.volUsed ** 2 * T) / (q.volUsed * Math.sqrt(T));
    expect(q.perContract.hedgeFee).toBeCloseTo(0.0008 * 2000 * phi(d1) * Math.sqrt((2 * T * 365) / Math.PI), 9);
    f.pool.trade("alice", { ...request, side: "buy", maxCost: 10n ** 12n });
    const sell = f.pool.quote({ ...request, size: 100n, side: "sell" });
    expect(sell.hedgeFee).toBeGreaterThan(0n);
    expect(OptionPool.replay(f.config, f.pool.events).snapshot()).toEqual(f.pool.snapshot());
  });

  it("hedgeFeeParams: the venue's fee plus its slippage at the expected order size", () => {
    const venue = new SimulatedVenue({ spot: () => 2000, clock: { now: () => T0 }, feeRate: 0.0005, halfSpread: 0.0002, impact: 0.001, depth: 1000 });
    const p = hedgeFeeParams(venue, { rebalanceSeconds: DAY, orderSize: 40 });
    expect(p.hedgeCostRate).toBeCloseTo(0.0005 + 0.0002 + 0.001 * Math.sqrt(0.04), 15);
    expect(p.hedgeRebalanceSeconds).toBe(DAY);
    expect(() => hedgeFeeParams(venue, { rebalanceSeconds: 0.5, orderSize: 1 })).toThrow(/rebalanceSeconds/);
  });
});

describe("hedge orders and free liquidity", () => {
  /** A pool whose collateral is nearly all locked, hedging at 100 % margin. */
  function lockedPool() {
    const f = makePool(pricer, { params: { hedgeMarginRate: 1, maxUtilization: 1 } });
    f.pool.deposit("lp", 20_000n * USDC);
    f.pool.trade("alice", { type: "put", strike: 2000, expiry: T0 + 30 * DAY, size: 950n, side: "buy", maxCost: 10n ** 12n });
    const venue = new SimulatedVenue({ spot: () => f.oracle.latest().spot, clock: f.clock, seed: 7 });
    return { ...f, venue };
  }

  it("an order whose margin free liquidity cannot post is cut to what it can (a partial hedge), and the fill books", () => {
    const f = lockedPool();
    const hedger = new Hedger({ venue: f.venue, policy: { band: { kind: "fixed", halfWidth: 0 } } });
    const free = f.pool.free;
    const r = f.pool.hedge(hedger);
    expect(r.status).toBe("filled");
    const order = f.pool.events.find((e) => e.kind === "hedgeOrder");
    if (order?.kind !== "hedgeOrder") throw new Error("no order");
    expect(Number(order.size) / 100).toBeLessThan(Math.abs(r.decision!.trade) - 0.01); // cut
    expect(Number(order.size) / 100 * 2000 * 1.01).toBeGreaterThan(Number(free) / 1e6 * 0.95); // to about what free could margin
    expect(f.pool.free).toBeGreaterThanOrEqual(0n);
    expect(OptionPool.replay(f.config, f.pool.events).snapshot()).toEqual(f.pool.snapshot());
  });

  it("HEDGE_MARGIN_SHORTFALL (field margin) when not even the smallest order fits; nothing changes", () => {
    const f = lockedPool();
    const hedger = new Hedger({ venue: f.venue, policy: { band: { kind: "fixed", halfWidth: 0 } }, minOrderSize: 400n });
    expectRejected(f.pool, () => f.pool.hedge(hedger), "HEDGE_MARGIN_SHORTFALL", "margin");
  });
});
