// Hedged and unhedged twins of a scenario (pool/simulation/hedge-twins.ts) on the −38 % crash cycle: hedging cuts
// the drawdown to within the target, every hedging pass either trades, stays inside the band or is refused by a named
// guard (no REPLAY_MISMATCH), and each day's attribution sums exactly to the change of NAV in both twins.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { crashScenario, DEFAULT_HEDGE, DEFAULT_SCENARIO, runHedgeTwins } from "../pool/simulation/index.js";
import { expectedAbsShifted, pathHedgeTurnover } from "../pool/simulation/hedge-twins.js";
import type { ScenarioDay } from "../pool/simulation/scenario.js";
import { normals } from "./support/normals.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

const PARTS = ["lpFlows", "premium", "fees", "theta", "delta", "gamma", "vega", "skew", "hedgePnl", "hedgeCosts", "funding", "unexplained"] as const;

describe("hedge twins", () => {
  it("on the crash cycle: drawdown ratio ≤ 0.25, no unexplained refusal, attribution exact and its remainder ≤ 1 % of |ΔNAV| every day", async () => {
    const config = crashScenario({ ...DEFAULT_SCENARIO, risk: { ...DEFAULT_SCENARIO.risk, varPaths: 200 } });
    const t = await runHedgeTwins(config, pricer, DEFAULT_HEDGE);
    expect(t.drawdownRatio).toBeLessThanOrEqual(0.25);
    expect(t.figures.unhedged.maxDrawdown).toBeGreaterThan(0.1); // the crash hurts the unhedged twin
    const passes = t.hedged.hedge!.passes;
    expect(Object.keys(passes).filter((k) => !["filled", "inside-band", "retried", "HEDGE_MARGIN_SHORTFALL"].includes(k))).toEqual([]);
    expect(passes.filled).toBeGreaterThan(10);
    expect(t.unhedged.hedge!.tradedDelta).toBe(0);
    // Both twins charge the same fee rule on their own trades; costs and funding only in the hedged one.
    expect(t.figures.hedged.hedgeFeesCharged).toBeGreaterThan(0);
    expect(t.figures.hedged.hedgeFeesAccrued).toBeLessThanOrEqual(t.figures.hedged.hedgeFeesCharged);
    expect(t.costToFeeRatio).toBeGreaterThan(0);
    // The fee model on the book the run held explains the costs to within one path's scatter (sd 0.12 over seeds).
    expect(t.costToPathRatio).toBeGreaterThan(0.85);
    expect(t.costToPathRatio).toBeLessThan(1.15);
    for (const twin of [t.hedged, t.unhedged]) {
      expect(twin.hedge!.attribution).toHaveLength(config.days);
      for (const a of twin.hedge!.attribution) {
        expect(PARTS.reduce((s, k) => s + a[k], 0n)).toBe(a.navChange);
        const abs = (x: bigint) => (x < 0n ? -x : x);
        expect(Number(abs(a.unexplained))).toBeLessThanOrEqual(Math.max(0.01 * Number(abs(a.navChange)), 12));
      }
    }
  }, 120_000);
});

describe("the fee model's turnover on the book a run held", () => {
  it("E|s·Z + r| matches a 200,000-draw Monte Carlo within 4 standard errors, and its limits (s = 0: |r|; r = 0: s·√(2/π))", () => {
    const z = normals(3);
    for (const [s, r] of [[1, 0], [1, 0.4], [2, -3], [0.5, 2]] as const) {
      let sum = 0;
      let sq = 0;
      const n = 200_000;
      for (let i = 0; i < n; i++) {
        const x = Math.abs(s * z() + r);
        sum += x;
        sq += x * x;
      }
      const mean = sum / n;
      const se = Math.sqrt((sq / n - mean * mean) / n);
      expect(Math.abs(expectedAbsShifted(s, r) - mean)).toBeLessThan(4 * se);
    }
    expect(expectedAbsShifted(0, -3)).toBe(3);
    expect(expectedAbsShifted(2, 0)).toBeCloseTo(2 * Math.sqrt(2 / Math.PI), 14);
  });

  it("sums the first pass's hedge from flat and each later pass's E|s·Z + r|·S (hand-computed)", () => {
    const day = (spot: number, vol: number, delta: number, gamma: number) => ({ spot, vol, delta, gamma }) as ScenarioDay;
    const t = [day(2000, 0.6, 10, -0.05), day(2100, 0.5, 14, -0.04)];
    const s = 0.05 * 0.6 * 2000 * Math.sqrt(1 / 365); // |Γ|·σ·S·√Δt
    const r = 14 - 10 - -0.05 * 100; // the move not explained by the diffusion: 9 (a trade added delta)
    expect(pathHedgeTurnover(t)).toBeCloseTo(10 * 2000 + expectedAbsShifted(s, r) * 2100, 9);
  });
});
