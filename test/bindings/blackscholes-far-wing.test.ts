// Black-Scholes-Merton prices and greeks in the far wings (|d₁| or |d₂| from 30 to 60: prices from 1e-100 down to
// far below the double range), SIMD and scalar builds, against 50-digit mpmath references
// (test/fixtures/bsm-far-wing-golden.json, made by test/fixtures/make-bsm-far-wing-golden.py).
import { beforeAll, describe, expect, it } from "vitest";
import { readFixture } from "../support/fixtures.js";
import { createPricer, type Greeks, type Pricer } from "../../bindings/index.js";

type Row = [type: number, spot: number, strike: number, expiry: number, vol: number, rate: number, dividend: number];
const OUTPUTS = ["price", "delta", "gamma", "vega", "theta", "rho"] as const;
type Output = (typeof OUTPUTS)[number];
interface FarWingCase extends Record<Output, string> { input: Row; d1: number; d2: number }
const golden = readFixture<{ cases: FarWingCase[] }>("bsm-far-wing-golden.json");
const cases = golden.cases;

const EPSILON = 2 ** -52;
const SMALLEST_SUBNORMAL = 2 ** -1074;

function batch(rows: readonly Row[]) {
  const column = (k: number) => Float64Array.from(rows, (r) => r[k]!);
  return { type: Int8Array.from(rows, (r) => r[0]), spot: column(1), strike: column(2), expiry: column(3), vol: column(4), rate: column(5), dividend: column(6) };
}

/**
 * Error budget of one output. d = x/s ± s/2 carries the rounding of x = ln(S/K) + (r − q)T, ~ε·|x| absolute, and
 * e^{−d²/2} turns it into a relative error ~ε·|x|·|d|/s ≈ ε·d² (the kernel's exponent itself is exact to ~2 ulp,
 * scaled.ts); measured worst 0.64·ε·(1 + d²), allowed 2·ε·(1 + d²) (1.6e-12 at |d| = 60). Below 2.2e-308 each
 * output rounds once to a subnormal (½ unit of 4.9e-324), theta adds three such roundings, and the reference itself
 * is rounded: 4 units of the smallest subnormal absolute.
 */
function bound(c: FarWingCase, reference: number): number {
  const d = Math.max(Math.abs(c.d1), Math.abs(c.d2));
  return 2 * EPSILON * (1 + d * d) * Math.abs(reference) + 4 * SMALLEST_SUBNORMAL;
}

const pricers: Record<"simd" | "scalar", Pricer> = {} as never;
beforeAll(async () => {
  pricers.simd = await createPricer({ simd: true });
  pricers.scalar = await createPricer({ simd: false });
});

describe.each(["simd", "scalar"] as const)("Black-Scholes-Merton far wings, %s build", (build) => {
  const price = (rows: readonly Row[]): Greeks => pricers[build].blackScholes(batch(rows));

  it("the grid reaches |d| = 60, prices below 1e-308 and below the double range, calls and puts, both tails", () => {
    const exponents = cases.map((c) => Number(/e([-+]\d+)$/.exec(c.price)?.[1] ?? 0));
    expect(Math.max(...cases.map((c) => Math.max(Math.abs(c.d1), Math.abs(c.d2))))).toBeGreaterThanOrEqual(60);
    expect(exponents.filter((e) => e < -250 && e >= -308).length).toBeGreaterThan(5);
    expect(exponents.filter((e) => e < -308 && e >= -323).length).toBeGreaterThan(5);
    expect(exponents.filter((e) => e < -324).length).toBeGreaterThan(20);
    expect(new Set(cases.map((c) => c.input[0])).size).toBe(2);
  });

  it.each(OUTPUTS)("%s matches the 50-digit references within 2·ε·(1 + d²) relative + 4 subnormal units", (output) => {
    const g = price(cases.map((c) => c.input));
    cases.forEach((c, i) => {
      const reference = Number(c[output]);
      expect(Math.abs(g[output][i]! - reference), `${output} ${i}: ${c.input.join(", ")}`).toBeLessThanOrEqual(bound(c, reference));
    });
  });

  // "Never a wrong non-zero value": where the true value is below half the smallest subnormal, the output is 0 up to
  // the few rounding units of the bound above, never a value of the size of the other Φ term.
  it("outputs whose true value underflows the double range come out as 0 (within 4 units of 4.9e-324)", () => {
    const g = price(cases.map((c) => c.input));
    let checked = 0;
    cases.forEach((c, i) => {
      for (const output of OUTPUTS) {
        const underflows = Number(c[output]) === 0 && /[1-9]/.test(c[output].split("e")[0]!);
        if (!underflows) continue;
        expect(Math.abs(g[output][i]!), `${output} ${i}`).toBeLessThanOrEqual(4 * SMALLEST_SUBNORMAL);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(100);
  });

  // Issue 22: this call priced 1.03e-260 (K·e^{−rT}·Φ(d₂) had underflowed, d₂ = −40.6) with rho 0.
  it("call S = 100, K = 1e100, T = 1, σ = 6, r = 3 %, q = 1 %: price 1.5225e-261 and rho 8.79e-261 to 1e-12", () => {
    const c = cases.find((k) => k.input[2] === 1e100)!;
    const g = price([c.input]);
    expect(Math.abs(g.price[0]! / Number(c.price) - 1)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(g.rho[0]! / Number(c.rho) - 1)).toBeLessThanOrEqual(1e-12);
    expect(Number(c.price)).toBeCloseTo(1.5225e-261, 265);
  });
});

describe("Black-Scholes-Merton far wings, SIMD against scalar", () => {
  // The SIMD kernel sends every far-wing lane (|d| > 35.9 > √32) through the scalar lane code: interleaved with
  // mainstream options at every block position they must come out exactly as the scalar build prices them.
  it("far-wing lanes mixed with mainstream ones agree bit for bit at odd lengths and every block position", () => {
    const rows: Row[] = [];
    cases.forEach((c, i) => {
      rows.push(c.input);
      for (let k = 0; k < i % 3; k++) rows.push([k % 2 ? 1 : -1, 100, 90 + 10 * k, 0.5, 0.2 + 0.1 * k, 0.03, 0.01]);
    });
    for (const n of [1, 2, 3, 127, 128, 129, 255, 256, 257, rows.length]) {
      const a = pricers.simd.blackScholes(batch(rows.slice(0, n)));
      const b = pricers.scalar.blackScholes(batch(rows.slice(0, n)));
      for (const k of OUTPUTS) for (let i = 0; i < n; i++) expect(Object.is(a[k][i], b[k][i]), `${k} ${i} of ${n}`).toBe(true);
    }
  });
});
