// Splitting a validated batch into chunk tasks and reassembling the outputs in order.
// Chunks start at multiples of the chunk size, so every option is priced by the same kernel code path (SIMD lane
// pairs included) as in the single-thread pricer, whose own chunks are multiples of an even size too.
import * as Comlink from "comlink";
import type { NormalizedBatch } from "../bindings/batch.js";
import { PricingInputError } from "../bindings/errors.js";
import type { Greeks, ImpliedVolResult } from "../bindings/types.js";
import {
  BS_INPUTS,
  BS_OUTPUTS,
  OUTPUT_BYTES_PER_OPTION,
  type ColumnTask,
  type Reply,
} from "./protocol.js";
import type { Task } from "./scheduler.js";

/** Input columns of a batch, read chunk by chunk. */
export interface ColumnSource {
  /** Options in the batch. */
  readonly length: number;
  /** Writes elements [start, end) of column `column` (kernel order) into `target` from index 0. */
  copyColumn(column: number, target: Float64Array, start: number, end: number): void;
  /** Column `column` itself when workers can read it in place (a Float64Array over a SharedArrayBuffer). */
  sharedColumn?(column: number): Float64Array | undefined;
  /** The value of column `column` when it is a broadcast scalar (workers fill it themselves). */
  broadcastValue?(column: number): number | undefined;
}

/** A validated NormalizedBatch as a column source. */
export function batchSource(batch: NormalizedBatch): ColumnSource {
  return {
    length: batch.length,
    copyColumn: (column, target, start, end) => batch.columns[column]!.copyInto(target, start, end),
    sharedColumn: (column) => batch.columns[column]!.sharedValues(),
    broadcastValue: (column) => batch.columns[column]!.broadcastValue(),
  };
}

/** Rebuilds a worker's reply: the value, or the PricingInputError it carried (same class, field and index). */
export function unwrapReply<T>(reply: Reply<T>): T {
  if (reply.ok) return reply.value;
  const { field, index, message } = reply.inputError;
  const error = new PricingInputError(field, index, "");
  error.message = message;
  throw error;
}

/** The kinds of column jobs and their output layouts. */
export type ColumnKind = "blackScholes" | "impliedVol";


/** Greeks as views over one buffer: 6 f64 columns of n. */
export function greeksOver(buffer: ArrayBufferLike, n: number): Greeks {
  const g = {} as Greeks;
  BS_OUTPUTS.forEach((name, c) => (g[name] = new Float64Array(buffer, c * n * 8, n)));
  return g;
}

/** Implied-vol results as views over one buffer: vol (f64 n), status (i32 n), iterations (i32 n). */
export function impliedVolOver(buffer: ArrayBufferLike, n: number): ImpliedVolResult {
  return {
    vol: new Float64Array(buffer, 0, n),
    status: new Int32Array(buffer, 8 * n, n),
    iterations: new Int32Array(buffer, 12 * n, n),
  };
}

/** Copies a chunk's outputs (columns of `count`: a transfer-mode reply or an output slot) into the whole-batch output at `start`. */
function placeReply(kind: ColumnKind, reply: ArrayBufferLike, count: number, target: ArrayBufferLike, n: number, start: number): void {
  if (kind === "blackScholes") {
    for (let c = 0; c < BS_OUTPUTS.length; c++) {
      new Float64Array(target, c * n * 8, n).set(new Float64Array(reply, c * count * 8, count), start);
    }
  } else {
    new Float64Array(target, 0, n).set(new Float64Array(reply, 0, count), start);
    new Int32Array(target, 8 * n, n).set(new Int32Array(reply, 8 * count, count), start);
    new Int32Array(target, 12 * n, n).set(new Int32Array(reply, 12 * count, count), start);
  }
}

/** Reusable SharedArrayBuffers for the tasks' inputs and outputs (shared mode). */
export interface BufferSlots {
  /** A buffer of at least `bytes` bytes, not used by any task in flight. */
  acquire(bytes: number): SharedArrayBuffer;
  /** Gives back a buffer once its worker has answered. */
  release(slot: SharedArrayBuffer): void;
}

/** A planned column job: its tasks, and its outputs once every task is done. */
export interface ColumnJob {
  tasks: Task[];
  /** The whole-batch output buffer (layout of greeksOver / impliedVolOver); empty when every output column is in place. */
  output: ArrayBuffer;
}

/** How a column job moves data and checks its input. */
export interface ColumnJobOptions {
  /**
   * Shared mode: each task's inputs and outputs go through reusable SharedArrayBuffer slots of a chunk (the
   * calling thread copies the outputs into the job's output as each task ends), or with `outPlace` the workers
   * write the output columns into the caller's own SharedArrayBuffers. Absent: transfer mode.
   */
  shared?: { slots: BufferSlots; outPlace?: ColumnTask["outPlace"] };
  /** The whole-batch output buffer to fill (a reused one); default a new ArrayBuffer. */
  output?: ArrayBuffer;
  /**
   * Validates elements [start, end) on the calling thread (throws PricingInputError). Called in order, just
   * before each chunk is packed, so validation overlaps with the workers pricing earlier chunks.
   */
  validate?: (start: number, end: number) => void;
  /**
   * Rely on the workers' kernels, which check every chunk (exact for typed-array input only), instead of validating
   * here; when one reports an input outside the domain, `onInvalid` runs on the calling thread and must throw the
   * exact PricingInputError.
   */
  screenInWorkers?: { onInvalid: () => never };
}

/**
 * Plans the chunk tasks of a batch. Shared mode: each task's inputs are copied into an input slot (columns already
 * in a SharedArrayBuffer are read by the workers in place), workers write the outputs into an output slot that the
 * calling thread copies into the job's output when the task ends (or into the caller's columns, `outPlace`).
 * Transfer mode: each chunk's inputs are packed into an ArrayBuffer transferred to the worker and its outputs
 * transferred back and copied into place. Packing happens when a task is sent, so the calling thread validates
 * and packs chunk k+1 while workers price chunk k.
 */
export function planColumnJob(kind: ColumnKind, source: ColumnSource, chunkSize: number, options: ColumnJobOptions = {}): ColumnJob {
  const n = source.length;
  const inputs = BS_INPUTS.length; // both kernels take 7 input columns
  const { shared, validate, screenInWorkers } = options;
  // With every output column in place there is nothing to gather: no whole-batch buffer.
  const output = options.output ?? new ArrayBuffer(shared?.outPlace ? 0 : n * OUTPUT_BYTES_PER_OPTION[kind]);
  // Broadcast scalars are filled by the workers, and in shared mode columns already in a SharedArrayBuffer are read
  // by the workers in place: the calling thread copies only the rest.
  const broadcast: Record<number, number> = {};
  const inPlace: Record<number, { buffer: SharedArrayBuffer; offset: number }> = {};
  const copied: number[] = [];
  for (let c = 0; c < inputs; c++) {
    const value = source.broadcastValue?.(c);
    const own = shared ? source.sharedColumn?.(c) : undefined;
    if (value !== undefined) broadcast[c] = value;
    else if (own) inPlace[c] = { buffer: own.buffer as SharedArrayBuffer, offset: own.byteOffset / 8 };
    else copied.push(c);
  }
  const tasks: Task[] = [];
  for (let start = 0; start < n; start += chunkSize) {
    const end = Math.min(n, start + chunkSize);
    const count = end - start;
    tasks.push({
      units: count,
      async run(api) {
        validate?.(start, end);
        let task: ColumnTask;
        const slots = shared?.slots;
        const inSlot = slots?.acquire(count * inputs * 8);
        const outSlot = slots && !shared!.outPlace ? slots.acquire(count * OUTPUT_BYTES_PER_OPTION[kind]) : undefined;
        const input = inSlot ?? new ArrayBuffer(count * inputs * 8);
        const columns = new Float64Array(input, 0, count * inputs);
        for (const c of copied) source.copyColumn(c, columns.subarray(c * count, (c + 1) * count), start, end);
        if (shared) task = { input, inPlace, broadcast, start, count, output: outSlot, outPlace: shared.outPlace };
        else task = Comlink.transfer({ input, broadcast, start, count }, [input as ArrayBuffer]);
        try {
          const reply = unwrapReply(await api[kind](task));
          if (reply.invalid) {
            screenInWorkers?.onInvalid();
            throw new Error("pool2peer: internal error: a worker's kernel flagged input that the calling thread validated");
          }
          const chunkOutput = reply.output ?? outSlot;
          if (chunkOutput) placeReply(kind, chunkOutput, count, output, n, start);
        } finally {
          // Slots are reused only once the worker has answered (a crashed worker's slots are simply dropped: the
          // await above never returns for them).
          if (inSlot) slots!.release(inSlot);
          if (outSlot) slots!.release(outSlot);
        }
      },
    });
  }
  return { tasks, output };
}

/**
 * Validation in the single-thread pricer's order: blocks of `block` options (its CHUNK_OPTIONS), every column of a
 * block before the next block, so the first error found (field and index) is exactly the one the pricer throws.
 * Returns `validate(start, end)` that checks, in order, every block up to `end`.
 */
export function validatorInPricerOrder(check: (start: number, end: number) => void, length: number, block: number): (start: number, end: number) => void {
  let validated = 0;
  return (_start, end) => {
    while (validated < end) {
      const next = Math.min(length, validated + block);
      check(validated, next);
      validated = next;
    }
  };
}
