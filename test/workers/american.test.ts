// workers.american against the single-thread pricer: bit-identical prices, greeks and boundaries for 1, 2 and 3
// workers in both of the pool's data modes (American tasks always travel as transferred buffers), errors with
// whole-batch indices, progress in options.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../../bindings/index.js";
import { createPricingPool, type PricingPool } from "../../workers/pool.js";
import { americanGolden, batchOf, gridRows } from "../support/american.js";
import { expectSameBits, randomBatch } from "../support/batches.js";

let pricer: Pricer;
const pools: PricingPool[] = [];
beforeAll(async () => {
  pricer = await createPricer();
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

// The grid, the special cases (the double-boundary ones included) and 3001 random options (an odd count: a short
// last task).
const rows = [...gridRows(), ...americanGolden.special.rows.map((r) => r.input)];
const batch = (() => {
  const fixed = batchOf(rows);
  const random = randomBatch(3001, 11);
  const join = <T extends Float64Array | Int8Array>(a: T, b: T): T => {
    const out = new (a.constructor as new (n: number) => T)(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  return {
    type: join(fixed.type, random.type), spot: join(fixed.spot as Float64Array, random.spot), strike: join(fixed.strike as Float64Array, random.strike),
    expiry: join(fixed.expiry as Float64Array, random.expiry), vol: join(fixed.vol as Float64Array, random.vol),
    rate: join(fixed.rate as Float64Array, random.rate), dividend: join(fixed.dividend as Float64Array, random.dividend!),
  };
})();

describe("workers.american", () => {
  for (const workers of [1, 2, 3]) {
    for (const sharedMemory of [true, false]) {
      it(`${workers} worker(s), ${sharedMemory ? "shared-memory" : "transfer"} pool: equals pricer.american bit for bit, boundary included`, async () => {
        const p = await createPricingPool({ module: pricer.core.module, workers, sharedMemory });
        pools.push(p);
        for (const accuracy of ["fast", "accurate"] as const) {
          const { boundary: poolBoundary, ...fromPool } = await p.american(batch, { accuracy, boundary: true });
          const { boundary: expectedBoundary, ...expected } = pricer.american(batch, { accuracy, boundary: true });
          expectSameBits(fromPool, expected);
          expect(poolBoundary!.nodes).toBe(expectedBoundary!.nodes);
          expectSameBits({ level: poolBoundary!.level, timeToExpiry: poolBoundary!.timeToExpiry }, { level: expectedBoundary!.level, timeToExpiry: expectedBoundary!.timeToExpiry });
        }
        await p.close();
      });
    }
  }

  it("names the element of the whole batch, reports progress in options, and leaves the boundary out unless asked", async () => {
    const p = await createPricingPool({ module: pricer.core.module, workers: 2 });
    pools.push(p);
    const bad = { ...batch, vol: batch.vol.slice() };
    bad.vol[batch.vol.length - 2] = Number.NaN;
    await expect(p.american(bad)).rejects.toMatchObject({ name: "PricingInputError", field: "vol", index: batch.vol.length - 2 });
    const list = { type: ["put", "call"] as ("put" | "call")[], spot: [100, "100"] as unknown as number[], strike: 100, expiry: 1, vol: 0.2, rate: 0.05 };
    await expect(p.american(list)).rejects.toMatchObject({ name: "PricingInputError", field: "spot", index: 1 });
    await expect(p.american(batch, { accuracy: "slow" as never })).rejects.toMatchObject({ field: "options.accuracy" });
    const seen: number[] = [];
    const result = await p.american(batch, { accuracy: "fast", onProgress: (done, total) => seen.push(done / total) });
    expect(result.boundary).toBeUndefined();
    expect(seen.at(-1)).toBe(1);
    expect(seen.length).toBeGreaterThan(1);
    await p.close();
  });
});
