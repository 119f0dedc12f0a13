// createPricingPool(): the pricer's methods, async, split across worker threads (Node) or module workers
// (browsers). The calling thread validates every batch in full first (errors name the element of the whole
// batch and nothing is sent), workers price chunks with the same WASM module compiled once here.
import type { AmericanOptions, AmericanResult } from "../bindings/american.js";
import { PricingInputError } from "../bindings/errors.js";
import { combineMonteCarloBlocks, normalizeMonteCarloSpec, type MonteCarloResult, type MonteCarloSpec, type NormalizedMonteCarloSpec } from "../bindings/montecarlo.js";
import { evenSize } from "../bindings/planning.js";
import { copyColumns } from "../bindings/pricer.js";
import type { Greeks, ImpliedVolBatch, ImpliedVolResult, OptionBatch } from "../bindings/types.js";
import { asyncDispose } from "../bindings/global-types.js";
import { compileWasmCore, importsMemory, loadWasmCore } from "../bindings/wasm.js";
import { checkGreeksOutput, ColumnCalls } from "./column-calls.js";
import { defaultWorkerCount, sharedMemoryUsable } from "./host.js";
import type { SpawnWorker } from "./protocol.js";
import type { MicroBatchOptions } from "./micro-batch.js";
import { checkBlockRange, planMonteCarloJob } from "./monte-carlo.js";
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

/** Options of one `blackScholesPrice` call on the pool. */
export interface BlackScholesPriceCallOptions extends CallOptions {
  /**
   * A Float64Array of the batch length to write the prices into (returned). Ordinary arrays are written once the
   * whole call has succeeded; a view over a SharedArrayBuffer (shared-memory pools) is written by the workers in
   * place as chunks finish, and left all NaN if the call rejects (which settles after its running chunks end).
   */
  output?: Float64Array;
}

/** Options of one `american` call on the pool: the pricer's (accuracy, boundary) and a long call's (signal, progress). */
export interface AmericanCallOptions extends AmericanOptions, CallOptions {}

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
  /**
   * Black-Scholes-Merton prices alone (the kernel's price-only form): the `price` column `blackScholes` gives, bit
   * for bit, without computing or moving the five other greeks. For large repeated valuations (a margin ES). On a
   * pool batch (createOptionBatch) it prices in place and resolves to its `greeks.price` view, leaving the other
   * greek columns as they were.
   * @throws (rejects) PricingInputError naming the field and the element of the whole batch, or `output`.
   */
  blackScholesPrice(batch: OptionBatch, options?: BlackScholesPriceCallOptions): Promise<Float64Array>;
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
  /**
   * Terminates every worker; pending calls reject. Idempotent. A pool never closed does not keep Node running
   * (idle workers are unref'd), but its workers live until the process ends.
   */
  close(): Promise<void>;
  /** close(), for `await using pool = await createPricingPool()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const pools = new WeakSet<object>();

/** True for a pool made by createPricingPool() (open or closed). */
export function isPricingPool(value: unknown): value is PricingPool {
  return typeof value === "object" && value !== null && pools.has(value);
}

function positiveInteger(field: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new PricingInputError(field, undefined, max === Number.MAX_SAFE_INTEGER ? `must be a positive integer, got ${value}` : `must be an integer in [1, ${max}], got ${value}`);
  }
  return value;
}

/**
 * Tasks each worker holds at once: four keep ~4 ms of work queued, so a worker stays busy when the calling thread
 * answers late (on two cores it shares a core with a worker, and zeroing a new result takes it ~5 ms).
 */
const TASKS_IN_FLIGHT = 4;

/** Largest chunk: a worker's task regions (104 bytes an option each) stay well inside its 1 GiB of memory. */
const MAX_CHUNK_OPTIONS = 1 << 20;

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
 * Starts a pool of pricing workers (the worker pool: threads, not the liquidity pool). Same methods and units as
 * the pricer: `expiry` in years; `vol`, `rate`, `dividend` annualised decimals (docs/units.md).
 * @example
 * const pool = await createPricingPool({ workers: 2 });
 * const greeks = await pool.blackScholes({ type: "call", spot: 100, strike: strikes, expiry: 0.5, vol: 0.2, rate: 0.03 });
 * await pool.close();
 */
export async function createPricingPool(options: PricingPoolOptions = {}): Promise<PricingPool> {
  return startPricingPool(options);
}

/** The checked options and the started workers of a pool (startPricingPool). */
async function startWorkers(options: PricingPoolOptions, spawn: SpawnWorker | undefined) {
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
    spawn,
    maxInFlight: TASKS_IN_FLIGHT,
    regionCapacity: sharedMemory ? chunkSize : undefined,
  });
  return { workers, chunkSize, sharedMemory, module, scheduler };
}

/**
 * createPricingPool() with the way its workers are started chosen: `spawn` (default spawnWorker) starts each worker,
 * the first ones and the replacements. Not in the package's exports: the tests start workers they can crash.
 */
export async function startPricingPool(options: PricingPoolOptions, spawn?: SpawnWorker): Promise<PricingPool> {
  const { workers, chunkSize, sharedMemory, module, scheduler } = await startWorkers(options, spawn);
  const micro = options.microBatch === false ? undefined : options.microBatch === true || options.microBatch === undefined ? {} : options.microBatch;
  const calls = new ColumnCalls(scheduler, chunkSize, sharedMemory, micro);
  const poolBatches = sharedMemory ? new PoolBatches(module, workers, scheduler, chunkSize) : undefined;

  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw new Error("pool2peer: the pricing pool is closed");
  };
  const pool: PricingPool = {
    workers,
    get simd() {
      return scheduler.simd;
    },
    sharedMemory,
    module,
    async blackScholes(batch, call) {
      ensureOpen();
      if (!poolBatches?.owns(batch)) return calls.blackScholes(batch, call);
      const output = call?.output;
      if (output !== undefined) checkGreeksOutput(output, batch.length);
      const greeks = await poolBatches.price(batch, call);
      return output === undefined ? greeks : copyColumns(output, greeks);
    },
    async blackScholesPrice(batch, call) {
      ensureOpen();
      if (!poolBatches?.owns(batch)) return calls.blackScholesPrice(batch, call);
      const output = call?.output;
      if (output !== undefined && !(output instanceof Float64Array && output.length === batch.length)) {
        throw new PricingInputError("output", undefined, `must be a Float64Array of the batch length ${batch.length}`);
      }
      const { price } = await poolBatches.price(batch, call, true);
      return output === undefined ? price : (output.set(price), output);
    },
    async impliedVol(batch, call) {
      ensureOpen();
      return calls.impliedVol(batch, call);
    },
    async american(batch, options) {
      ensureOpen();
      return calls.american(batch, options);
    },
    async monteCarlo(spec, call) {
      ensureOpen();
      const normalized = normalizeMonteCarloSpec(spec);
      const job = planMonteCarloJob(normalized, workers);
      await scheduler.run(job.tasks, job.paths, call);
      return combineMonteCarloBlocks(normalized, job.blocks);
    },
    async monteCarloBlocks(spec, firstBlock, blockCount, call) {
      ensureOpen();
      checkBlockRange(spec, firstBlock, blockCount);
      const job = planMonteCarloJob(spec, workers, firstBlock, blockCount);
      await scheduler.run(job.tasks, job.paths, call);
      return job.blocks;
    },
    async createOptionBatch(length) {
      ensureOpen();
      if (!poolBatches) throw new Error("pool2peer: createOptionBatch needs a pool in shared-memory mode (SharedArrayBuffer; in browsers, a cross-origin isolated page)");
      return poolBatches.create(length);
    },
    async close() {
      if (closed) return;
      closed = true;
      const error = new Error("pool2peer: the pricing pool was closed");
      calls.rejectPending(error);
      await scheduler.close();
    },
    [asyncDispose]() {
      return pool.close();
    },
  };
  pools.add(pool);
  return pool;
}
