// Calls into the batch kernels with their columns laid out as kernel/columns.ts says: the one place that spells
// out each kernel's pointer list, so callers pass arrays of column pointers and never index them by position.
import type { AmericanSettings } from "../american.js";
import type { WasmCore } from "../wasm.js";
import { AMERICAN_OUTPUTS, GREEK_OUTPUTS, IMPLIED_VOL_OUTPUTS, KERNEL_INPUTS } from "./columns.js";
import type { CoreExports } from "./exports.js";

/**
 * Scratch columns of `capacity` elements: `inputs` f64 columns, then `outputs` f64 columns, then `intOutputs` i32
 * columns, one after the other from a fresh scratch region of `core`. Returns their byte offsets in that order.
 */
export function scratchLayout(core: WasmCore, capacity: number, inputs: number, outputs: number, intOutputs: number): number[] {
  const bytes = capacity * 8 * (inputs + outputs) + capacity * 4 * intOutputs;
  const base = core.reserve(bytes);
  const pointers: number[] = [];
  for (let k = 0; k < inputs + outputs; k++) pointers.push(base + k * capacity * 8);
  const intBase = base + capacity * 8 * (inputs + outputs);
  for (let k = 0; k < intOutputs; k++) pointers.push(intBase + k * capacity * 4);
  return pointers;
}

/** Scratch columns of `capacity` options for blackScholesBatch: OPTION_INPUTS then GREEK_OUTPUTS. */
export function blackScholesScratch(core: WasmCore, capacity: number): number[] {
  return scratchLayout(core, capacity, KERNEL_INPUTS, GREEK_OUTPUTS.length, 0);
}

/** Scratch columns of `capacity` options for impliedVolBatch: IMPLIED_VOL_INPUTS, vol, then status and iterations (i32). */
export function impliedVolScratch(core: WasmCore, capacity: number): number[] {
  return scratchLayout(core, capacity, KERNEL_INPUTS, 1, IMPLIED_VOL_OUTPUTS.length - 1);
}

/**
 * blackScholesBatch on `count` options whose columns (OPTION_INPUTS then GREEK_OUTPUTS) are at `columns`, each moved
 * by `byteOffset` (a range of a larger batch). Returns the kernel's flag: non-zero when an input is outside its domain.
 */
export function callBlackScholes(exports: CoreExports, count: number, columns: readonly number[], byteOffset = 0): number {
  const [type, spot, strike, expiry, vol, rate, dividend, price, delta, gamma, vega, theta, rho] = columns.map((p) => p + byteOffset) as Thirteen;
  return exports.blackScholesBatch(count, type, spot, strike, expiry, vol, rate, dividend, price, delta, gamma, vega, theta, rho);
}

/**
 * blackScholesPriceBatch on `count` options whose columns (OPTION_INPUTS then PRICE_OUTPUTS; further columns are
 * ignored) are at `columns`, each moved by `byteOffset`. Returns the kernel's flag: non-zero when an input is outside
 * its domain.
 */
export function callBlackScholesPrice(exports: CoreExports, count: number, columns: readonly number[], byteOffset = 0): number {
  const [type, spot, strike, expiry, vol, rate, dividend, price] = columns as Eight;
  const o = byteOffset;
  return exports.blackScholesPriceBatch(count, type + o, spot + o, strike + o, expiry + o, vol + o, rate + o, dividend + o, price + o);
}

/**
 * impliedVolBatch on `count` options whose columns (IMPLIED_VOL_INPUTS, vol, status, iterations) are at `columns`.
 * Returns the kernel's flag: non-zero when an input is outside its domain.
 */
export function callImpliedVol(exports: CoreExports, count: number, columns: readonly number[]): number {
  const [type, price, spot, strike, expiry, rate, dividend, vol, status, iterations] = columns as Ten;
  return exports.impliedVolBatch(count, type, price, spot, strike, expiry, rate, dividend, vol, status, iterations);
}

/**
 * americanBatch on `count` options whose OPTION_INPUTS columns are at `inputs`, writing the layout of
 * americanValuesPerOption (bindings/american.ts) from byte `output` with output columns of `stride` options. Returns
 * the kernel's flag (non-zero: some input is outside the domain).
 */
export function callAmerican(
  exports: CoreExports, count: number, inputs: readonly number[], output: number, stride: number,
  settings: Pick<AmericanSettings, "mode" | "boundaryNodes">,
): number {
  const column = (c: number) => output + c * stride * 8;
  const level = settings.boundaryNodes > 0 ? column(AMERICAN_OUTPUTS.length) : 0;
  const time = level === 0 ? 0 : level + count * settings.boundaryNodes * 8;
  const [type, spot, strike, expiry, vol, rate, dividend] = inputs as Seven;
  return exports.americanBatch(
    count, type, spot, strike, expiry, vol, rate, dividend, column(0), column(1), column(2), column(3), settings.mode, level, time,
  );
}

type Seven = [number, number, number, number, number, number, number];
type Eight = [...Seven, number];
type Ten = [...Seven, number, number, number];
type Thirteen = [...Ten, number, number, number];
