// fitVolSurface on chains generated from known surfaces (test/fixtures/make-surface-golden.py): exact recovery
// from noise-free vols and from prices (through Let's Be Rational), errors consistent with the noise on noisy
// vols, arbitrage-free output for an arbitrageable chain (Vogt), weights, dropped quotes and input errors.
import { beforeAll, describe, expect, it } from "vitest";
import {
  createPricer, fitVolSurface, PricingInputError, type Pricer, type SviSlice, type VolSurface, type VolSurfaceSpec,
} from "../../../bindings/index.js";
import { chainInput, surfaceGolden, type ChainName } from "../../support/surface-fixtures.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

type Ssvi = Extract<VolSurfaceSpec, { model: "ssvi" }>;

function expectRelative(actual: number, expected: number, tolerance: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

function expectSviRecovered(surface: VolSurface, truth: readonly SviSlice[]): void {
  expect(surface.spec.model).toBe("svi");
  surface.slices.forEach((s, i) => {
    for (const key of ["a", "b", "rho", "m", "sigma"] as const) expectRelative(s[key], truth[i]![key], 1e-6, `slice ${i} ${key}`);
  });
}

function expectSsviRecovered(surface: VolSurface, truth: Ssvi): void {
  const spec = surface.spec as Ssvi;
  expectRelative(spec.rho, truth.rho, 1e-6, "rho");
  for (const [key, value] of Object.entries(truth.phi)) if (key !== "form") expectRelative((spec.phi as unknown as Record<string, number>)[key]!, value as number, 1e-6, key);
  spec.slices.forEach((s, i) => expectRelative(s.theta, truth.slices[i]!.theta, 1e-6, `theta ${i}`));
}

describe("noise-free chains: parameters recovered to 1e-6 relative, fit error ≤ 0.01 vol points", () => {
  for (const quotes of ["vol", "price"] as const) {
    it(`raw SVI, 10 expiries × 40 strikes (SSVI slices in raw form), from ${quotes}s`, () => {
      const surface = fitVolSurface(chainInput("svi-slices", quotes), { pricer });
      expectSviRecovered(surface, surfaceGolden.surfaces["svi-slices"].slices as SviSlice[]);
      for (const s of surface.fit!.slices) expect(s.maxVolPoints).toBeLessThanOrEqual(0.01);
      expect(surface.fit!.check.ok).toBe(true);
      expect(surface.fit!.dropped).toBe(0);
    });

    it(`raw SVI, GJ Example 5.1 (Vogt's smile made arbitrage-free), from ${quotes}s`, () => {
      expectSviRecovered(fitVolSurface(chainInput("gj-5.1", quotes), { pricer }), surfaceGolden.surfaces["gj-5.1"].slices as SviSlice[]);
    });

    it(`SSVI power-law and Heston-like φ, from ${quotes}s`, () => {
      const power = fitVolSurface(chainInput("ssvi-power", quotes), { pricer, model: "ssvi" });
      expectSsviRecovered(power, surfaceGolden.surfaces["ssvi-power"] as Ssvi);
      const heston = fitVolSurface(chainInput("ssvi-heston", quotes), { pricer, model: "ssvi", phi: "heston" });
      expectSsviRecovered(heston, surfaceGolden.surfaces["ssvi-heston"] as Ssvi);
      for (const s of [...power.fit!.slices, ...heston.fit!.slices]) expect(s.maxVolPoints).toBeLessThanOrEqual(0.01);
    });
  }
});

describe("noisy chains (Gaussian noise of 0.2 vol points on each vol)", () => {
  // With n = 40 quotes a slice and p free parameters per slice, the residual RMS is σ_noise·√((n − p)/n) in
  // expectation, with a relative spread of about 1/√(2(n − p)) ≈ 0.12: a slice must land within ±40% (3.4
  // spreads). The fitted vols' RMS distance to the true ones is ≈ σ_noise·√(p/n); bounded at twice that.
  const cases: [ChainName, "svi" | "ssvi", number][] = [
    ["svi-slices", "svi", 5], ["ssvi-power", "svi", 5], ["gj-5.1", "svi", 5], ["ssvi-power", "ssvi", 1.3], ["ssvi-heston", "ssvi", 1.2],
  ];
  for (const [name, model, p] of cases) {
    it(`${name} fitted by ${model}: residuals and distance to the truth consistent with the noise`, () => {
      const chain = surfaceGolden.chains[name];
      const surface = fitVolSurface(chainInput(name, "noisy"), { pricer, model, phi: name === "ssvi-heston" ? "heston" : "power-law" });
      const noise = 100 * chain.noiseVol;
      for (const s of surface.fit!.slices) {
        const expected = noise * Math.sqrt((s.quotes - p) / s.quotes);
        expect(s.rmsVolPoints, `slice ${s.years}`).toBeGreaterThan(0.6 * expected);
        expect(s.rmsVolPoints, `slice ${s.years}`).toBeLessThan(1.4 * expected);
      }
      const fitted = surface.volBatch({ k: chain.strike.map((K, i) => Math.log(K / (chain.spot * Math.exp((chain.rate - chain.dividend) * chain.expiry[i]!)))), years: chain.expiry });
      let sum = 0;
      fitted.forEach((v, i) => (sum += (v - chain.vol[i]!) ** 2));
      expect(100 * Math.sqrt(sum / fitted.length)).toBeLessThan(2 * noise * Math.sqrt(p / 40));
      expect(surface.fit!.check.ok).toBe(true);
    });
  }
});

describe("arbitrage and inputs", () => {
  it("fits Vogt's arbitrageable chain with an arbitrage-free surface, within 1 vol point RMS", () => {
    for (const model of ["svi", "ssvi"] as const) {
      const surface = fitVolSurface(chainInput("vogt", "vol"), { pricer, model });
      expect(surface.check().ok).toBe(true);
      expect(surface.fit!.slices[0]!.rmsVolPoints).toBeGreaterThan(0);
      expect(surface.fit!.slices[0]!.rmsVolPoints).toBeLessThan(1);
    }
  });

  it("weights: vega and bid-ask fits recover a noise-free chain too; bid-ask needs bid < ask", () => {
    const chain = chainInput("gj-5.1", "vol");
    const vols = chain.vol as number[];
    const truth = surfaceGolden.surfaces["gj-5.1"].slices as SviSlice[];
    expectSviRecovered(fitVolSurface(chain, { pricer, weights: "vega" }), truth);
    const bidAsk = { ...chain, bid: vols.map((v, i) => v - 0.002 - 0.0001 * i), ask: vols.map((v) => v + 0.003) };
    expectSviRecovered(fitVolSurface(bidAsk, { pricer, weights: "bid-ask" }), truth);
    const crossed = { ...bidAsk, ask: vols.map((v, i) => (i === 7 ? v - 0.01 : v + 0.003)) };
    expect(() => fitVolSurface(crossed, { pricer, weights: "bid-ask" })).toThrow(/ask\[7\]: must exceed bid/);
  });

  it("drops and counts quotes whose price has no implied vol", () => {
    const chain = chainInput("gj-5.1", "price");
    const prices = (chain.price as number[]).slice();
    prices[3] = 0; // an out-of-the-money put at its intrinsic value 0: no time value, no vol
    prices[5] = 1e6; // above the upper bound (the discounted strike)
    const surface = fitVolSurface({ ...chain, price: prices }, { pricer });
    expect(surface.fit!.dropped).toBe(2);
    expect(surface.fit!.slices[0]!.quotes).toBe(38);
  });

  it("names the field and quote of invalid input", () => {
    const chain = chainInput("gj-5.1", "vol");
    const strike = (chain.strike as number[]).slice();
    strike[4] = -1;
    expect(() => fitVolSurface({ ...chain, strike }, { pricer })).toThrow(PricingInputError);
    expect(() => fitVolSurface({ ...chain, strike }, { pricer })).toThrow(/strike\[4\]/);
    expect(() => fitVolSurface({ ...chain, price: chain.vol }, { pricer })).toThrow(/exactly one of vol and price/);
    const few = { expiry: [1, 1, 1], strike: [90, 100, 110], vol: [0.2, 0.2, 0.2], spot: 100 };
    expect(() => fitVolSurface(few, { pricer })).toThrow(/at least 5/);
  });
});
