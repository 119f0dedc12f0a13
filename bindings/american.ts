// American options over the WASM kernel americanBatch (assembly/american.ts): the call's settings, its output
// layout and the result type, shared by the single-thread pricer and the worker pool.
import { PricingInputError } from "./errors.js";
import { AMERICAN_OUTPUTS } from "./kernel/columns.js";

export { AMERICAN_OUTPUTS } from "./kernel/columns.js";

/** "fast" (≲ 10 µs an option, RMS error ~2e-5 on a spot-100 grid) or "accurate" (≲ 50 µs, ~1e-7); docs/american.md. */
export type AmericanAccuracy = "fast" | "accurate";

/** Options of `american(batch, options)`. */
export interface AmericanOptions {
  /** Speed against error (docs/american.md has the measured numbers). Default "accurate". */
  accuracy?: AmericanAccuracy;
  /** Also return each option's exercise boundary at its scheme's nodes (see AmericanBoundary). Default false. */
  boundary?: boolean;
}

/**
 * The exercise boundary of every option at `nodes` times to expiry (the Chebyshev nodes of the method:
 * τ_j = T·((1 − cos(jπ/(nodes − 1)))/2)², j = 0..nodes − 1, from expiry back to today), row-major: option i's node j
 * at [i·nodes + j]. A put is exercised at or below `level`, a call at or above. Level 0 (puts) or +∞ (calls) where
 * early exercise never pays; NaN in the double-boundary regime (put with q < r < 0, call with r < q < 0).
 */
export interface AmericanBoundary {
  /** Nodes per option: 8 for "fast", 17 for "accurate". */
  nodes: number;
  /** Time to expiry of each node, in years. */
  timeToExpiry: Float64Array;
  /** The boundary (spot level) at each node. */
  level: Float64Array;
}

/**
 * American prices and greeks, one element per option: delta and gamma with respect to spot, theta = ∂V/∂t as
 * calendar time passes, per year (0 where the option is exercised now).
 */
export interface AmericanResult {
  price: Float64Array;
  delta: Float64Array;
  gamma: Float64Array;
  theta: Float64Array;
  /** Present when `boundary: true` was asked. */
  boundary?: AmericanBoundary;
}

/**
 * The kernel's accuracy modes: its `mode` code and boundary nodes per option (assembly/american_scheme.ts:
 * AMERICAN_FAST / AMERICAN_ACCURATE and n + 1; test/bindings/american.test.ts checks the pairing with americanBoundaryNodes).
 */
export const AMERICAN_SCHEMES = {
  fast: { code: 0, boundaryNodes: 8 },
  accurate: { code: 1, boundaryNodes: 17 },
} as const;

/** The settings of one call, checked. */
export interface AmericanSettings {
  accuracy: AmericanAccuracy;
  /** The kernel's mode code. */
  mode: number;
  /** Boundary nodes per option written by the call: 0 when no boundary is asked. */
  boundaryNodes: number;
}

/** Checks `options` (PricingInputError naming `options.accuracy` or `options.boundary`) and resolves the defaults. */
export function americanSettings(options: AmericanOptions | undefined): AmericanSettings {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new PricingInputError("options", undefined, `must be an object, got ${String(options)}`);
  }
  const accuracy = options?.accuracy ?? "accurate";
  if (accuracy !== "fast" && accuracy !== "accurate") {
    throw new PricingInputError("options.accuracy", undefined, `must be "fast" or "accurate", got ${JSON.stringify(accuracy)}`);
  }
  const boundary = options?.boundary ?? false;
  if (typeof boundary !== "boolean") {
    throw new PricingInputError("options.boundary", undefined, `must be true or false, got ${JSON.stringify(boundary)}`);
  }
  const scheme = AMERICAN_SCHEMES[accuracy];
  return { accuracy, mode: scheme.code, boundaryNodes: boundary ? scheme.boundaryNodes : 0 };
}

/**
 * f64 values per option that a call writes: the four outputs, then (with a boundary) its levels and times. A
 * chunk of `count` options lays them out as four columns of `count`, then `count·nodes` levels and as many times,
 * each block row-major.
 */
export function americanValuesPerOption(settings: AmericanSettings): number {
  return AMERICAN_OUTPUTS.length + 2 * settings.boundaryNodes;
}

/** A result of `n` options, new columns. */
export function allocateAmericanResult(n: number, settings: AmericanSettings): AmericanResult {
  const result: AmericanResult = { price: new Float64Array(n), delta: new Float64Array(n), gamma: new Float64Array(n), theta: new Float64Array(n) };
  const nodes = settings.boundaryNodes;
  if (nodes > 0) result.boundary = { nodes, timeToExpiry: new Float64Array(n * nodes), level: new Float64Array(n * nodes) };
  return result;
}

/**
 * Copies a chunk's outputs, laid out as americanValuesPerOption says with columns of `stride` from byte `offset` of
 * `source`, into `result` at option `start`.
 */
export function placeAmericanChunk(result: AmericanResult, source: ArrayBufferLike, offset: number, stride: number, count: number, start: number): void {
  AMERICAN_OUTPUTS.forEach((name, c) => result[name].set(new Float64Array(source, offset + c * stride * 8, count), start));
  const boundary = result.boundary;
  if (!boundary) return;
  const at = offset + AMERICAN_OUTPUTS.length * stride * 8;
  const values = count * boundary.nodes;
  boundary.level.set(new Float64Array(source, at, values), start * boundary.nodes);
  boundary.timeToExpiry.set(new Float64Array(source, at + values * 8, values), start * boundary.nodes);
}
