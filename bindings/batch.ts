// Validation and normalisation of pricing batches. A batch field is a number (broadcast) or one value
// per option; every field is checked before any result is produced, and an error names field and element.
import { PricingInputError } from "./errors.js";
import { IMPLIED_VOL_INPUTS, INPUT_DEFAULTS, INPUT_RULES, OPTION_INPUTS, WASM_RULE, type KernelInputField } from "./kernel/columns.js";
import type { ImpliedVolBatch, NumericColumn, OptionBatch, TypeColumn } from "./types.js";

/** What a numeric field must satisfy. */
export type NumericRule = "positive" | "nonNegative" | "finite";

export { WASM_RULE } from "./kernel/columns.js";

const ruleText: Record<NumericRule, string> = {
  positive: "must be a finite number > 0",
  nonNegative: "must be a finite number ≥ 0",
  finite: "must be a finite number",
};

function violates(rule: NumericRule, v: number): boolean {
  // Written so that NaN fails every comparison and is reported.
  switch (rule) {
    case "positive":
      return !(v > 0 && v < Infinity);
    case "nonNegative":
      return !(v >= 0 && v < Infinity);
    case "finite":
      return !(v > -Infinity && v < Infinity);
  }
}

function describe(v: unknown): string {
  return typeof v === "number" ? String(v) : `${typeof v} ${JSON.stringify(v)}`;
}

/** One input column: a broadcast scalar or per-option values, copied chunk by chunk into WASM views. */
export interface BatchColumn {
  readonly field: string;
  /** Code of the rule every element obeys once copied as f64 (WASM_RULE), checked in WASM by the pricer. */
  readonly wasmRule: number;
  /** Message for an element that breaks the rule, given its value as copied. */
  describeInvalid(index: number): string;
  /** Number of elements, or undefined for a broadcast scalar. */
  readonly length: number | undefined;
  /** Throws PricingInputError for the first invalid element in [start, end). */
  validate(start: number, end: number): void;
  /**
   * The column itself when it is a Float64Array over a SharedArrayBuffer (values exactly as the kernel reads them):
   * the worker pool lets workers read it in place instead of copying it. Undefined otherwise.
   */
  sharedValues(): Float64Array | undefined;
  /** The value as the kernel reads it (±1 for type) when the column is a broadcast scalar, else undefined. */
  broadcastValue(): number | undefined;
  /**
   * Writes elements [start, end) into `target` from index 0. Throws PricingInputError for an element that is not
   * a number (or not "call"/"put"); values that are numbers but break the rule are left to `validate` or the WASM check.
   */
  copyInto(target: Float64Array, start: number, end: number): void;
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { length?: unknown }).length === "number"
  );
}

/** `values` when it is a Float64Array over a SharedArrayBuffer. */
function sharedFloat64(values: unknown): Float64Array | undefined {
  return values instanceof Float64Array && typeof SharedArrayBuffer === "function" && values.buffer instanceof SharedArrayBuffer ? values : undefined;
}

class NumericColumnInput implements BatchColumn {
  readonly length: number | undefined;
  private readonly scalar: number;
  private readonly values: ArrayLike<number> | undefined;

  constructor(
    readonly field: string,
    column: unknown,
    private readonly rule: NumericRule,
  ) {
    if (typeof column === "number") {
      if (violates(rule, column)) throw new PricingInputError(field, undefined, `${ruleText[rule]}, got ${column}`);
      this.scalar = column;
      this.length = undefined;
    } else if (isArrayLike(column) && typeof column !== "string") {
      this.values = column as ArrayLike<number>;
      this.scalar = NaN;
      this.length = column.length;
    } else {
      throw new PricingInputError(field, undefined, `must be a number or an array of numbers, got ${describe(column)}`);
    }
  }

  get wasmRule(): number {
    return WASM_RULE[this.rule];
  }

  describeInvalid(index: number): string {
    return `${ruleText[this.rule]}, got ${describe(this.values === undefined ? this.scalar : this.values[index])}`;
  }

  sharedValues(): Float64Array | undefined {
    return sharedFloat64(this.values);
  }

  broadcastValue(): number | undefined {
    return this.values === undefined ? this.scalar : undefined;
  }

  validate(start: number, end: number): void {
    const values = this.values;
    if (values === undefined) return;
    const rule = this.rule;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (typeof v !== "number" || violates(rule, v)) {
        throw new PricingInputError(this.field, i, `${ruleText[rule]}, got ${describe(v)}`);
      }
    }
  }

  copyInto(target: Float64Array, start: number, end: number): void {
    const values = this.values;
    if (values === undefined) {
      target.fill(this.scalar, 0, end - start);
    } else if (values instanceof Float64Array) {
      target.set(values.subarray(start, end));
    } else if (ArrayBuffer.isView(values)) {
      target.set((values as unknown as Float32Array).subarray(start, end));
    } else {
      for (let i = start; i < end; i++) {
        const v = values[i];
        if (typeof v !== "number") throw new PricingInputError(this.field, i, `${ruleText[this.rule]}, got ${describe(v)}`);
        target[i - start] = v;
      }
    }
  }
}

/** Option type column: "call" / "put", an array of them, or an Int8Array / Float64Array of +1 / −1. Written to WASM as ±1.0. */
class TypeColumnInput implements BatchColumn {
  readonly field = "type";
  readonly wasmRule = WASM_RULE.sign;
  readonly length: number | undefined;
  private readonly scalar: number;
  private readonly values: ArrayLike<unknown> | undefined;

  constructor(column: TypeColumn | unknown) {
    if (typeof column === "string") {
      this.scalar = TypeColumnInput.sign(column, undefined);
      this.length = undefined;
    } else if (isArrayLike(column)) {
      this.values = column;
      this.scalar = NaN;
      this.length = column.length;
    } else {
      throw new PricingInputError("type", undefined, `must be "call", "put", an array of those or an Int8Array / Float64Array of ±1, got ${describe(column)}`);
    }
  }

  private static sign(value: unknown, index: number | undefined): number {
    if (value === "call" || value === 1) return 1;
    if (value === "put" || value === -1) return -1;
    throw new PricingInputError("type", index, `must be "call" or "put" (or +1 / −1 in an Int8Array or Float64Array), got ${describe(value)}`);
  }

  validate(start: number, end: number): void {
    const values = this.values;
    if (values === undefined) return;
    if (values instanceof Int8Array || values instanceof Float64Array) {
      for (let i = start; i < end; i++) {
        const v = values[i] as number;
        if (v !== 1 && v !== -1) TypeColumnInput.sign(v, i);
      }
      return;
    }
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (v !== "call" && v !== "put") TypeColumnInput.sign(typeof v === "number" ? `${v}` : v, i);
    }
  }

  sharedValues(): Float64Array | undefined {
    return sharedFloat64(this.values);
  }

  broadcastValue(): number | undefined {
    return this.values === undefined ? this.scalar : undefined;
  }

  describeInvalid(index: number): string {
    const v = this.values === undefined ? this.scalar : this.values[index];
    return `must be "call" or "put" (or +1 / −1 in an Int8Array or Float64Array), got ${describe(v)}`;
  }

  copyInto(target: Float64Array, start: number, end: number): void {
    const values = this.values;
    if (values === undefined) target.fill(this.scalar, 0, end - start);
    else if (values instanceof Int8Array || values instanceof Float64Array) target.set(values.subarray(start, end));
    else {
      for (let i = start; i < end; i++) {
        const v = values[i];
        if (v === "call") target[i - start] = 1;
        else if (v === "put") target[i - start] = -1;
        else TypeColumnInput.sign(typeof v === "number" ? `${v}` : v, i);
      }
    }
  }
}

/** A validated-shape batch: columns in kernel order, and the batch length. */
export interface NormalizedBatch {
  readonly length: number;
  /** Columns in the order the WASM kernel takes them. */
  readonly columns: readonly BatchColumn[];
  /** Validates elements [start, end) of every column (throws PricingInputError). */
  validate(start: number, end: number): void;
}

function requireObject(batch: unknown, what: string): Record<string, unknown> {
  if (batch === null || typeof batch !== "object") {
    throw new PricingInputError("batch", undefined, `${what} must be an object, got ${describe(batch)}`);
  }
  return batch as Record<string, unknown>;
}

function normalize(columns: BatchColumn[]): NormalizedBatch {
  let length: number | undefined;
  let lengthField = "";
  for (const c of columns) {
    if (c.length === undefined) continue;
    if (length === undefined) {
      length = c.length;
      lengthField = c.field;
    } else if (c.length !== length) {
      throw new PricingInputError(c.field, undefined, `has length ${c.length} but ${lengthField} has length ${length}`);
    }
  }
  const n = length ?? 1;
  return {
    length: n,
    columns,
    validate(start: number, end: number) {
      for (const c of columns) c.validate(start, end);
    },
  };
}

function numeric(batch: Record<string, unknown>, field: string, rule: NumericRule, fallback?: number): BatchColumn {
  const value = batch[field];
  if (value === undefined) {
    if (fallback === undefined) throw new PricingInputError(field, undefined, "is required");
    return new NumericColumnInput(field, fallback, rule);
  }
  return new NumericColumnInput(field, value, rule);
}

function typeColumn(batch: Record<string, unknown>): BatchColumn {
  if (batch.type === undefined) throw new PricingInputError("type", undefined, "is required");
  return new TypeColumnInput(batch.type);
}

/** The input columns of a kernel (kernel/columns.ts), in its order, each under its rule and default. */
function kernelColumns(b: Record<string, unknown>, fields: readonly KernelInputField[]): BatchColumn[] {
  return fields.map((field) =>
    field === "type" ? typeColumn(b) : numeric(b, field, INPUT_RULES[field] as NumericRule, INPUT_DEFAULTS[field]),
  );
}

/**
 * Checks the shape of a Black-Scholes batch (field kinds, lengths, scalar values) and returns its columns
 * in kernel order: type, spot, strike, expiry, vol, rate, dividend. Element values are checked by `validate`.
 */
export function normalizeOptionBatch(batch: OptionBatch): NormalizedBatch {
  return normalize(kernelColumns(requireObject(batch, "a Black-Scholes batch"), OPTION_INPUTS));
}

/**
 * Same for an implied-vol batch; kernel order: type, price, spot, strike, expiry, rate, dividend.
 */
export function normalizeImpliedVolBatch(batch: ImpliedVolBatch): NormalizedBatch {
  return normalize(kernelColumns(requireObject(batch, "an implied-vol batch"), IMPLIED_VOL_INPUTS));
}

/**
 * Checks the shape of a batch of numeric fields only, returned in the order given (the vol-surface kernels'
 * inputs). A field with a `fallback` may be absent. `what` names the batch in errors.
 */
export function normalizeNumericBatch(
  batch: object,
  what: string,
  fields: readonly { field: string; rule: NumericRule; fallback?: number }[],
): NormalizedBatch {
  const b = requireObject(batch, what);
  return normalize(fields.map(({ field, rule, fallback }) => numeric(b, field, rule, fallback)));
}

// Re-exported for callers that type their own columns.
export type { NumericColumn };
