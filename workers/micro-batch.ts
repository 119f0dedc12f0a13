// Micro-batching: small calls arriving close together (same tick, or within `windowMs`) are laid end to end
// and priced as one batch, then each caller gets its own slice. A service pricing one option per request pays
// one worker round trip per window instead of one per request.
import { KERNEL_INPUTS } from "../bindings/kernel/columns.js";
import type { ColumnSource } from "./chunking.js";

/** Micro-batching settings of createPricingPool(). */
export interface MicroBatchOptions {
  /** How long a batch stays open after its first call, in milliseconds; 0 = until the current macrotask ends. Default 0. */
  windowMs?: number;
  /** Calls with at most this many options are coalesced; larger ones are sent on their own. Default 1024. */
  maxCallOptions?: number;
  /** A batch is sent as soon as it holds this many options. Default: the pool's chunk size. */
  maxBatchOptions?: number;
}

interface Pending<Part> {
  offset: number;
  length: number;
  resolve(value: Part): void;
  reject(error: unknown): void;
}

const nextMacrotask: (callback: () => void) => void =
  typeof setImmediate === "function" ? (callback) => setImmediate(callback) : (callback) => setTimeout(callback, 0);

const one = new Float64Array(1);

/**
 * Coalesces validated small calls of one kind into shared batches. Each call's inputs are copied at once into
 * the open batch's own columns, so a waiting call holds only its offset and its promise: thousands of calls
 * pending in one macrotask would otherwise keep their batch objects alive across garbage collections (which
 * then cost more than the pricing).
 */
export class MicroBatcher<Whole, Part> {
  private pending: Pending<Part>[] = [];
  private pendingOptions = 0;
  private columns: Float64Array[] = [];
  private scheduled = false;

  constructor(
    /** Prices one combined batch. */
    private readonly runCombined: (source: ColumnSource) => Promise<Whole>,
    /** Copies one caller's elements [offset, offset + length) out of the combined result. */
    private readonly slice: (whole: Whole, offset: number, length: number) => Part,
    private readonly windowMs: number,
    private readonly maxBatchOptions: number,
  ) {}

  /** Room for `options` options in the open batch's columns (doubling). */
  private reserve(options: number): void {
    const capacity = this.columns[0]?.length ?? 0;
    if (options <= capacity) return;
    const grown = Math.max(options, 2 * capacity, 64);
    this.columns = Array.from({ length: KERNEL_INPUTS }, (_, c) => {
      const column = new Float64Array(grown);
      if (this.columns[c]) column.set(this.columns[c]!.subarray(0, this.pendingOptions));
      return column;
    });
  }

  /** Queues one validated call; resolves with its own results once its batch is priced. */
  add(source: ColumnSource): Promise<Part> {
    const offset = this.pendingOptions;
    const length = source.length;
    this.reserve(offset + length);
    for (let c = 0; c < KERNEL_INPUTS; c++) {
      const column = this.columns[c]!;
      if (length === 1) {
        // The common case, one option: no subarray per call and column.
        source.copyColumn(c, one, 0, 1);
        column[offset] = one[0]!;
      } else source.copyColumn(c, column.subarray(offset, offset + length), 0, length);
    }
    this.pendingOptions += length;
    return new Promise<Part>((resolve, reject) => {
      this.pending.push({ offset, length, resolve, reject });
      if (this.pendingOptions >= this.maxBatchOptions) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        const flush = (): void => {
          this.scheduled = false;
          this.flush();
        };
        if (this.windowMs > 0) setTimeout(flush, this.windowMs);
        else nextMacrotask(flush);
      }
    });
  }

  /** Sends whatever is pending now. */
  flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    const columns = this.columns;
    const length = this.pendingOptions;
    this.pending = [];
    this.pendingOptions = 0;
    this.columns = [];
    const source: ColumnSource = {
      length,
      copyColumn: (c, target, start, end) => target.set(columns[c]!.subarray(start, end)),
    };
    this.runCombined(source).then(
      (whole) => batch.forEach((p) => p.resolve(this.slice(whole, p.offset, p.length))),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }

  /** Rejects every call still waiting for its batch to be sent. */
  rejectPending(error: unknown): void {
    const batch = this.pending;
    this.pending = [];
    this.pendingOptions = 0;
    this.columns = [];
    batch.forEach((p) => p.reject(error));
  }
}
