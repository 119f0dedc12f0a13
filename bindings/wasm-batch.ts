// Zero-copy batches: input and output columns that live in the linear memory of a WASM instance of their own.
// The caller fills the input views in place and the kernel runs on them directly: no copy in, no copy out, no
// separate validation pass (the kernels check their inputs as they go). The instance is made
// from the pricer's compiled module and its memory is sized once, at creation, and never grows afterwards, so
// the views stay valid for the batch's whole life (a growing memory would detach them).
import { PricingInputError } from "./errors.js";
import { callBlackScholes, callImpliedVol } from "./kernel/calls.js";
import {
  GREEK_OUTPUTS, IMPLIED_VOL_INPUTS, IMPLIED_VOL_OUTPUTS, INPUT_RULES, KERNEL_INPUTS, OPTION_INPUTS, WASM_RULE, type KernelInputField,
} from "./kernel/columns.js";
import type { Greeks, ImpliedVolResult } from "./types.js";
import { loadWasmCore, type WasmCore } from "./wasm.js";

interface ColumnSpec {
  field: string;
  rule: number;
}

const ruleOf = (field: KernelInputField): ColumnSpec => ({ field, rule: WASM_RULE[INPUT_RULES[field]] });
const OPTION_INPUT_RULES: readonly ColumnSpec[] = OPTION_INPUTS.map(ruleOf);
const IMPLIED_VOL_INPUT_RULES: readonly ColumnSpec[] = IMPLIED_VOL_INPUTS.map(ruleOf);

const RULE_TEXT: Record<number, string> = {
  [WASM_RULE.sign]: "must be +1 (call) or −1 (put)",
  [WASM_RULE.positive]: "must be a finite number > 0",
  [WASM_RULE.nonNegative]: "must be a finite number ≥ 0",
  [WASM_RULE.finite]: "must be a finite number",
};

/** Largest zero-copy batch: 2^24 options (1.7 GB of WASM memory for a Black-Scholes batch). */
export const MAX_WASM_BATCH = 1 << 24;

/** The instance behind a batch and the byte offsets of its columns (inputs, then outputs). */
export interface Backing {
  core: WasmCore;
  pointers: number[];
}

const backings = new WeakMap<object, Backing>();

async function allocate(module: WebAssembly.Module, length: number, f64Columns: number, i32Columns: number): Promise<Backing> {
  if (!Number.isInteger(length) || length < 1 || length > MAX_WASM_BATCH) {
    throw new PricingInputError("length", undefined, `must be an integer in [1, ${MAX_WASM_BATCH}], got ${String(length)}`);
  }
  const core = await loadWasmCore({ module });
  // Columns start on 16-byte boundaries (v128 loads) whatever the length.
  const stride = (n: number, bytes: number) => Math.ceil((n * bytes) / 16) * 16;
  const base = core.reserve(f64Columns * stride(length, 8) + i32Columns * stride(length, 4));
  const pointers: number[] = [];
  let at = base;
  for (let k = 0; k < f64Columns; k++, at += stride(length, 8)) pointers.push(at);
  for (let k = 0; k < i32Columns; k++, at += stride(length, 4)) pointers.push(at);
  return { core, pointers };
}

/** Views of the batch's first f64 columns, by name (`names` in column order). */
function columnViews<Name extends string>(backing: Backing, length: number, names: readonly Name[]): Record<Name, Float64Array> {
  const views = {} as Record<Name, Float64Array>;
  names.forEach((name, k) => (views[name] = backing.core.f64(backing.pointers[k]!, length)));
  return views;
}

/**
 * A Black-Scholes batch in WASM memory (`pricer.createOptionBatch(length)`). Every column starts at 0: fill
 * `type` (+1 call, −1 put), `spot`, `strike`, `expiry`, `vol`, and `rate` / `dividend` unless they are 0.
 * It is an OptionBatch, so any pricer or worker pool accepts it; the pricer that created it prices it in place.
 */
export class WasmOptionBatch {
  readonly length: number;
  readonly type: Float64Array;
  readonly spot: Float64Array;
  readonly strike: Float64Array;
  readonly expiry: Float64Array;
  readonly vol: Float64Array;
  readonly rate: Float64Array;
  readonly dividend: Float64Array;
  /** Outputs of the last in-place `blackScholes(batch)`: views overwritten by the next call (NaN after a rejected one). */
  readonly greeks: Greeks;

  /** @internal use `pricer.createOptionBatch(length)`. */
  constructor(backing: Backing, length: number) {
    const view = columnViews(backing, length, [...OPTION_INPUTS, ...GREEK_OUTPUTS]);
    this.length = length;
    this.type = view.type;
    this.spot = view.spot;
    this.strike = view.strike;
    this.expiry = view.expiry;
    this.vol = view.vol;
    this.rate = view.rate;
    this.dividend = view.dividend;
    this.greeks = { price: view.price, delta: view.delta, gamma: view.gamma, vega: view.vega, theta: view.theta, rho: view.rho };
    backings.set(this, backing);
  }
}

/**
 * An implied-vol batch in WASM memory (`pricer.createImpliedVolBatch(length)`). Every column starts at 0: fill
 * `type` (+1 call, −1 put), `price`, `spot`, `strike`, `expiry`, and `rate` / `dividend` unless they are 0.
 */
export class WasmImpliedVolBatch {
  readonly length: number;
  readonly type: Float64Array;
  readonly price: Float64Array;
  readonly spot: Float64Array;
  readonly strike: Float64Array;
  readonly expiry: Float64Array;
  readonly rate: Float64Array;
  readonly dividend: Float64Array;
  /** Outputs of the last in-place `impliedVol(batch)`: views overwritten by the next call (vol NaN after a rejected one). */
  readonly result: ImpliedVolResult;

  /** @internal use `pricer.createImpliedVolBatch(length)`. */
  constructor(backing: Backing, length: number) {
    const view = columnViews(backing, length, [...IMPLIED_VOL_INPUTS, "vol"]);
    const status = KERNEL_INPUTS + IMPLIED_VOL_OUTPUTS.indexOf("status");
    this.length = length;
    this.type = view.type;
    this.price = view.price;
    this.spot = view.spot;
    this.strike = view.strike;
    this.expiry = view.expiry;
    this.rate = view.rate;
    this.dividend = view.dividend;
    this.result = {
      vol: view.vol,
      status: backing.core.i32(backing.pointers[status]!, length),
      iterations: backing.core.i32(backing.pointers[status + 1]!, length),
    };
    backings.set(this, backing);
  }
}

export async function createOptionBatch(module: WebAssembly.Module, length: number): Promise<WasmOptionBatch> {
  return new WasmOptionBatch(await allocate(module, length, KERNEL_INPUTS + GREEK_OUTPUTS.length, 0), length);
}

export async function createImpliedVolBatch(module: WebAssembly.Module, length: number): Promise<WasmImpliedVolBatch> {
  return new WasmImpliedVolBatch(await allocate(module, length, KERNEL_INPUTS + 1, IMPLIED_VOL_OUTPUTS.length - 1), length);
}

/** The backing of a zero-copy batch made from `module`, or undefined (another object, or another build's batch). */
export function backingOf(batch: unknown, module: WebAssembly.Module): Backing | undefined {
  if (typeof batch !== "object" || batch === null) return undefined;
  const backing = backings.get(batch);
  return backing?.core.module === module ? backing : undefined;
}

/** Throws the PricingInputError of the first invalid input (column order, then index); returns when none is. */
function throwFirstInvalid(backing: Backing, columns: readonly ColumnSpec[], length: number): void {
  const { core, pointers } = backing;
  columns.forEach(({ field, rule }, k) => {
    const bad = core.exports.firstInvalid(pointers[k]!, length, rule);
    if (bad >= 0) throw new PricingInputError(field, bad, `${RULE_TEXT[rule]}, got ${core.f64(pointers[k]!, length)[bad]}`);
  });
}

/** Throws the PricingInputError of a Black-Scholes batch's first invalid input (column order, then index), if any. */
export function throwFirstInvalidOption(backing: Backing, length: number): void {
  throwFirstInvalid(backing, OPTION_INPUT_RULES, length);
}

/** Prices a zero-copy option batch in place; returns its `greeks` views. */
export function blackScholesInPlace(batch: WasmOptionBatch, backing: Backing): Greeks {
  if (callBlackScholes(backing.core.exports, batch.length, backing.pointers) !== 0) {
    // The outputs of a rejected call are NaN, not the kernel's garbage.
    for (const column of Object.values(batch.greeks) as Float64Array[]) column.fill(NaN);
    throwFirstInvalid(backing, OPTION_INPUT_RULES, batch.length);
    throw new Error("pool2peer: internal error: the kernel flagged an input that firstInvalid accepts");
  }
  return batch.greeks;
}

/** Inverts a zero-copy implied-vol batch in place; returns its `result` views. */
export function impliedVolInPlace(batch: WasmImpliedVolBatch, backing: Backing): ImpliedVolResult {
  if (callImpliedVol(backing.core.exports, batch.length, backing.pointers) !== 0) {
    batch.result.vol.fill(NaN);
    batch.result.status.fill(0);
    batch.result.iterations.fill(0);
    throwFirstInvalid(backing, IMPLIED_VOL_INPUT_RULES, batch.length);
    throw new Error("pool2peer: internal error: the kernel flagged an input that firstInvalid accepts");
  }
  return batch.result;
}
