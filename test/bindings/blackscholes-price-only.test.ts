// The price-only kernel (blackScholesPriceBatch through bindings/price-columns.ts) gives blackScholesBatch's prices bit
// for bit, SIMD and scalar builds: on random mainstream batches of every length mod the block size, on the lanes the
// vector path hands to the scalar code (deep wings, |rT| > 708, S/K at the double range's edges), on the far-wing
// golden inputs, and it refuses an input outside the domain naming the field and the element, as the pricer does.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { createPricer, PricingInputError, type Pricer } from "../../bindings/index.js";
import { PriceColumns } from "../../bindings/price-columns.js";
import { readFixture } from "../support/fixtures.js";

type Row = [type: number, spot: number, strike: number, expiry: number, vol: number, rate: number, dividend: number];
const farWing = readFixture<{ cases: { input: Row }[] }>("bsm-far-wing-golden.json").cases.map((c) => c.input);

const pricers: Record<"simd" | "scalar", Pricer> = {} as never;
beforeAll(async () => {
  pricers.simd = await createPricer({ simd: true });
  pricers.scalar = await createPricer({ simd: false });
});

/** Prices `rows` through both kernels; returns [greeks kernel's prices, price-only kernel's prices]. */
function both(pricer: Pricer, rows: readonly Row[]): [Float64Array, Float64Array] {
  const column = (k: number) => Float64Array.from(rows, (r) => r[k]!);
  const greeks = pricer.blackScholes({
    type: Int8Array.from(rows, (r) => r[0]), spot: column(1), strike: column(2), expiry: column(3), vol: column(4), rate: column(5), dividend: column(6),
  }).price;
  const cols = PriceColumns.reserve(pricer.core, rows.length);
  (["type", "spot", "strike", "expiry", "vol", "rate", "dividend"] as const).forEach((name, k) => cols.view[name].set(column(k)));
  return [greeks, cols.price(rows.length).slice(0, rows.length)];
}

/** Bit patterns, so that −0, NaN payloads and subnormals all count. */
const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length), (b) => b.toString(16));

const mainstream = fc.tuple(
  fc.constantFrom(1, -1), fc.double({ min: 1, max: 1e4, noNaN: true }), fc.double({ min: 1, max: 1e4, noNaN: true }),
  fc.double({ min: 1e-4, max: 5, noNaN: true }), fc.double({ min: 0.01, max: 3, noNaN: true }),
  fc.double({ min: -0.2, max: 0.2, noNaN: true }), fc.double({ min: -0.1, max: 0.2, noNaN: true }),
) as fc.Arbitrary<Row>;

describe.each(["simd", "scalar"] as const)("price-only kernel, %s build", (build) => {
  it("gives the greeks kernel's prices bit for bit on random batches of 1 to 300 options (every length mod 128 and 2)", () => {
    fc.assert(fc.property(fc.array(mainstream, { minLength: 1, maxLength: 300 }), (rows) => {
      const [greeks, prices] = both(pricers[build], rows);
      expect(bits(prices)).toEqual(bits(greeks));
    }), { numRuns: 200 });
  });

  it("bit for bit on the lanes the vector path redoes: deep and far wings, |rT| > 708, S/K near the double range's ends", () => {
    const rows: Row[] = [
      ...farWing,
      [1, 100, 1e6, 0.01, 0.1, 0.03, 0], [-1, 1e6, 100, 0.01, 0.1, 0.03, 0], [1, 100, 100, 10, 80, 0.03, 0],
      [-1, 100, 90, 1000, 0.2, 0.8, 0], [1, 100, 90, 1000, 0.2, -0.8, 0.9], [1, 1e-300, 1e300, 1, 0.5, 0, 0],
      [-1, 1e300, 1e-300, 1, 0.5, 0, 0], [1, 100, 100, 1e-12, 1e-6, 0, 0], [-1, 2000, 1800, 3 / 365, 0.6, 0.03, 0],
    ];
    // Interleaved with mainstream lanes, so each redone lane sits in a pair with an ordinary one, in both positions.
    const mixed = rows.flatMap((r, i): Row[] => (i % 2 ? [r, [1, 100, 105, 0.5, 0.3, 0.02, 0]] : [[-1, 100, 95, 0.25, 0.4, 0.01, 0], r]));
    const [greeks, prices] = both(pricers[build], mixed);
    expect(bits(prices)).toEqual(bits(greeks));
    expect(prices.some((p) => p > 0 && p < 1e-300)).toBe(true);
  });

  it("refuses an input outside the domain with the pricer's error, naming the field and the element", () => {
    const rows: Row[] = [[1, 100, 100, 1, 0.2, 0, 0], [-1, 100, 100, 1, 0.2, 0, 0], [1, 100, 100, 1, -0.2, 0, 0]];
    const cols = PriceColumns.reserve(pricers[build].core, 3);
    (["type", "spot", "strike", "expiry", "vol", "rate", "dividend"] as const).forEach((name, k) => cols.view[name].set(rows.map((r) => r[k]!)));
    let caught: unknown;
    try {
      cols.price(3);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PricingInputError);
    expect((caught as PricingInputError).field).toBe("vol");
    expect((caught as PricingInputError).index).toBe(2);
    expect(Number.isNaN(cols.view.price[0])).toBe(true);
    expect(() => cols.price(4)).toThrow(RangeError);
  });

  it("reuses its columns while the core's scratch has not moved, and makes new ones after the memory grew", () => {
    const core = pricers[build].core;
    const a = PriceColumns.reserve(core, 100);
    expect(PriceColumns.reuse(a, core, 50)).toBe(a);
    core.reserve(64 << 20); // grows memory: the old views are detached
    const b = PriceColumns.reuse(a, core, 50);
    expect(b === a).toBe(false);
    b.view.type.fill(1, 0, 1);
    b.view.spot.fill(100, 0, 1);
    b.view.strike.fill(100, 0, 1);
    b.view.expiry.fill(1, 0, 1);
    b.view.vol.fill(0.2, 0, 1);
    b.view.rate.fill(0, 0, 1);
    b.view.dividend.fill(0, 0, 1);
    expect(b.price(1)[0]).toBe(pricers[build].blackScholes({ type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0 }).price[0]);
  });
});
