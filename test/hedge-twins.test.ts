// Hedged and unhedged twins of a scenario (pool/simulation/hedge-twins.ts) on the −38 % crash cycle: hedging cuts
// the drawdown to within the target, every hedging pass either trades, stays inside the band or is refused by a named
// guard (no REPLAY_MISMATCH), and each day's attribution sums exactly to the change of NAV in both twins.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { crashScenario, DEFAULT_HEDGE, DEFAULT_SCENARIO, runHedgeTwins } from "../pool/simulation/index.js";

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
