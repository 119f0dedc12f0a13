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

/** Evaluates the surface's shape at points (k[i], years[i]). */
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

/** Values of every line at its points `k` (points[line] lists the line's k). */
function evaluateLines(shapeAt: ShapeAt, lines: readonly ScanLine[], points: readonly Float64Array[]): Float64Array[] {
  let total = 0;
  for (const [i, line] of lines.entries()) total += points[i]!.length * (line.value.kind === "gap" ? 2 : 1);
  const k = new Float64Array(total);
  const years = new Float64Array(total);
  let at = 0;
  lines.forEach((line, i) => {
    for (const x of points[i]!) {
      k[at] = x;
      years[at++] = line.value.years;
      if (line.value.kind === "gap") {
        k[at] = x;
        years[at++] = line.value.yearsFrom;
      }
    }
  });
  const shape = shapeAt(k, years);
  at = 0;
  return lines.map((line, i) => {
    const values = new Float64Array(points[i]!.length);
    for (let j = 0; j < values.length; j++) values[j] = pointValue(line.value, shape, at++, line.value.kind === "gap" ? at++ : 0, k);
    return values;
  });
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

function scanPoints(line: ScanLine): Float64Array {
  const top = Math.asinh(SCAN_SPAN / line.scale);
  const k = new Float64Array(SCAN_POINTS);
  for (let j = 0; j < SCAN_POINTS; j++) k[j] = line.center + line.scale * Math.sinh(-top + (2 * top * j) / (SCAN_POINTS - 1));
  return k;
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
  const grids = lines.map(scanPoints);
  const values = evaluateLines(shapeAt, lines, grids);
  const results: LineMinimum[] = values.map((v, i) => {
    let best = 0;
    for (let j = 1; j < v.length; j++) if (v[j]! < v[best]!) best = j;
    const [kFrom, kTo] = negativeRun(grids[i]!, v, best, tolerance);
    return { worst: v[best]!, kWorst: grids[i]![best]!, kFrom, kTo, points: v.length };
  });
  // Brackets [lo, hi] around each refined minimum, per line.
  const brackets = values.map((v, i) =>
    lowestLocalMinima(v).map((j) => [grids[i]![Math.max(j - 1, 0)]!, grids[i]![Math.min(j + 1, v.length - 1)]!] as [number, number]),
  );
  for (let step = 0; step < ZOOM_STEPS; step++) {
    const zoom = brackets.map((list) => {
      const k = new Float64Array(list.length * ZOOM_POINTS);
      list.forEach(([lo, hi], b) => {
        for (let j = 0; j < ZOOM_POINTS; j++) k[b * ZOOM_POINTS + j] = lo + ((hi - lo) * (j + 1)) / (ZOOM_POINTS + 1);
      });
      return k;
    });
    const zoomValues = evaluateLines(shapeAt, lines, zoom);
    brackets.forEach((list, i) => {
      list.forEach((bracket, b) => {
        let best = b * ZOOM_POINTS;
        for (let j = best + 1; j < (b + 1) * ZOOM_POINTS; j++) if (zoomValues[i]![j]! < zoomValues[i]![best]!) best = j;
        const result = results[i]!;
        result.points += ZOOM_POINTS;
        if (zoomValues[i]![best]! < result.worst) {
          result.worst = zoomValues[i]![best]!;
          result.kWorst = zoom[i]![best]!;
          if (result.worst < -tolerance && !(result.kFrom <= result.kWorst && result.kWorst <= result.kTo)) {
            result.kFrom = result.kTo = result.kWorst;
          }
        }
        const width = (bracket[1] - bracket[0]) / (ZOOM_POINTS + 1);
        bracket[0] = zoom[i]![best]! - width;
        bracket[1] = zoom[i]![best]! + width;
      });
    });
  }
  return results;
}
