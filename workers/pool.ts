// createPricingPool(): the pricer's methods, async, split across worker threads (Node) or module workers
// (browsers). The calling thread validates every batch in full first (errors name the element of the whole
// batch and nothing is sent), workers price chunks with the same WASM module compiled once here.
import { normalizeImpliedVolBatch, normalizeOptionBatch, validateWholeBatch } from "../bindings/batch.js";
import { PricingInputError } from "../bindings/errors.js";
import type { Greeks, ImpliedVolBatch, ImpliedVolResult, OptionBatch } from "../bindings/types.js";
import {
  combineMonteCarloBlocks,
  normalizeMonteCarloSpec,
  type MonteCarloResult,
  type MonteCarloSpec,
} from "../bindings/montecarlo.js";
import { loadWasmCore } from "../bindings/wasm.js";
import { batchSource, greeksOver, impliedVolOver, planColumnJob, type ColumnKind, type ColumnSource } from "./chunking.js";
import { defaultWorkerCount, sharedMemoryUsable } from "./host.js";
import { MicroBatcher, type MicroBatchOptions } from "./micro-batch.js";
import { planMonteCarloJob } from "./monte-carlo.js";
import type { CrashMode } from "./protocol.js";
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
  /** An already compiled core (e.g. `pricer.core.module`): sent to every worker, never recompiled. */
  module?: WebAssembly.Module;
  /** Options per chunk task (rounded up to even); default 32768. */
  chunkSize?: number;
  /** Coalesce small concurrent calls into shared batches (default true), or tune how. */
  microBatch?: boolean | MicroBatchOptions;
  /**
   * Move batches through SharedArrayBuffer (default: when usable — always in Node, cross-origin isolated pages
   * in browsers) instead of transferring per-chunk buffers. Results are then views over a SharedArrayBuffer.
   */
  sharedMemory?: boolean;
  /** The worker script; default dist/workers/worker.js (Node) or pool2peer.worker.js beside the bundle (browser). */
  workerUrl?: string | URL;
}

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
  blackScholes(batch: OptionBatch, options?: CallOptions): Promise<Greeks>;
  /** Implied volatility (see Pricer.impliedVol), bit-identical to the single-thread pricer. */
  impliedVol(batch: ImpliedVolBatch, options?: CallOptions): Promise<ImpliedVolResult>;
  /**
   * Monte Carlo price (see Pricer.monteCarlo): path blocks spread over the workers, summed in block order, so
   * the result is bit-identical to the single-thread pricer for the same spec and seed. Progress is in paths.
   * @throws (rejects) PricingInputError naming the invalid spec field.
   */
  monteCarlo(spec: MonteCarloSpec, options?: CallOptions): Promise<MonteCarloResult>;
  /** Terminates every worker; pending calls reject. The process can exit afterwards. */
  close(): Promise<void>;
}

const schedulers = new WeakMap<object, WorkerScheduler>();

/**
 * Fault injection for tests: makes worker `index` of `pool` crash — "exit" (process.exit inside it), "throw"
 * (uncaught exception inside it) or "kill" (terminated from outside). Not part of the package's public API.
 */
export function injectWorkerCrash(pool: PricingPool, index: number, mode: CrashMode | "kill"): void {
  const scheduler = schedulers.get(pool);
  if (!scheduler) throw new TypeError("pool2peer: not a pricing pool");
  scheduler.injectCrash(index, mode);
}

function positiveInteger(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new PricingInputError(field, undefined, `must be a positive integer, got ${value}`);
  return value;
}

function sliceGreeks(g: Greeks, offset: number, length: number): Greeks {
  const end = offset + length;
  return {
    price: g.price.slice(offset, end),
    delta: g.delta.slice(offset, end),
    gamma: g.gamma.slice(offset, end),
    vega: g.vega.slice(offset, end),
    theta: g.theta.slice(offset, end),
    rho: g.rho.slice(offset, end),
  };
}

function sliceImpliedVol(r: ImpliedVolResult, offset: number, length: number): ImpliedVolResult {
  const end = offset + length;
  return { vol: r.vol.slice(offset, end), status: r.status.slice(offset, end), iterations: r.iterations.slice(offset, end) };
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
  const requestedChunk = positiveInteger("chunkSize", options.chunkSize, DEFAULT_CHUNK_OPTIONS);
  // Even chunk starts keep every option in the same SIMD lane position as in the single-thread pricer.
  const chunkSize = requestedChunk + (requestedChunk & 1);
  const sharedMemory = options.sharedMemory ?? sharedMemoryUsable();
  if (sharedMemory && !sharedMemoryUsable()) throw new Error("pool2peer: SharedArrayBuffer is not usable here (browsers: cross-origin isolation)");
  const module = options.module ?? (await loadWasmCore({ simd: options.simd })).module;
  const scheduler = await WorkerScheduler.start(module, workers, options.workerUrl);

  const micro = options.microBatch === false ? undefined : options.microBatch === true || options.microBatch === undefined ? {} : options.microBatch;
  const windowMs = micro?.windowMs ?? 0;
  const maxCallOptions = micro?.maxCallOptions ?? 1024;
  const maxBatchOptions = micro?.maxBatchOptions ?? chunkSize;

  const runColumns = async (kind: ColumnKind, source: ColumnSource, call?: CallOptions): Promise<ArrayBufferLike> => {
    const job = planColumnJob(kind, source, chunkSize, sharedMemory);
    await scheduler.run(job.tasks, source.length, call);
    return job.output;
  };
  const bsBatcher = new MicroBatcher<Greeks, Greeks>(
    async (source) => greeksOver(await runColumns("blackScholes", source), source.length),
    sliceGreeks,
    windowMs,
    maxBatchOptions,
  );
  const ivBatcher = new MicroBatcher<ImpliedVolResult, ImpliedVolResult>(
    async (source) => impliedVolOver(await runColumns("impliedVol", source), source.length),
    sliceImpliedVol,
    windowMs,
    maxBatchOptions,
  );
  const coalesce = (n: number, call: CallOptions | undefined): boolean =>
    micro !== undefined && n <= maxCallOptions && call?.signal === undefined && call?.onProgress === undefined;

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
      const normalized = normalizeOptionBatch(batch);
      validateWholeBatch(normalized);
      const source = batchSource(normalized);
      if (coalesce(source.length, call)) return bsBatcher.add(source);
      return greeksOver(await runColumns("blackScholes", source, call), source.length);
    },
    async impliedVol(batch, call) {
      if (closed) throw new Error("pool2peer: the pricing pool is closed");
      const normalized = normalizeImpliedVolBatch(batch);
      validateWholeBatch(normalized);
      const source = batchSource(normalized);
      if (coalesce(source.length, call)) return ivBatcher.add(source);
      return impliedVolOver(await runColumns("impliedVol", source, call), source.length);
    },
    async monteCarlo(spec, call) {
      if (closed) throw new Error("pool2peer: the pricing pool is closed");
      const normalized = normalizeMonteCarloSpec(spec);
      const job = planMonteCarloJob(normalized, workers);
      await scheduler.run(job.tasks, normalized.paths, call);
      return combineMonteCarloBlocks(normalized, job.blocks);
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
