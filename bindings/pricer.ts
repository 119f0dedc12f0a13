// createPricer(): the synchronous, single-thread pricer over the WASM core.
// Batches are processed in chunks of CHUNK_OPTIONS so that any batch size (10 million options and more)
// runs in a fixed scratch region: each chunk's columns are copied into WASM views with one bulk copy each.
import { normalizeImpliedVolBatch, normalizeOptionBatch, type NormalizedBatch } from "./batch.js";
import { PricingInputError } from "./errors.js";
import { monteCarlo, type MonteCarloResult, type MonteCarloSpec } from "./montecarlo.js";
import type { Greeks, ImpliedVolBatch, ImpliedVolResult, OptionBatch } from "./types.js";
import { loadWasmCore, type LoadOptions, type WasmCore } from "./wasm.js";

/** Options per kernel call: 64 Ki options × 14 columns × 8 bytes = 7.3 MB of scratch, cache-friendly enough. */
export const CHUNK_OPTIONS = 65_536;

const GREEK_NAMES = ["price", "delta", "gamma", "vega", "theta", "rho"] as const;

/** Options of createPricer(). */
export type PricerOptions = LoadOptions;

/** The single-thread pricer. Methods are synchronous; see createPricingPool() for the worker-pool version. */
export interface Pricer {
  /** True when the SIMD (f64x2) build is running. */
  readonly simd: boolean;
  /** The loaded WASM core (advanced use: compiled module, memory views). */
  readonly core: WasmCore;
  /**
   * Black-Scholes-Merton price, delta, gamma, vega, theta and rho for every option of the batch.
   * Pass `output` (six Float64Arrays of the batch length) to write into arrays you reuse instead of new ones.
   * @throws PricingInputError naming the field and element of the first invalid input.
   * @example pricer.blackScholes({ type: "call", spot: 100, strike: [90, 100, 110], expiry: 0.5, vol: 0.2, rate: 0.03 })
   */
  blackScholes(batch: OptionBatch, output?: Greeks): Greeks;
  /**
   * Implied volatility of every price (Jäckel, "Let's Be Rational"). Prices outside the no-arbitrage bounds
   * give NaN with a status code; they do not throw.
   * @throws PricingInputError for malformed input (NaN, negative price, non-positive spot/strike/expiry...).
   */
  impliedVol(batch: ImpliedVolBatch): ImpliedVolResult;
  /**
   * Monte Carlo price of one option (European, Asian, barrier, digital, lookback) with its standard error,
   * and greeks with theirs when `spec.greeks` is set. Bit-identical for a seed however the paths are split.
   * @throws PricingInputError naming the invalid field of the spec.
   * @example pricer.monteCarlo({ payoff: "asian-arithmetic", type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.03, steps: 12, paths: 100_000, seed: 7 })
   */
  monteCarlo(spec: MonteCarloSpec): MonteCarloResult;
}

/** Six zeroed result columns backed by one ArrayBuffer (one allocation instead of six; transferring one column's buffer transfers all six). */
function allocateGreeks(n: number): Greeks {
  const buffer = new ArrayBuffer(n * 8 * GREEK_NAMES.length);
  const result = {} as Greeks;
  GREEK_NAMES.forEach((name, k) => (result[name] = new Float64Array(buffer, k * n * 8, n)));
  return result;
}

function checkOutput(output: Greeks, n: number): void {
  for (const name of GREEK_NAMES) {
    const column = (output as unknown as Record<string, unknown>)[name];
    if (!(column instanceof Float64Array) || column.length !== n) {
      throw new PricingInputError(`output.${name}`, undefined, `must be a Float64Array of the batch length ${n}`);
    }
  }
}

/** Scratch layout: `inputs` f64 columns, then `outputs` f64 columns, then `intOutputs` i32 columns, `capacity` each. */
function layout(core: WasmCore, capacity: number, inputs: number, outputs: number, intOutputs: number) {
  const bytes = capacity * 8 * (inputs + outputs) + capacity * 4 * intOutputs;
  const base = core.reserve(bytes);
  const pointers: number[] = [];
  for (let k = 0; k < inputs + outputs; k++) pointers.push(base + k * capacity * 8);
  const intBase = base + capacity * 8 * (inputs + outputs);
  for (let k = 0; k < intOutputs; k++) pointers.push(intBase + k * capacity * 4);
  return pointers;
}

/** Runs `kernel` over the batch chunk by chunk; `collect` copies each chunk's outputs to the results. */
function runChunked(
  core: WasmCore,
  batch: NormalizedBatch,
  outputs: number,
  intOutputs: number,
  kernel: (count: number, pointers: number[]) => void,
  collect: (start: number, count: number, pointers: number[]) => void,
): void {
  const n = batch.length;
  if (n === 0) return;
  const capacity = Math.min(n, CHUNK_OPTIONS);
  const inputs = batch.columns.length;
  const pointers = layout(core, capacity, inputs, outputs, intOutputs);
  for (let start = 0; start < n; start += capacity) {
    const end = Math.min(n, start + capacity);
    const count = end - start;
    for (let k = 0; k < inputs; k++) {
      const column = batch.columns[k]!;
      column.copyInto(core.f64(pointers[k]!, count), start, end);
      const bad = core.exports.firstInvalid(pointers[k]!, count, column.wasmRule);
      if (bad >= 0) {
        const index = column.length === undefined ? undefined : start + bad;
        throw new PricingInputError(column.field, index, column.describeInvalid(start + bad));
      }
    }
    kernel(count, pointers);
    collect(start, count, pointers);
  }
}

/**
 * Loads the WASM core (SIMD build when the host supports it) and returns a pricer.
 * @example
 * const pricer = await createPricer();
 * const { price, delta } = pricer.blackScholes({ type: "put", spot: 100, strike: 95, expiry: 0.25, vol: 0.3, rate: 0.04 });
 */
export async function createPricer(options: PricerOptions = {}): Promise<Pricer> {
  const core = await loadWasmCore(options);
  return pricerOver(core);
}

/** A pricer over an already loaded core (used by workers that receive a compiled module). */
export function pricerOver(core: WasmCore): Pricer {
  const exports = core.exports;
  return {
    simd: core.simd,
    core,
    blackScholes(batch: OptionBatch, output?: Greeks): Greeks {
      const normalized = normalizeOptionBatch(batch);
      const n = normalized.length;
      const result = output ?? allocateGreeks(n);
      if (output !== undefined) checkOutput(output, n);
      runChunked(
        core,
        normalized,
        GREEK_NAMES.length,
        0,
        (count, p) =>
          exports.blackScholesBatch(count, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!, p[10]!, p[11]!, p[12]!),
        (start, count, p) => {
          GREEK_NAMES.forEach((name, k) => result[name].set(core.f64(p[7 + k]!, count), start));
        },
      );
      return result;
    },
    impliedVol(batch: ImpliedVolBatch): ImpliedVolResult {
      const normalized = normalizeImpliedVolBatch(batch);
      const n = normalized.length;
      const result: ImpliedVolResult = { vol: new Float64Array(n), status: new Int32Array(n), iterations: new Int32Array(n) };
      runChunked(
        core,
        normalized,
        1,
        2,
        (count, p) => exports.impliedVolBatch(count, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!),
        (start, count, p) => {
          result.vol.set(core.f64(p[7]!, count), start);
          result.status.set(core.i32(p[8]!, count), start);
          result.iterations.set(core.i32(p[9]!, count), start);
        },
      );
      return result;
    },
    monteCarlo(spec: MonteCarloSpec): MonteCarloResult {
      return monteCarlo(core, spec);
    },
  };
}
