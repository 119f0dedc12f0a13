// "mc" suite: path-steps per second of an arithmetic Asian call (one exp per date) in WASM (SIMD and scalar
// builds) against plain-JS Monte Carlo and against option-pricing's Monte Carlo (european style with timeSteps
// dates: the closest it offers), all measured in the same run. The baseline, "plain js (philox)", is the WASM
// core's algorithm in JavaScript with the same random numbers (its price equals the WASM price to rounding,
// tested in test/bindings/montecarlo.test.ts), so the ratio compares engines, not generators; the xorshift32 row shows
// what a cheaper, weaker generator gives plain JS.
import { Option } from "option-pricing";
import { loadWasmCore } from "../bindings/wasm.js";
import { monteCarlo } from "../bindings/montecarlo.js";
import { measureBatches, samplingBudget, type BatchTask } from "./measure.js";
import { plainJsPhiloxAsianCall, plainJsXorshiftAsianCall } from "./montecarlo-plain-js.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const STEPS = 64;

/** Runs the Monte Carlo suite; baseline row: "plain js (philox)". */
export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const budget = samplingBudget(options.quick);
  const paths = options.quick ? 8192 : 65536;
  const units = paths * STEPS;
  const tasks: BatchTask[] = [];
  const suite = "mc";
  const baseline = "plain js (philox)";
  const spec = { payoff: "asian-arithmetic" as const, type: "call" as const, spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.05, steps: STEPS, paths, seed: 1 };
  tasks.push({ suite, name: baseline, units, unit: "path-step", baseline, note: "the WASM algorithm and random numbers: Philox4x32-10 + Box-Muller, exp per date, price only",
    run: () => { plainJsPhiloxAsianCall(100, 100, 1, 0.2, 0.05, STEPS, paths, 1); } });
  tasks.push({ suite, name: "plain js (xorshift32, weaker generator)", units, unit: "path-step", baseline, note: "xorshift32 + Box-Muller, exp per date, price only",
    run: () => { plainJsXorshiftAsianCall(100, 100, 1, 0.2, 0.05, STEPS, paths, 1); } });
  for (const simd of [true, false]) {
    const core = await loadWasmCore({ simd });
    tasks.push({ suite, name: `wasm ${simd ? "simd" : "scalar"}`, units, unit: "path-step", baseline, note: "Philox4x32-10 + Box-Muller, price + SE",
      run: () => { monteCarlo(core, spec); } });
    tasks.push({ suite, name: `wasm ${simd ? "simd" : "scalar"} +greeks+cv`, units, unit: "path-step", baseline, note: "pathwise greeks and geometric control variate",
      run: () => { monteCarlo(core, { ...spec, greeks: true, controlVariate: true }); } });
  }
  const opPaths = options.quick ? 256 : 2048;
  const option = new Option({ style: "european", type: "call", initialSpotPrice: 100, strikePrice: 100, timeToMaturity: 1, volatility: 0.2, riskFreeRate: 0.05 });
  tasks.push({ suite, name: "option-pricing", units: opPaths * STEPS, unit: "path-step", baseline, note: "mcs, european, timeSteps 64, sfc32",
    run: () => { option.price("mcs", { simulations: opPaths, timeSteps: STEPS, prngName: "sfc32", prngSeed: "1" }); } });
  // Interleaved rounds, each task's best round: fair to every row on a machine shared with other work.
  return measureBatches(tasks, budget, options.log);
}
