// The worker pool's price-only call (pool.blackScholesPrice): the price column of the single-thread pricer's
// blackScholes bit for bit, on ordinary batches (shared and transferred buffers, outputs new, given, or written in
// place), on pool batches (priced where they are, the other greek columns untouched), with deep in- and
// out-of-the-money lanes that the kernel reprices one by one; errors named as the pricer names them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, PricingInputError, type Pricer } from "../../bindings/index.js";
import { createPricingPool, type PricingPool } from "../../workers/pool.js";
import { expectSameBits, randomBatch, type Columns } from "../support/batches.js";

// Odd (a scalar tail) and, with 16k chunks, seven chunks of which the last is short.
const N = 100_001;
const CHUNK = 16_384;

let pricer: Pricer;
let batch: Columns;
const pools: PricingPool[] = [];

async function pool(options: Parameters<typeof createPricingPool>[0]): Promise<PricingPool> {
  const p = await createPricingPool({ module: pricer.core.module, ...options });
  pools.push(p);
  return p;
}

/** The first error `run` throws or rejects with. */
async function failure(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("did not fail");
}

beforeAll(async () => {
  pricer = await createPricer();
  batch = randomBatch(N, 11);
  // Lanes off the kernel's vector path: deep in and out of the money on short expiries, far wings, tiny vols.
  for (let i = 0; i < N; i += 97) {
    batch.spot[i] = batch.strike[i]! * (i % 2 === 0 ? 0.4 : 2.5);
    batch.expiry[i] = 0.002 + (i % 5) * 0.001;
    if (i % 3 === 0) batch.vol[i] = 1e-4;
  }
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe("pool.blackScholesPrice", () => {
  for (const sharedMemory of [true, false]) {
    it(`2 workers, ${sharedMemory ? "SharedArrayBuffer" : "transferred buffers"}: the pricer's prices bit for bit, new or into a given array`, async () => {
      const p = await pool({ workers: 2, sharedMemory, chunkSize: CHUNK });
      const expected = pricer.blackScholes(batch).price.slice();
      const price = await p.blackScholesPrice(batch);
      expectSameBits({ price }, { price: expected });
      expect(price.buffer instanceof ArrayBuffer).toBe(true);
      const output = new Float64Array(N).fill(-1);
      expect(await p.blackScholesPrice(batch, { output })).toBe(output);
      expectSameBits({ price: output }, { price: expected });
    });
  }

  it("reads SharedArrayBuffer inputs and writes a SharedArrayBuffer output in place; a rejected call leaves it all NaN", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const shared = (from: Float64Array) => {
      const a = new Float64Array(new SharedArrayBuffer(from.length * 8));
      a.set(from);
      return a;
    };
    const inputs = { ...batch, spot: shared(batch.spot), vol: shared(batch.vol) };
    const output = new Float64Array(new SharedArrayBuffer(N * 8));
    expect(await p.blackScholesPrice(inputs, { output })).toBe(output);
    expectSameBits({ price: output }, { price: pricer.blackScholes(batch).price.slice() });
    inputs.vol[90_000] = 0;
    expect(await failure(() => p.blackScholesPrice(inputs, { output }))).toBeInstanceOf(PricingInputError);
    expect(output.every(Number.isNaN)).toBe(true);
  });

  it("prices a pool batch in place: its greeks.price view, the other greek columns as they were", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const b = await p.createOptionBatch(N);
    b.type.set(batch.type);
    for (const field of ["spot", "strike", "expiry", "vol", "rate", "dividend"] as const) b[field].set(batch[field]);
    b.greeks.delta.fill(7);
    const price = await p.blackScholesPrice(b);
    expect(price).toBe(b.greeks.price);
    expectSameBits({ price }, { price: pricer.blackScholes(batch).price.slice() });
    expect(b.greeks.delta.every((x) => x === 7)).toBe(true);
    const output = new Float64Array(N);
    expect(await p.blackScholesPrice(b, { output })).toBe(output);
    expectSameBits({ price: output }, { price });
    b.close();
  });
});

describe("pool.blackScholesPrice errors", () => {
  it("an invalid element deep in the batch rejects with the pricer's PricingInputError (field, whole-batch index, message)", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const bad = { ...batch, expiry: batch.expiry.slice() };
    bad.expiry[70_123] = -1;
    const expected = (await failure(() => pricer.blackScholes(bad))) as PricingInputError;
    const actual = await failure(() => p.blackScholesPrice(bad));
    expect(actual).toBeInstanceOf(PricingInputError);
    const e = actual as PricingInputError;
    expect([e.field, e.index, e.message]).toEqual(["expiry", 70_123, expected.message]);
    // On a pool batch: the error the pricer gives for its own zero-copy batch.
    const b = await p.createOptionBatch(4);
    b.type.fill(1);
    b.spot.fill(100);
    b.strike.fill(100);
    b.expiry.fill(1);
    b.vol.set([0.2, 0.2, Number.NaN, 0.2]);
    const inBatch = (await failure(() => p.blackScholesPrice(b))) as PricingInputError;
    expect([inBatch.field, inBatch.index]).toEqual(["vol", 2]);
    expect(b.greeks.price.every(Number.isNaN)).toBe(true);
    b.close();
  });

  it("a bad output is refused naming `output`, before anything is priced", async () => {
    const p = await pool({ workers: 2, chunkSize: CHUNK });
    const small = { type: "put" as const, spot: 100, strike: new Float64Array([90, 100, 110]), expiry: 0.5, vol: 0.2, rate: 0.03 };
    for (const output of [new Float64Array(2), new Float32Array(3) as unknown as Float64Array, [0, 0, 0] as unknown as Float64Array]) {
      const e = await failure(() => p.blackScholesPrice(small, { output }));
      expect(e).toBeInstanceOf(PricingInputError);
      expect((e as PricingInputError).field).toBe("output");
    }
    // An output sharing memory with an input read in place would be overwritten while other workers read it.
    const memory = new SharedArrayBuffer(6 * 8);
    const strike = new Float64Array(memory, 0, 3);
    strike.set([90, 100, 110]);
    const e = await failure(() => p.blackScholesPrice({ ...small, strike }, { output: new Float64Array(memory, 8, 3) }));
    expect([(e as PricingInputError).field, (e as PricingInputError).message]).toEqual(["output", expect.stringContaining("strike")]);
    const b = await p.createOptionBatch(3);
    expect((await failure(() => p.blackScholesPrice(b, { output: new Float64Array(4) })) as PricingInputError).field).toBe("output");
    b.close();
  });
});
