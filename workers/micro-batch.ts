// Micro-batching: small calls arriving close together (same tick, or within `windowMs`) are laid end to end
// and priced as one batch, then each caller gets its own slice. A service pricing one option per request pays
// one worker round trip per window instead of one per request.
import { concatSources, type ColumnSource } from "./chunking.js";

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
  source: ColumnSource;
  resolve(value: Part): void;
  reject(error: unknown): void;
}

const nextMacrotask: (callback: () => void) => void =
  typeof setImmediate === "function" ? (callback) => setImmediate(callback) : (callback) => setTimeout(callback, 0);

/** Coalesces validated small calls of one kind into shared batches. */
export class MicroBatcher<Whole, Part> {
  private pending: Pending<Part>[] = [];
  private pendingOptions = 0;
  private scheduled = false;

  constructor(
    /** Prices one combined batch. */
    private readonly runCombined: (source: ColumnSource) => Promise<Whole>,
    /** Copies one caller's elements [offset, offset + length) out of the combined result. */
    private readonly slice: (whole: Whole, offset: number, length: number) => Part,
    private readonly windowMs: number,
    private readonly maxBatchOptions: number,
  ) {}

  /** Queues one validated call; resolves with its own results once its batch is priced. */
  add(source: ColumnSource): Promise<Part> {
    return new Promise<Part>((resolve, reject) => {
      this.pending.push({ source, resolve, reject });
      this.pendingOptions += source.length;
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
    this.pending = [];
    this.pendingOptions = 0;
    const { source, offsets } = concatSources(batch.map((p) => p.source));
    this.runCombined(source).then(
      (whole) => batch.forEach((p, k) => p.resolve(this.slice(whole, offsets[k]!, p.source.length))),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }

  /** Rejects every call still waiting for its batch to be sent. */
  rejectPending(error: unknown): void {
    const batch = this.pending;
    this.pending = [];
    this.pendingOptions = 0;
    batch.forEach((p) => p.reject(error));
  }
}
