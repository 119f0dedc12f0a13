// The worker pool's column calls (Black-Scholes, implied vol, American): each call's checks (in the pricer's order,
// or screened by the workers' kernels), its chunk tasks and data movement, its output arrays, and the coalescing
// of small calls into shared micro-batches. createPricingPool (workers/pool.ts) composes it with the scheduler.
import { americanSettings, type AmericanOptions, type AmericanResult } from "../bindings/american.js";
import { normalizeImpliedVolBatch, normalizeOptionBatch, type NormalizedBatch } from "../bindings/batch.js";
import { PricingInputError } from "../bindings/errors.js";
import { GREEK_OUTPUTS, IMPLIED_VOL_INPUTS, OPTION_INPUTS, OUTPUT_BYTES_PER_OPTION } from "../bindings/kernel/columns.js";
import { pricerOrderValidator, validateInPricerOrder } from "../bindings/planning.js";
import { copyColumns } from "../bindings/pricer.js";
import type { Greeks, ImpliedVolBatch, ImpliedVolResult, OptionBatch } from "../bindings/types.js";
import {
  americanOf, batchSource, greeksOf, impliedVolOf, planColumnJob, resultColumns,
  type ColumnJobOptions, type ColumnKind, type ColumnSource, type ResultColumns,
} from "./chunking.js";
import { MicroBatcher, type MicroBatchOptions } from "./micro-batch.js";
import type { CallOptions, WorkerScheduler } from "./scheduler.js";

/** How a call's input is checked: on the calling thread as chunks are sent, or by the workers' kernels. */
type Check = Pick<ColumnJobOptions, "validate" | "screenInWorkers">;

/**
 * Options per American task: ~5 ms of work in the fast mode and ~30 ms in the accurate one, so a message (~20-100 µs)
 * is amortised and the workers stay balanced on small batches. American tasks always travel in transfer mode: their
 * outputs (up to 38 values an option with a boundary) would not fit the task regions sized for Black-Scholes, and
 * at microseconds an option the copies are noise.
 */
const AMERICAN_TASK_OPTIONS = 1024;

/** Throws PricingInputError unless `output` holds six Float64Arrays of length n. */
export function checkGreeksOutput(output: Greeks, n: number): void {
  for (const name of GREEK_OUTPUTS) {
    const column = (output as unknown as Record<string, unknown>)[name];
    if (!(column instanceof Float64Array) || column.length !== n) {
      throw new PricingInputError(`output.${name}`, undefined, `must be a Float64Array of the batch length ${n}`);
    }
  }
}

/**
 * Output columns (named `names`, in kernel output order) as in-place targets when every one is a Float64Array over a
 * SharedArrayBuffer, else undefined. Written by several workers while others still read the inputs, so they must
 * not overlap one another or an input column read in place (PricingInputError naming the output column otherwise).
 */
function sharedOutputColumns(
  columns: readonly Float64Array[], names: readonly string[], source: ColumnSource,
): Record<number, { buffer: SharedArrayBuffer; offset: number }> | undefined {
  if (!columns.every((column) => column.buffer instanceof SharedArrayBuffer)) return undefined;
  const overlap = (a: Float64Array, b: Float64Array) =>
    a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
  const inputs = OPTION_INPUTS.map((_, c) => source.sharedColumn?.(c));
  const outPlace: Record<number, { buffer: SharedArrayBuffer; offset: number }> = {};
  for (const [c, column] of columns.entries()) {
    const clash = columns.findIndex((other, k) => k < c && overlap(column, other));
    if (clash >= 0) throw new PricingInputError(names[c]!, undefined, `must not share memory with ${names[clash]}`);
    const input = inputs.findIndex((other) => other !== undefined && overlap(column, other));
    if (input >= 0) throw new PricingInputError(names[c]!, undefined, `must not share memory with the input column ${OPTION_INPUTS[input]}`);
    outPlace[c] = { buffer: column.buffer as SharedArrayBuffer, offset: column.byteOffset / 8 };
  }
  return outPlace;
}

/** The output columns of Greeks in kernel order, and their names as errors give them. */
const greekColumns = (g: Greeks): Float64Array[] => GREEK_OUTPUTS.map((name) => g[name]);
const GREEK_FIELDS = GREEK_OUTPUTS.map((name) => `output.${name}`);

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

/** The column calls of one pool: Black-Scholes, implied vol and American over its scheduler. */
export class ColumnCalls {
  /** Reused staging buffers for results copied into the caller's ordinary `output` arrays. */
  private readonly outputArenas = new BufferStore(MAX_SPARE_ARENAS);
  private readonly bsBatcher: MicroBatcher<Greeks, Greeks>;
  private readonly ivBatcher: MicroBatcher<ImpliedVolResult, ImpliedVolResult>;
  private readonly maxCallOptions: number;

  constructor(
    private readonly scheduler: WorkerScheduler,
    /** Options per chunk task (even). */
    private readonly chunkSize: number,
    /** True when the workers' memories are shared with this thread (see PricingPoolOptions.sharedMemory). */
    private readonly sharedMemory: boolean,
    /** Micro-batching settings; undefined turns it off. */
    private readonly micro: MicroBatchOptions | undefined,
  ) {
    const windowMs = micro?.windowMs ?? 0;
    const maxBatchOptions = micro?.maxBatchOptions ?? chunkSize;
    this.maxCallOptions = micro?.maxCallOptions ?? 1024;
    this.bsBatcher = new MicroBatcher((source) => this.greeks(source), sliceGreeks, windowMs, maxBatchOptions);
    this.ivBatcher = new MicroBatcher(async (source) => impliedVolOf(await this.columns("impliedVol", source)), sliceImpliedVol, windowMs, maxBatchOptions);
  }

  /** Black-Scholes of an ordinary batch (see PricingPool.blackScholes), into `call.output` when given. */
  async blackScholes(batch: OptionBatch, call?: CallOptions & { output?: Greeks }): Promise<Greeks> {
    const normalized = normalizeOptionBatch(batch);
    const source = batchSource(normalized);
    const output = call?.output;
    if (output !== undefined) checkGreeksOutput(output, source.length);
    if (this.coalesce(source.length, call)) {
      validateLikePricer(normalized); // a bad call must fail alone, before it joins a shared batch
      const greeks = await this.bsBatcher.add(source);
      return output === undefined ? greeks : copyColumns(output, greeks);
    }
    return this.greeks(source, call, checkOf(batch, BS_FIELDS, normalized), output);
  }

  /**
   * Black-Scholes prices alone (see PricingPool.blackScholesPrice), into `call.output` when given. Never coalesced:
   * a price-only call is for batches large enough that the greeks' copies matter.
   */
  async blackScholesPrice(batch: OptionBatch, call?: CallOptions & { output?: Float64Array }): Promise<Float64Array> {
    const normalized = normalizeOptionBatch(batch);
    const source = batchSource(normalized);
    const output = call?.output;
    if (output !== undefined && !(output instanceof Float64Array && output.length === source.length)) {
      throw new PricingInputError("output", undefined, `must be a Float64Array of the batch length ${source.length}`);
    }
    const into = output && { columns: [output], names: ["output"] };
    const columns = await this.columns("blackScholesPrice", source, call, checkOf(batch, BS_FIELDS, normalized), into);
    return output ?? (columns[0] as Float64Array);
  }

  /** Implied volatility of a batch (see PricingPool.impliedVol). */
  async impliedVol(batch: ImpliedVolBatch, call?: CallOptions): Promise<ImpliedVolResult> {
    const normalized = normalizeImpliedVolBatch(batch);
    const source = batchSource(normalized);
    if (this.coalesce(source.length, call)) {
      validateLikePricer(normalized); // a bad call must fail alone, before it joins a shared batch
      return this.ivBatcher.add(source);
    }
    return impliedVolOf(await this.columns("impliedVol", source, call, checkOf(batch, IV_FIELDS, normalized)));
  }

  /** American prices and greeks of a batch (see PricingPool.american), in tasks of at most AMERICAN_TASK_OPTIONS. */
  async american(batch: OptionBatch, options?: AmericanOptions & CallOptions): Promise<AmericanResult> {
    const settings = americanSettings(options);
    const normalized = normalizeOptionBatch(batch);
    const source = batchSource(normalized);
    const job = planColumnJob("american", source, Math.min(this.chunkSize, AMERICAN_TASK_OPTIONS), {
      american: settings,
      ...checkOf(batch, BS_FIELDS, normalized),
    });
    await this.scheduler.run(job.tasks, source.length, options);
    return americanOf(job.result(), settings);
  }

  /** Rejects every call still waiting in a micro-batch. */
  rejectPending(error: unknown): void {
    this.bsBatcher.rejectPending(error);
    this.ivBatcher.rejectPending(error);
  }

  private coalesce(n: number, call: CallOptions | undefined): boolean {
    return this.micro !== undefined && n <= this.maxCallOptions && call?.signal === undefined && call?.onProgress === undefined;
  }

  /** Black-Scholes into `output` (see BlackScholesCallOptions), or into new arrays: one ArrayBuffer each, as the pricer returns. */
  private async greeks(source: ColumnSource, call?: CallOptions, check?: Check, output?: Greeks): Promise<Greeks> {
    const columns = await this.columns("blackScholes", source, call, check, output && { columns: greekColumns(output), names: GREEK_FIELDS });
    return output ?? greeksOf(columns);
  }

  /**
   * Prices a column batch, checked as `check` says. Results are new ordinary ArrayBuffers that the calling thread
   * fills chunk by chunk. (Fresh SharedArrayBuffers per call, which the workers wrote in place, were faster on paper
   * but never came back: V8 does not count them towards a garbage collection, and each worker's copy of the handle
   * lives until its own rare collection, so 1M-option calls grew the process by 48 MB each, to 4 GB after 80 calls.)
   * Output columns that are the caller's own SharedArrayBuffer views are written by the workers in place: no copy, no
   * fresh memory. Other `into` arrays are filled from a reused buffer once the whole call has succeeded.
   */
  private async columns(
    kind: Exclude<ColumnKind, "american">, source: ColumnSource, call?: CallOptions, check?: Check,
    into?: { columns: Float64Array[]; names: readonly string[] },
  ): Promise<ResultColumns> {
    const n = source.length;
    const outPlace = this.sharedMemory && into ? sharedOutputColumns(into.columns, into.names, source) : undefined;
    const staged = into && !outPlace ? this.outputArenas.acquire(n * OUTPUT_BYTES_PER_OPTION[kind]) : undefined;
    const job = planColumnJob(kind, source, this.chunkSize, {
      shared: this.sharedMemory ? { outPlace } : undefined,
      output: staged && resultColumns(kind, n, staged),
      ...check,
    });
    // When workers write into the caller's arrays, the call settles only after its running tasks end (drain), and a
    // failed call leaves them all NaN rather than half-written (as a zero-copy batch's outputs).
    try {
      await this.scheduler.run(job.tasks, n, { ...call, drain: outPlace !== undefined });
    } catch (error) {
      if (outPlace) for (const column of into!.columns) column.fill(NaN);
      throw error;
    }
    if (staged) {
      const columns = job.result(); // views of `staged`
      into!.columns.forEach((column, c) => column.set(columns[c]!));
      this.outputArenas.release(staged);
    }
    return job.result();
  }
}

/** Typed-array batches are screened by the workers (in parallel); others validated here as chunks are sent. */
function checkOf(input: object, fields: readonly string[], batch: NormalizedBatch): Check {
  return screenable(input, fields)
    ? { screenInWorkers: { onInvalid: () => rethrowExactError(batch) } }
    : { validate: validateUpTo(pricerOrderValidator((s, e) => batch.validate(s, e), batch.length)) };
}
