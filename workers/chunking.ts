// Splitting a validated batch into chunk tasks and reassembling the outputs in order.
// Chunks start at multiples of the chunk size, so every option is priced by the same kernel code path (SIMD lane
// pairs included) as in the single-thread pricer, whose own chunks are multiples of an even size too.
import * as Comlink from "comlink";
import type { NormalizedBatch } from "../bindings/batch.js";
import { PricingInputError } from "../bindings/errors.js";
import type { Greeks, ImpliedVolResult } from "../bindings/types.js";
import { ranges } from "../bindings/planning.js";
import { AMERICAN_OUTPUTS, allocateAmericanResult, placeAmericanChunk, type AmericanResult, type AmericanSettings } from "../bindings/american.js";
import { GREEK_OUTPUTS, KERNEL_INPUTS } from "../bindings/kernel/columns.js";
import { regionColumn, type ColumnTask, type Reply } from "./protocol.js";
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
export type ColumnKind = "blackScholes" | "blackScholesPrice" | "impliedVol" | "american";

/**
 * A whole batch's result columns, in kernel output order: six f64 (Black-Scholes); the price f64 (its price-only
 * kernel); vol f64, status and iterations
 * i32 (implied vol); price, delta, gamma, theta, then with a boundary its levels and times (American, see americanOf).
 */
export type ResultColumns = (Float64Array | Int32Array)[];

/**
 * Result columns of `n` elements: views over `buffer` when given (a reused staging buffer), else one ArrayBuffer per
 * column. Separate columns are cheaper to make than one large buffer: a freed column of a few MB is handed back by
 * the allocator already mapped, where a buffer of tens of MB is mapped afresh and every page faulted in on first write.
 */
export function resultColumns(kind: ColumnKind, n: number, buffer?: ArrayBufferLike, american?: AmericanSettings): ResultColumns {
  if (kind === "american") {
    const { boundary, ...outputs } = allocateAmericanResult(n, american!);
    const columns: ResultColumns = AMERICAN_OUTPUTS.map((name) => outputs[name]);
    return boundary ? [...columns, boundary.level, boundary.timeToExpiry] : columns;
  }
  if (kind === "blackScholes") return GREEK_OUTPUTS.map((_, c) => (buffer ? new Float64Array(buffer, c * n * 8, n) : new Float64Array(n)));
  if (kind === "blackScholesPrice") return [buffer ? new Float64Array(buffer, 0, n) : new Float64Array(n)];
  if (!buffer) return [new Float64Array(n), new Int32Array(n), new Int32Array(n)];
  return [new Float64Array(buffer, 0, n), new Int32Array(buffer, 8 * n, n), new Int32Array(buffer, 12 * n, n)];
}

/** Greeks over result columns. */
export function greeksOf(columns: ResultColumns): Greeks {
  const g = {} as Greeks;
  GREEK_OUTPUTS.forEach((name, c) => (g[name] = columns[c] as Float64Array));
  return g;
}

/** Implied-vol results over result columns. */
export function impliedVolOf(columns: ResultColumns): ImpliedVolResult {
  return { vol: columns[0] as Float64Array, status: columns[1] as Int32Array, iterations: columns[2] as Int32Array };
}

/** American results over result columns (the layout of resultColumns("american", …)). */
export function americanOf(columns: ResultColumns, settings: AmericanSettings): AmericanResult {
  const [price, delta, gamma, theta, level, timeToExpiry] = columns as Float64Array[];
  const result: AmericanResult = { price: price!, delta: delta!, gamma: gamma!, theta: theta! };
  if (level && timeToExpiry) result.boundary = { nodes: settings.boundaryNodes, level, timeToExpiry };
  return result;
}

/**
 * Copies a chunk's `count` outputs into the result columns at `start`: from `source` at byte `offset`, laid out as
 * output columns of `stride` elements (a transfer-mode reply: stride = count; a task region: its capacity).
 */
function placeOutputs(
  kind: ColumnKind, source: ArrayBufferLike, offset: number, stride: number, count: number, target: ResultColumns, start: number,
  american?: AmericanSettings,
): void {
  if (kind === "american") {
    placeAmericanChunk(americanOf(target, american!), source, offset, stride, count, start);
  } else if (kind === "blackScholes" || kind === "blackScholesPrice") {
    const columns = kind === "blackScholes" ? GREEK_OUTPUTS.length : 1;
    for (let c = 0; c < columns; c++) target[c]!.set(new Float64Array(source, offset + c * stride * 8, count), start);
  } else {
    target[0]!.set(new Float64Array(source, offset, count), start);
    target[1]!.set(new Int32Array(source, offset + 8 * stride, count), start);
    target[2]!.set(new Int32Array(source, offset + 12 * stride, count), start);
  }
}

/** A planned column job: its tasks, and its results once every task is done. */
export interface ColumnJob {
  tasks: Task[];
  /** The whole-batch result columns (none when every output column is written in place). */
  result(): ResultColumns;
}

/** How a column job moves data and checks its input. */
export interface ColumnJobOptions {
  /**
   * Shared mode (the workers' memories are shared, see TaskTarget): the calling thread writes each chunk's inputs
   * straight into its task's region and copies the outputs out of it, or with `outPlace` the workers write the
   * output columns into the caller's own SharedArrayBuffers. Absent: transfer mode.
   */
  shared?: { outPlace?: ColumnTask["outPlace"] };
  /** The whole-batch result columns to fill (views of a reused buffer); default new columns. */
  output?: ResultColumns;
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
  /** The settings of an American job (kind "american", transfer mode only). */
  american?: AmericanSettings;
}

/**
 * Plans the chunk tasks of a batch. Shared mode: the calling thread copies each chunk's inputs into its task's
 * region of the worker's memory (columns already in a SharedArrayBuffer are read by the worker in place) and, when
 * the task ends, its outputs from there into the results (or the worker writes them into the caller's columns,
 * `outPlace`). Transfer mode: each chunk's inputs are packed into an ArrayBuffer transferred to the worker and its
 * outputs transferred back and copied into place. Packing happens when a task starts, so the calling thread
 * validates and packs chunk k+1 while workers price chunk k.
 */
export function planColumnJob(kind: ColumnKind, source: ColumnSource, chunkSize: number, options: ColumnJobOptions = {}): ColumnJob {
  const n = source.length;
  const inputs = KERNEL_INPUTS;
  const { shared, validate, screenInWorkers, american } = options;
  // New result columns are made when the first chunk comes back, not before the first chunk is sent: zeroing tens
  // of MB would hold the workers up. With every output column in place there is nothing to gather.
  let output = options.output ?? (shared?.outPlace ? [] : undefined);
  const result = (): ResultColumns => (output ??= resultColumns(kind, n, undefined, american));
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
  const tasks = ranges(n, chunkSize).map(({ start, count }): Task => {
    const end = start + count;
    return {
      units: count,
      async run({ api, shared: worker }) {
        validate?.(start, end);
        let task: ColumnTask;
        if (shared) {
          if (!worker) throw new Error("pool2peer: internal error: a shared-mode task reached a worker without a shared memory");
          const { memory, region } = worker;
          for (const c of copied) source.copyColumn(c, new Float64Array(memory.buffer, regionColumn(region, c), count), start, end);
          task = { region, inPlace, broadcast, start, count, outPlace: shared.outPlace };
        } else {
          const input = new ArrayBuffer(count * inputs * 8);
          const columns = new Float64Array(input);
          for (const c of copied) source.copyColumn(c, columns.subarray(c * count, (c + 1) * count), start, end);
          task = Comlink.transfer({ input, broadcast, start, count, american }, [input]);
        }
        const reply = unwrapReply(await api[kind](task));
        if (reply.invalid) {
          screenInWorkers?.onInvalid();
          throw new Error("pool2peer: internal error: a worker's kernel flagged input that the calling thread validated");
        }
        // The region is the task's until this returns: the scheduler hands it to the worker's next task only then.
        if (reply.output) placeOutputs(kind, reply.output, 0, count, count, result(), start, american);
        else if (worker && !shared?.outPlace) placeOutputs(kind, worker.memory.buffer, regionColumn(worker.region, inputs), worker.region.capacity, count, result(), start);
      },
    };
  });
  return { tasks, result };
}
