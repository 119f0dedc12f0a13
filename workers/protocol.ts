// The messages between the pool (calling thread) and a pricing worker: task shapes, column layouts and the
// reply envelope that carries PricingInputError across the thread boundary with its field and index.
// Column layouts are the kernels' own (bindings/kernel/columns.ts).
import type { AmericanSettings } from "../bindings/american.js";
import { GREEK_OUTPUTS, KERNEL_INPUTS } from "../bindings/kernel/columns.js";
import type { NormalizedMonteCarloSpec } from "../bindings/montecarlo.js";

/**
 * A task's region of a worker's WASM memory (shared mode): `REGION_COLUMNS` columns of `capacity` elements from byte
 * `pointer`, column `c` at `pointer + c * capacity * 8`. Black-Scholes: the 7 inputs then the 6 outputs; implied vol:
 * the 7 inputs, vol, then status and iterations (i32) one after the other in column 8.
 */
export interface TaskRegion {
  pointer: number;
  capacity: number;
}

/** Columns of f64 in a task region: the most either kernel needs (Black-Scholes: 7 inputs + 6 outputs). */
export const REGION_COLUMNS = KERNEL_INPUTS + GREEK_OUTPUTS.length;

/** Byte offset of column `c` of a task region. */
export function regionColumn(region: TaskRegion, c: number): number {
  return region.pointer + c * region.capacity * 8;
}

/**
 * One chunk of a batch: `count` options starting at element `start` of the whole batch. Two ways to move data:
 * - transfer: `input` holds the chunk's input columns (column `c`, element `i` at f64 index `c * count + i`), an
 *   ArrayBuffer transferred to the worker; the worker replies with a fresh output buffer (columns of `count`),
 *   transferred back.
 * - shared: the worker's WASM memory is a shared memory and the calling thread has already written the input
 *   columns into the task's `region` of it; the kernel runs there and leaves the outputs there for the calling
 *   thread to copy out, or the worker copies them into the caller's own columns (`outPlace`).
 * In both, columns in `inPlace` or `broadcast` are not sent: the worker fills them itself.
 */
export interface ColumnTask {
  /** Transfer mode: the chunk's input columns. */
  input?: ArrayBuffer;
  /** Shared mode: the task's region of the worker's memory. */
  region?: TaskRegion;
  /**
   * Shared mode: columns the worker reads in place from the caller's own SharedArrayBuffer (by kernel column index):
   * whole-batch element i at f64 index `offset + i` of `buffer`.
   */
  inPlace?: Record<number, { buffer: SharedArrayBuffer; offset: number }>;
  /** Columns that are one value for every element (by kernel column index): the worker fills them. */
  broadcast?: Record<number, number>;
  /** First element of the chunk within the whole batch. */
  start: number;
  /** Elements in the chunk. */
  count: number;
  /**
   * Shared mode: output columns the worker writes in place into the caller's own SharedArrayBuffer (by output
   * column index): whole-batch element i at f64 index `offset + i` of `buffer`.
   */
  outPlace?: Record<number, { buffer: SharedArrayBuffer; offset: number }>;
  /** The settings of an American task (bindings/american.ts; its outputs laid out as americanValuesPerOption says). */
  american?: AmericanSettings;
}

/** What a worker answers for a column task. */
export interface ColumnReply {
  /** The chunk's outputs in transfer mode; undefined in shared mode (they are in the task's region or in place). */
  output: ArrayBuffer | undefined;
  /** True when the kernel found an input outside its domain (the outputs are then meaningless). */
  invalid: boolean;
}

/** What a worker needs to run in a memory the calling thread shares. */
export interface SharedInit {
  memory: WebAssembly.Memory;
  regions: number;
  capacity: number;
}

/**
 * One range of a pool's zero-copy batch (workers/pool-batch.ts): the kernel runs on options [start, start + count)
 * of the batch's columns, in the batch's own memory, using the work area at `workArea` there.
 */
export interface BatchTask {
  /** The batch, as attached by `attachBatch`. */
  id: number;
  start: number;
  count: number;
  /** Byte offsets of the batch's 7 input then 6 output columns. */
  pointers: number[];
  /** This worker's Black-Scholes work area in the batch's memory. */
  workArea: number;
  /** Prices alone (the price-only kernel): the five other greek columns are left as they are. */
  priceOnly?: boolean;
}

/** A PricingInputError flattened for postMessage (structured clone drops subclass fields). */
export interface SerializedInputError {
  field: string;
  index: number | undefined;
  message: string;
}

/** Every worker method answers with this envelope so that input errors keep their class, field and index. */
export type Reply<T> = { ok: true; value: T } | { ok: false; inputError: SerializedInputError };

/** The API a pricing worker exposes through comlink. */
export interface WorkerApi {
  /**
   * Instantiates the WASM core from a compiled module (cloned, not recompiled) and reports its build. Shared mode:
   * the module is a shared-memory build run in `shared.memory` (made by the calling thread, which keeps it), and
   * the worker claims `shared.regions` task regions of `shared.capacity` options there for good.
   */
  init(module: WebAssembly.Module, shared?: SharedInit): Promise<{ simd: boolean; regions: TaskRegion[] }>;
  /** Prices one Black-Scholes chunk; returns the output buffer in transfer mode, nothing in shared mode. */
  blackScholes(task: ColumnTask): Reply<ColumnReply>;
  /** Prices one Black-Scholes chunk, the price column alone (kernel blackScholesPriceBatch); same data movement. */
  blackScholesPrice(task: ColumnTask): Reply<ColumnReply>;
  /** Inverts one implied-vol chunk; same data movement as blackScholes. */
  impliedVol(task: ColumnTask): Reply<ColumnReply>;
  /** Prices one American chunk (`task.american` says how); transfer mode only (see workers/pool.ts american). */
  american(task: ColumnTask): Reply<ColumnReply>;
  /**
   * Runs Monte Carlo blocks [firstBlock, firstBlock + blockCount) of a normalised spec and returns their
   * accumulators (bindings/montecarlo.ts `runMonteCarloBlocks`).
   */
  monteCarloBlocks(spec: NormalizedMonteCarloSpec, firstBlock: number, blockCount: number): Reply<Float64Array>;
  /**
   * Instantiates the build a second time, in the shared memory of a pool's zero-copy batch (idempotent per id), so
   * that its kernel can run on the batch's columns where they are.
   */
  attachBatch(id: number, memory: WebAssembly.Memory): Promise<void>;
  /** Drops the instance of batch `id` (its memory is freed once no thread holds it). */
  detachBatch(id: number): void;
  /** Prices a range of an attached batch in place; `invalid` when the kernel found an input outside its domain. */
  blackScholesInBatch(task: BatchTask): Promise<Reply<{ invalid: boolean }>>;
}

/**
 * WorkerApi as the calling thread sees it through comlink (its `Remote<WorkerApi>`: every method returns a promise),
 * spelled out here so that the package's declarations never name comlink, whose own declarations need the DOM
 * library (Transferable, MessagePort).
 */
export type RemoteWorkerApi = {
  [K in keyof WorkerApi]: WorkerApi[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/**
 * A worker's message port as comlink uses it: comlink's Endpoint, spelled out because its declarations need the DOM
 * library (the pool's declarations reach this file).
 */
export interface WorkerPort {
  postMessage(message: unknown, transfer?: unknown[]): void;
  addEventListener(type: string, listener: (event: never) => void, options?: object): void;
  removeEventListener(type: string, listener: (event: never) => void, options?: object): void;
  start?: () => void;
}

/** A started worker as the pool sees it (workers/host.ts in Node, host.browser.ts in browsers). */
export interface WorkerHandle {
  /** The worker's port, spoken to by comlink. */
  readonly endpoint: WorkerPort;
  /** Registers the listener called once if the worker dies without terminate() (exit, uncaught error). */
  onCrash(listener: (error: Error) => void): void;
  /**
   * Whether the worker keeps the process alive (Node: ref/unref; browsers: no-op). The scheduler holds it only
   * while the worker starts or has tasks, so a pool someone forgot to close does not keep Node running.
   */
  keepAlive(alive: boolean): void;
  /** Ends the worker; no crash is reported afterwards. */
  terminate(): Promise<void>;
}

/** Starts a worker from a script URL (the host's spawnWorker, or a caller's own, e.g. one that wraps the script). */
export type SpawnWorker = (url?: string | URL) => Promise<WorkerHandle>;
