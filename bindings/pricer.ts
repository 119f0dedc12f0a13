// createPricer(): the synchronous, single-thread pricer over the WASM core.
// Batches are processed in chunks of CHUNK_OPTIONS so that any batch size (10 million options and more)
// runs in a fixed scratch region: each chunk's columns are copied into WASM views with one bulk copy each.
import { normalizeImpliedVolBatch, normalizeOptionBatch, type NormalizedBatch } from "./batch.js";
import {
  allocateAmericanResult, americanSettings, americanValuesPerOption, placeAmericanChunk, type AmericanOptions, type AmericanResult,
} from "./american.js";
import { PricingInputError } from "./errors.js";
import { callAmerican, callBlackScholes, callImpliedVol, scratchLayout } from "./kernel/calls.js";
import { GREEK_OUTPUTS, IMPLIED_VOL_OUTPUTS } from "./kernel/columns.js";
import { CHUNK_OPTIONS, ranges } from "./planning.js";
import { monteCarlo, type MonteCarloResult, type MonteCarloSpec } from "./montecarlo.js";
import type { Greeks, ImpliedVolBatch, ImpliedVolResult, OptionBatch } from "./types.js";
import { loadWasmCore, type LoadOptions, type WasmCore } from "./wasm.js";
import {
  backingOf, blackScholesInPlace, createImpliedVolBatch, createOptionBatch, impliedVolInPlace, WasmImpliedVolBatch, WasmOptionBatch,
} from "./wasm-batch.js";

export { CHUNK_OPTIONS } from "./planning.js";

/** Options of createPricer(). */
export type PricerOptions = LoadOptions;

/**
 * The single-thread pricer. Methods are synchronous; see createPricingPool() for the worker-pool version.
 * Units: `expiry` in years (not the pool's unix seconds: `yearsBetween(now, expiry)` converts); `vol`, `rate`,
 * `dividend` annualised decimals, continuously compounded; prices in the unit of `spot` and `strike` (docs/units.md).
 */
export interface Pricer {
  /** True when the SIMD (f64x2) build is running. */
  readonly simd: boolean;
  /** The loaded WASM core (advanced use: compiled module, memory views). */
  readonly core: WasmCore;
  /**
   * Black-Scholes-Merton price, delta, gamma, vega, theta and rho for every option of the batch.
   * Pass `output` (six Float64Arrays of the batch length) to write into arrays you reuse instead of new ones.
   * A batch from this pricer's `createOptionBatch` is priced in place: the result is its `greeks` views (no copies).
   * @throws PricingInputError naming the field and element of the first invalid input.
   * @example pricer.blackScholes({ type: "call", spot: 100, strike: [90, 100, 110], expiry: 0.5, vol: 0.2, rate: 0.03 })
   */
  blackScholes(batch: OptionBatch | WasmOptionBatch, output?: Greeks): Greeks;
  /**
   * Implied volatility of every price (Jäckel, "Let's Be Rational"). Prices outside the no-arbitrage bounds
   * give NaN with a status code; they do not throw. A batch from this pricer's `createImpliedVolBatch` is
   * inverted in place: the result is its `result` views. Pass `output` (vol as a Float64Array, status and
   * iterations as Int32Arrays, of the batch length) to write into arrays you reuse; written only once every
   * input has passed validation, as with blackScholes.
   * @throws PricingInputError for malformed input (NaN, negative price, non-positive spot/strike/expiry...).
   */
  impliedVol(batch: ImpliedVolBatch | WasmImpliedVolBatch, output?: ImpliedVolResult): ImpliedVolResult;
  /**
   * American price, delta, gamma and theta of every option of the batch (calls and puts, rates and yields of either
   * sign), by Andersen-Lake-Offengelt's fixed-point method on the exercise boundary; `options.accuracy` trades speed
   * for error ("accurate" by default), `options.boundary` adds each option's exercise boundary (docs/american.md).
   * @throws PricingInputError naming the field and element of the first invalid input, or the invalid option.
   * @example pricer.american({ type: "put", spot: 100, strike: [90, 100, 110], expiry: 1, vol: 0.3, rate: 0.05 }, { accuracy: "fast" })
   */
  american(batch: OptionBatch, options?: AmericanOptions): AmericanResult;
  /**
   * A zero-copy Black-Scholes batch of `length` options: columns in WASM memory that you fill in place and that
   * `blackScholes` prices with no copy in or out (its `greeks` are views too). Columns start at 0.
   * @throws PricingInputError when `length` is not an integer in [1, 2^24].
   * @example
   * const batch = await pricer.createOptionBatch(3);
   * batch.type.fill(1); batch.spot.fill(100); batch.strike.set([90, 100, 110]); batch.expiry.fill(0.5); batch.vol.fill(0.2);
   * const { price, delta } = pricer.blackScholes(batch);
   */
  createOptionBatch(length: number): Promise<WasmOptionBatch>;
  /** A zero-copy implied-vol batch of `length` options (see createOptionBatch); `impliedVol` fills its `result` views. */
  createImpliedVolBatch(length: number): Promise<WasmImpliedVolBatch>;
  /**
   * Monte Carlo price of one option (European, Asian, barrier, digital, lookback) with its standard error,
   * and greeks with theirs when `spec.greeks` is set. Bit-identical for a seed however the paths are split.
   * @throws PricingInputError naming the invalid field of the spec.
   * @example pricer.monteCarlo({ payoff: "asian-arithmetic", type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.03, steps: 12, paths: 100_000, seed: 7 })
   */
  monteCarlo(spec: MonteCarloSpec): MonteCarloResult;
}

/**
 * Six zeroed result columns, one ArrayBuffer each: a freed column of a few MB comes back from the allocator already
 * mapped, where one buffer of tens of MB is mapped afresh on every call and each of its pages faulted in on first
 * write (1M options: 45 instead of 56 ms a call, measured).
 */
function allocateGreeks(n: number): Greeks {
  const result = {} as Greeks;
  for (const name of GREEK_OUTPUTS) result[name] = new Float64Array(n);
  return result;
}

function checkOutput(output: Greeks, n: number): void {
  for (const name of GREEK_OUTPUTS) {
    const column = (output as unknown as Record<string, unknown>)[name];
    if (!(column instanceof Float64Array) || column.length !== n) {
      throw new PricingInputError(`output.${name}`, undefined, `must be a Float64Array of the batch length ${n}`);
    }
  }
}

/** Throws PricingInputError unless `output` holds vol (Float64Array), status and iterations (Int32Array) of length n. */
function checkImpliedVolOutput(output: ImpliedVolResult, n: number): void {
  const expected = { vol: Float64Array, status: Int32Array, iterations: Int32Array } as const;
  for (const [name, type] of Object.entries(expected)) {
    const column = (output as unknown as Record<string, unknown>)[name];
    if (!(column instanceof type) || (column as ArrayLike<number>).length !== n) {
      throw new PricingInputError(`output.${name}`, undefined, `must be a ${type.name} of the batch length ${n}`);
    }
  }
}

/** Copies every column of `from` into the same-named column of `output` and returns `output`. */
export function copyColumns<T extends object>(output: T, from: T): T {
  for (const name of Object.keys(from) as (keyof T)[]) (output[name] as Float64Array).set(from[name] as Float64Array);
  return output;
}

/**
 * Before results go into caller-owned arrays chunk by chunk: checks the arrays, then every chunk after the first
 * (the first is checked by its kernel call before anything is written), so an error leaves them untouched.
 */
export function checkBeforeWritingInto(core: WasmCore, batch: NormalizedBatch, checkArrays: () => void): void {
  checkArrays();
  if (batch.length > CHUNK_OPTIONS) checkLaterChunks(core, batch);
}

/** Throws the PricingInputError of the first invalid element of a chunk already copied to `pointers` (column order, then index). */
function checkChunk(core: WasmCore, batch: NormalizedBatch, pointers: number[], start: number, count: number): void {
  batch.columns.forEach((column, k) => {
    const bad = core.exports.firstInvalid(pointers[k]!, count, column.wasmRule);
    if (bad >= 0) {
      const index = column.length === undefined ? undefined : start + bad;
      throw new PricingInputError(column.field, index, column.describeInvalid(start + bad));
    }
  });
}

/**
 * Runs `kernel` over the batch chunk by chunk (its columns: the batch's inputs, then `outputs` f64 and `intOutputs`
 * i32 columns); `collect` copies each chunk's outputs, from the pointers of its output columns, to the results.
 * The kernels check their inputs themselves (no separate pass) and return non-zero when one is out of their
 * domain; the chunk's first invalid element is then located with firstInvalid and thrown.
 */
export function runChunked(
  core: WasmCore,
  batch: NormalizedBatch,
  outputs: number,
  intOutputs: number,
  kernel: (count: number, pointers: number[]) => number,
  collect: (start: number, count: number, outputPointers: number[]) => void,
): void {
  const n = batch.length;
  if (n === 0) return;
  const capacity = Math.min(n, CHUNK_OPTIONS);
  const inputs = batch.columns.length;
  const pointers = scratchLayout(core, capacity, inputs, outputs, intOutputs);
  for (const { start, count } of ranges(n, capacity)) {
    copyChunk(core, batch, pointers, start, count);
    if (kernel(count, pointers) !== 0) {
      checkChunk(core, batch, pointers, start, count);
      throw new Error("pool2peer: internal error: the kernel flagged an input that firstInvalid accepts");
    }
    collect(start, count, pointers.slice(inputs));
  }
}

function copyChunk(core: WasmCore, batch: NormalizedBatch, pointers: number[], start: number, count: number): void {
  batch.columns.forEach((column, k) => column.copyInto(core.f64(pointers[k]!, count), start, start + count));
}

/**
 * Checks chunks 2… of a batch without pricing them, before results go into caller-owned arrays chunk by chunk
 * (the first chunk is checked by its kernel call before anything is written).
 */
function checkLaterChunks(core: WasmCore, batch: NormalizedBatch): void {
  const capacity = Math.min(batch.length, CHUNK_OPTIONS);
  const pointers = scratchLayout(core, capacity, batch.columns.length, 0, 0);
  for (const { start, count } of ranges(batch.length - capacity, capacity, capacity)) {
    copyChunk(core, batch, pointers, start, count);
    checkChunk(core, batch, pointers, start, count);
  }
}

/**
 * Loads the WASM core (SIMD build when the host supports it) and returns a pricer. Its batches take `expiry` in
 * years and `vol`, `rate`, `dividend` as annualised decimals (docs/units.md).
 * @example
 * const pricer = await createPricer();
 * const { price, delta } = pricer.blackScholes({ type: "put", spot: 100, strike: 95, expiry: 0.25, vol: 0.3, rate: 0.04 });
 */
export async function createPricer(options: PricerOptions = {}): Promise<Pricer> {
  const core = await loadWasmCore(options);
  return pricerOver(core);
}

/** A pricer over an already loaded core (bindings/surface/chain.ts prices on the core it holds). */
export function pricerOver(core: WasmCore): Pricer {
  const exports = core.exports;
  return {
    simd: core.simd,
    core,
    blackScholes(batch: OptionBatch | WasmOptionBatch, output?: Greeks): Greeks {
      const backing = batch instanceof WasmOptionBatch ? backingOf(batch, core.module) : undefined;
      if (backing && batch instanceof WasmOptionBatch) {
        if (output !== undefined) checkOutput(output, batch.length);
        const greeks = blackScholesInPlace(batch, backing);
        return output === undefined ? greeks : copyColumns(output, greeks);
      }
      const normalized = normalizeOptionBatch(batch);
      const n = normalized.length;
      const result = output ?? allocateGreeks(n);
      if (output !== undefined) checkBeforeWritingInto(core, normalized, () => checkOutput(output, n));
      runChunked(
        core,
        normalized,
        GREEK_OUTPUTS.length,
        0,
        (count, p) => callBlackScholes(exports, count, p),
        (start, count, out) => GREEK_OUTPUTS.forEach((name, k) => result[name].set(core.f64(out[k]!, count), start)),
      );
      return result;
    },
    impliedVol(batch: ImpliedVolBatch | WasmImpliedVolBatch, output?: ImpliedVolResult): ImpliedVolResult {
      const backing = batch instanceof WasmImpliedVolBatch ? backingOf(batch, core.module) : undefined;
      if (backing && batch instanceof WasmImpliedVolBatch) {
        if (output !== undefined) checkImpliedVolOutput(output, batch.length);
        const inPlace = impliedVolInPlace(batch, backing);
        return output === undefined ? inPlace : copyColumns(output, inPlace);
      }
      const normalized = normalizeImpliedVolBatch(batch);
      const n = normalized.length;
      if (output !== undefined) checkBeforeWritingInto(core, normalized, () => checkImpliedVolOutput(output, n));
      const result: ImpliedVolResult = output ?? { vol: new Float64Array(n), status: new Int32Array(n), iterations: new Int32Array(n) };
      runChunked(
        core,
        normalized,
        1,
        IMPLIED_VOL_OUTPUTS.length - 1,
        (count, p) => callImpliedVol(exports, count, p),
        (start, count, [vol, status, iterations]) => {
          result.vol.set(core.f64(vol!, count), start);
          result.status.set(core.i32(status!, count), start);
          result.iterations.set(core.i32(iterations!, count), start);
        },
      );
      return result;
    },
    american(batch: OptionBatch, options?: AmericanOptions): AmericanResult {
      const settings = americanSettings(options);
      const normalized = normalizeOptionBatch(batch);
      const result = allocateAmericanResult(normalized.length, settings);
      const capacity = Math.min(normalized.length, CHUNK_OPTIONS);
      const inputs = normalized.columns.length;
      runChunked(
        core,
        normalized,
        americanValuesPerOption(settings),
        0,
        (count, p) => callAmerican(exports, count, p, p[inputs]!, capacity, settings),
        (start, count, [outputs]) => placeAmericanChunk(result, core.exports.memory.buffer, outputs!, capacity, count, start),
      );
      return result;
    },
    monteCarlo(spec: MonteCarloSpec): MonteCarloResult {
      return monteCarlo(core, spec);
    },
    createOptionBatch(length: number): Promise<WasmOptionBatch> {
      return createOptionBatch(core.module, length);
    },
    createImpliedVolBatch(length: number): Promise<WasmImpliedVolBatch> {
      return createImpliedVolBatch(core.module, length);
    },
  };
}
