// The compute side of a fleet worker process (fleet/engine.ts): the pool engine (worker threads) and the
// pricer engine give the single-thread pricer's bits for batches and Monte Carlo block ranges.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../../bindings/index.js";
import { MC_BLOCK_ACCUMULATORS, normalizeMonteCarloSpec, runMonteCarloBlocks } from "../../bindings/montecarlo.js";
import { poolEngine, pricerEngine, type FleetEngine } from "../../fleet/engine.js";

let pricer: Pricer;
const engines: FleetEngine[] = [];

beforeAll(async () => {
  pricer = await createPricer();
  engines.push(await pricerEngine(), await poolEngine(1));
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

function same(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe("fleet engines", () => {
  it("pool and pricer engines price a batch and run Monte Carlo blocks [5, 12) to the pricer's exact bits", async () => {
    const strike = Float64Array.from({ length: 1001 }, (_, i) => 60 + i * 0.08);
    const batch = { type: "put" as const, spot: 100, strike, expiry: 0.75, vol: 0.3, rate: 0.02, dividend: 0.01 };
    const expected = pricer.blackScholes(batch);
    const spec = normalizeMonteCarloSpec({ payoff: "barrier", barrierType: "down-and-out", barrier: 85, type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.25, rate: 0.03, steps: 20, paths: 20 * 4096, seed: 77 });
    const blocks = runMonteCarloBlocks(pricer.core, spec, 5, 7);
    expect(blocks.length).toBe(7 * MC_BLOCK_ACCUMULATORS);
    for (const engine of engines) {
      const g = await engine.blackScholes(batch);
      for (const k of ["price", "delta", "gamma", "vega", "theta", "rho"] as const) expect(same(g[k], expected[k]), `${engine.name} ${k}`).toBe(true);
      expect(same(await engine.monteCarloBlocks(spec, 5, 7), blocks), `${engine.name} blocks`).toBe(true);
    }
  });
});
