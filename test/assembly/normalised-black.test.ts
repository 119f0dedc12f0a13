// Jäckel's normalised Black call b(x, s) (assembly/normalised_black.ts) against 80-digit mpmath values over
// all four evaluation regions, plus put-call symmetry, vega against finite differences, and the limits.
import { beforeAll, describe, expect, it } from "vitest";
import { readFixture } from "../support/fixtures.js";
import { createPricer, type Pricer } from "../../bindings/index.js";

type Golden = [x: number, s: number, value: string];
// Made by test/fixtures/make-normalised-black-golden.py (mpmath 1.3.0, 80 digits; see its header).
const golden: Golden[] = readFixture<Golden[]>("normalised-black-golden.json");

for (const simd of [true, false]) {
  describe(`normalisedBlackCall (${simd ? "SIMD" : "scalar"} build)`, () => {
    let pricer: Pricer;
    let b: (x: number, s: number) => number;
    let vega: (x: number, s: number) => number;
    beforeAll(async () => {
      pricer = await createPricer({ simd });
      b = pricer.core.exports.normalisedBlackCall;
      vega = pricer.core.exports.normalisedVega;
    });

    it("matches 480 mpmath values (1e-292 … e^50) to 3e-14 relative, 95% of them to 4e-15", () => {
      // Inputs are exact doubles; the residual error is that of the h = x/s-dependent factors: the small-s
      // expansion's coefficient a = 1 + h·Y(h) loses ~h²·ε for |h| up to ~10 (Jäckel 2015, section 3), i.e. ≤ 2e-14.
      let worst = 0;
      let within = 0;
      for (const [x, s, value] of golden) {
        const reference = Number(value);
        const relative = Math.abs(b(x, s) - reference) / reference;
        worst = Math.max(worst, relative);
        if (relative <= 4e-15) within++;
      }
      expect(worst).toBeLessThan(3e-14);
      expect(within / golden.length).toBeGreaterThan(0.95);
    });

    it("keeps relative accuracy for deep out-of-the-money values below 1e-100 (golden subset)", () => {
      const deep = golden.filter(([, , v]) => Number(v) < 1e-100);
      expect(deep.length).toBeGreaterThan(15);
      for (const [x, s, value] of deep) expect(Math.abs(b(x, s) / Number(value) - 1)).toBeLessThan(3e-14);
    });

    it("satisfies put-call symmetry b(x,s) − b(−x,s) = 2·sinh(x/2) to 8 ulp of b over 5k random inputs", () => {
      // 8ε: about 2 ulp in each b, 1 in sinh, 1 in each subtraction.
      let seed = 7;
      const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
      for (let i = 0; i < 5000; i++) {
        const x = 6 * (random() - 0.5);
        const s = Math.exp(-5 + 7 * random());
        const lhs = b(x, s) - b(-x, s);
        const rhs = 2 * Math.sinh(x / 2);
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(8 * Number.EPSILON * Math.max(b(x, s), b(-x, s)));
      }
    });

    it("has normalised vega (even in x) equal to the central finite difference of the out-of-the-money b to 1e-7", () => {
      for (const [x, s] of [[-0.3, 0.4], [0.2, 0.05], [-2, 1.5], [0, 0.8], [-8, 0.6], [1.5, 3]] as const) {
        // Differencing the out-of-the-money b(−|x|, s) keeps b/vega ≲ s³/x², so rounding ε·b/(vega·ds) ≤ 1e-9;
        // truncation (b'''/b')·ds²/6 ≤ (x²/s³)²·1e-12·s²/6 ≤ 1e-8 with ds = 1e-6·s.
        const ds = 1e-6 * s;
        const fd = (b(-Math.abs(x), s + ds) - b(-Math.abs(x), s - ds)) / (2 * ds);
        expect(Math.abs(fd / vega(x, s) - 1)).toBeLessThan(1e-7);
      }
    });

    it("tends to the intrinsic value as s → 0 and to e^{x/2} as s → ∞, and is increasing in s", () => {
      expect(b(0.3, 1e-12)).toBeCloseTo(2 * Math.sinh(0.15), 15);
      expect(b(-0.3, 1e-12)).toBe(0);
      expect(b(-0.3, 80) / Math.exp(-0.15)).toBeCloseTo(1, 14);
      for (const x of [-5, -0.5, 0, 0.5, 5]) {
        let previous = b(x, 1e-3);
        for (let s = 2e-3; s < 20; s *= 1.1) {
          const value = b(x, s);
          expect(value).toBeGreaterThanOrEqual(previous);
          previous = value;
        }
      }
    });
  });
}
