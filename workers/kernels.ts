// Worker side of a column task: copies a chunk's input columns into the WASM scratch region, runs the kernel,
// and copies the outputs to the reply buffer (transfer mode) or in place into the shared output (shared mode),
// or into the caller's own shared output columns.
// Screening happens in WASM on the copied values: the kernels check their inputs as they go (no extra pass) and
// a flagged chunk is reported `invalid`, for the calling thread to find the exact error.
import { CHUNK_OPTIONS } from "../bindings/pricer.js";
import type { WasmCore } from "../bindings/wasm.js";
import { BS_INPUTS, BS_OUTPUTS, IV_INPUTS, OUTPUT_BYTES_PER_OPTION, type ColumnReply, type ColumnTask } from "./protocol.js";

/** Pointers of `columns` f64 columns then `intColumns` i32 columns of `capacity` elements in scratch memory. */
function scratchColumns(core: WasmCore, capacity: number, columns: number, intColumns: number): number[] {
  const base = core.reserve(capacity * (8 * columns + 4 * intColumns));
  const pointers: number[] = [];
  for (let k = 0; k < columns; k++) pointers.push(base + k * capacity * 8);
  for (let k = 0; k < intColumns; k++) pointers.push(base + columns * capacity * 8 + k * capacity * 4);
  return pointers;
}

/** Writes elements [offset, offset + count) of the chunk's input column `c` to `target`. */
function loadInputColumn(task: ColumnTask, input: Float64Array, c: number, offset: number, count: number, target: Float64Array): void {
  const value = task.broadcast?.[c];
  const own = task.inPlace?.[c];
  if (value !== undefined) target.fill(value);
  else if (own) target.set(new Float64Array(own.buffer, (own.offset + task.start + offset) * 8, count));
  else target.set(input.subarray(c * task.count + offset, c * task.count + offset + count));
}

/**
 * Where a chunk's outputs go (columns of `count`): the task's output slot in shared mode, a fresh buffer to send
 * back in transfer mode, nothing with every column in place (`outPlace`).
 */
function outputBuffer(task: ColumnTask, kind: keyof typeof OUTPUT_BYTES_PER_OPTION): ArrayBufferLike {
  if (task.output) return task.output;
  return new ArrayBuffer(task.outPlace ? 0 : task.count * OUTPUT_BYTES_PER_OPTION[kind]);
}

/** The reply to a task: the output buffer only when it is a fresh one to transfer back. */
function replyOf(task: ColumnTask, buffer: ArrayBufferLike, invalid: boolean): ColumnReply {
  return { output: task.output || task.outPlace || invalid ? undefined : (buffer as ArrayBuffer), invalid };
}

/**
 * Black-Scholes-Merton price and greeks of one chunk (kernel `blackScholesBatch`), processed in pieces of
 * CHUNK_OPTIONS like the single-thread pricer so the scratch region stays bounded. The kernel reports inputs
 * outside its domain: the chunk is then `invalid` (its outputs meaningless; the calling thread finds the error).
 * The output buffer is returned in transfer mode, undefined in shared mode.
 */
export function blackScholesTask(core: WasmCore, task: ColumnTask): ColumnReply {
  const inputs = BS_INPUTS.length;
  const outputs = BS_OUTPUTS.length;
  const capacity = Math.min(task.count, CHUNK_OPTIONS);
  const buffer = outputBuffer(task, "blackScholes");
  const reply = (invalid: boolean): ColumnReply => replyOf(task, buffer, invalid);
  if (task.count === 0) return reply(false);
  const p = scratchColumns(core, capacity, inputs + outputs, 0);
  const input = new Float64Array(task.input);
  const output = new Float64Array(buffer);
  for (let offset = 0; offset < task.count; offset += capacity) {
    const count = Math.min(capacity, task.count - offset);
    for (let c = 0; c < inputs; c++) loadInputColumn(task, input, c, offset, count, core.f64(p[c]!, count));
    const flagged = core.exports.blackScholesBatch(
      count, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!, p[10]!, p[11]!, p[12]!,
    );
    if (flagged !== 0) return reply(true);
    for (let c = 0; c < outputs; c++) {
      const own = task.outPlace?.[c];
      const values = core.f64(p[inputs + c]!, count);
      if (own) new Float64Array(own.buffer, (own.offset + task.start + offset) * 8, count).set(values);
      else output.set(values, c * task.count + offset);
    }
  }
  return reply(false);
}

/**
 * Implied volatility of one chunk (kernel `impliedVolBatch`, Jäckel's "Let's Be Rational"): vol (f64) then
 * status and iterations (i32) columns. Returns the output buffer in transfer mode, undefined in shared mode.
 */
export function impliedVolTask(core: WasmCore, task: ColumnTask): ColumnReply {
  const inputs = IV_INPUTS.length;
  const capacity = Math.min(task.count, CHUNK_OPTIONS);
  const buffer = outputBuffer(task, "impliedVol");
  const reply = (invalid: boolean): ColumnReply => replyOf(task, buffer, invalid);
  if (task.count === 0) return reply(false);
  const p = scratchColumns(core, capacity, inputs + 1, 2);
  const input = new Float64Array(task.input);
  const vol = new Float64Array(buffer, 0, task.count);
  const status = new Int32Array(buffer, 8 * task.count, task.count);
  const iterations = new Int32Array(buffer, 12 * task.count, task.count);
  for (let offset = 0; offset < task.count; offset += capacity) {
    const count = Math.min(capacity, task.count - offset);
    for (let c = 0; c < inputs; c++) loadInputColumn(task, input, c, offset, count, core.f64(p[c]!, count));
    if (core.exports.impliedVolBatch(count, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!) !== 0) return reply(true);
    vol.set(core.f64(p[7]!, count), offset);
    status.set(core.i32(p[8]!, count), offset);
    iterations.set(core.i32(p[9]!, count), offset);
  }
  return reply(false);
}
