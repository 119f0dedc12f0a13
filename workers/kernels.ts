// Worker side of a column task: copies a chunk's input columns into the WASM scratch region, runs the kernel,
// and copies the outputs to the reply buffer (transfer mode) or in place into the shared output (shared mode).
// Inputs were validated on the calling thread, so the kernels run on them directly.
import { CHUNK_OPTIONS } from "../bindings/pricer.js";
import type { WasmCore } from "../bindings/wasm.js";
import { BS_INPUTS, BS_OUTPUTS, IV_INPUTS, type ColumnTask, type InputRule } from "./protocol.js";

/** True when every value of `column` satisfies `rule` (NaN fails every comparison, so it is caught). */
function columnInDomain(column: Float64Array, rule: InputRule): boolean {
  const n = column.length;
  switch (rule) {
    case "type":
      for (let i = 0; i < n; i++) if (column[i] !== 1 && column[i] !== -1) return false;
      return true;
    case "positive":
      for (let i = 0; i < n; i++) if (!(column[i]! > 0 && column[i]! < Infinity)) return false;
      return true;
    case "nonNegative":
      for (let i = 0; i < n; i++) if (!(column[i]! >= 0 && column[i]! < Infinity)) return false;
      return true;
    case "finite":
      for (let i = 0; i < n; i++) if (!(column[i]! > -Infinity && column[i]! < Infinity)) return false;
      return true;
  }
}

/** True when every input of the chunk lies in the kernel's domain (`rules` per column, kernel order). */
export function chunkInDomain(task: ColumnTask, rules: readonly InputRule[]): boolean {
  const input = new Float64Array(task.input);
  return rules.every((rule, c) => columnInDomain(input.subarray(c * task.stride + task.start, c * task.stride + task.start + task.count), rule));
}

/** Pointers of `columns` f64 columns then `intColumns` i32 columns of `capacity` elements in scratch memory. */
function scratchColumns(core: WasmCore, capacity: number, columns: number, intColumns: number): number[] {
  const base = core.reserve(capacity * (8 * columns + 4 * intColumns));
  const pointers: number[] = [];
  for (let k = 0; k < columns; k++) pointers.push(base + k * capacity * 8);
  for (let k = 0; k < intColumns; k++) pointers.push(base + columns * capacity * 8 + k * capacity * 4);
  return pointers;
}

/** Output buffer and the element offset of the chunk within it. */
function outputTarget(task: ColumnTask, bytesPerOption: number): { buffer: ArrayBufferLike; stride: number; start: number } {
  if (task.output) return { buffer: task.output, stride: task.stride, start: task.start };
  return { buffer: new ArrayBuffer(task.count * bytesPerOption), stride: task.count, start: 0 };
}

/**
 * Black-Scholes-Merton price and greeks of one chunk (kernel `blackScholesBatch`), processed in pieces of
 * CHUNK_OPTIONS like the single-thread pricer so the scratch region stays bounded.
 * Returns the output buffer in transfer mode, undefined in shared mode.
 */
export function blackScholesTask(core: WasmCore, task: ColumnTask): ArrayBuffer | undefined {
  const inputs = BS_INPUTS.length;
  const outputs = BS_OUTPUTS.length;
  const capacity = Math.min(task.count, CHUNK_OPTIONS);
  const out = outputTarget(task, 8 * outputs);
  if (task.count === 0) return task.output ? undefined : (out.buffer as ArrayBuffer);
  const p = scratchColumns(core, capacity, inputs + outputs, 0);
  const input = new Float64Array(task.input);
  const output = new Float64Array(out.buffer);
  for (let offset = 0; offset < task.count; offset += capacity) {
    const count = Math.min(capacity, task.count - offset);
    for (let c = 0; c < inputs; c++) {
      const from = c * task.stride + task.start + offset;
      core.f64(p[c]!, count).set(input.subarray(from, from + count));
    }
    core.exports.blackScholesBatch(
      count, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!, p[10]!, p[11]!, p[12]!,
    );
    for (let c = 0; c < outputs; c++) {
      output.set(core.f64(p[inputs + c]!, count), c * out.stride + out.start + offset);
    }
  }
  return task.output ? undefined : (out.buffer as ArrayBuffer);
}

/**
 * Implied volatility of one chunk (kernel `impliedVolBatch`, Jäckel's "Let's Be Rational"): vol (f64) then
 * status and iterations (i32) columns. Returns the output buffer in transfer mode, undefined in shared mode.
 */
export function impliedVolTask(core: WasmCore, task: ColumnTask): ArrayBuffer | undefined {
  const inputs = IV_INPUTS.length;
  const capacity = Math.min(task.count, CHUNK_OPTIONS);
  const out = outputTarget(task, 16);
  if (task.count === 0) return task.output ? undefined : (out.buffer as ArrayBuffer);
  const p = scratchColumns(core, capacity, inputs + 1, 2);
  const input = new Float64Array(task.input);
  const vol = new Float64Array(out.buffer, 0, out.stride);
  const status = new Int32Array(out.buffer, 8 * out.stride, out.stride);
  const iterations = new Int32Array(out.buffer, 12 * out.stride, out.stride);
  for (let offset = 0; offset < task.count; offset += capacity) {
    const count = Math.min(capacity, task.count - offset);
    for (let c = 0; c < inputs; c++) {
      const from = c * task.stride + task.start + offset;
      core.f64(p[c]!, count).set(input.subarray(from, from + count));
    }
    core.exports.impliedVolBatch(count, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!);
    const at = out.start + offset;
    vol.set(core.f64(p[7]!, count), at);
    status.set(core.i32(p[8]!, count), at);
    iterations.set(core.i32(p[9]!, count), at);
  }
  return task.output ? undefined : (out.buffer as ArrayBuffer);
}
