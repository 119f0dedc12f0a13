// Properties of pricer.american that hold whatever the references: European limits, American ≥ European,
// McDonald-Schroder put-call symmetry (fast-check), the SIMD and scalar builds bit for bit, and input validation.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type AmericanOptions, type OptionBatch, type Pricer } from "../../bindings/index.js";
import { americanGolden, batchOf, gridRows, type AmericanRow } from "../support/american.js";
import { expectSameBits } from "../support/batches.js";
import { expectInputError } from "../support/errors.js";

let pricer: Pricer;
let scalar: Pricer;
beforeAll(async () => {
  pricer = await createPricer({ simd: true });
  scalar = await createPricer({ simd: false });
});

const MODES = ["fast", "accurate"] as const;

// Options of every regime: rates and yields of either sign, strikes 0.5-2 × spot, 1 day to 5 years, vol 5-150 %.
const option = fc.record({
  type: fc.constantFrom(1, -1),
  spot: fc.double({ min: 1, max: 1000, noNaN: true }),
  moneyness: fc.double({ min: 0.5, max: 2, noNaN: true }),
  expiry: fc.double({ min: 1 / 365, max: 5, noNaN: true }),
  vol: fc.double({ min: 0.05, max: 1.5, noNaN: true }),
  rate: fc.double({ min: -0.05, max: 0.15, noNaN: true }),
  dividend: fc.double({ min: -0.05, max: 0.15, noNaN: true }),
});
type Drawn = { type: number; spot: number; moneyness: number; expiry: number; vol: number; rate: number; dividend: number };
const row = (o: Drawn): AmericanRow => [o.type, o.spot, o.spot * o.moneyness, o.expiry, o.vol, o.rate, o.dividend];
// Fewer runs through the double-boundary regime's finite differences (milliseconds an option).
const runs = { numRuns: 60, seed: 20240722 };

describe("European limits", () => {
  it("where early exercise never pays (call: q ≤ 0 and r ≥ q; put: r ≤ 0 and q ≥ r), every output is blackScholes's bit for bit", () => {
    const european = option.map(row).filter(([w, , , , , r, q]) => (w > 0 ? q <= 0 && r >= q : r <= 0 && q >= r));
    fc.assert(
      fc.property(fc.array(european, { minLength: 1, maxLength: 16 }), (rows) => {
        const batch = batchOf(rows);
        const bs = pricer.blackScholes(batch);
        // The price is raised to intrinsic where rounding left the European one an ulp below it (deep in the money).
        const price = Float64Array.from(rows, ([w, S, K], i) => Math.max(bs.price[i]!, Math.max(w * (S - K), 0)));
        for (const accuracy of MODES) {
          const am = pricer.american(batch, { accuracy });
          expectSameBits(am, { price, delta: bs.delta, gamma: bs.gamma, theta: bs.theta });
          rows.forEach((_, i) => expect(Math.abs(price[i]! - bs.price[i]!)).toBeLessThanOrEqual(4e-16 * rows[i]![2]));
        }
      }),
      { ...runs, numRuns: 200 },
    );
  });

  it("American ≥ European and ≥ intrinsic for every option, in both modes", () => {
    fc.assert(
      fc.property(fc.array(option.map(row), { minLength: 1, maxLength: 8 }), (rows) => {
        const batch = batchOf(rows);
        const european = pricer.blackScholes(batch).price;
        for (const accuracy of MODES) {
          const { price } = pricer.american(batch, { accuracy });
          rows.forEach(([w, S, K], i) => {
            expect(price[i]).toBeGreaterThanOrEqual(european[i]!);
            expect(price[i]).toBeGreaterThanOrEqual(Math.max(w * (S - K), 0));
          });
        }
      }),
      runs,
    );
  });
});

describe("McDonald-Schroder put-call symmetry C(S, K, r, q) = P(K, S, q, r)", () => {
  it("holds to 1e-12 of the price (the two European parts are different formulas; the premium is one computation)", () => {
    fc.assert(
      fc.property(option, (o) => {
        const [, S, K, T, v, r, q] = row(o);
        for (const accuracy of MODES) {
          const { price } = pricer.american({ type: ["call", "put"], spot: [S, K], strike: [K, S], expiry: T, vol: v, rate: [r, q], dividend: [q, r] }, { accuracy });
          expect(Math.abs(price[0]! - price[1]!)).toBeLessThanOrEqual(1e-12 * Math.max(price[0]!, 1e-3 * Math.min(S, K)));
        }
      }),
      runs,
    );
  });
});

describe("SIMD and scalar builds", () => {
  it("agree bit for bit on the grid, the special cases and random options, boundary included", () => {
    const random = fc.sample(option.map(row), { numRuns: 200, seed: 7 });
    const rows = [...gridRows(), ...americanGolden.special.rows.map((r) => r.input), ...random];
    const batch = batchOf(rows);
    for (const accuracy of MODES) {
      const { boundary: simdBoundary, ...simd } = pricer.american(batch, { accuracy, boundary: true });
      const { boundary: scalarBoundary, ...scalarResult } = scalar.american(batch, { accuracy, boundary: true });
      expectSameBits(simd, scalarResult);
      expectSameBits({ level: simdBoundary!.level, timeToExpiry: simdBoundary!.timeToExpiry }, { level: scalarBoundary!.level, timeToExpiry: scalarBoundary!.timeToExpiry });
    }
  });
});

describe("input validation", () => {
  const base: OptionBatch = { type: ["call", "put", "put"], spot: 100, strike: [90, 100, 110], expiry: 1, vol: [0.2, 0.3, 0.4], rate: 0.05, dividend: 0.01 };

  it("names the field and element of a bad input, as blackScholes does", () => {
    expectInputError(() => pricer.american({ ...base, vol: [0.2, -0.3, 0.4] }), "vol", 1);
    expectInputError(() => pricer.american({ ...base, strike: [90, 100, Number.NaN] }), "strike", 2);
    expectInputError(() => pricer.american({ ...base, expiry: 0 }), "expiry", undefined);
    expectInputError(() => pricer.american({ ...base, type: ["call", "straddle", "put"] as never }), "type", 1);
    expectInputError(() => pricer.american({ ...base, rate: [0.05, 0.05] }), "rate", undefined);
    expectInputError(() => pricer.american({ ...base, dividend: [0, Infinity, 0] }), "dividend", 1);
    // The same element the Black-Scholes pricer names, in a batch spanning several chunks.
    const n = 70_000;
    const vol = new Float64Array(n).fill(0.2);
    vol[n - 3] = -1;
    expectInputError(() => pricer.american({ ...base, type: "put", strike: 100, vol }, { accuracy: "fast" }), "vol", n - 3);
  });

  it("names a bad option", () => {
    expectInputError(() => pricer.american(base, { accuracy: "exact" } as unknown as AmericanOptions), "options.accuracy", undefined);
    expectInputError(() => pricer.american(base, { boundary: "yes" } as unknown as AmericanOptions), "options.boundary", undefined);
    expectInputError(() => pricer.american(base, 3 as unknown as AmericanOptions), "options", undefined);
  });
});
