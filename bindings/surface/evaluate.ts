// Batch evaluation of a surface block through the WASM kernels of assembly/surface.ts, chunk by chunk like the
// pricer's batches (bindings/pricer.ts runChunked): inputs validated in WASM, errors naming field and element,
// nothing written to a caller's output array before every input has passed.
import { normalizeNumericBatch, type NormalizedBatch } from "../batch.js";
import { PricingInputError } from "../errors.js";
import { checkBeforeWritingInto, runChunked } from "../pricer.js";
import type { WasmCore } from "../wasm.js";
import { surfaceLayout } from "./layout.js";
import type { SurfaceOptionBatch, SurfacePoints, SurfaceShape } from "./types.js";

const POINT_FIELDS = [
  { field: "k", rule: "finite" },
  { field: "years", rule: "positive" },
] as const;

const OPTION_FIELDS = [
  { field: "spot", rule: "positive" },
  { field: "strike", rule: "positive" },
  { field: "expiry", rule: "positive" },
  { field: "rate", rule: "finite" },
  { field: "dividend", rule: "finite", fallback: 0 },
] as const;

const SHAPE_NAMES = ["totalVariance", "dwdk", "density", "dwdT"] as const;

/** Writes `block` into the core's static surface block and returns its pointer. */
function place(core: WasmCore, block: Float64Array): number {
  const pointer = core.exports.surfaceParamsPointer();
  core.f64(pointer, block.length).set(block);
  return pointer;
}

/** The result column: `output` once checked (length n, Float64Array), else a new one. */
function target(core: WasmCore, batch: NormalizedBatch, output: Float64Array | undefined): Float64Array {
  if (output === undefined) return new Float64Array(batch.length);
  checkBeforeWritingInto(core, batch, () => {
    if (!(output instanceof Float64Array) || output.length !== batch.length) {
      throw new PricingInputError("output", undefined, `must be a Float64Array of the batch length ${batch.length}`);
    }
  });
  return output;
}

/** Runs a vol kernel (inputs in batch order, then the vol column) over `batch` into `output` or a new column. */
function volColumn(
  core: WasmCore, block: Float64Array, batch: NormalizedBatch, output: Float64Array | undefined,
  kernel: (surface: number, count: number, p: number[]) => number,
): Float64Array {
  const result = target(core, batch, output);
  const surface = place(core, block);
  runChunked(
    core, batch, 1, 0,
    (count, p) => kernel(surface, count, p),
    (start, count, [vol]) => result.set(core.f64(vol!, count), start),
  );
  return result;
}

/** σ(k, T) at every point. */
export function volAtPoints(core: WasmCore, block: Float64Array, points: SurfacePoints, output?: Float64Array): Float64Array {
  const batch = normalizeNumericBatch(points, "surface points", POINT_FIELDS);
  return volColumn(core, block, batch, output, (surface, count, p) => core.exports.surfaceVolBatch(surface, count, p[0]!, p[1]!, p[2]!));
}

/** σ at each option's strike and expiry: k = ln(K/S) − (r − q)T. */
export function volForOptions(core: WasmCore, block: Float64Array, options: SurfaceOptionBatch, output?: Float64Array): Float64Array {
  const batch = normalizeNumericBatch(options, "an option batch", OPTION_FIELDS);
  return volColumn(core, block, batch, output, (surface, count, p) =>
    core.exports.surfaceVolStrikeBatch(surface, count, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!));
}

/** w, ∂w/∂k, Durrleman's g and ∂w/∂T at every point. */
export function shapeAtPoints(core: WasmCore, block: Float64Array, points: SurfacePoints): SurfaceShape {
  const batch = normalizeNumericBatch(points, "surface points", POINT_FIELDS);
  const n = batch.length;
  const shape = {} as SurfaceShape;
  for (const name of SHAPE_NAMES) shape[name] = new Float64Array(n);
  const surface = place(core, block);
  runChunked(
    core, batch, 4, 0,
    (count, p) => core.exports.surfaceShapeBatch(surface, count, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!),
    (start, count, out) => SHAPE_NAMES.forEach((name, c) => shape[name].set(core.f64(out[c]!, count), start)),
  );
  return shape;
}

/** Per-row minima of the grid k × years: min g and min ∂w/∂T with the k index where each is reached. */
export interface GridMinima {
  minG: Float64Array;
  atG: Int32Array;
  minDwdT: Float64Array;
  atDwdT: Int32Array;
}

/** The grid check's reduction in WASM (assembly/surface.ts surfaceGridMinima); the axes must be valid already. */
export function gridMinimaOf(core: WasmCore, block: Float64Array, k: Float64Array, years: Float64Array): GridMinima {
  const rowWords = surfaceLayout(core).SURFACE_GRID_ROW_WORDS;
  const base = core.reserve((k.length + years.length * (1 + rowWords)) * 8);
  const yearsAt = base + k.length * 8;
  const outAt = yearsAt + years.length * 8;
  core.f64(base, k.length).set(k);
  core.f64(yearsAt, years.length).set(years);
  const surface = place(core, block);
  if (core.exports.surfaceGridMinima(surface, base, k.length, yearsAt, years.length, outAt) !== 0) {
    throw new Error("pool2peer: internal error: a check grid axis is not finite or not positive");
  }
  const out = core.f64(outAt, years.length * rowWords);
  const column = (c: number) => Float64Array.from({ length: years.length }, (_, i) => out[i * rowWords + c]!);
  return { minG: column(0), atG: Int32Array.from(column(1)), minDwdT: column(2), atDwdT: Int32Array.from(column(3)) };
}

/**
 * w, ∂w/∂k, g and ∂w/∂T at points the library generated itself (finite k, positive years: the checks' scans):
 * straight into scratch and through the kernel, without the validation and chunking of shapeAtPoints. The
 * columns are views of the core's scratch: valid until the next call that uses the core.
 */
export function shapeOfValidPoints(core: WasmCore, block: Float64Array, k: Float64Array, years: Float64Array): SurfaceShape {
  const n = k.length;
  const base = core.reserve(6 * n * 8);
  const at = (c: number) => base + c * n * 8;
  core.f64(at(0), n).set(k);
  core.f64(at(1), n).set(years);
  const surface = place(core, block);
  if (core.exports.surfaceShapeBatch(surface, n, at(0), at(1), at(2), at(3), at(4), at(5)) !== 0) {
    throw new Error("pool2peer: internal error: a scan point is not finite or not positive");
  }
  // Views, not copies: the checks read them at once, and a copy per scan step cost more than the kernel.
  const out = (c: number) => core.f64(at(c), n);
  return { totalVariance: out(2), dwdk: out(3), density: out(4), dwdT: out(5) };
}
