// Surface stress scenarios (parallel shift, skew change, term twist) on a book priced from a skewed surface: each
// scenario's NAV equals the book revalued series by series at vol + shift + skewChange·k + twist·ln(T/T_ref),
// and the signs are those of a pool short puts.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { DEFAULT_STRESS_OPTIONS, defaultStressScenarios, MIN_VOL, stressTestPool, surfaceStressScenarios } from "../pool/index.js";
import { DAY, makePool, T0, USDC } from "./support/pool.js";
import { skewedSurface } from "./support/pool-surface.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

describe("surface stress scenarios", () => {
  it("each scenario revalues every series at the moved vol (NAV to 1e-12 relative), beside the unchanged 23-scenario grid", async () => {
    const params = { rate: 0.03, dividend: 0.01 };
    const f = makePool(pricer, { params, oracle: { volSurface: skewedSurface(pricer) } });
    f.pool.deposit("lp", 3_000_000n * USDC);
    for (const [strike, days] of [[1500, 5], [1800, 5], [2000, 40], [2300, 40], [1700, 200]] as const)
      f.pool.trade("t", { type: "put", strike, expiry: T0 + days * DAY, size: 2_000n, side: "buy", maxCost: 10n ** 15n });
    const scenarios = [...defaultStressScenarios(), ...surfaceStressScenarios()];
    const report = await stressTestPool(f.pool, pricer, scenarios);
    const grid = await stressTestPool(f.pool, pricer);
    expect(report.results.slice(0, 23)).toEqual(grid.results);
    const book = f.pool.openBook();
    const strikes = book.batch.strike as Float64Array;
    const years = book.batch.expiry as Float64Array;
    const vols = book.batch.vol as Float64Array;
    const assets = Number(f.pool.free + f.pool.locked);
    for (const r of report.results.slice(23)) {
      const s = r.scenario;
      const moved = Array.from(vols, (v, i) => {
        const scale = Math.min(DEFAULT_STRESS_OPTIONS.maxVolScale, Math.sqrt(DEFAULT_STRESS_OPTIONS.referenceYears / years[i]!));
        const shocked = s.volShock === 0 ? v : Math.max(MIN_VOL, v * (1 + s.volShock * scale));
        const k = Math.log(strikes[i]! / book.spot) - 0.02 * years[i]!;
        return Math.max(MIN_VOL, shocked + (s.volShift ?? 0) + (s.skewChange ?? 0) * k + (s.termTwist ?? 0) * Math.log(years[i]! / DEFAULT_STRESS_OPTIONS.referenceYears));
      });
      const price = pricer.blackScholes({ ...book.batch, spot: book.spot * s.spotFactor, vol: Float64Array.from(moved) }).price;
      let liability = 0;
      book.series.forEach((series, i) => (liability += Math.min(price[i]! * Number(series.openSize) * 1e4, Number(series.locked))));
      expect(Math.abs(r.nav - (assets - liability)), s.name).toBeLessThan(1e-12 * assets);
    }
    const nav = (name: string) => report.results.find((r) => r.scenario.name === `surface: ${name}`)!.navChange;
    expect(nav("parallel +5 vol pts")).toBeLessThan(0);
    expect(nav("parallel -5 vol pts")).toBeGreaterThan(0);
    // The book is mostly puts below the forward: steepening raises them.
    expect(nav("skew steepens")).toBeLessThan(0);
    expect(nav("skew flattens")).toBeGreaterThan(0);
    // Most vega is in the 200-day put (vega grows like √T), beyond the 30-day pivot: the long-up twist costs, the
    // short-up twist (which lowers the 200-day vol by 0.03·ln(200/30) = 5.7 points) gains.
    expect(nav("term twist: long up")).toBeLessThan(0);
    expect(nav("term twist: short up")).toBeGreaterThan(0);
  });

  it("a non-finite surface move is refused naming the scenario field", async () => {
    const f = makePool(pricer);
    await expect(stressTestPool(f.pool, pricer, [{ name: "bad", spotFactor: 1, volShock: 0, skewChange: NaN }])).rejects.toThrow(/scenarios\[0\]\.skewChange/);
  });
});
