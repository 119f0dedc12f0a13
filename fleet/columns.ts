// Batch ⇄ frame: the client writes a slice of a Black-Scholes or implied-vol batch as f64 columns in kernel
// order; a worker turns a frame back into a batch of Float64Array columns (type as an Int8Array of ±1) that the
// ordinary validation and pricing code take as is.
import { normalizeImpliedVolBatch, normalizeOptionBatch } from "../bindings/batch.js";
import { PricingInputError } from "../bindings/errors.js";
import { IMPLIED_VOL_INPUTS, KERNEL_INPUTS, OPTION_INPUTS } from "../bindings/kernel/columns.js";
import { validateInPricerOrder } from "../bindings/planning.js";
import type { ImpliedVolBatch, OptionBatch } from "../bindings/types.js";
import { allocateFrame, decodeFrame, FrameKind } from "./codec.js";

type InputFields = typeof OPTION_INPUTS | typeof IMPLIED_VOL_INPUTS;

/**
 * Writes elements [start, end) of one field into `target`. Values a worker must reject stay rejectable:
 * a type other than "call"/"put"/±1 becomes NaN, a non-number element of a plain array becomes NaN (a string
 * "5" must not turn into a valid 5). A missing dividend is 0 (its documented default).
 */
function writeField(field: string, value: unknown, target: Float64Array, start: number, end: number): void {
  const n = end - start;
  if (value === undefined && field === "dividend") {
    target.fill(0, 0, n);
  } else if (field === "type") {
    if (typeof value === "string") target.fill(value === "call" ? 1 : value === "put" ? -1 : NaN, 0, n);
    else if (value instanceof Int8Array) target.set(value.subarray(start, end));
    else {
      const values = value as ArrayLike<unknown>;
      for (let i = start; i < end; i++) {
        const v = values[i];
        target[i - start] = v === "call" ? 1 : v === "put" ? -1 : NaN;
      }
    }
  } else if (typeof value === "number") {
    target.fill(value, 0, n);
  } else if (value instanceof Float64Array) {
    target.set(value.subarray(start, end));
  } else {
    const values = value as ArrayLike<unknown>;
    for (let i = start; i < end; i++) {
      const v = values[i];
      target[i - start] = typeof v === "number" ? v : NaN;
    }
  }
}

/**
 * Encodes elements [start, end) of a batch whose shape was checked by normalizeOptionBatch /
 * normalizeImpliedVolBatch (field kinds and lengths) as an input frame.
 */
export function encodeBatchSlice(kind: "blackScholes" | "impliedVol", batch: OptionBatch | ImpliedVolBatch, start: number, end: number): Uint8Array {
  const fields: InputFields = kind === "blackScholes" ? OPTION_INPUTS : IMPLIED_VOL_INPUTS;
  const frame = allocateFrame(
    kind === "blackScholes" ? FrameKind.blackScholesInput : FrameKind.impliedVolInput,
    end - start,
    KERNEL_INPUTS,
  );
  const record = batch as unknown as Record<string, unknown>;
  fields.forEach((field, c) => writeField(field, record[field], frame.f64[c]!, start, end));
  return frame.bytes;
}

/** Type column of a frame as the Int8Array the pricer takes; anything but ±1 becomes 0, which it rejects. */
function typeColumn(column: Float64Array): Int8Array {
  const type = new Int8Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const v = column[i]!;
    type[i] = v === 1 ? 1 : v === -1 ? -1 : 0;
  }
  return type;
}

/** A decoded input frame as a batch of per-option columns. */
export function decodeOptionBatch(bytes: Uint8Array): OptionBatch {
  const frame = decodeFrame(bytes, FrameKind.blackScholesInput, KERNEL_INPUTS);
  const [type, spot, strike, expiry, vol, rate, dividend] = frame.f64 as [Float64Array, ...Float64Array[]];
  return { type: typeColumn(type), spot: spot!, strike: strike!, expiry: expiry!, vol: vol!, rate: rate!, dividend: dividend! };
}

/** Same for an implied-vol input frame. */
export function decodeImpliedVolBatch(bytes: Uint8Array): ImpliedVolBatch {
  const frame = decodeFrame(bytes, FrameKind.impliedVolInput, KERNEL_INPUTS);
  const [type, price, spot, strike, expiry, rate, dividend] = frame.f64 as [Float64Array, ...Float64Array[]];
  return { type: typeColumn(type), price: price!, spot: spot!, strike: strike!, expiry: expiry!, rate: rate!, dividend: dividend! };
}

/**
 * Validates a whole batch in the single-thread pricer's order (chunk by chunk of CHUNK_OPTIONS, fields in
 * kernel order within a chunk), so the first error reported is the one `createPricer()` would throw.
 * `offset` shifts the chunk grid and error indices when the batch is a slice starting at element `offset`.
 */
export function validateLikePricer(kind: "blackScholes" | "impliedVol", batch: OptionBatch | ImpliedVolBatch, offset = 0): number {
  const normalized = kind === "blackScholes" ? normalizeOptionBatch(batch as OptionBatch) : normalizeImpliedVolBatch(batch as ImpliedVolBatch);
  const n = normalized.length;
  try {
    validateInPricerOrder((start, end) => normalized.validate(start, end), n, offset);
  } catch (error) {
    if (error instanceof PricingInputError && offset !== 0 && error.index !== undefined) throw shiftInputError(error, offset);
    throw error;
  }
  return n;
}

/** The problem text of a PricingInputError (its message without the "field[index]: " prefix). */
export function problemOf(error: PricingInputError): string {
  const prefix = `${error.index === undefined ? error.field : `${error.field}[${error.index}]`}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

/** The same error with its element index moved by `offset` (a job's position in the whole batch). */
export function shiftInputError(error: PricingInputError, offset: number): PricingInputError {
  return new PricingInputError(error.field, error.index === undefined ? undefined : error.index + offset, problemOf(error));
}
