// Zero-copy Black-Scholes batches of a worker pool (`pool.createOptionBatch(length)`). The columns live in one
// shared WebAssembly.Memory in which every worker instantiates the build a second time, each with a Black-Scholes
// work area of its own there, so a worker's kernel reads its range's inputs and writes its greeks where the caller
// filled and reads them: nothing is copied in or out, and the calling thread only hands out ranges. It is the
// pool's counterpart of the pricer's `createOptionBatch` (bindings/wasm-batch.ts) and has the same shape.
import { PricingInputError } from "../bindings/errors.js";
import type { Greeks } from "../bindings/types.js";
import { loadWasmCore, sharedWasmMemory } from "../bindings/wasm.js";
import { throwFirstInvalidOption, WasmOptionBatch, type Backing } from "../bindings/wasm-batch.js";
import { unwrapReply } from "./chunking.js";
import { GREEK_OUTPUTS, KERNEL_INPUTS } from "../bindings/kernel/columns.js";
import { evenSize, ranges } from "../bindings/planning.js";
import type { RemoteWorkerApi } from "./protocol.js";
import type { CallOptions, Task, WorkerScheduler } from "./scheduler.js";

/** Largest pool batch: 2^23 options (872 MB of its 1 GiB shared memory). */
export const MAX_POOL_BATCH = 1 << 23;

/**
 * A Black-Scholes batch shared by a pool's workers (`pool.createOptionBatch(length)`): the pricer's zero-copy batch
 * (fill the input views in place, read `greeks`), priced in place by that pool across its workers. Elsewhere
 * (a pricer, another pool) it is an ordinary OptionBatch. `close()` lets the workers drop it.
 */
export class PoolOptionBatch extends WasmOptionBatch {
  /**
   * Releases the batch in the workers once the call running on it (if any) has ended; later calls on it reject.
   * The views stay readable. Without close() the workers drop it after it has been garbage-collected.
   */
  close(): void {
    states.get(this)?.owner.close(this);
  }
}

/** What the pool knows of one of its batches. */
interface BatchState {
  owner: PoolBatches;
  id: number;
  /** The calling thread's instance in the batch's memory (it laid the columns out; it locates invalid input). */
  backing: Backing;
  /** One Black-Scholes work area per worker place (TaskTarget.index). */
  workAreas: number[];
  /** Workers that have attached the batch, or are attaching it. */
  attached: WeakMap<object, Promise<void>>;
  /** Calls on the batch run one after another: each writes the whole of `greeks`. */
  tail: Promise<void>;
  closed: boolean;
}

const states = new WeakMap<PoolOptionBatch, BatchState>();

/** A range a worker's kernel found an input outside the domain in. */
class InvalidRange extends Error {}

/** The zero-copy batches of one pool (shared mode only). */
export class PoolBatches {
  private nextId = 1;
  /** Batches dropped without close(): the workers drop them too. */
  private readonly finalizer = new FinalizationRegistry<number>((id) => this.detach(id));

  constructor(
    /** The shared-memory build the workers run. */
    private readonly module: WebAssembly.Module,
    /** The pool size: one work area per worker place. */
    private readonly workers: number,
    private readonly scheduler: WorkerScheduler,
    /** Smallest range per task (the pool's chunk size, even). */
    private readonly minTaskOptions: number,
  ) {}

  /** A new batch of `length` options, every column 0. */
  async create(length: number): Promise<PoolOptionBatch> {
    if (!Number.isInteger(length) || length < 1 || length > MAX_POOL_BATCH) {
      throw new PricingInputError("length", undefined, `must be an integer in [1, ${MAX_POOL_BATCH}], got ${String(length)}`);
    }
    const core = await loadWasmCore({ module: this.module, memory: sharedWasmMemory() });
    const workBytes = core.exports.blackScholesWorkBytes();
    const workAreas = Array.from({ length: this.workers }, () => core.claim(workBytes));
    // Columns start on 16-byte boundaries (v128 loads) whatever the length; all memory is claimed before any view
    // is made, and the memory never grows afterwards.
    const stride = Math.ceil((length * 8) / 16) * 16;
    const columns = KERNEL_INPUTS + GREEK_OUTPUTS.length;
    const base = core.claim(columns * stride);
    const backing: Backing = { core, pointers: Array.from({ length: columns }, (_, k) => base + k * stride) };
    const batch = new PoolOptionBatch(backing, length);
    const id = this.nextId++;
    states.set(batch, { owner: this, id, backing, workAreas, attached: new WeakMap(), tail: Promise.resolve(), closed: false });
    this.finalizer.register(batch, id, batch);
    return batch;
  }

  /** True when `batch` is one of this pool's batches. */
  owns(batch: unknown): batch is PoolOptionBatch {
    return batch instanceof PoolOptionBatch && states.get(batch)?.owner === this;
  }

  /**
   * Prices the batch in place across the workers; resolves to its `greeks` views. Bit-identical to the pricer on the
   * same values (ranges start at even offsets: every option keeps its SIMD lane). A rejected call leaves `greeks`
   * all NaN and settles only after its running ranges have ended. Invalid input rejects with the PricingInputError
   * the pricer throws for its own zero-copy batch (column order, then index). `priceOnly`: the price-only kernel writes
   * `greeks.price` alone (NaN after a rejected call) and leaves the other greek columns as they were.
   */
  price(batch: PoolOptionBatch, call?: CallOptions, priceOnly = false): Promise<Greeks> {
    const state = states.get(batch)!;
    // Calls made before close() still run: the workers drop the batch after the last of them.
    if (state.closed) return Promise.reject(new Error("pool2peer: this pool batch was closed"));
    const run = async (): Promise<Greeks> => {
      const n = batch.length;
      const size = this.taskOptions(n);
      const tasks = ranges(n, size).map(({ start, count }): Task => ({
        units: count,
        run: async ({ api, index }) => {
          const workArea = state.workAreas[index];
          if (workArea === undefined) throw new Error(`pool2peer: internal error: no work area for worker place ${index}`);
          await this.attach(state, api);
          const { invalid } = unwrapReply(await api.blackScholesInBatch({ id: state.id, start, count, pointers: state.backing.pointers, workArea, priceOnly }));
          if (invalid) throw new InvalidRange();
        },
      }));
      try {
        await this.scheduler.run(tasks, n, { ...call, drain: true });
      } catch (error) {
        for (const name of priceOnly ? (["price"] as const) : GREEK_OUTPUTS) batch.greeks[name].fill(NaN);
        if (!(error instanceof InvalidRange)) throw error;
        throwFirstInvalidOption(state.backing, n);
        throw new Error("pool2peer: internal error: a worker's kernel flagged an input that firstInvalid accepts");
      }
      return batch.greeks;
    };
    const result = state.tail.then(run, run);
    state.tail = result.then(
      () => {},
      () => {},
    );
    return result;
  }

  /** See PoolOptionBatch.close. */
  close(batch: PoolOptionBatch): void {
    const state = states.get(batch);
    if (!state || state.closed) return;
    state.closed = true;
    this.finalizer.unregister(batch);
    void state.tail.then(() => this.detach(state.id));
  }

  /**
   * Ranges of at least the pool's chunk size, about four per worker: enough to balance the workers, few enough that
   * messages (tens of µs each) cost little next to the kernel (~2 ms for a range of 125,000 options).
   */
  private taskOptions(n: number): number {
    return Math.max(this.minTaskOptions, evenSize(Math.ceil(n / (this.workers * 4))));
  }

  /** Makes sure the worker behind `api` has an instance in the batch's memory (once per worker). */
  private attach(state: BatchState, api: RemoteWorkerApi): Promise<void> {
    let attaching = state.attached.get(api);
    if (!attaching) {
      attaching = api.attachBatch(state.id, state.backing.core.exports.memory);
      state.attached.set(api, attaching);
      attaching.catch(() => state.attached.delete(api));
    }
    return attaching;
  }

  private detach(id: number): void {
    this.scheduler.eachWorker((api) => api.detachBatch(id));
  }
}
