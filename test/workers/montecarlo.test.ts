// Monte Carlo through the worker pool: the reference is the single-thread Monte Carlo of the same core
// (bindings/montecarlo.ts `monteCarlo`, what pricer.monteCarlo runs). Fixed 4096-path blocks summed in block
// order make the result independent of how blocks are split, so the comparison is bit for bit, not a tolerance.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, PricingInputError, type Pricer } from "../../bindings/index.js";
import { monteCarlo, normalizeMonteCarloSpec, runMonteCarloBlocks, type MonteCarloResult, type MonteCarloSpec } from "../../bindings/montecarlo.js";
import { createPricingPool, WorkerCrashError, type PricingPool } from "../../workers/pool.js";
import { createCrashablePool, crashWorker } from "../support/crashable-pool.js";

/** Every number of a result as its 64-bit pattern, keyed by path ("delta.stdError"...). */
function bits(result: MonteCarloResult): Record<string, string> {
  const out: Record<string, string> = {};
  const view = new DataView(new ArrayBuffer(8));
  const walk = (value: unknown, path: string): void => {
    if (typeof value === "number") {
      view.setFloat64(0, value);
      out[path] = view.getBigUint64(0).toString(16);
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(result, "");
  return out;
}

// Three specs covering both samplers, antithetic pairs, the control variates, greeks, path-dependent payoffs and a
// path count that leaves the last block partial (the 4096-path blocks must be cut at the same place).
const specs: [string, MonteCarloSpec][] = [
  ["european call, Philox, greeks + control variate, 150,001 paths", { payoff: "european", type: "call", spot: 100, strike: 105, expiry: 1, vol: 0.25, rate: 0.03, dividend: 0.01, paths: 150_001, seed: 7, greeks: true, controlVariate: true }],
  ["arithmetic Asian put, Sobol + antithetic + control variate, 16 steps, 100,000 paths", { payoff: "asian-arithmetic", type: "put", spot: 100, strike: 100, expiry: 0.5, vol: 0.3, rate: 0.02, steps: 16, paths: 100_000, sampler: "sobol", antithetic: true, controlVariate: true, seed: 3 }],
  ["continuous down-and-out call, 32 steps, 60,000 paths", { payoff: "barrier", type: "call", spot: 100, strike: 95, expiry: 1, vol: 0.2, rate: 0.01, steps: 32, paths: 60_000, barrier: 85, barrierType: "down-and-out", continuous: true, seed: 11 }],
];

let pricer: Pricer;
let expected: Map<string, MonteCarloResult>;
const pools: PricingPool[] = [];

beforeAll(async () => {
  pricer = await createPricer();
  expected = new Map(specs.map(([name, spec]) => [name, monteCarlo(pricer.core, spec)]));
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

async function pool(workers: number, create = createPricingPool): Promise<PricingPool> {
  const p = await create({ module: pricer.core.module, workers });
  pools.push(p);
  return p;
}

describe("Monte Carlo across workers is bit-identical to the single-thread run", () => {
  for (const workers of [1, 2, 3]) {
    it(`${workers} worker(s): price, standard error and greeks of three specs equal the single-thread results bit for bit`, async () => {
      const p = await pool(workers);
      const results = await Promise.all(specs.map(([, spec]) => p.monteCarlo(spec)));
      specs.forEach(([name], k) => {
        expect(bits(results[k]!), name).toEqual(bits(expected.get(name)!));
      });
      // Sanity that the comparison covers real numbers: a finite price with a positive standard error.
      expect(results[0]!.stdError).toBeGreaterThan(0);
      expect(results[0]!.delta?.value).toBeGreaterThan(0);
    });
  }

  it("monteCarloBlocks over a block range equals the single-thread run of that range bit for bit; bad ranges are named", async () => {
    const p = await pool(2);
    const spec = normalizeMonteCarloSpec(specs[0]![1]);
    const fromPool = await p.monteCarloBlocks(spec, 5, 23);
    const alone = runMonteCarloBlocks(pricer.core, spec, 5, 23);
    expect(fromPool.length).toBe(alone.length);
    expect(Buffer.from(fromPool.buffer, fromPool.byteOffset, fromPool.byteLength).equals(Buffer.from(alone.buffer, alone.byteOffset, alone.byteLength))).toBe(true);
    await expect(p.monteCarloBlocks(spec, 0, 1000)).rejects.toMatchObject({ field: "blockCount" });
    await expect(p.monteCarloBlocks(spec, -1, 1)).rejects.toMatchObject({ field: "firstBlock" });
  });

  it("a different seed changes the result (the comparison above can fail)", async () => {
    const p = await pool(2);
    const [, spec] = specs[0]!;
    const other = await p.monteCarlo({ ...spec, seed: 8 });
    expect(other.price).not.toBe(expected.get(specs[0]![0])!.price);
  });
});

describe("Monte Carlo errors, progress, abort, crashes", () => {
  it("an invalid spec rejects with the same PricingInputError as the single-thread normalisation", async () => {
    const p = await pool(1);
    const bad: MonteCarloSpec = { ...specs[1]![1], paths: 100_001 }; // antithetic needs an even count
    let reference: unknown;
    try {
      normalizeMonteCarloSpec(bad);
    } catch (error) {
      reference = error;
    }
    const actual = await p.monteCarlo(bad).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(actual).toBeInstanceOf(PricingInputError);
    expect(actual).toMatchObject({ field: "paths", index: undefined, message: (reference as Error).message });
  });

  it("onProgress counts paths up to the spec's total; an abort mid-run rejects with the reason and the pool keeps working", async () => {
    const p = await pool(2);
    const [name, spec] = specs[0]!;
    const seen: number[] = [];
    const result = await p.monteCarlo(spec, { onProgress: (done, total) => (expect(total).toBe(spec.paths), seen.push(done)) });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(spec.paths);
    expect(bits(result)).toEqual(bits(expected.get(name)!));

    const controller = new AbortController();
    const call = p.monteCarlo(spec, { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(call).rejects.toMatchObject({ name: "AbortError" });
    expect(bits(await p.monteCarlo(spec))).toEqual(bits(expected.get(name)!));
  });

  it("a worker killed during a Monte Carlo run rejects that run with WorkerCrashError; the rerun is bit-identical", async () => {
    const p = await pool(2, createCrashablePool);
    const [name, spec] = specs[0]!;
    let injected = false;
    const call = p.monteCarlo(spec, {
      onProgress: () => {
        if (!injected) {
          injected = true;
          crashWorker(p, 1, "kill");
        }
      },
    });
    await expect(call).rejects.toBeInstanceOf(WorkerCrashError);
    expect(bits(await p.monteCarlo(spec))).toEqual(bits(expected.get(name)!));
  });
});
