import { beforeAll, describe, expect, it } from "vitest";
import { loadWasmCore, type WasmCore } from "../../bindings/wasm.js";
import {
  combineMonteCarloBlocks, monteCarlo, monteCarloBlockCount, normalizeMonteCarloSpec, runMonteCarloBlocks,
  type MonteCarloResult, type MonteCarloSpec,
} from "../../bindings/montecarlo.js";
import { PricingInputError } from "../../bindings/errors.js";

// Independent references. Φ by Abramowitz & Stegun 26.2.17 (|error| < 7.5e-8): far below every Monte Carlo
// standard error compared here (≥ 1e-4), so it cannot move a 3-standard-error check.
function phi(x: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const tail = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI) * poly;
  return x >= 0 ? 1 - tail : tail;
}
interface Market { spot: number; strike: number; expiry: number; vol: number; rate: number; dividend: number }
type Pricer = (m: Market) => number;
const bsPrice = (type: 1 | -1): Pricer => ({ spot, strike, expiry, vol, rate, dividend }) => {
  const sd = vol * Math.sqrt(expiry);
  const d1 = (Math.log(spot / strike) + (rate - dividend) * expiry) / sd + 0.5 * sd;
  const d2 = d1 - sd;
  return type * (spot * Math.exp(-dividend * expiry) * phi(type * d1) - strike * Math.exp(-rate * expiry) * phi(type * d2));
};
const digitalPrice = (type: 1 | -1): Pricer => ({ spot, strike, expiry, vol, rate, dividend }) => {
  const sd = vol * Math.sqrt(expiry);
  const d2 = (Math.log(spot / strike) + (rate - dividend) * expiry) / sd - 0.5 * sd;
  return Math.exp(-rate * expiry) * phi(type * d2);
};
// Discrete geometric Asian on t_i = iT/n: ln G is normal with mean ln S + (r − q − σ²/2)T(n+1)/(2n) and
// variance σ²T(n+1)(2n+1)/(6n²) (Kemna & Vorst 1990 with discrete dates).
const geometricAsianPrice = (type: 1 | -1, n: number): Pricer => ({ spot, strike, expiry, vol, rate, dividend }) => {
  const mean = Math.log(spot) + (rate - dividend - 0.5 * vol * vol) * expiry * (n + 1) / (2 * n);
  const v = vol * vol * expiry * (n + 1) * (2 * n + 1) / (6 * n * n);
  const d1 = (mean - Math.log(strike) + v) / Math.sqrt(v);
  const d2 = d1 - Math.sqrt(v);
  const f = Math.exp(mean + 0.5 * v);
  return Math.exp(-rate * expiry) * type * (f * phi(type * d1) - strike * phi(type * d2));
};
// Greeks of a closed form by central differences (truncation ~h² ≈ 1e-8 relative; with A&S Φ the rounding of
// the gamma difference is ~1e-7/h² ≈ 1e-3·… so gamma uses a wider bump and is compared to ≥ 3 SE ~ 1e-3).
function referenceGreeks(f: Pricer, m: Market) {
  const d = (key: keyof Market, h: number) => (f({ ...m, [key]: m[key] + h }) - f({ ...m, [key]: m[key] - h })) / (2 * h);
  const hs = m.spot * 1e-2;
  return {
    price: f(m),
    delta: d("spot", m.spot * 1e-4),
    gamma: (f({ ...m, spot: m.spot + hs }) - 2 * f(m) + f({ ...m, spot: m.spot - hs })) / (hs * hs),
    vega: d("vol", 1e-4),
    rho: d("rate", 1e-4),
    theta: -d("expiry", 1e-4),
  };
}

const market: Market = { spot: 100, strike: 105, expiry: 0.75, vol: 0.25, rate: 0.04, dividend: 0.01 };
let core: WasmCore;
// One-off reference run: sobol sampler (a different generator from the pseudo test below), control variate,
// 16,777,216 paths, seed 99 → 6.156040848 ± 6.4e-6.
const REF_ASIAN = 6.156040848322383;
const REF_ASIAN_SE = 6.405318944285959e-6;
beforeAll(async () => { core = await loadWasmCore({}); });

function within(result: MonteCarloResult, ref: ReturnType<typeof referenceGreeks>, k = 3, floor = 1e-6) {
  expect(Math.abs(result.price - ref.price)).toBeLessThan(k * result.stdError);
  for (const g of ["delta", "gamma", "vega", "rho", "theta"] as const) {
    const e = result[g]!;
    expect(Math.abs(e.value - ref[g]), `${g}: ${e.value} vs ${ref[g]} ± ${e.stdError}`).toBeLessThan(k * e.stdError + floor);
  }
}

describe("Monte Carlo against closed forms", () => {
  for (const type of ["call", "put"] as const) {
    const sign = type === "call" ? 1 : -1;
    it(`european ${type}: price and pathwise greeks within 3 SE of Black-Scholes (pseudo, 4 dates)`, () => {
      const r = monteCarlo(core, { ...market, payoff: "european", type, paths: 200_000, steps: 4, greeks: true, seed: 11 });
      within(r, referenceGreeks(bsPrice(sign), market));
    });
    it(`digital ${type}: price and likelihood-ratio greeks within 3 SE of the cash-or-nothing closed form`, () => {
      const r = monteCarlo(core, { ...market, payoff: "digital", type, paths: 400_000, steps: 1, greeks: true, seed: 12 });
      within(r, referenceGreeks(digitalPrice(sign), market));
    });
    it(`discrete geometric Asian ${type} (12 dates): price and greeks within 3 SE of the closed form`, () => {
      const r = monteCarlo(core, { ...market, payoff: "asian-geometric", type, paths: 200_000, steps: 12, greeks: true, seed: 13 });
      within(r, referenceGreeks(geometricAsianPrice(sign, 12), market));
    });
  }
  it("european call with the sobol sampler and antithetic pairs: within 3 SE, SE far below pseudo", () => {
    const spec: MonteCarloSpec = { ...market, payoff: "european", type: "call", paths: 65_536, steps: 8, greeks: true, sampler: "sobol", antithetic: true, seed: 5 };
    const r = monteCarlo(core, spec);
    // Floor 1e-3: the sobol rho of a european call is T·K·e^{−rT}·P(S_T > K), a 1-D indicator that every digital
    // shift stratifies alike, so the 16 replications agree to rounding and the spread (SE) understates its ~1/N error.
    within(r, referenceGreeks(bsPrice(1), market), 3, 1e-3);
  });
});

describe("Monte Carlo: variance reduction, honesty and determinism", () => {
  const asian: MonteCarloSpec = { spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.05, dividend: 0, payoff: "asian-arithmetic", type: "call", steps: 12, paths: 100_000, seed: 3 };
  it("the geometric-Asian control variate cuts the arithmetic Asian standard error at least 10x", () => {
    const plain = monteCarlo(core, asian);
    const cv = monteCarlo(core, { ...asian, controlVariate: true });
    expect(plain.stdError / cv.stdError).toBeGreaterThan(10);
    // Both estimate the same price: their difference is within 3 SE of the plain run.
    expect(Math.abs(plain.price - cv.price)).toBeLessThan(3 * plain.stdError);
  });
  it("arithmetic Asian (12 dates) agrees within 3 combined SE with a reference from a 16M-path sobol+CV run", () => {
    const r = monteCarlo(core, { ...asian, controlVariate: true, paths: 200_000, seed: 4 });
    expect(Math.abs(r.price - REF_ASIAN)).toBeLessThan(3 * Math.hypot(r.stdError, REF_ASIAN_SE));
  });
  it("sobol beats pseudo at equal paths on a smooth payoff (geometric Asian SE at least 5x lower)", () => {
    const g: MonteCarloSpec = { ...asian, payoff: "asian-geometric", paths: 65_536 };
    const pseudo = monteCarlo(core, g);
    const sobol = monteCarlo(core, { ...g, sampler: "sobol" });
    expect(pseudo.stdError / sobol.stdError).toBeGreaterThan(5);
    expect(Math.abs(sobol.price - geometricAsianPrice(1, 12)(asian as Market))).toBeLessThan(3 * sobol.stdError + 1e-4);
  });
  it("over 50 seeds the spread of european prices is within ±30% of the reported standard error", () => {
    const prices: number[] = [];
    let se = 0;
    for (let seed = 1000; seed < 1050; seed++) {
      const r = monteCarlo(core, { ...market, payoff: "european", type: "call", paths: 20_000, seed });
      prices.push(r.price);
      se += r.stdError / 50;
    }
    const m = prices.reduce((a, b) => a + b, 0) / 50;
    const sd = Math.sqrt(prices.reduce((a, p) => a + (p - m) * (p - m), 0) / 49);
    // With 50 seeds the sample sd has relative sampling error ≈ 1/√98 ≈ 10%: ±30% is a 3-sigma band.
    expect(sd / se).toBeGreaterThan(0.7);
    expect(sd / se).toBeLessThan(1.3);
  });
  it("blocks run in one call or in several ranges combine to bit-identical results", () => {
    const spec = normalizeMonteCarloSpec({ ...asian, paths: 50_000, greeks: true, controlVariate: true, antithetic: true });
    const total = monteCarloBlockCount(spec);
    const whole = runMonteCarloBlocks(core, spec, 0, total);
    const parts = new Float64Array(whole.length);
    let at = 0;
    for (const count of [1, 3, 2, total - 6]) {
      parts.set(runMonteCarloBlocks(core, spec, at, count), at * 128);
      at += count;
    }
    expect(parts).toEqual(whole);
    expect(combineMonteCarloBlocks(spec, parts)).toEqual(monteCarlo(core, { ...asian, paths: 50_000, greeks: true, controlVariate: true, antithetic: true }));
  });
  it("one-date runs (four paths per Philox block) give bit-identical blocks for any split, incl. a partial last group", () => {
    for (const antithetic of [false, true]) {
      const spec = normalizeMonteCarloSpec({ ...market, payoff: "european", type: "call", paths: 4096 * 5 + 6, greeks: true, antithetic, seed: 4 });
      const total = monteCarloBlockCount(spec);
      const whole = runMonteCarloBlocks(core, spec, 0, total);
      const parts = new Float64Array(whole.length);
      for (let b = 0; b < total; b++) parts.set(runMonteCarloBlocks(core, spec, b, 1), b * 128);
      expect(parts).toEqual(whole);
    }
  });
  it("SIMD and scalar builds give bit-identical block accumulators for every payoff, incl. the 4- and 8-block Philox paths at ≥ 16 and ≥ 32 steps (same operations lane for lane)", async () => {
    const simd = await loadWasmCore({ simd: true });
    const scalar = await loadWasmCore({ simd: false });
    const payoffs: Partial<MonteCarloSpec>[] = [
      { payoff: "european", steps: 3 }, { payoff: "digital" }, { payoff: "asian-arithmetic", steps: 37 },
      { payoff: "asian-arithmetic", steps: 12, controlVariate: true }, { payoff: "asian-geometric", steps: 7 },
      { payoff: "barrier", barrier: 120, barrierType: "up-and-out", steps: 10 }, { payoff: "lookback", steps: 21 },
      { payoff: "asian-arithmetic", steps: 11, sampler: "sobol" },
      // Price only (the loops without greeks): 64 dates (eight-block Philox, the exp clamp provably idle and
      // skipped), 13 dates with odd n, and vol 40 over 10 years, where the clamp is kept and reached (ln S/S0 ≈ −8000).
      { payoff: "asian-arithmetic", steps: 64, greeks: false }, { payoff: "asian-arithmetic", steps: 13, greeks: false, antithetic: false },
      { payoff: "asian-arithmetic", steps: 16, greeks: false, vol: 40, expiry: 10 },
    ];
    for (const patch of payoffs) {
      const spec = normalizeMonteCarloSpec({ ...market, type: "put", paths: 9000, greeks: true, antithetic: true, seed: 21, ...patch } as MonteCarloSpec);
      const total = monteCarloBlockCount(spec);
      expect(runMonteCarloBlocks(simd, spec, 0, total), JSON.stringify(patch)).toEqual(runMonteCarloBlocks(scalar, spec, 0, total));
    }
  });
  it("discrete up-and-out barrier call agrees with an independent plain-JS Monte Carlo within 3 combined SE", () => {
    const spec: MonteCarloSpec = { ...market, payoff: "barrier", type: "call", barrier: 130, barrierType: "up-and-out", steps: 20, paths: 100_000, seed: 8 };
    const r = monteCarlo(core, spec);
    const ref = jsBarrier(spec, 100_000);
    expect(Math.abs(r.price - ref.price)).toBeLessThan(3 * Math.hypot(r.stdError, ref.se));
    // in + out = vanilla on the same paths (same seed): parity to rounding.
    const inn = monteCarlo(core, { ...spec, barrierType: "up-and-in" });
    const vanilla = monteCarlo(core, { ...spec, payoff: "european" });
    expect(Math.abs(inn.price + r.price - vanilla.price)).toBeLessThan(1e-9);
  });
});

// Independent reference: a plain-JS discrete barrier Monte Carlo with its own generator (xorshift + Box-Muller).
function jsBarrier(spec: MonteCarloSpec, paths: number) {
  let x = 0x9e3779b9 | 0;
  const u = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return ((x >>> 0) + 0.5) / 4294967296; };
  const n = spec.steps!; const dt = spec.expiry / n; const mu = (spec.rate - (spec.dividend ?? 0) - 0.5 * spec.vol ** 2) * dt;
  let s1 = 0, s2 = 0;
  for (let p = 0; p < paths; p++) {
    let logS = Math.log(spec.spot); let hit = false;
    for (let i = 0; i < n; i++) {
      const z = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
      logS += mu + spec.vol * Math.sqrt(dt) * z;
      if (logS >= Math.log(spec.barrier!)) hit = true;
    }
    const v = hit ? 0 : Math.exp(-spec.rate * spec.expiry) * Math.max(Math.exp(logS) - spec.strike, 0);
    s1 += v; s2 += v * v;
  }
  const m = s1 / paths;
  return { price: m, se: Math.sqrt((s2 / paths - m * m) / (paths - 1)) };
}

describe("Monte Carlo input validation", () => {
  const ok: MonteCarloSpec = { ...market, payoff: "european", type: "call", paths: 1000 };
  const cases: [string, Partial<Record<keyof MonteCarloSpec, unknown>>][] = [
    ["paths", { paths: 0 }], ["paths", { paths: 10.5 }], ["steps", { steps: 0 }], ["payoff", { payoff: "bermudan" }],
    ["type", { type: "straddle" }], ["sampler", { sampler: "halton" }], ["vol", { vol: NaN }], ["spot", { spot: -1 }],
    ["barrierType", { payoff: "barrier", barrier: 120 }], ["barrier", { payoff: "barrier", barrierType: "up-and-out" }],
    ["barrier", { payoff: "barrier", barrierType: "up-and-out", barrier: 90 }], ["barrier", { payoff: "barrier", barrierType: "down-and-in", barrier: 110 }],
    ["steps", { sampler: "sobol", steps: 2000 }], ["paths", { antithetic: true, paths: 1001 }],
  ];
  for (const [field, patch] of cases) {
    it(`rejects ${JSON.stringify(patch)} with a PricingInputError naming "${field}"`, () => {
      let error: unknown;
      try { monteCarlo(core, { ...ok, ...patch } as MonteCarloSpec); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(PricingInputError);
      expect((error as PricingInputError).field).toBe(field);
    });
  }
});

