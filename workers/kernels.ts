// Worker side of a column task. Transfer mode: copies the chunk's input columns into WASM scratch memory, runs the
// kernel, copies the outputs into a reply buffer. Shared mode: the calling thread wrote the inputs straight into the
// task's region of this worker's (shared) memory, the kernel runs there and the outputs stay there for it to read;
// only broadcast scalars and the caller's own shared columns are filled here, and outputs copied to the caller's
// own shared columns when it gave some.
// Screening happens in WASM on the copied values: the kernels check their inputs as they go (no extra pass) and
// a flagged chunk is reported `invalid`, for the calling thread to find the exact error.
import { americanValuesPerOption } from "../bindings/american.js";
import { callAmerican, callBlackScholes, callBlackScholesPrice, callImpliedVol, scratchLayout } from "../bindings/kernel/calls.js";
import { AMERICAN_OUTPUTS, GREEK_OUTPUTS, KERNEL_INPUTS, OUTPUT_BYTES_PER_OPTION, PRICE_OUTPUTS } from "../bindings/kernel/columns.js";
import { CHUNK_OPTIONS } from "../bindings/planning.js";
import type { WasmCore } from "../bindings/wasm.js";
import { regionColumn, type BatchTask, type ColumnReply, type ColumnTask } from "./protocol.js";

/**
 * Where a task's kernel runs: its region (shared mode, the whole chunk at once: the calling thread wrote the
 * copied inputs there) or scratch memory in pieces of CHUNK_OPTIONS (transfer mode, bounded scratch). Pointers of
 * the 7 input columns, then `outputs` f64 columns, then `intOutputs` i32 columns.
 */
function kernelColumns(core: WasmCore, task: ColumnTask, outputs: number, intOutputs: number): { pointers: number[]; capacity: number } {
  const region = task.region;
  if (!region) {
    const capacity = Math.min(task.count, CHUNK_OPTIONS);
    return { pointers: scratchLayout(core, capacity, KERNEL_INPUTS, outputs, intOutputs), capacity };
  }
  if (task.count > region.capacity) throw new RangeError(`pool2peer worker: a task of ${task.count} options exceeds its region of ${region.capacity}`);
  const pointers: number[] = [];
  for (let c = 0; c < KERNEL_INPUTS + outputs; c++) pointers.push(regionColumn(region, c));
  for (let k = 0; k < intOutputs; k++) pointers.push(regionColumn(region, KERNEL_INPUTS + outputs) + k * region.capacity * 4);
  return { pointers, capacity: region.capacity };
}

/**
 * Fills elements [offset, offset + count) of the chunk's input column `c` in `target` (WASM memory): a broadcast
 * value, the caller's own shared column, or (transfer mode) the task's input buffer. In shared mode the calling
 * thread has written every other column into the region already.
 */
function loadInputColumn(task: ColumnTask, c: number, offset: number, count: number, target: Float64Array): void {
  const value = task.broadcast?.[c];
  const own = task.inPlace?.[c];
  if (value !== undefined) target.fill(value);
  else if (own) target.set(new Float64Array(own.buffer, (own.offset + task.start + offset) * 8, count));
  else if (task.input) target.set(new Float64Array(task.input, (c * task.count + offset) * 8, count));
}

/**
 * Black-Scholes-Merton price and greeks of one chunk (kernel `blackScholesBatch`). The kernel reports inputs
 * outside its domain: the chunk is then `invalid` (its outputs meaningless; the calling thread finds the error).
 * Outputs: a fresh buffer returned in transfer mode (columns of `count`); left in the region in shared mode, or
 * copied into the caller's own columns (`outPlace`).
 */
export function blackScholesTask(core: WasmCore, task: ColumnTask): ColumnReply {
  return europeanTask(core, task, true);
}

/** blackScholesTask's price column alone (kernel `blackScholesPriceBatch`: the same prices, bit for bit). */
export function blackScholesPriceTask(core: WasmCore, task: ColumnTask): ColumnReply {
  return europeanTask(core, task, false);
}

/** A Black-Scholes chunk with its six greek columns (`greeks`) or its price column alone. */
function europeanTask(core: WasmCore, task: ColumnTask, greeks: boolean): ColumnReply {
  const inputs = KERNEL_INPUTS;
  const outputs = greeks ? GREEK_OUTPUTS.length : PRICE_OUTPUTS.length;
  const bytes = greeks ? OUTPUT_BYTES_PER_OPTION.blackScholes : OUTPUT_BYTES_PER_OPTION.blackScholesPrice;
  const transferred = task.input ? new ArrayBuffer(task.count * bytes) : undefined;
  if (task.count === 0) return { output: transferred, invalid: false };
  const { pointers: p, capacity } = kernelColumns(core, task, outputs, 0);
  for (let offset = 0; offset < task.count; offset += capacity) {
    const count = Math.min(capacity, task.count - offset);
    for (let c = 0; c < inputs; c++) loadInputColumn(task, c, offset, count, core.f64(p[c]!, count));
    const flagged = greeks ? callBlackScholes(core.exports, count, p) : callBlackScholesPrice(core.exports, count, p);
    if (flagged !== 0) return { output: undefined, invalid: true };
    const out = p.slice(inputs);
    for (let c = 0; c < outputs; c++) {
      const own = task.outPlace?.[c];
      if (own) new Float64Array(own.buffer, (own.offset + task.start + offset) * 8, count).set(core.f64(out[c]!, count));
      else if (transferred) new Float64Array(transferred, (c * task.count + offset) * 8, count).set(core.f64(out[c]!, count));
    }
  }
  return { output: transferred, invalid: false };
}

/**
 * Implied volatility of one chunk (kernel `impliedVolBatch`, Jäckel's "Let's Be Rational"): vol (f64) then
 * status and iterations (i32) columns, in a fresh buffer returned in transfer mode or left in the region.
 */
export function impliedVolTask(core: WasmCore, task: ColumnTask): ColumnReply {
  const inputs = KERNEL_INPUTS;
  const n = task.count;
  const transferred = task.input ? new ArrayBuffer(n * OUTPUT_BYTES_PER_OPTION.impliedVol) : undefined;
  if (n === 0) return { output: transferred, invalid: false };
  const { pointers: p, capacity } = kernelColumns(core, task, 1, 2);
  for (let offset = 0; offset < n; offset += capacity) {
    const count = Math.min(capacity, n - offset);
    for (let c = 0; c < inputs; c++) loadInputColumn(task, c, offset, count, core.f64(p[c]!, count));
    if (callImpliedVol(core.exports, count, p) !== 0) return { output: undefined, invalid: true };
    if (transferred) {
      const [vol, status, iterations] = p.slice(inputs) as [number, number, number];
      new Float64Array(transferred, 0, n).set(core.f64(vol, count), offset);
      new Int32Array(transferred, 8 * n, n).set(core.i32(status, count), offset);
      new Int32Array(transferred, 12 * n, n).set(core.i32(iterations, count), offset);
    }
  }
  return { output: transferred, invalid: false };
}

/**
 * Black-Scholes-Merton on options [start, start + count) of a pool's zero-copy batch, in place: `instance` runs in
 * the batch's memory, with the work area the calling thread set aside for this worker. `start` is even, so each
 * option sits in the same SIMD lane as when the single-thread pricer prices the whole batch. `priceOnly`: the
 * price-only kernel (the same prices, the other greek columns untouched).
 */
export function blackScholesInBatch(instance: WasmCore, task: BatchTask): { invalid: boolean } {
  instance.exports.useBlackScholesWorkArea(task.workArea);
  const call = task.priceOnly ? callBlackScholesPrice : callBlackScholes;
  return { invalid: call(instance.exports, task.count, task.pointers, task.start * 8) !== 0 };
}

/**
 * American prices and greeks of one chunk (kernel `americanBatch`), in transfer mode: the inputs come in the task's
 * buffer, the outputs go back in a fresh one laid out as bindings/american.ts americanValuesPerOption says (four
 * columns of `count`, then the boundary levels and times, `count·nodes` each, row-major).
 */
export function americanTask(core: WasmCore, task: ColumnTask): ColumnReply {
  const settings = task.american;
  if (!settings || task.region) throw new Error("pool2peer worker: an American task needs its settings and runs in transfer mode");
  const n = task.count;
  const perOption = americanValuesPerOption(settings);
  const transferred = new ArrayBuffer(n * perOption * 8);
  if (n === 0) return { output: transferred, invalid: false };
  const capacity = Math.min(n, CHUNK_OPTIONS);
  const p = scratchLayout(core, capacity, KERNEL_INPUTS, perOption, 0);
  const outputs = p[KERNEL_INPUTS]!;
  const nodes = settings.boundaryNodes;
  for (let offset = 0; offset < n; offset += capacity) {
    const count = Math.min(capacity, n - offset);
    for (let c = 0; c < KERNEL_INPUTS; c++) loadInputColumn(task, c, offset, count, core.f64(p[c]!, count));
    if (callAmerican(core.exports, count, p, outputs, capacity, settings) !== 0) return { output: undefined, invalid: true };
    AMERICAN_OUTPUTS.forEach((_, c) => new Float64Array(transferred, (c * n + offset) * 8, count).set(core.f64(outputs + c * capacity * 8, count)));
    if (nodes > 0) {
      const level = outputs + AMERICAN_OUTPUTS.length * capacity * 8;
      const block = AMERICAN_OUTPUTS.length * n;
      new Float64Array(transferred, (block + offset * nodes) * 8, count * nodes).set(core.f64(level, count * nodes));
      new Float64Array(transferred, (block + n * nodes + offset * nodes) * 8, count * nodes).set(core.f64(level + count * nodes * 8, count * nodes));
    }
  }
  return { output: transferred, invalid: false };
}
