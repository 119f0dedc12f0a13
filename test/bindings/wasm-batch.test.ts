// Zero-copy batches (pricer.createOptionBatch / createImpliedVolBatch): priced in place, bit-identical to the
// copying path, views that stay valid, the same errors, and usable as ordinary batches elsewhere.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, PricingInputError, WasmOptionBatch, type Greeks, type Pricer } from "../../bindings/index.js";
import { createPricingPool, type PricingPool } from "../../workers/pool.js";

let simd: Pricer;
let scalar: Pricer;
let workers: PricingPool;
beforeAll(async () => {
  simd = await createPricer({ simd: true });
  scalar = await createPricer({ simd: false });
  workers = await createPricingPool({ workers: 2, module: simd.core.module });
});
afterAll(async () => {
  await workers.close();
});

/** Deterministic pseudo-random inputs (LCG), calls and puts, ITM and OTM, rates of both signs. */
function fillOptions(batch: WasmOptionBatch, seed = 1): void {
  let state = seed;
  const u = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (let i = 0; i < batch.length; i++) {
    batch.type[i] = u() < 0.5 ? 1 : -1;
    batch.spot[i] = 50 + 100 * u();
    batch.strike[i] = 50 + 100 * u();
    batch.expiry[i] = 0.01 + 3 * u();
    batch.vol[i] = 0.05 + 0.9 * u();
    batch.rate[i] = -0.01 + 0.08 * u();
    batch.dividend[i] = 0.04 * u();
  }
}

function copyOf(batch: WasmOptionBatch) {
  return {
    type: Float64Array.from(batch.type), spot: Float64Array.from(batch.spot), strike: Float64Array.from(batch.strike),
    expiry: Float64Array.from(batch.expiry), vol: Float64Array.from(batch.vol), rate: Float64Array.from(batch.rate),
    dividend: Float64Array.from(batch.dividend),
  };
}

function expectSameBits(actual: Greeks, expected: Greeks): void {
  for (const name of ["price", "delta", "gamma", "vega", "theta", "rho"] as const) {
    expect(new Uint8Array(actual[name].buffer, actual[name].byteOffset, actual[name].byteLength)).toEqual(
      new Uint8Array(expected[name].buffer, expected[name].byteOffset, expected[name].byteLength),
    );
  }
}

describe("zero-copy Black-Scholes batches", () => {
  for (const build of ["SIMD", "scalar"] as const) {
    it(`price in place bit-identically to the copying path (${build} build, odd length 1,001)`, async () => {
      const pricer = build === "SIMD" ? simd : scalar;
      const batch = await pricer.createOptionBatch(1001);
      fillOptions(batch);
      const inPlace = pricer.blackScholes(batch);
      expect(inPlace).toBe(batch.greeks); // the batch's own views: nothing was copied out
      expect(inPlace.price.buffer).toBe(batch.spot.buffer);
      expectSameBits(inPlace, pricer.blackScholes(copyOf(batch)));
    });
  }

  it("keeps its views valid while the pricer's own memory grows and other batches are created", async () => {
    const batch = await simd.createOptionBatch(64);
    fillOptions(batch, 7);
    const first = Float64Array.from(simd.blackScholes(batch).price);
    const spot = batch.spot;
    await simd.createOptionBatch(100_000);
    simd.blackScholes({ type: "call", spot: 100, strike: new Float64Array(200_000).fill(100), expiry: 1, vol: 0.2, rate: 0 });
    expect(spot.length).toBe(64); // not detached
    expect(Array.from(simd.blackScholes(batch).price)).toEqual(Array.from(first));
  });

  it("rejects an invalid element with its field and index, and leaves NaN outputs rather than garbage", async () => {
    const batch = await simd.createOptionBatch(10);
    fillOptions(batch, 3);
    simd.blackScholes(batch);
    batch.vol[7] = -0.2;
    batch.strike[9] = Number.NaN;
    let caught: unknown;
    try {
      simd.blackScholes(batch);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PricingInputError);
    expect(caught).toMatchObject({ field: "strike", index: 9 }); // column order first, as the copying path reports
    expect(Array.from(batch.greeks.price).every(Number.isNaN)).toBe(true);
    batch.strike[9] = 100;
    expect(() => simd.blackScholes(batch)).toThrow(expect.objectContaining({ field: "vol", index: 7 }));
    batch.type[0] = 0;
    batch.vol[7] = 0.2;
    expect(() => simd.blackScholes(batch)).toThrow(expect.objectContaining({ field: "type", index: 0 }));
  });

  it("copies into caller-provided output arrays when given, checking their length", async () => {
    const batch = await simd.createOptionBatch(5);
    fillOptions(batch, 5);
    const output = {
      price: new Float64Array(5), delta: new Float64Array(5), gamma: new Float64Array(5),
      vega: new Float64Array(5), theta: new Float64Array(5), rho: new Float64Array(5),
    };
    expect(simd.blackScholes(batch, output)).toBe(output);
    expectSameBits(output, simd.blackScholes(copyOf(batch)));
    expect(() => simd.blackScholes(batch, { ...output, rho: new Float64Array(4) })).toThrow(PricingInputError);
  });

  it("an implied-vol batch copies its result into caller-provided arrays when given, checking them", async () => {
    const batch = await simd.createImpliedVolBatch(4);
    batch.type.set([1, -1, 1, -1]);
    batch.price.set([5, 4, 9, 2]);
    batch.spot.fill(100);
    batch.strike.set([100, 95, 95, 90]);
    batch.expiry.fill(0.5);
    batch.rate.fill(0.01);
    batch.dividend.fill(0);
    const output = { vol: new Float64Array(4), status: new Int32Array(4), iterations: new Int32Array(4) };
    expect(simd.impliedVol(batch, output)).toBe(output);
    const copy = { type: batch.type.slice(), price: batch.price.slice(), spot: 100, strike: batch.strike.slice(), expiry: 0.5, rate: 0.01 };
    const expected = simd.impliedVol(copy);
    expect(Array.from(output.vol)).toEqual(Array.from(expected.vol));
    expect(Array.from(output.status)).toEqual(Array.from(expected.status));
    expect(Array.from(output.iterations)).toEqual(Array.from(expected.iterations));
    expect(() => simd.impliedVol(batch, { ...output, vol: new Float64Array(3) })).toThrow(PricingInputError);
  });

  it("is an ordinary OptionBatch for another build's pricer and for the worker pool (Float64Array type column)", async () => {
    const batch = await simd.createOptionBatch(3000);
    fillOptions(batch, 11);
    expectSameBits(scalar.blackScholes(batch), scalar.blackScholes(copyOf(batch)));
    expectSameBits(await workers.blackScholes(batch), simd.blackScholes(copyOf(batch)));
    batch.type[2999] = 2;
    await expect(workers.blackScholes(batch)).rejects.toMatchObject({ name: "PricingInputError", field: "type", index: 2999 });
  });

  it("rejects a length that is not an integer in [1, 2^24]", async () => {
    for (const length of [0, -1, 1.5, Number.NaN, 2 ** 24 + 1]) {
      await expect(simd.createOptionBatch(length)).rejects.toMatchObject({ name: "PricingInputError", field: "length" });
    }
  });
});

describe("zero-copy implied-vol batches", () => {
  it("invert in place exactly as the copying path, and report bad input by field and index", async () => {
    const options = await simd.createOptionBatch(501);
    fillOptions(options, 21);
    const prices = simd.blackScholes(options).price;
    const batch = await simd.createImpliedVolBatch(501);
    batch.type.set(options.type);
    batch.price.set(prices);
    batch.spot.set(options.spot);
    batch.strike.set(options.strike);
    batch.expiry.set(options.expiry);
    batch.rate.set(options.rate);
    batch.dividend.set(options.dividend);
    const inPlace = simd.impliedVol(batch);
    expect(inPlace).toBe(batch.result);
    const copied = simd.impliedVol({
      type: Float64Array.from(batch.type), price: Float64Array.from(batch.price), spot: Float64Array.from(batch.spot),
      strike: Float64Array.from(batch.strike), expiry: Float64Array.from(batch.expiry), rate: Float64Array.from(batch.rate),
      dividend: Float64Array.from(batch.dividend),
    });
    expect(Array.from(inPlace.vol)).toEqual(Array.from(copied.vol));
    expect(Array.from(inPlace.status)).toEqual(Array.from(copied.status));
    // Repricing at the implied vols gives the prices back (to 1e-12 × spot: price space is well conditioned even
    // where vega is ~0 and σ itself is not identifiable, e.g. deep in the money at short expiry).
    const ok = Array.from(inPlace.status, (status, i) => (status === 0 ? i : -1)).filter((i) => i >= 0);
    expect(ok.length).toBeGreaterThan(450);
    const pick = (column: Float64Array) => Float64Array.from(ok, (i) => column[i]!);
    const repriced = simd.blackScholes({
      type: pick(batch.type), spot: pick(batch.spot), strike: pick(batch.strike), expiry: pick(batch.expiry),
      vol: pick(inPlace.vol), rate: pick(batch.rate), dividend: pick(batch.dividend),
    }).price;
    ok.forEach((i, k) => expect(Math.abs(repriced[k]! - prices[i]!)).toBeLessThanOrEqual(1e-12 * batch.spot[i]!));
    batch.price[250] = -1;
    expect(() => simd.impliedVol(batch)).toThrow(expect.objectContaining({ field: "price", index: 250 }));
  });
});
