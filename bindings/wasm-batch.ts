// Zero-copy batches: input and output columns that live in the linear memory of a WASM instance of their own.
// The caller fills the input views in place and the kernel runs on them directly: no copy in, no copy out, no
// separate validation pass (the kernels check their inputs as they go). The instance is made
// from the pricer's compiled module and its memory is sized once, at creation, and never grows afterwards, so
// the views stay valid for the batch's whole life (a growing memory would detach them).
import { WASM_RULE } from "./batch.js";
import { PricingInputError } from "./errors.js";
import type { Greeks, ImpliedVolResult } from "./types.js";
import { loadWasmCore, type WasmCore } from "./wasm.js";

interface ColumnSpec {
  field: string;
  rule: number;
}

const OPTION_INPUTS: readonly ColumnSpec[] = [
  { field: "type", rule: WASM_RULE.sign },
  { field: "spot", rule: WASM_RULE.positive },
  { field: "strike", rule: WASM_RULE.positive },
  { field: "expiry", rule: WASM_RULE.positive },
  { field: "vol", rule: WASM_RULE.positive },
  { field: "rate", rule: WASM_RULE.finite },
  { field: "dividend", rule: WASM_RULE.finite },
];

const IMPLIED_VOL_INPUTS: readonly ColumnSpec[] = [
  { field: "type", rule: WASM_RULE.sign },
  { field: "price", rule: WASM_RULE.nonNegative },
  { field: "spot", rule: WASM_RULE.positive },
  { field: "strike", rule: WASM_RULE.positive },
  { field: "expiry", rule: WASM_RULE.positive },
  { field: "rate", rule: WASM_RULE.finite },
  { field: "dividend", rule: WASM_RULE.finite },
];

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
    const view = (k: number) => backing.core.f64(backing.pointers[k]!, length);
    this.length = length;
    this.type = view(0);
    this.spot = view(1);
    this.strike = view(2);
    this.expiry = view(3);
    this.vol = view(4);
    this.rate = view(5);
    this.dividend = view(6);
    this.greeks = { price: view(7), delta: view(8), gamma: view(9), vega: view(10), theta: view(11), rho: view(12) };
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
    const view = (k: number) => backing.core.f64(backing.pointers[k]!, length);
    this.length = length;
    this.type = view(0);
    this.price = view(1);
    this.spot = view(2);
    this.strike = view(3);
    this.expiry = view(4);
    this.rate = view(5);
    this.dividend = view(6);
    this.result = {
      vol: view(7),
      status: backing.core.i32(backing.pointers[8]!, length),
      iterations: backing.core.i32(backing.pointers[9]!, length),
    };
    backings.set(this, backing);
  }
}

export async function createOptionBatch(module: WebAssembly.Module, length: number): Promise<WasmOptionBatch> {
  return new WasmOptionBatch(await allocate(module, length, 13, 0), length);
}

export async function createImpliedVolBatch(module: WebAssembly.Module, length: number): Promise<WasmImpliedVolBatch> {
  return new WasmImpliedVolBatch(await allocate(module, length, 8, 2), length);
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
  throwFirstInvalid(backing, OPTION_INPUTS, length);
}

/** Prices a zero-copy option batch in place; returns its `greeks` views. */
export function blackScholesInPlace(batch: WasmOptionBatch, backing: Backing): Greeks {
  const { core, pointers: p } = backing;
  const flagged = core.exports.blackScholesBatch(
    batch.length, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!, p[10]!, p[11]!, p[12]!,
  );
  if (flagged !== 0) {
    // The outputs of a rejected call are NaN, not the kernel's garbage.
    for (const column of Object.values(batch.greeks) as Float64Array[]) column.fill(NaN);
    throwFirstInvalid(backing, OPTION_INPUTS, batch.length);
    throw new Error("pool2peer: internal error: the kernel flagged an input that firstInvalid accepts");
  }
  return batch.greeks;
}

/** Inverts a zero-copy implied-vol batch in place; returns its `result` views. */
export function impliedVolInPlace(batch: WasmImpliedVolBatch, backing: Backing): ImpliedVolResult {
  const { core, pointers: p } = backing;
  if (core.exports.impliedVolBatch(batch.length, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!) !== 0) {
    batch.result.vol.fill(NaN);
    batch.result.status.fill(0);
    batch.result.iterations.fill(0);
    throwFirstInvalid(backing, IMPLIED_VOL_INPUTS, batch.length);
    throw new Error("pool2peer: internal error: the kernel flagged an input that firstInvalid accepts");
  }
  return batch.result;
}
