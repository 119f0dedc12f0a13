// The plain-JS baseline of the benchmark must be right for the WASM-vs-JS comparison to be honest:
// it is checked here against high-precision values, Haug's published tables, parity, finite
// differences, its own Newton round trip, the WASM pricer, and (at their precision) the npm peers.
import { describe, expect, it } from "vitest";
import { createPricer } from "../bindings/pricer.js";
import { randomOptions } from "../bench/inputs.js";
import { peers } from "../bench/peers.js";
import {
  blackScholesPlain,
  impliedVolPlain,
  normCdf,
  type PlainGreeksColumns,
  type PlainOptionColumns,
} from "../bench/plain-js.js";

const GREEKS = ["price", "delta", "gamma", "vega", "theta", "rho"] as const;

function columnsOf(rows: readonly (readonly number[])[]): PlainOptionColumns {
  const col = (k: number) => Float64Array.from(rows, (r) => r[k]!);
  return { type: col(0), spot: col(1), strike: col(2), expiry: col(3), vol: col(4), rate: col(5), dividend: col(6) };
}

function greeksOut(n: number): PlainGreeksColumns {
  return {
    price: new Float64Array(n), delta: new Float64Array(n), gamma: new Float64Array(n),
    vega: new Float64Array(n), theta: new Float64Array(n), rho: new Float64Array(n),
  };
}

function price(input: PlainOptionColumns): PlainGreeksColumns {
  const out = greeksOut(input.spot.length);
  blackScholesPlain(input.spot.length, input, out);
  return out;
}

// Φ(x) from mpmath.ncdf at 50 digits (python3, mpmath 1.3), rounded to 17 significant digits.
const CDF_REFERENCE: [number, number][] = [
  [-37, 5.7255712225245768e-300], [-20, 2.7536241186062337e-89], [-10, 7.6198530241605261e-24],
  [-8, 6.2209605742717841e-16], [-6, 9.8658764503769814e-10], [-5, 2.8665157187919391e-7],
  [-3, 0.0013498980316300945], [-2, 0.022750131948179207], [-1, 0.15865525393145705],
  [-0.5, 0.3085375387259869], [-0.001, 0.49960105778608894], [0, 0.5], [0.3, 0.61791142218895263],
  [1, 0.84134474606854295], [1.96, 0.97500210485177956], [3, 0.99865010196836991], [7.5, 0.99999999999996809],
];

// type, spot, strike, expiry, vol, rate, dividend | price, delta, gamma, vega, theta, rho:
// closed forms evaluated by mpmath at 50 digits on the exact double inputs, rounded to 17 digits.
const BSM_REFERENCE: number[][] = [
  [1, 100, 100, 1, 0.2, 0.05, 0.02, 9.2270055081540481, 0.586851146134764, 0.018950578755008713, 37.901157510017429, -5.0893189139983328, 49.458109105322352],
  [-1, 100, 100, 1, 0.2, 0.05, 0.02, 6.3300806275499185, -0.39334752717199131, 0.018950578755008713, 37.901157510017429, -2.2935691381082731, -45.664833344749049],
  [1, 100, 130, 0.25, 0.35, 0.01, 0, 0.60271141174405637, 0.081140851066340675, 0.0085865623933409694, 7.5132420941733478, -5.3343832028702432, 1.8778434237225028],
  [-1, 100, 70, 0.25, 0.35, 0.01, 0, 0.10744163307484472, -0.016180282793165963, 0.0023093576331304111, 2.0206879289891096, -1.3972268511684622, -0.43136747809786024],
  [1, 42, 40, 0.75, 0.35, 0.04, 0.08, 5.0975477177261593, 0.55050790083468529, 0.028847096893412216, 13.357648216494526, -1.9880294017374048, 13.517838087997967],
  [-1, 430, 405, 1 / 12, 0.2, 0.07, 0.05, 1.7570599292329478, -0.13614577677063622, 0.0087848021037166931, 27.071831816286943, -31.192350304270557, -5.0249786617172098],
  [1, 20, 25, 2, 0.8, 0.06, 0.03, 7.196584917090544, 0.624672146190764, 0.015192918101076745, 9.7234675846891175, -1.8877017096268494, 10.593716013449472],
  [1, 150, 90, 1.5, 0.5, -0.01, 0, 66.879634356988405, 0.86776026650270393, 0.0023303478168624083, 39.32461940955314, -5.9212591787413515, 94.926608427625776],
  [-1, 60, 65, 0.5, 0.1, 0.03, 0, 4.4565112077674026, -0.81178343401846566, 0.063590992853448544, 11.446378713620739, 0.45026764610418629, -26.581758624437671],
];

describe("plain-JS normal CDF (Cody erfc)", () => {
  it("matches 50-digit Φ(x): relative error ≤ (1 + x²/2)·1e-15 for x ≤ 0, absolute ≤ 2e-16 for x > 0", () => {
    // Cody's rational approximations are accurate to ~1e-16 relative; exp(−x²/2) adds a relative error
    // of about (x²/2)·ε because x² is rounded before the exponential. Above 0, 1 − tail rounds to ~ε/2.
    for (const [x, ref] of CDF_REFERENCE) {
      const got = normCdf(x);
      if (x <= 0) expect(Math.abs(got - ref) / ref, `Φ(${x}) relative`).toBeLessThanOrEqual((1 + (x * x) / 2) * 1e-15);
      else expect(Math.abs(got - ref), `Φ(${x})`).toBeLessThanOrEqual(2e-16);
    }
  });
});

describe("plain-JS Black-Scholes-Merton", () => {
  it("matches 50-digit closed-form price and greeks to 2e-14 relative on mainstream inputs", () => {
    // Error sources: Φ (~1e-16 abs), exp/log (~1 ulp), and the price's own condition number (ln(S/K)
    // feeds d1 scaled by 1/(σ√T) ≤ 10 here): a few hundred ulps at most, well inside 2e-14.
    const got = price(columnsOf(BSM_REFERENCE));
    BSM_REFERENCE.forEach((row, i) => {
      GREEKS.forEach((greek, g) => {
        const ref = row[7 + g]!;
        const err = Math.abs(got[greek][i]! - ref) / Math.abs(ref);
        expect(err, `${greek} of case ${i}`).toBeLessThanOrEqual(2e-14);
      });
    });
  });

  it("reproduces Haug's published values (Option Pricing Formulas 1998, pp. 2-27, as in QuantLib's tests) to 1e-4", () => {
    // Haug prints four decimals; QuantLib checks these to 1e-4 as well.
    // type, strike, spot, q, r, t, vol, value
    const prices: number[][] = [
      [1, 65, 60, 0, 0.08, 0.25, 0.3, 2.1334], [-1, 95, 100, 0.05, 0.1, 0.5, 0.2, 2.4648],
      [-1, 19, 19, 0.1, 0.1, 0.75, 0.28, 1.7011], [1, 19, 19, 0.1, 0.1, 0.75, 0.28, 1.7011],
      [1, 1.6, 1.56, 0.08, 0.06, 0.5, 0.12, 0.0291], [-1, 70, 75, 0.05, 0.1, 0.5, 0.35, 4.087],
      [1, 100, 90, 0.1, 0.1, 0.1, 0.15, 0.0205], [1, 100, 100, 0.1, 0.1, 0.1, 0.15, 1.8734],
      [1, 100, 110, 0.1, 0.1, 0.1, 0.15, 9.9413], [1, 100, 90, 0.1, 0.1, 0.1, 0.25, 0.315],
      [-1, 100, 90, 0.1, 0.1, 0.5, 0.35, 14.4452], [-1, 100, 100, 0.1, 0.1, 0.5, 0.35, 9.3679],
      [-1, 100, 110, 0.1, 0.1, 0.5, 0.35, 5.7963], [1, 40, 42, 0.08, 0.04, 0.75, 0.35, 5.0975],
    ];
    const asColumns = (rows: number[][]) => columnsOf(rows.map(([w, k, s, q, r, t, v]) => [w!, s!, k!, t!, v!, r!, q!]));
    const p = price(asColumns(prices));
    prices.forEach((row, i) => expect(Math.abs(p.price[i]! - row[7]!), `price case ${i}`).toBeLessThanOrEqual(1e-4));

    // Greeks, Haug pp. 11-16: [greek, type, strike, spot, q, r, t, vol, value]
    const greeks: [keyof PlainGreeksColumns, ...number[]][] = [
      ["delta", 1, 100, 105, 0.1, 0.1, 0.5, 0.36, 0.5946], ["delta", -1, 100, 105, 0.1, 0.1, 0.5, 0.36, -0.3566],
      ["gamma", 1, 60, 55, 0, 0.1, 0.75, 0.3, 0.0278], ["gamma", -1, 60, 55, 0, 0.1, 0.75, 0.3, 0.0278],
      ["vega", 1, 60, 55, 0, 0.1, 0.75, 0.3, 18.9358], ["vega", -1, 60, 55, 0, 0.1, 0.75, 0.3, 18.9358],
      ["theta", -1, 405, 430, 0.05, 0.07, 1 / 12, 0.2, -31.1924], ["rho", 1, 75, 72, 0, 0.09, 1, 0.19, 38.7325],
    ];
    const g = price(asColumns(greeks.map(([, ...rest]) => rest)));
    greeks.forEach(([name, ...row], i) => expect(Math.abs(g[name][i]! - row[7]!), `${name} case ${i}`).toBeLessThanOrEqual(1e-4));
  });

  it("satisfies put-call parity C − P = S·e^{−qT} − K·e^{−rT} to 1e-12 × spot over 10k random options", () => {
    // Each price carries ~1e-15·S absolute error; the difference of two prices ~1e-14·S at worst.
    const { columns } = randomOptions(10_000, 99);
    const calls = price({ ...columns, type: new Float64Array(10_000).fill(1) });
    const puts = price({ ...columns, type: new Float64Array(10_000).fill(-1) });
    let worst = 0;
    for (let i = 0; i < 10_000; i++) {
      const s = columns.spot[i]!, k = columns.strike[i]!, t = columns.expiry[i]!;
      const forwardValue = s * Math.exp(-columns.dividend[i]! * t) - k * Math.exp(-columns.rate[i]! * t);
      worst = Math.max(worst, Math.abs(calls.price[i]! - puts.price[i]! - forwardValue) / s);
    }
    expect(worst).toBeLessThanOrEqual(1e-12);
  });

  it("has greeks equal to central finite differences of its own price (vega per 1.00, theta per calendar year, rho per 1.00)", () => {
    // Central differences with relative step h = 1e-5: truncation ~h²·V''' ≈ 1e-10 relative, round-off
    // ~ε·V/h ≈ 1e-11·V: the analytic greeks must agree to 1e-7 of the greek's scale.
    const { columns } = randomOptions(200, 5);
    const base = price(columns);
    const bumped = (field: keyof PlainOptionColumns, h: (i: number) => number, sign: number) => {
      const copy = { ...columns, [field]: columns[field].map((x, i) => x + sign * h(i)) };
      return price(copy).price;
    };
    const checks: [keyof PlainGreeksColumns, keyof PlainOptionColumns, (i: number) => number, number][] = [
      ["delta", "spot", (i) => columns.spot[i]! * 1e-5, 1],
      ["vega", "vol", () => 1e-5, 1],
      ["rho", "rate", () => 1e-5, 1],
      ["theta", "expiry", (i) => columns.expiry[i]! * 1e-5, -1], // calendar time passing shortens expiry
    ];
    for (const [greek, field, h, sign] of checks) {
      const up = bumped(field, h, 1);
      const down = bumped(field, h, -1);
      for (let i = 0; i < 200; i++) {
        const fd = (sign * (up[i]! - down[i]!)) / (2 * h(i));
        const scale = Math.max(Math.abs(base[greek][i]!), 1e-3 * columns.spot[i]!, 1e-3);
        expect(Math.abs(fd - base[greek][i]!) / scale, `${greek} of option ${i}`).toBeLessThanOrEqual(1e-7);
      }
    }
    // gamma: central difference of delta.
    const hs = (i: number) => columns.spot[i]! * 1e-5;
    const deltaUp = price({ ...columns, spot: columns.spot.map((x, i) => x + hs(i)) }).delta;
    const deltaDown = price({ ...columns, spot: columns.spot.map((x, i) => x - hs(i)) }).delta;
    for (let i = 0; i < 200; i++) {
      const fd = (deltaUp[i]! - deltaDown[i]!) / (2 * hs(i));
      const scale = Math.max(base.gamma[i]!, 1e-3 / columns.spot[i]!);
      expect(Math.abs(fd - base.gamma[i]!) / scale, `gamma of option ${i}`).toBeLessThanOrEqual(1e-7);
    }
  });

  it("agrees with the WASM pricer (SIMD and scalar) to 1e-10 relative (or 1e-12 × spot) on the benchmark's inputs", async () => {
    // Two independent double-precision implementations (Hart Φ vs the core's own); 1e-10 is the
    // agreement the benchmark comparison relies on. Deep-OTM prices get the absolute floor 1e-12 × spot.
    const { columns, batch } = randomOptions(20_000, 20240601);
    const plain = price(columns);
    for (const simd of [true, false]) {
      const pricer = await createPricer({ simd });
      const wasm = pricer.blackScholes(batch);
      for (const greek of GREEKS) {
        let worst = 0;
        for (let i = 0; i < 20_000; i++) {
          const a = plain[greek][i]!, b = wasm[greek][i]!;
          const scale = greek === "gamma" ? 1 / columns.spot[i]! : greek === "delta" ? 1 : columns.spot[i]!;
          worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(b), 100 * scale));
        }
        expect(worst, `${greek} (${simd ? "simd" : "scalar"})`).toBeLessThanOrEqual(1e-10);
      }
    }
  });
});

describe("plain-JS Newton implied vol", () => {
  it("round-trips its own prices to |Δσ| ≤ 1e-10 on the benchmark's inputs", () => {
    // Newton stops after a step below 1e-12, so the error after the last step is far smaller; the
    // bound allows for the price's own rounding divided by a small vega (Δσ ≈ ε·V/vega).
    const n = 20_000;
    const { columns } = randomOptions(n, 7_654_321);
    const prices = price(columns).price;
    const out = { vol: new Float64Array(n), status: new Int32Array(n), iterations: new Int32Array(n) };
    impliedVolPlain(n, { ...columns, price: prices }, out);
    let worst = 0;
    let maxIterations = 0;
    for (let i = 0; i < n; i++) {
      expect(out.status[i], `status of option ${i}`).toBe(0);
      worst = Math.max(worst, Math.abs(out.vol[i]! - columns.vol[i]!));
      maxIterations = Math.max(maxIterations, out.iterations[i]!);
    }
    expect(worst).toBeLessThanOrEqual(1e-10);
    expect(maxIterations).toBeLessThan(100);
  });

  it("reports prices below intrinsic (1), at or above the upper bound (2) and exactly intrinsic (3) with NaN/0 vols", () => {
    // S = 100, K = 90, r = q = 0, T = 1: call intrinsic 10, upper bound S = 100; put upper bound K = 90.
    const input = {
      type: Float64Array.of(1, 1, 1, -1, 1),
      price: Float64Array.of(9.5, 100, 10, 90, 12),
      spot: new Float64Array(5).fill(100), strike: new Float64Array(5).fill(90), expiry: new Float64Array(5).fill(1),
      rate: new Float64Array(5), dividend: new Float64Array(5),
    };
    const out = { vol: new Float64Array(5), status: new Int32Array(5), iterations: new Int32Array(5) };
    impliedVolPlain(5, input, out);
    expect(Array.from(out.status)).toEqual([1, 2, 3, 2, 0]);
    expect(Number.isNaN(out.vol[0]!) && Number.isNaN(out.vol[1]!) && Number.isNaN(out.vol[3]!)).toBe(true);
    expect(out.vol[2]).toBe(0);
    // A call worth 12 with intrinsic 10: the Black price at the found vol reproduces 12.
    const check = price(columnsOf([[1, 100, 90, 1, out.vol[4]!, 0, 0]]));
    expect(Math.abs(check.price[0]! - 12)).toBeLessThanOrEqual(1e-12);
  });
});

describe("npm peer adapters", () => {
  it("call each peer correctly: their outputs agree with plain JS to their own precision (q = 0)", () => {
    // Peers' Φ: black-scholes 100-term series (~1e-9 for |x| < 8), @uqee 'double' Hart (~1e-15),
    // option-pricing erfc approximation (1.2e-7 absolute). Tolerances 1e-5 × scale cover all three while
    // catching any unit or sign slip (vega per 1%, theta per day or ∂V/∂T, rho per 1%).
    const n = 300;
    const { columns } = randomOptions(n, 11);
    columns.dividend.fill(0);
    const reference = price(columns);
    for (const peer of peers) {
      const out = greeksOut(n);
      peer.price(n, columns, out);
      for (const greek of peer.outputs) {
        for (let i = 0; i < n; i++) {
          const scale = greek === "gamma" ? 1 / columns.spot[i]! : greek === "delta" ? 1 : columns.spot[i]!;
          expect(Math.abs(out[greek][i]! - reference[greek][i]!) / scale, `${peer.name} ${greek} option ${i}`).toBeLessThanOrEqual(1e-5);
        }
      }
    }
  });
});
