// Minimum of a function of log-moneyness along many lines at once (a smile's g, the gap between two smiles...):
// a sinh-spaced scan that is dense near each line's centre and reaches |k − centre| = SCAN_SPAN, then zooms on
// the lowest local minima. Every step is one batch through the shape kernel for all lines together.
import type { SurfaceShape } from "./types.js";

/** What a line measures at a point, from the surface's shape at one or two expiries. */
export type LineValue =
  | { kind: "density"; years: number }
  | { kind: "gap"; years: number; yearsFrom: number }
  | { kind: "fukasawa"; years: number };

/** One scan: `value` along k, points concentrated around `center` at the `scale` of the smile's features. */
export interface ScanLine {
  value: LineValue;
  center: number;
  scale: number;
}

/** The lowest value found on a line and the k-region around it where values are below −tolerance. */
export interface LineMinimum {
  worst: number;
  kWorst: number;
  /** The run of scan points around kWorst with values < −tolerance (kFrom = kTo = kWorst when none is). */
  kFrom: number;
  kTo: number;
  points: number;
}

/** Evaluates the surface's shape at points (k[i], years[i]); the result may view scratch memory, read before the next call. */
export type ShapeAt = (k: Float64Array, years: Float64Array) => SurfaceShape;

/**
 * Scan points per line; |k − centre| reaches SCAN_SPAN (K/F = e^{±1000}), where every smile here is deep in its
 * linear wings and the closed-form wing checks take over. Near a line's centre the points are
 * scale·2·asinh(SCAN_SPAN/scale)/SCAN_POINTS apart (0.08·scale at scale 0.1).
 */
const SCAN_POINTS = 256;
const SCAN_SPAN = 1e3;
/** Local minima refined per line, zoom steps, and points per zoom step (each step shrinks the bracket 4×: 4⁹ ≈ 2.6e5). */
const REFINED = 2;
const ZOOM_STEPS = 9;
const ZOOM_POINTS = 7;

/** Grow-only buffers of the points sent to shapeAt (the scans reuse them from call to call: no allocation per step). */
let scratchK = new Float64Array(0);
let scratchYears = new Float64Array(0);

/**
 * Values of every line at its points into `out`: line i's points are k[offsets[i]] … k[offsets[i + 1] − 1], and
 * its values land at the same indices. One shapeAt batch for all lines (a gap line's points count twice).
 */
function evaluateLines(shapeAt: ShapeAt, lines: readonly ScanLine[], k: Float64Array, offsets: Int32Array, out: Float64Array): void {
  let total = 0;
  for (let i = 0; i < lines.length; i++) total += (offsets[i + 1]! - offsets[i]!) * (lines[i]!.value.kind === "gap" ? 2 : 1);
  if (scratchK.length < total) [scratchK, scratchYears] = [new Float64Array(total), new Float64Array(total)];
  const [ks, years] = [scratchK.subarray(0, total), scratchYears.subarray(0, total)];
  // A line's points in a run of one expiry (a gap line: a run at `years`, then one at `yearsFrom`), which the
  // kernel evaluates two at a time.
  let at = 0;
  for (let i = 0; i < lines.length; i++) {
    const value = lines[i]!.value;
    const count = offsets[i + 1]! - offsets[i]!;
    ks.set(k.subarray(offsets[i]!, offsets[i + 1]!), at);
    years.fill(value.years, at, at + count);
    if (value.kind === "gap") {
      ks.set(k.subarray(offsets[i]!, offsets[i + 1]!), at + count);
      years.fill(value.yearsFrom, at + count, at + 2 * count);
    }
    at += value.kind === "gap" ? 2 * count : count;
  }
  const shape = shapeAt(ks, years);
  at = 0;
  for (let i = 0; i < lines.length; i++) {
    const value = lines[i]!.value;
    const count = offsets[i + 1]! - offsets[i]!;
    for (let j = 0; j < count; j++) out[offsets[i]! + j] = pointValue(value, shape, at + j, at + count + j, ks);
    at += value.kind === "gap" ? 2 * count : count;
  }
}

function pointValue(value: LineValue, shape: SurfaceShape, at: number, from: number, k: Float64Array): number {
  if (value.kind === "density") return shape.density[at]!;
  // Relative, so the tolerance means the same at k = 0 and in the far wings where w is large.
  if (value.kind === "gap") return shape.totalVariance[at]! / shape.totalVariance[from]! - 1;
  // λ → ∞ limit of g for the extrapolation λ·w(k/λ): (1 − kw'/(2w))² − w'²/16.
  const w = shape.totalVariance[at]!;
  const w1 = shape.dwdk[at]!;
  const u = 1 - (k[at]! * w1) / (2 * w);
  return u * u - (w1 * w1) / 16;
}

/** The scan points of `line` into k[at … at + SCAN_POINTS). */
function scanPoints(line: ScanLine, k: Float64Array, at: number): void {
  const top = Math.asinh(SCAN_SPAN / line.scale);
  for (let j = 0; j < SCAN_POINTS; j++) k[at + j] = line.center + line.scale * Math.sinh(-top + (2 * top * j) / (SCAN_POINTS - 1));
}

/** Indices of the lowest local minima of `values` (at most REFINED). */
function lowestLocalMinima(values: Float64Array): number[] {
  const minima: number[] = [];
  for (let j = 0; j < values.length; j++) {
    const left = j > 0 ? values[j - 1]! : Infinity;
    const right = j + 1 < values.length ? values[j + 1]! : Infinity;
    if (values[j]! <= left && values[j]! <= right) minima.push(j);
  }
  return minima.sort((p, q) => values[p]! - values[q]!).slice(0, REFINED);
}

/** The k-run around index `at` of values below −tolerance. */
function negativeRun(k: Float64Array, values: Float64Array, at: number, tolerance: number): [number, number] {
  if (!(values[at]! < -tolerance)) return [k[at]!, k[at]!];
  let lo = at;
  let hi = at;
  while (lo > 0 && values[lo - 1]! < -tolerance) lo--;
  while (hi + 1 < values.length && values[hi + 1]! < -tolerance) hi++;
  return [k[lo]!, k[hi]!];
}

/** Minimum of every line, with the region where it is below −tolerance. */
export function scanLines(shapeAt: ShapeAt, lines: readonly ScanLine[], tolerance: number): LineMinimum[] {
  if (lines.length === 0) return [];
  const n = lines.length;
  const offsets = Int32Array.from({ length: n + 1 }, (_, i) => i * SCAN_POINTS);
  const grid = new Float64Array(n * SCAN_POINTS);
  lines.forEach((line, i) => scanPoints(line, grid, i * SCAN_POINTS));
  const values = new Float64Array(grid.length);
  evaluateLines(shapeAt, lines, grid, offsets, values);
  const results: LineMinimum[] = [];
  // Brackets [lo, hi] around each refined minimum, per line.
  const brackets: [number, number][][] = [];
  for (let i = 0; i < n; i++) {
    const [k, v] = [grid.subarray(i * SCAN_POINTS, (i + 1) * SCAN_POINTS), values.subarray(i * SCAN_POINTS, (i + 1) * SCAN_POINTS)];
    let best = 0;
    for (let j = 1; j < v.length; j++) if (v[j]! < v[best]!) best = j;
    const [kFrom, kTo] = negativeRun(k, v, best, tolerance);
    results.push({ worst: v[best]!, kWorst: k[best]!, kFrom, kTo, points: v.length });
    brackets.push(lowestLocalMinima(v).map((j) => [k[Math.max(j - 1, 0)]!, k[Math.min(j + 1, v.length - 1)]!]));
  }
  const zoomOffsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) zoomOffsets[i + 1] = zoomOffsets[i]! + brackets[i]!.length * ZOOM_POINTS;
  const zoom = new Float64Array(zoomOffsets[n]!);
  const zoomValues = new Float64Array(zoom.length);
  for (let step = 0; step < ZOOM_STEPS; step++) {
    brackets.forEach((list, i) => {
      list.forEach(([lo, hi], b) => {
        for (let j = 0; j < ZOOM_POINTS; j++) zoom[zoomOffsets[i]! + b * ZOOM_POINTS + j] = lo + ((hi - lo) * (j + 1)) / (ZOOM_POINTS + 1);
      });
    });
    evaluateLines(shapeAt, lines, zoom, zoomOffsets, zoomValues);
    brackets.forEach((list, i) => {
      list.forEach((bracket, b) => {
        const from = zoomOffsets[i]! + b * ZOOM_POINTS;
        let best = from;
        for (let j = best + 1; j < from + ZOOM_POINTS; j++) if (zoomValues[j]! < zoomValues[best]!) best = j;
        const result = results[i]!;
        result.points += ZOOM_POINTS;
        if (zoomValues[best]! < result.worst) {
          result.worst = zoomValues[best]!;
          result.kWorst = zoom[best]!;
          if (result.worst < -tolerance && !(result.kFrom <= result.kWorst && result.kWorst <= result.kTo)) {
            result.kFrom = result.kTo = result.kWorst;
          }
        }
        const width = (bracket[1] - bracket[0]) / (ZOOM_POINTS + 1);
        bracket[0] = zoom[best]! - width;
        bracket[1] = zoom[best]! + width;
      });
    });
  }
  return results;
}
