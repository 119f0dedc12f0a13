import { beforeAll, describe, expect, it } from "vitest";
import { loadWasmCore, type WasmCore } from "../bindings/wasm.js";
import {
  combineMonteCarloBlocks, monteCarlo, monteCarloBlockCount, normalizeMonteCarloSpec, runMonteCarloBlocks,
  type MonteCarloResult, type MonteCarloSpec,
} from "../bindings/montecarlo.js";
import { PricingInputError } from "../bindings/errors.js";

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
beforeAll(async () => { core = await loadWasmCore({}); });

function within(result: MonteCarloResult, ref: ReturnType<typeof referenceGreeks>, k = 3) {
  expect(Math.abs(result.price - ref.price)).toBeLessThan(k * result.stdError);
  for (const g of ["delta", "gamma", "vega", "rho", "theta"] as const) {
    const e = result[g]!;
    expect(Math.abs(e.value - ref[g]), `${g}: ${e.value} vs ${ref[g]} ± ${e.stdError}`).toBeLessThan(k * e.stdError + 1e-6);
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
    within(r, referenceGreeks(bsPrice(1), market));
  });
});
