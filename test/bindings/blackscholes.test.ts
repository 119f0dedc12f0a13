// Black-Scholes-Merton batch kernel (assembly/blackscholes.ts) through createPricer(), SIMD and scalar builds:
// published values (Haug via QuantLib's test suite), 60-digit mpmath references (test/fixtures/bsm-golden.json,
// made by test/fixtures/make-bsm-golden.py), put-call parity, finite differences, wing accuracy, limits,
// and SIMD/scalar agreement.
import { beforeAll, describe, expect, it } from "vitest";
import { readFixture } from "../support/fixtures.js";
import { createPricer, type Greeks, type Pricer } from "../../bindings/index.js";

type Row = [type: number, spot: number, strike: number, expiry: number, vol: number, rate: number, dividend: number];
interface GoldenGreeks { input: Row; price: number; delta: number; gamma: number; vega: number; theta: number; rho: number }
interface Golden { mainstream: GoldenGreeks[]; wings: { input: Row; price: number }[] }
const golden = readFixture<Golden>("bsm-golden.json");

interface Columns { type: Int8Array; spot: Float64Array; strike: Float64Array; expiry: Float64Array; vol: Float64Array; rate: Float64Array; dividend: Float64Array }

function columns(rows: readonly Row[]): Columns {
  const n = rows.length;
  const c: Columns = {
    type: new Int8Array(n), spot: new Float64Array(n), strike: new Float64Array(n), expiry: new Float64Array(n),
    vol: new Float64Array(n), rate: new Float64Array(n), dividend: new Float64Array(n),
  };
  rows.forEach(([w, S, K, T, v, r, q], i) => {
    c.type[i] = w; c.spot[i] = S; c.strike[i] = K; c.expiry[i] = T; c.vol[i] = v; c.rate[i] = r; c.dividend[i] = q;
  });
  return c;
}

// A deterministic generator so failures reproduce.
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/** Random mainstream options: spot 1..1000, strike 0.5..2 × spot, expiry 0.01..5 y, vol 5%..100%, r −2%..10%, q 0..8%. */
function randomRows(n: number, seed: number): Row[] {
  const u = lcg(seed);
  const logUniform = (lo: number, hi: number) => Math.exp(Math.log(lo) + u() * Math.log(hi / lo));
  return Array.from({ length: n }, () => {
    const S = logUniform(1, 1000);
    return [u() < 0.5 ? 1 : -1, S, S * logUniform(0.5, 2), logUniform(0.01, 5), logUniform(0.05, 1), -0.02 + 0.12 * u(), 0.08 * u()];
  });
}

const pricers: Record<"simd" | "scalar", Pricer> = {} as never;
beforeAll(async () => {
  pricers.simd = await createPricer({ simd: true });
  pricers.scalar = await createPricer({ simd: false });
});

const GREEKS = ["price", "delta", "gamma", "vega", "theta", "rho"] as const;

// E. G. Haug, "Option Pricing Formulas" (1998), pp. 2-8, 24, 27, as tabulated in QuantLib's
// test-suite/europeanoption.cpp (testValues): [type, strike, spot, q, r, t, vol, value].
const HAUG_VALUES: [number, number, number, number, number, number, number, number][] = [
  [1, 65, 60, 0, 0.08, 0.25, 0.3, 2.1334], [-1, 95, 100, 0.05, 0.1, 0.5, 0.2, 2.4648],
  [-1, 19, 19, 0.1, 0.1, 0.75, 0.28, 1.7011], [1, 19, 19, 0.1, 0.1, 0.75, 0.28, 1.7011],
  [1, 1.6, 1.56, 0.08, 0.06, 0.5, 0.12, 0.0291], [-1, 70, 75, 0.05, 0.1, 0.5, 0.35, 4.087],
  [1, 100, 90, 0.1, 0.1, 0.1, 0.15, 0.0205], [1, 100, 100, 0.1, 0.1, 0.1, 0.15, 1.8734], [1, 100, 110, 0.1, 0.1, 0.1, 0.15, 9.9413],
  [1, 100, 90, 0.1, 0.1, 0.1, 0.25, 0.315], [1, 100, 100, 0.1, 0.1, 0.1, 0.25, 3.1217], [1, 100, 110, 0.1, 0.1, 0.1, 0.25, 10.3556],
  [1, 100, 90, 0.1, 0.1, 0.1, 0.35, 0.9474], [1, 100, 100, 0.1, 0.1, 0.1, 0.35, 4.3693], [1, 100, 110, 0.1, 0.1, 0.1, 0.35, 11.1381],
  [1, 100, 90, 0.1, 0.1, 0.5, 0.15, 0.8069], [1, 100, 100, 0.1, 0.1, 0.5, 0.15, 4.0232], [1, 100, 110, 0.1, 0.1, 0.5, 0.15, 10.5769],
  [1, 100, 90, 0.1, 0.1, 0.5, 0.25, 2.7026], [1, 100, 100, 0.1, 0.1, 0.5, 0.25, 6.6997], [1, 100, 110, 0.1, 0.1, 0.5, 0.25, 12.7857],
  [1, 100, 90, 0.1, 0.1, 0.5, 0.35, 4.9329], [1, 100, 100, 0.1, 0.1, 0.5, 0.35, 9.3679], [1, 100, 110, 0.1, 0.1, 0.5, 0.35, 15.3086],
  [-1, 100, 90, 0.1, 0.1, 0.1, 0.15, 9.921], [-1, 100, 100, 0.1, 0.1, 0.1, 0.15, 1.8734], [-1, 100, 110, 0.1, 0.1, 0.1, 0.15, 0.0408],
  [-1, 100, 90, 0.1, 0.1, 0.1, 0.25, 10.2155], [-1, 100, 100, 0.1, 0.1, 0.1, 0.25, 3.1217], [-1, 100, 110, 0.1, 0.1, 0.1, 0.25, 0.4551],
  [-1, 100, 90, 0.1, 0.1, 0.1, 0.35, 10.8479], [-1, 100, 100, 0.1, 0.1, 0.1, 0.35, 4.3693], [-1, 100, 110, 0.1, 0.1, 0.1, 0.35, 1.2376],
  [-1, 100, 90, 0.1, 0.1, 0.5, 0.15, 10.3192], [-1, 100, 100, 0.1, 0.1, 0.5, 0.15, 4.0232], [-1, 100, 110, 0.1, 0.1, 0.5, 0.15, 1.0646],
  [-1, 100, 90, 0.1, 0.1, 0.5, 0.25, 12.2149], [-1, 100, 100, 0.1, 0.1, 0.5, 0.25, 6.6997], [-1, 100, 110, 0.1, 0.1, 0.5, 0.25, 3.2734],
  [-1, 100, 90, 0.1, 0.1, 0.5, 0.35, 14.4452], [-1, 100, 100, 0.1, 0.1, 0.5, 0.35, 9.3679], [-1, 100, 110, 0.1, 0.1, 0.5, 0.35, 5.7963],
  [1, 40, 42, 0.08, 0.04, 0.75, 0.35, 5.0975],
];

describe.each(["simd", "scalar"] as const)("Black-Scholes-Merton kernel, %s build", (build) => {
  const price = (rows: readonly Row[]): Greeks => pricers[build].blackScholes(columns(rows));

  // The published values are rounded to 4 decimals; QuantLib checks them to 1e-4 as well.
  it("matches Haug's published option values (QuantLib testValues) to 1e-4", () => {
    const g = price(HAUG_VALUES.map(([w, K, S, q, r, t, v]) => [w, S, K, t, v, r, q] as Row));
    HAUG_VALUES.forEach((row, i) => expect(Math.abs(g.price[i]! - row[7]), `row ${i}`).toBeLessThanOrEqual(1e-4));
  });

  // Haug pp. 11-16 via QuantLib testGreekValues; 4 published decimals, checked to 1e-4.
  it("matches Haug's published greeks (delta, elasticity, gamma, vega, theta, theta/day, rho) to 1e-4", () => {
    const g = price([
      [1, 105, 100, 0.5, 0.36, 0.1, 0.1], [-1, 105, 100, 0.5, 0.36, 0.1, 0.1],
      [1, 55, 60, 0.75, 0.3, 0.1, 0], [-1, 55, 60, 0.75, 0.3, 0.1, 0],
      [-1, 430, 405, 1 / 12, 0.2, 0.07, 0.05], [1, 72, 75, 1, 0.19, 0.09, 0],
    ]);
    const near = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-4);
    near(g.delta[0]!, 0.5946);
    near(g.delta[1]!, -0.3566);
    near((g.delta[1]! * 105) / g.price[1]!, -4.8775);
    near(g.gamma[2]!, 0.0278);
    near(g.gamma[3]!, 0.0278);
    near(g.vega[2]!, 18.9358);
    near(g.vega[3]!, 18.9358);
    near(g.theta[4]!, -31.1924);
    near(g.theta[4]! / 365, -0.0855);
    near(g.rho[5]!, 38.7325);
  });

  // Budget: Φ, exp, log are within a few ulp, d₁ inherits ε·|d₁| from ln(S/K); prices are S·Φ − K·Φ,
  // so a few ε·(S + K) ≈ 1e-15·S. 1e-12·spot is the acceptance bound (measured: ~1e-15·spot).
  it("prices match 60-digit references to 1e-12 × spot on 1500 mainstream options", () => {
    const g = price(golden.mainstream.map((r) => r.input));
    golden.mainstream.forEach((r, i) => {
      expect(Math.abs(g.price[i]! - r.price) / r.input[1], `row ${i}`).toBeLessThanOrEqual(1e-12);
    });
  });

  // Greeks are single products of the same pieces (theta has two terms, scaled by S): each error is a few ε
  // of its natural scale (1 for delta, S·√T for vega, S for theta, K·T for rho, gamma relative), so 1e-12 of
  // that scale is a loose bound that still catches any formula slip.
  it("greeks match 60-digit references to 1e-12 of their natural scale on 1500 mainstream options", () => {
    const g = price(golden.mainstream.map((r) => r.input));
    golden.mainstream.forEach((r, i) => {
      const [, S, K, T] = r.input;
      expect(Math.abs(g.delta[i]! - r.delta), `delta ${i}`).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(g.gamma[i]! - r.gamma), `gamma ${i}`).toBeLessThanOrEqual(1e-12 * Math.abs(r.gamma) + 1e-300);
      expect(Math.abs(g.vega[i]! - r.vega), `vega ${i}`).toBeLessThanOrEqual(1e-12 * S * Math.sqrt(T));
      expect(Math.abs(g.theta[i]! - r.theta), `theta ${i}`).toBeLessThanOrEqual(1e-12 * (S + K) * (1 + 1 / Math.sqrt(T)));
      expect(Math.abs(g.rho[i]! - r.rho), `rho ${i}`).toBeLessThanOrEqual(1e-12 * K * T);
    });
  });

  // Out-of-the-money prices from 1e-1 down to 1e-100 of spot, total vol 1e-4..3: the plain formula would
  // cancel for small σ√T; the kernel switches those lanes to the normalised Black function.
  it("deep out-of-the-money prices keep relative error ≤ 1e-9 down to 1e-100 × spot (never 0 or negative)", () => {
    const g = price(golden.wings.map((r) => r.input));
    let worst = 0;
    golden.wings.forEach((r, i) => {
      expect(g.price[i]!, `row ${i}`).toBeGreaterThan(0);
      worst = Math.max(worst, Math.abs(g.price[i]! / r.price - 1));
    });
    expect(worst).toBeLessThanOrEqual(1e-9);
  });

  // C − P = S·e^{−qT} − K·e^{−rT}: both sides are sums of terms of size ≤ max(S, K) ≤ 2S, each within a few ε.
  it("put-call parity holds to 1e-12 × spot over 10k random inputs", () => {
    const rows = randomRows(10_000, 3);
    const calls = price(rows.map((r) => [1, ...r.slice(1)] as Row));
    const puts = price(rows.map((r) => [-1, ...r.slice(1)] as Row));
    rows.forEach(([, S, K, T, , r, q], i) => {
      const forward = S * Math.exp(-q * T) - K * Math.exp(-r * T);
      expect(Math.abs(calls.price[i]! - puts.price[i]! - forward) / S, `row ${i}`).toBeLessThanOrEqual(1e-12);
    });
  });

  // Central differences: truncation error h²·f'''/6 plus rounding ε·f/h; with bumps of 1e-5·S, 1e-4·T, 1e-5 in vol and rate both
  // are ~1e-8 of the greek's scale, so 1e-6 of that scale is a safe bound that still flags a wrong sign or factor.
  it("greeks equal central finite differences of the price (and gamma of delta) over 500 random inputs", () => {
    const rows = randomRows(500, 5).filter(([, , , T, v]) => v * Math.sqrt(T) > 0.05);
    const base = price(rows);
    const bump = (k: 1 | 3 | 4 | 5, h: (r: Row) => number, sign: 1 | -1) =>
      price(rows.map((r) => { const c = [...r] as Row; c[k] += sign * h(r); return c; }));
    const hS = (r: Row) => 1e-5 * r[1];
    const hT = (r: Row) => 1e-4 * r[3];
    const hV = () => 1e-5;
    const hR = () => 1e-5;
    const [sUp, sDn, tUp, tDn, vUp, vDn, rUp, rDn] = [
      bump(1, hS, 1), bump(1, hS, -1), bump(3, hT, 1), bump(3, hT, -1),
      bump(4, hV, 1), bump(4, hV, -1), bump(5, hR, 1), bump(5, hR, -1),
    ];
    rows.forEach((r, i) => {
      const [, S, K, T] = r;
      const fd = (up: Greeks, dn: Greeks, h: number, key: "price" | "delta" = "price") => (up[key][i]! - dn[key][i]!) / (2 * h);
      expect(Math.abs(base.delta[i]! - fd(sUp, sDn, hS(r))), `delta ${i}`).toBeLessThanOrEqual(1e-6);
      // gamma's scale is 1/(S·σ√T); its difference quotient of delta loses ~ε/1e-5 ≈ 1e-11 to rounding.
      const s = r[4] * Math.sqrt(T);
      expect(Math.abs(base.gamma[i]! - fd(sUp, sDn, hS(r), "delta")) * S * s, `gamma ${i}`).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(base.vega[i]! - fd(vUp, vDn, hV())) / S, `vega ${i}`).toBeLessThanOrEqual(1e-6);
      // Calendar time passing shortens the expiry: theta = −∂V/∂T.
      expect(Math.abs(base.theta[i]! + fd(tUp, tDn, hT(r))) / (S + K), `theta ${i}`).toBeLessThanOrEqual(1e-6 / T);
      expect(Math.abs(base.rho[i]! - fd(rUp, rDn, hR())) / (K * Math.max(T, 0.1)), `rho ${i}`).toBeLessThanOrEqual(1e-6);
    });
  });

  it("tiny expiry (1e-12 .. 1e-300 y) gives the discounted intrinsic value with finite, sane greeks", () => {
    const rows: Row[] = [];
    for (const T of [1e-12, 1e-30, 1e-100, 1e-300]) {
      for (const K of [80, 120]) for (const w of [1, -1]) rows.push([w, 100, K, T, 0.3, 0.05, 0.02]);
    }
    const g = price(rows);
    rows.forEach(([w, S, K, T, , r, q], i) => {
      const intrinsic = Math.max(w * (S * Math.exp(-q * T) - K * Math.exp(-r * T)), 0);
      expect(Math.abs(g.price[i]! - intrinsic), `price ${i}`).toBeLessThanOrEqual(1e-13 * S);
      expect(Math.abs(g.delta[i]! - (intrinsic > 0 ? w * Math.exp(-q * T) : 0)), `delta ${i}`).toBeLessThanOrEqual(1e-15);
      for (const k of ["gamma", "vega"] as const) expect(g[k][i], `${k} ${i}`).toBe(0);
      for (const k of GREEKS) expect(Number.isFinite(g[k][i]), `${k} ${i}`).toBe(true);
    });
    // At the money the time value ≈ S·σ√(T/(2π)) stays positive and gamma grows like 1/√T, but all stay finite.
    const atm = price([[1, 100, 100, 1e-12, 0.3, 0, 0], [-1, 100, 100, 1e-300, 0.3, 0, 0]]);
    expect(Math.abs(atm.price[0]! / (100 * 0.3 * Math.sqrt(1e-12 / (2 * Math.PI))) - 1)).toBeLessThan(1e-9);
    expect(atm.price[1]!).toBeGreaterThan(0);
    for (const k of GREEKS) for (let i = 0; i < 2; i++) expect(Number.isFinite(atm[k][i]), `${k} ${i}`).toBe(true);
  });

  it("huge vol sends calls to S·e^{−qT} and puts to K·e^{−rT}; tiny vol to the discounted forward intrinsic", () => {
    const S = 100, T = 2, r = 0.04, q = 0.01;
    const g = price([[1, S, 90, T, 1e4, r, q], [-1, S, 90, T, 1e4, r, q], [1, S, 90, T, 1e-12, r, q], [-1, S, 120, T, 1e-12, r, q],
      [1, S, 120, T, 1e-12, r, q], [1, S, 100, T, 1e-200, r, q]]);
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-13 * S);
    close(g.price[0]!, S * Math.exp(-q * T));
    close(g.price[1]!, 90 * Math.exp(-r * T));
    close(g.price[2]!, S * Math.exp(-q * T) - 90 * Math.exp(-r * T));
    close(g.price[3]!, 120 * Math.exp(-r * T) - S * Math.exp(-q * T));
    expect(g.price[4]).toBe(0);
    close(g.price[5]!, S * Math.exp(-q * T) - 100 * Math.exp(-r * T));
    for (const k of GREEKS) for (let i = 0; i < 6; i++) expect(Number.isFinite(g[k][i]), `${k} ${i}`).toBe(true);
  });
});

describe("Black-Scholes-Merton kernel, SIMD against scalar", () => {
  // The SIMD kernel prices blocks of 128 options in f64x2 pairs and sends lanes its vector path does not
  // cover (|d| > √32, wing cancellation, S/K outside the normal range, e^{−d₁²/2} near underflow, |rT| or
  // |qT| > 708) back
  // through the scalar code; a rare lane next to a common one, at every position in a block and at odd
  // lengths, must come out exactly as the scalar build prices it.
  it("rare lanes (far tails, wings, extreme S/K, tiny expiry, huge rT and qT) mixed with common ones match the scalar build bit for bit at every block position", () => {
    const u = lcg(77);
    const rare: Row[] = [
      [1, 100, 1e4, 0.5, 0.2, 0.03, 0.01], [-1, 100, 1e-3, 0.5, 0.2, 0.03, 0.01], [1, 100, 160, 0.1, 0.1, 0.02, 0],
      [1, 1e-200, 1e200, 1, 0.3, 0, 0], [-1, 1e200, 1e-200, 1, 0.3, 0, 0], [1, 100, 100, 1e-300, 0.3, 0.05, 0.02],
      [-1, 100, 80, 1e-12, 0.3, 0.05, 0.02], [1, 100, 90, 2, 1e4, 0.04, 0.01], [1, 100, 120, 2, 1e-12, 0.04, 0.01],
      [1, 100, 100, 1, 0.2, 710, 0], [-1, 100, 100, 2, 0.3, 0.02, -400], [1, 100, 110, 1, 0.2, 720, 720],
      [-1, 100, 110, 1, 0.2, 720, 720], [-1, 100, 90, 1, 0.2, -720, -720], [1, 100, 95, 1, 0.2, -2200, -2200],
    ];
    const rows: Row[] = [];
    for (let i = 0; i < 700; i++) rows.push(u() < 0.2 ? rare[Math.floor(u() * rare.length)]! : randomRows(1, 1000 + i)[0]!);
    for (const n of [1, 2, 3, 127, 128, 129, 255, 256, 257, 700]) {
      const batch = columns(rows.slice(0, n));
      const a = pricers.simd.blackScholes(batch);
      const b = pricers.scalar.blackScholes(batch);
      for (const k of GREEKS) for (let i = 0; i < n; i++) expect(Object.is(a[k][i], b[k][i]), `${k} ${i} of ${n}`).toBe(true);
    }
  });

  // The two builds perform the same IEEE operations per lane (assembly/math.ts), so they agree bit for bit;
  // the acceptance bound is 1e-14 relative, checked separately so a future reordering shows up as either.
  it("SIMD and scalar builds agree to 1e-14 relative (and bit for bit) on 100k random inputs, odd length", () => {
    const rows = randomRows(100_001, 9);
    const batch = columns(rows);
    const a = pricers.simd.blackScholes(batch);
    const b = pricers.scalar.blackScholes(batch);
    for (const k of GREEKS) {
      let worst = 0;
      let identical = 0;
      for (let i = 0; i < rows.length; i++) {
        const x = a[k][i]!, y = b[k][i]!;
        if (Object.is(x, y)) identical++;
        worst = Math.max(worst, Math.abs(x - y) / Math.max(Math.abs(y), 1e-300));
      }
      expect(worst, k).toBeLessThanOrEqual(1e-14);
      expect(identical, k).toBe(rows.length);
    }
  });
});
