// createPricingPool(): the pricer's methods, async, split across worker threads (Node) or module workers
// (browsers). The calling thread validates every batch in full first (errors name the element of the whole
// batch and nothing is sent), workers price chunks with the same WASM module compiled once here.
import { americanSettings, type AmericanOptions, type AmericanResult } from "../bindings/american.js";
import { normalizeImpliedVolBatch, normalizeOptionBatch, type NormalizedBatch } from "../bindings/batch.js";
import { PricingInputError } from "../bindings/errors.js";
import type { Greeks, ImpliedVolBatch, ImpliedVolResult, OptionBatch } from "../bindings/types.js";
import {
  combineMonteCarloBlocks,
  monteCarloBlockCount,
  normalizeMonteCarloSpec,
  type NormalizedMonteCarloSpec,
  type MonteCarloResult,
  type MonteCarloSpec,
} from "../bindings/montecarlo.js";
import { GREEK_OUTPUTS, IMPLIED_VOL_INPUTS, OPTION_INPUTS, OUTPUT_BYTES_PER_OPTION } from "../bindings/kernel/columns.js";
import { evenSize, pricerOrderValidator, validateInPricerOrder } from "../bindings/planning.js";
import { copyColumns } from "../bindings/pricer.js";
import { compileWasmCore, importsMemory, loadWasmCore } from "../bindings/wasm.js";
import {
  americanOf,
  batchSource,
  greeksOf,
  impliedVolOf,
  planColumnJob,
  resultColumns,
  type ColumnJobOptions,
  type ColumnKind,
  type ColumnSource,
  type ResultColumns,
} from "./chunking.js";
import { defaultWorkerCount, sharedMemoryUsable } from "./host.js";
import { MicroBatcher, type MicroBatchOptions } from "./micro-batch.js";
import { planMonteCarloJob } from "./monte-carlo.js";
import type { CrashMode } from "./protocol.js";
import { PoolBatches, type PoolOptionBatch } from "./pool-batch.js";
import { WorkerScheduler, type CallOptions } from "./scheduler.js";

export { WorkerCrashError, type CallOptions } from "./scheduler.js";
export type { MicroBatchOptions } from "./micro-batch.js";

/** Options per chunk task by default: ~1.8 MB of inputs, ≥ 16k options so a message (~20-100 µs) is amortised. */
export const DEFAULT_CHUNK_OPTIONS = 32_768;

/** Options of createPricingPool(). */
export interface PricingPoolOptions {
  /** Worker count; default `os.availableParallelism()` in Node, `navigator.hardwareConcurrency` in browsers. */
  workers?: number;
  /** Force the SIMD (true) or scalar (false) build; default SIMD when the host supports it. Ignored with `module`. */
  simd?: boolean;
  /**
   * An already compiled core (e.g. `pricer.core.module`) to take the build from: sent to every worker, never
   * recompiled. In shared-memory mode the workers run its shared-memory twin (same SIMD-ness), compiled once per
   * process, unless it is one already (`compileWasmCore({ sharedMemory: true })`).
   */
  module?: WebAssembly.Module;
  /** Options per chunk task (rounded up to even, at most 2^20); default 32768. */
  chunkSize?: number;
  /** Coalesce small concurrent calls into shared batches (default true), or tune how. */
  microBatch?: boolean | MicroBatchOptions;
  /**
   * Share each worker's WASM memory with the calling thread (default: when SharedArrayBuffer is usable — always in
   * Node, cross-origin isolated pages in browsers): the calling thread writes each chunk's inputs straight into the
   * worker's memory and reads the outputs from it, and inputs or outputs that are SharedArrayBuffer views are read
   * or written by the workers in place. Otherwise each chunk's inputs and outputs are transferred. Results are
   * ordinary ArrayBuffers either way.
   */
  sharedMemory?: boolean;
  /** The worker script; default dist/workers/worker.js (Node) or pool2peer.worker.js beside the bundle (browser). */
  workerUrl?: string | URL;
}

/** Options of one `blackScholes` call on the pool. */
export interface BlackScholesCallOptions extends CallOptions {
  /**
   * Six Float64Arrays of the batch length to write the results into (returned), like the pricer's `output`:
   * saves allocating result buffers per call. Ordinary arrays are written only once the whole call has
   * succeeded (through a reused arena, copied at the end). When all six are views over SharedArrayBuffers (and
   * the pool uses shared memory), the workers write them in place as chunks finish: no copy and no fresh memory,
   * the fastest way to run repeated large batches; if such a call rejects, they are left all NaN rather than
   * half-written (the call settles only after its running chunks have ended, so nothing writes into them afterwards).
   */
  output?: Greeks;
}

/** Options of one `american` call on the pool: the pricer's (accuracy, boundary) and a long call's (signal, progress). */
export interface AmericanCallOptions extends AmericanOptions, CallOptions {}

/**
 * Options per American task: ~5 ms of work in the fast mode and ~30 ms in the accurate one, so a message (~20-100 µs)
 * is amortised and the workers stay balanced on small batches. American tasks always travel in transfer mode: their
 * outputs (up to 38 values an option with a boundary) would not fit the task regions sized for Black-Scholes, and
 * at microseconds an option the copies are noise.
 */
const AMERICAN_TASK_OPTIONS = 1024;

/** The worker-pool pricer: the single-thread pricer's methods, async, plus close(). */
export interface PricingPool {
  /** Number of workers. */
  readonly workers: number;
  /** True when the workers run the SIMD build. */
  readonly simd: boolean;
  /** True when batches move through SharedArrayBuffer. */
  readonly sharedMemory: boolean;
  /** The compiled module every worker instantiates. */
  readonly module: WebAssembly.Module;
  /**
   * Black-Scholes-Merton price and greeks (see Pricer.blackScholes), bit-identical to the single-thread pricer.
   * @throws (rejects) PricingInputError naming the field and the element of the whole batch.
   */
  blackScholes(batch: OptionBatch, options?: BlackScholesCallOptions): Promise<Greeks>;
  /** Implied volatility (see Pricer.impliedVol), bit-identical to the single-thread pricer. */
  impliedVol(batch: ImpliedVolBatch, options?: CallOptions): Promise<ImpliedVolResult>;
  /**
   * American price, delta, gamma, theta (and the boundary on request; see Pricer.american), bit-identical to the
   * single-thread pricer for any worker count. Progress is in options.
   * @throws (rejects) PricingInputError naming the field and the element of the whole batch, or the invalid option.
   */
  american(batch: OptionBatch, options?: AmericanCallOptions): Promise<AmericanResult>;
  /**
   * Monte Carlo price (see Pricer.monteCarlo): path blocks spread over the workers, summed in block order, so
   * the result is bit-identical to the single-thread pricer for the same spec and seed. Progress is in paths.
   * @throws (rejects) PricingInputError naming the invalid spec field.
   */
  monteCarlo(spec: MonteCarloSpec, options?: CallOptions): Promise<MonteCarloResult>;
  /**
   * Accumulators of path blocks [firstBlock, firstBlock + blockCount) of a normalised spec (see
   * runMonteCarloBlocks), computed across the workers: for callers that distribute blocks further (the fleet).
   */
  monteCarloBlocks(spec: NormalizedMonteCarloSpec, firstBlock: number, blockCount: number, options?: CallOptions): Promise<Float64Array>;
  /**
   * A zero-copy Black-Scholes batch of `length` options shared by the workers (shared-memory pools only): fill its
   * input views in place and `blackScholes(batch)` prices it where it is, across the workers, resolving to its
   * `greeks` views (overwritten by the next call on it; NaN after a rejected one). The pool's fastest path: nothing
   * is copied. Calls on one batch run one after another. `batch.close()` releases it.
   * @throws (rejects) PricingInputError for a bad length; Error when the pool does not use shared memory.
   */
  createOptionBatch(length: number): Promise<PoolOptionBatch>;
  /** Terminates every worker; pending calls reject. The process can exit afterwards. */
  close(): Promise<void>;
}

const schedulers = new WeakMap<object, WorkerScheduler>();

/** True for a pool made by createPricingPool() (open or closed). */
export function isPricingPool(value: unknown): value is PricingPool {
  return typeof value === "object" && value !== null && schedulers.has(value);
}

/**
 * Fault injection for tests: makes worker `index` of `pool` crash — "exit" (process.exit inside it), "throw"
 * (uncaught exception inside it) or "kill" (terminated from outside). Not part of the package's public API.
 */
export function injectWorkerCrash(pool: PricingPool, index: number, mode: CrashMode | "kill"): void {
  const scheduler = schedulers.get(pool);
  if (!scheduler) throw new TypeError("pool2peer: not a pricing pool");
  scheduler.injectCrash(index, mode);
}

function positiveInteger(field: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new PricingInputError(field, undefined, max === Number.MAX_SAFE_INTEGER ? `must be a positive integer, got ${value}` : `must be an integer in [1, ${max}], got ${value}`);
  }
  return value;
}

/**
 * Tasks each worker holds at once. With two, a worker ran dry whenever the calling thread answered late (on two
 * cores it shares a core with a worker, and zeroing a new result takes it ~5 ms): four keep ~4 ms of work queued.
 */
const TASKS_IN_FLIGHT = 4;

/** Largest chunk: a worker's task regions (104 bytes an option each) stay well inside its 1 GiB of memory. */
const MAX_CHUNK_OPTIONS = 1 << 20;

/** Throws PricingInputError unless `output` holds six Float64Arrays of length n. */
function checkGreeksOutput(output: Greeks, n: number): void {
  for (const name of GREEK_OUTPUTS) {
    const column = (output as unknown as Record<string, unknown>)[name];
    if (!(column instanceof Float64Array) || column.length !== n) {
      throw new PricingInputError(`output.${name}`, undefined, `must be a Float64Array of the batch length ${n}`);
    }
  }
}

/**
 * Output columns as in-place targets when every one is a Float64Array over a SharedArrayBuffer, else undefined.
 * Written by several workers while others still read the inputs, so they must not overlap one another or an
 * input column read in place (PricingInputError naming the output column otherwise).
 */
function sharedOutputColumns(output: Greeks, source: ColumnSource): Record<number, { buffer: SharedArrayBuffer; offset: number }> | undefined {
  const columns = GREEK_OUTPUTS.map((name) => output[name]);
  if (!columns.every((column) => column.buffer instanceof SharedArrayBuffer)) return undefined;
  const overlap = (a: Float64Array, b: Float64Array) =>
    a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
  const inputs = OPTION_INPUTS.map((_, c) => source.sharedColumn?.(c));
  const outPlace: Record<number, { buffer: SharedArrayBuffer; offset: number }> = {};
  for (const [c, column] of columns.entries()) {
    const clash = columns.findIndex((other, k) => k < c && overlap(column, other));
    if (clash >= 0) throw new PricingInputError(`output.${GREEK_OUTPUTS[c]}`, undefined, `must not share memory with output.${GREEK_OUTPUTS[clash]}`);
    const input = inputs.findIndex((other) => other !== undefined && overlap(column, other));
    if (input >= 0) throw new PricingInputError(`output.${GREEK_OUTPUTS[c]}`, undefined, `must not share memory with the input column ${OPTION_INPUTS[input]}`);
    outPlace[c] = { buffer: column.buffer as SharedArrayBuffer, offset: column.byteOffset / 8 };
  }
  return outPlace;
}

/** Validates a whole batch now, in the single-thread pricer's order (same first error). */
function validateLikePricer(batch: NormalizedBatch): void {
  validateInPricerOrder((start, end) => batch.validate(start, end), batch.length);
}

/** The numeric input fields of each kernel (all but `type`). */
const BS_FIELDS = OPTION_INPUTS.filter((field) => field !== "type");
const IV_FIELDS = IMPLIED_VOL_INPUTS.filter((field) => field !== "type");

/** A ColumnJobOptions validator over validateUpTo (the range's start is implied: every earlier element is checked). */
const validateUpTo = (upTo: (end: number) => void) => (_start: number, end: number) => upTo(end);

/** A typed array of numbers: its f64 copy is exact, so a worker can check the copied values themselves. */
function isNumericTypedArray(value: unknown): boolean {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}

/**
 * True when workers can screen the batch instead of the calling thread validating it: every per-option column
 * is a typed array (a JS array could hold "5" or null, which the f64 copy would turn into valid-looking numbers)
 * and `type` is a string, an Int8Array or a Float64Array. Scalars were already checked by the normalisation.
 */
function screenable(batch: object, fields: readonly string[]): boolean {
  const record = batch as Record<string, unknown>;
  if (typeof record.type !== "string" && !(record.type instanceof Int8Array) && !(record.type instanceof Float64Array)) return false;
  return fields.every((f) => record[f] === undefined || typeof record[f] === "number" || isNumericTypedArray(record[f]));
}

/** Throws the exact error of a batch a worker found invalid (the validator, in pricer order, finds it). */
function rethrowExactError(batch: NormalizedBatch): never {
  validateLikePricer(batch);
  throw new Error("pool2peer: internal error: a worker flagged input that the validator accepts");
}

/**
 * Buffers kept between calls: allocating and first touching MBs per call costs more than pricing them. At most
 * `maxSpare` are kept, and none larger than `MAX_ARENA_BYTES`. A buffer is handed out to one user at a time.
 */
class BufferStore {
  private spare: ArrayBuffer[] = [];
  constructor(private readonly maxSpare: number) {}
  acquire(bytes: number): ArrayBuffer {
    let best = -1;
    this.spare.forEach((a, k) => {
      if (a.byteLength >= bytes && (best < 0 || a.byteLength < this.spare[best]!.byteLength)) best = k;
    });
    if (best >= 0) return this.spare.splice(best, 1)[0]!;
    return new ArrayBuffer(Math.max(bytes, 8));
  }
  release(buffer: ArrayBuffer): void {
    if (buffer.byteLength > MAX_ARENA_BYTES) return;
    this.spare.push(buffer);
    if (this.spare.length > this.maxSpare) this.spare.sort((a, b) => b.byteLength - a.byteLength).pop();
  }
}
// Staging buffers of a few calls into ordinary `output` arrays in flight at once.
const MAX_SPARE_ARENAS = 8;
const MAX_ARENA_BYTES = 1 << 27;

// A coalesced call's results are views into its batch's output (a copy per caller would allocate six buffers
// per single-option call, and the garbage collector then dominates the cost of micro-batching).
function sliceGreeks(g: Greeks, offset: number, length: number): Greeks {
  const end = offset + length;
  return {
    price: g.price.subarray(offset, end),
    delta: g.delta.subarray(offset, end),
    gamma: g.gamma.subarray(offset, end),
    vega: g.vega.subarray(offset, end),
    theta: g.theta.subarray(offset, end),
    rho: g.rho.subarray(offset, end),
  };
}

function sliceImpliedVol(r: ImpliedVolResult, offset: number, length: number): ImpliedVolResult {
  const end = offset + length;
  return { vol: r.vol.subarray(offset, end), status: r.status.subarray(offset, end), iterations: r.iterations.subarray(offset, end) };
}

/** Shared-memory twins of compiled modules (same SIMD-ness), compiled once per process. */
const sharedTwins = new WeakMap<WebAssembly.Module, Promise<WebAssembly.Module>>();

/**
 * The module the workers instantiate: `options.module` or the bundled build, as its shared-memory build in shared
 * mode (a module given that is not one is swapped for its twin, compiled once).
 */
async function workerModule(options: PricingPoolOptions, sharedMemory: boolean): Promise<WebAssembly.Module> {
  const given = options.module;
  if (!given) return compileWasmCore({ simd: options.simd, sharedMemory });
  if (!sharedMemory || importsMemory(given)) return given;
  let twin = sharedTwins.get(given);
  if (!twin) {
    twin = loadWasmCore({ module: given }).then(({ simd }) => compileWasmCore({ simd, sharedMemory: true }));
    sharedTwins.set(given, twin);
  }
  return twin;
}

/**
 * Starts a pool of pricing workers.
 * @example
 * const pool = await createPricingPool({ workers: 2 });
 * const greeks = await pool.blackScholes({ type: "call", spot: 100, strike: strikes, expiry: 0.5, vol: 0.2, rate: 0.03 });
 * await pool.close();
 */
export async function createPricingPool(options: PricingPoolOptions = {}): Promise<PricingPool> {
  const workers = positiveInteger("workers", options.workers, defaultWorkerCount());
  const requestedChunk = positiveInteger("chunkSize", options.chunkSize, DEFAULT_CHUNK_OPTIONS, MAX_CHUNK_OPTIONS);
  const chunkSize = evenSize(requestedChunk);
  const sharedMemory = options.sharedMemory ?? sharedMemoryUsable();
  if (sharedMemory && !sharedMemoryUsable()) throw new Error("pool2peer: SharedArrayBuffer is not usable here (browsers: cross-origin isolation)");
  const module = await workerModule(options, sharedMemory);
  // Shared mode: each worker's WASM memory is shared with this thread, which writes every chunk's inputs straight
  // into the task's region there and reads the outputs from it (no copy on the worker's side).
  const scheduler = await WorkerScheduler.start(module, workers, {
    workerUrl: options.workerUrl,
    maxInFlight: TASKS_IN_FLIGHT,
    regionCapacity: sharedMemory ? chunkSize : undefined,
  });

  const micro = options.microBatch === false ? undefined : options.microBatch === true || options.microBatch === undefined ? {} : options.microBatch;
  const windowMs = micro?.windowMs ?? 0;
  const maxCallOptions = micro?.maxCallOptions ?? 1024;
  const maxBatchOptions = micro?.maxBatchOptions ?? chunkSize;

  // Reused staging buffers for results copied into the caller's ordinary `output` arrays.
  const outputArenas = new BufferStore(MAX_SPARE_ARENAS);
  /** Prices a column batch; `validate` (optional) checks it chunk by chunk in pricer order as chunks are sent. */
  const runColumns = async (
    kind: Exclude<ColumnKind, "american">,
    source: ColumnSource,
    call?: CallOptions,
    check?: Pick<ColumnJobOptions, "validate" | "screenInWorkers">,
    into?: Greeks,
  ): Promise<ResultColumns> => {
    // Results are new ordinary ArrayBuffers that the calling thread fills chunk by chunk. (Fresh SharedArrayBuffers
    // per call, which the workers wrote in place, were faster on paper but never came back: V8 does not count them
    // towards a garbage collection, and each worker's copy of the handle lives until its own rare collection, so
    // 1M-option calls grew the process by 48 MB each, to 4 GB after 80 calls.) Output columns that are the caller's
    // own SharedArrayBuffer views are written by the workers in place: no copy, no fresh memory. Other `into` arrays
    // are filled from a reused buffer once the whole call has succeeded.
    const n = source.length;
    const outPlace = sharedMemory && into ? sharedOutputColumns(into, source) : undefined;
    const staged = into && !outPlace ? outputArenas.acquire(n * OUTPUT_BYTES_PER_OPTION[kind]) : undefined;
    const job = planColumnJob(kind, source, chunkSize, {
      shared: sharedMemory ? { outPlace } : undefined,
      output: staged && resultColumns(kind, n, staged),
      ...check,
    });
    // When workers write into the caller's arrays, the call settles only after its running tasks end (drain), and a
    // failed call leaves them all NaN rather than half-written (as a zero-copy batch's outputs).
    try {
      await scheduler.run(job.tasks, n, { ...call, drain: outPlace !== undefined });
    } catch (error) {
      if (outPlace) for (const name of GREEK_OUTPUTS) into![name].fill(NaN);
      throw error;
    }
    if (staged) {
      const columns = job.result(); // views of `staged`
      GREEK_OUTPUTS.forEach((name, c) => into![name].set(columns[c]!));
      outputArenas.release(staged);
    }
    return job.result();
  };
  /** Black-Scholes into `output` (see BlackScholesCallOptions), or into new arrays: one ArrayBuffer each, as the pricer returns. */
  const runGreeks = async (source: ColumnSource, call?: CallOptions, check?: Pick<ColumnJobOptions, "validate" | "screenInWorkers">, output?: Greeks): Promise<Greeks> => {
    const columns = await runColumns("blackScholes", source, call, check, output);
    return output ?? greeksOf(columns);
  };
  /** Typed-array batches are screened by the workers (in parallel); others validated here as chunks are sent. */
  const checkOf = (input: object, fields: readonly string[], batch: NormalizedBatch): Pick<ColumnJobOptions, "validate" | "screenInWorkers"> =>
    screenable(input, fields)
      ? { screenInWorkers: { onInvalid: () => rethrowExactError(batch) } }
      : { validate: validateUpTo(pricerOrderValidator((s, e) => batch.validate(s, e), batch.length)) };
  const bsBatcher = new MicroBatcher<Greeks, Greeks>(
    (source) => runGreeks(source),
    sliceGreeks,
    windowMs,
    maxBatchOptions,
  );
  const ivBatcher = new MicroBatcher<ImpliedVolResult, ImpliedVolResult>(
    async (source) => impliedVolOf(await runColumns("impliedVol", source)),
    sliceImpliedVol,
    windowMs,
    maxBatchOptions,
  );
  const coalesce = (n: number, call: CallOptions | undefined): boolean =>
    micro !== undefined && n <= maxCallOptions && call?.signal === undefined && call?.onProgress === undefined;

  const poolBatches = sharedMemory ? new PoolBatches(module, workers, scheduler, chunkSize) : undefined;

  let closed = false;
  const pool: PricingPool = {
    workers,
    get simd() {
      return scheduler.simd;
    },
    sharedMemory,
    module,
    async blackScholes(batch, call) {
      if (closed) throw new Error("pool2peer: the pricing pool is closed");
      if (poolBatches?.owns(batch)) {
        const output = call?.output;
        if (output !== undefined) checkGreeksOutput(output, batch.length);
        const greeks = await poolBatches.price(batch, call);
        return output === undefined ? greeks : copyColumns(output, greeks);
      }
      const normalized = normalizeOptionBatch(batch);
      const source = batchSource(normalized);
      const output = call?.output;
      if (output !== undefined) checkGreeksOutput(output, source.length);
      if (coalesce(source.length, call)) {
        validateLikePricer(normalized); // a bad call must fail alone, before it joins a shared batch
        const greeks = await bsBatcher.add(source);
        return output === undefined ? greeks : copyColumns(output, greeks);
      }
      return runGreeks(source, call, checkOf(batch, BS_FIELDS, normalized), output);
    },
    async impliedVol(batch, call) {
      if (closed) throw new Error("pool2peer: the pricing pool is closed");
      const normalized = normalizeImpliedVolBatch(batch);
      const source = batchSource(normalized);
      if (coalesce(source.length, call)) {
        validateLikePricer(normalized); // a bad call must fail alone, before it joins a shared batch
        return ivBatcher.add(source);
      }
      return impliedVolOf(await runColumns("impliedVol", source, call, checkOf(batch, IV_FIELDS, normalized)));
    },
    async american(batch, options) {
      if (closed) throw new Error("pool2peer: the pricing pool is closed");
      const settings = americanSettings(options);
      const normalized = normalizeOptionBatch(batch);
      const source = batchSource(normalized);
      const job = planColumnJob("american", source, Math.min(chunkSize, AMERICAN_TASK_OPTIONS), {
        american: settings,
        ...checkOf(batch, BS_FIELDS, normalized),
      });
      await scheduler.run(job.tasks, source.length, options);
      return americanOf(job.result(), settings);
    },
    async monteCarlo(spec, call) {
      if (closed) throw new Error("pool2peer: the pricing pool is closed");
      const normalized = normalizeMonteCarloSpec(spec);
      const job = planMonteCarloJob(normalized, workers);
      await scheduler.run(job.tasks, job.paths, call);
      return combineMonteCarloBlocks(normalized, job.blocks);
    },
    async monteCarloBlocks(spec, firstBlock, blockCount, call) {
      if (closed) throw new Error("pool2peer: the pricing pool is closed");
      const total = monteCarloBlockCount(spec);
      if (!Number.isInteger(firstBlock) || firstBlock < 0 || firstBlock >= total) {
        throw new PricingInputError("firstBlock", undefined, `must be an integer in [0, ${total}), got ${firstBlock}`);
      }
      if (!Number.isInteger(blockCount) || blockCount < 1 || firstBlock + blockCount > total) {
        throw new PricingInputError("blockCount", undefined, `must be an integer in [1, ${total - firstBlock}], got ${blockCount}`);
      }
      const job = planMonteCarloJob(spec, workers, firstBlock, blockCount);
      await scheduler.run(job.tasks, job.paths, call);
      return job.blocks;
    },
    async createOptionBatch(length) {
      if (closed) throw new Error("pool2peer: the pricing pool is closed");
      if (!poolBatches) throw new Error("pool2peer: createOptionBatch needs a pool in shared-memory mode (SharedArrayBuffer; in browsers, a cross-origin isolated page)");
      return poolBatches.create(length);
    },
    async close() {
      if (closed) return;
      closed = true;
      const error = new Error("pool2peer: the pricing pool was closed");
      bsBatcher.rejectPending(error);
      ivBatcher.rejectPending(error);
      await scheduler.close();
    },
  };
  schedulers.set(pool, scheduler);
  return pool;
}
