// The update guard a pool runs on each new surface from its oracle: refuse one with butterfly or calendar
// arbitrage, or one that moves further than a bound from a reference (a time-weighted average of recent
// surfaces: timeWeightedVolGrid), naming the expiry and the strike region. It extends the pool's TWAP guards
// on spot and base vol to the whole smile.
import { PricingInputError, VolSurfaceError } from "../errors.js";
import type { CheckGrid, VolGrid, VolSurfaceCheck } from "./types.js";
import { VolSurface } from "./vol-surface.js";

/** Options of guardVolSurface. */
export interface GuardOptions {
  /** The surface, or grid of vols, the candidate is compared with (e.g. timeWeightedVolGrid of recent surfaces). */
  reference?: VolSurface | VolGrid;
  /** Largest |σ_candidate − σ_reference| allowed at any grid point, in vol (0.05 = 5 vol points); required with `reference`. */
  maxVolMove?: number;
  /** Overrides of the candidate's default check grid; a move is measured on it too, unless the reference is a VolGrid (its own axes). */
  grid?: Partial<CheckGrid>;
}

/** One surface observed at a time (unix seconds). */
export interface SurfaceObservation {
  surface: VolSurface;
  timestamp: number;
}

const fmt = (x: number) => Number(x.toPrecision(4)).toString();

/** The first failure of a check as the error a pool translates. */
function arbitrageError(check: VolSurfaceCheck): VolSurfaceError {
  const first = check.failures[0]!;
  const more = check.failures.length > 1 ? ` (and ${check.failures.length - 1} more)` : "";
  return new VolSurfaceError(first.kind, `vol surface refused: ${first.message}${more}`, { years: first.years, kFrom: first.kFrom, kTo: first.kTo });
}

/** Throws the VolSurfaceError of the worst move beyond `bound` between two vol grids on the same axes (vol[i·k.length + j] at (k[j], years[i])). */
export function checkMove(candidate: Float64Array, reference: Float64Array, k: Float64Array, years: Float64Array, bound: number): void {
  let worst = 0;
  for (let p = 1; p < candidate.length; p++) {
    if (Math.abs(candidate[p]! - reference[p]!) > Math.abs(candidate[worst]! - reference[worst]!)) worst = p;
  }
  const move = Math.abs(candidate[worst]! - reference[worst]!);
  if (!(move > bound)) return;
  const row = Math.floor(worst / k.length);
  const over = (p: number) => Math.abs(candidate[p]! - reference[p]!) > bound;
  let lo = worst;
  let hi = worst;
  while (lo > row * k.length && over(lo - 1)) lo--;
  while (hi + 1 < (row + 1) * k.length && over(hi + 1)) hi++;
  const [kFrom, kTo] = [k[lo - row * k.length]!, k[hi - row * k.length]!];
  const direction = candidate[worst]! > reference[worst]! ? "up" : "down";
  throw new VolSurfaceError(
    "move",
    `vol surface refused: it moves ${fmt(100 * move)} vol points ${direction} from the reference at expiry ${fmt(years[row]!)} y, ` +
      `k in [${fmt(kFrom)}, ${fmt(kTo)}] (K/F ${fmt(Math.exp(kFrom))}–${fmt(Math.exp(kTo))}); the bound is ${fmt(100 * bound)} vol points`,
    { years: years[row]!, kFrom, kTo },
  );
}

/**
 * Accepts `candidate` (returns its check report) only if it passes every butterfly and calendar check of
 * `candidate.check()` and, with a reference, moves at most `maxVolMove` in vol from it at every grid point.
 * @throws VolSurfaceError naming the failing condition's expiry and strike region (reason "butterfly",
 * "calendar" or "move"); PricingInputError for a missing or invalid `maxVolMove`.
 * @example
 * const reference = timeWeightedVolGrid(history, 3600, now, surface.gridAxes());
 * guardVolSurface(candidate, { reference, maxVolMove: 0.05 });
 */
export function guardVolSurface(candidate: VolSurface, options: GuardOptions = {}): VolSurfaceCheck {
  const { reference, maxVolMove } = options;
  if (reference !== undefined && !(typeof maxVolMove === "number" && maxVolMove > 0 && maxVolMove < Infinity)) {
    throw new PricingInputError("maxVolMove", undefined, `must be a finite number > 0 with a reference, got ${String(maxVolMove)}`);
  }
  const check = candidate.check(options.grid);
  if (!check.ok) throw arbitrageError(check);
  if (reference !== undefined) {
    const axes = reference instanceof VolSurface ? candidate.gridAxes(options.grid) : { k: reference.k, years: reference.years };
    const mine = candidate.grid(axes.k, axes.years).vol;
    const theirs = reference instanceof VolSurface ? reference.grid(axes.k, axes.years).vol : reference.vol;
    if (theirs.length !== mine.length) throw new PricingInputError("reference.vol", undefined, `must hold k.length × years.length = ${mine.length} vols, got ${theirs.length}`);
    checkMove(mine, theirs, axes.k, axes.years, maxVolMove!);
  }
  return check;
}

/**
 * The time-weighted average over [now − window, now] of the surfaces observed, on the grid `axes`: each
 * observation holds from its timestamp until the next one (the last until now), and total variance σ²T is
 * averaged (so an average of calendar-free surfaces is calendar-free). Observations must be in time order.
 * With no observation inside the window, the latest one's grid.
 * @throws PricingInputError for an empty history, a non-finite or decreasing timestamp, or a bad window.
 */
export function timeWeightedVolGrid(
  observations: readonly SurfaceObservation[], windowSeconds: number, nowSeconds: number, axes: { k: ArrayLike<number>; years: ArrayLike<number> },
): VolGrid {
  const n = axes.k.length * axes.years.length;
  const k = new Float64Array(n);
  const years = new Float64Array(n);
  for (let i = 0; i < axes.years.length; i++) {
    k.set(axes.k, i * axes.k.length);
    years.fill(axes.years[i]!, i * axes.k.length, (i + 1) * axes.k.length);
  }
  const vol = timeWeightedVols(observations, windowSeconds, nowSeconds, { k, years });
  return { k: Float64Array.from(axes.k), years: Float64Array.from(axes.years), vol };
}

/**
 * timeWeightedVolGrid at arbitrary points (k[i], years[i]): one batch evaluation per observation.
 * @throws PricingInputError as timeWeightedVolGrid.
 */
export function timeWeightedVols(
  observations: readonly SurfaceObservation[], windowSeconds: number, nowSeconds: number, points: { k: Float64Array; years: Float64Array },
): Float64Array {
  if (observations.length === 0) throw new PricingInputError("observations", undefined, "must hold at least one surface");
  if (!(windowSeconds >= 0 && Number.isFinite(windowSeconds))) throw new PricingInputError("windowSeconds", undefined, `must be a finite number ≥ 0, got ${windowSeconds}`);
  observations.forEach((o, i) => {
    if (!Number.isFinite(o.timestamp) || (i > 0 && o.timestamp < observations[i - 1]!.timestamp)) {
      throw new PricingInputError("observations.timestamp", i, `must be finite and not decrease, got ${o.timestamp}`);
    }
  });
  const start = nowSeconds - windowSeconds;
  const sum = new Float64Array(points.k.length);
  let covered = 0;
  observations.forEach((o, i) => {
    const from = Math.max(start, o.timestamp);
    const to = Math.min(nowSeconds, i + 1 < observations.length ? observations[i + 1]!.timestamp : nowSeconds);
    if (!(to > from)) return;
    const vol = o.surface.volBatch(points);
    vol.forEach((v, p) => (sum[p]! += v * v * points.years[p]! * (to - from)));
    covered += to - from;
  });
  if (covered === 0) return observations[observations.length - 1]!.surface.volBatch(points);
  return sum.map((w, p) => Math.sqrt(w / covered / points.years[p]!));
}
