// surface.check(): every static-arbitrage condition of docs/surface.md, each reported with where it fails.
//   closed forms   raw SVI wings within Lee's bound b(1 + |ρ|) ≤ 2; the extrapolation beyond the last expiry
//                  (calendar: a − bm(1 + ρ) ≥ 0 and a + bm(1 − ρ) ≥ 0); SSVI: GJ Theorems 4.1 (θ non-decreasing)
//                  and 4.2 (φ's margins, ssvi.ts).
//   scans          minimum over all k (scan.ts) of g on every slice and between raw SVI slices, of
//                  w_{i+1}/w_i − 1 for each pair of raw SVI slices, and of the extrapolation's λ → ∞ limit of g.
//   grid           g ≥ 0 and ∂w/∂T ≥ 0 at every point of a (k, T) grid, 200 × 200 by default.
// A value counts as a violation below −CHECK_TOLERANCE: g, ∂w/∂T and the relative gap are sums of O(1) terms
// whose rounding is ~1e-15, so 1e-12 separates arithmetic noise from arbitrage by three orders of magnitude.
import { PricingInputError } from "../errors.js";
import type { GridMinima } from "./evaluate.js";
import { scanLines, type LineValue, type ScanLine, type ShapeAt } from "./scan.js";
import { ssviButterflyMargins } from "./ssvi.js";
import { sviIntercepts, sviWings } from "./svi-math.js";
import type { ArbitrageFailure, ArbitrageKind, CheckGrid, CheckResult, SviSlice, VolSurfaceCheck, VolSurfaceSpec } from "./types.js";

/** Margin below which a value counts as arbitrage (absolute, on g, ∂w/∂T and total variance gaps). */
export const CHECK_TOLERANCE = 1e-12;
/** Points per side of the default grid. */
export const DEFAULT_GRID_POINTS = 200;
/** Most points per side of a check grid. */
const MAX_GRID_POINTS = 4096;
/** Between two raw SVI slices the interpolated smile is scanned at these fractions of the interval (the grid adds more expiries). */
const BETWEEN = [0.5];

/** What the checks read from a surface. */
export interface CheckSource {
  readonly spec: VolSurfaceSpec;
  /** Raw SVI parameters of each slice (SSVI's too). */
  readonly slices: readonly SviSlice[];
  readonly shapeAt: ShapeAt;
  /** Per-row minima of g and ∂w/∂T over the grid k × years. */
  readonly gridMinima: (k: Float64Array, years: Float64Array) => GridMinima;
}

/**
 * The default grid: k over ±max(1, 6·√θ_max) (six ATM standard deviations of the longest expiry's total
 * variance), T geometric from T_1/4 to 2·T_n (so both extrapolations are covered), 200 × 200 points.
 */
export function defaultCheckGrid(slices: readonly SviSlice[]): CheckGrid {
  let thetaMax = 0;
  for (const s of slices) thetaMax = Math.max(thetaMax, s.a + s.b * (-s.rho * s.m + Math.hypot(s.m, s.sigma)));
  const kMax = Math.max(1, 6 * Math.sqrt(thetaMax));
  return {
    kMin: -kMax, kMax, kCount: DEFAULT_GRID_POINTS,
    yearsMin: slices[0]!.years / 4, yearsMax: 2 * slices[slices.length - 1]!.years, yearsCount: DEFAULT_GRID_POINTS,
  };
}

/**
 * A check grid from overrides of `defaults`.
 * @throws PricingInputError naming the bad field: k bounds finite with kMin ≤ kMax, 0 < yearsMin ≤ yearsMax
 * finite, counts integers in [1, MAX_GRID_POINTS].
 */
export function resolveGrid(defaults: CheckGrid, overrides: Partial<CheckGrid> = {}): CheckGrid {
  const grid = { ...defaults, ...overrides };
  const bad = (field: keyof CheckGrid, problem: string) => new PricingInputError(`grid.${field}`, undefined, `${problem}, got ${String(grid[field])}`);
  if (!(Number.isFinite(grid.kMin) && Number.isFinite(grid.kMax) && grid.kMin <= grid.kMax)) throw bad("kMin", "must be finite and ≤ kMax");
  if (!(grid.yearsMin > 0 && Number.isFinite(grid.yearsMax) && grid.yearsMin <= grid.yearsMax)) throw bad("yearsMin", "must be > 0 and ≤ a finite yearsMax");
  for (const field of ["kCount", "yearsCount"] as const) {
    if (!(Number.isInteger(grid[field]) && grid[field] >= 1 && grid[field] <= MAX_GRID_POINTS)) throw bad(field, `must be an integer in [1, ${MAX_GRID_POINTS}]`);
  }
  return grid;
}

/** The grid's k values (even spacing) and years (geometric spacing). */
export function gridAxes(grid: CheckGrid): { k: Float64Array; years: Float64Array } {
  const k = new Float64Array(grid.kCount);
  for (let j = 0; j < grid.kCount; j++) k[j] = grid.kCount === 1 ? grid.kMin : grid.kMin + ((grid.kMax - grid.kMin) * j) / (grid.kCount - 1);
  const years = new Float64Array(grid.yearsCount);
  const ratio = grid.yearsMax / grid.yearsMin;
  for (let i = 0; i < grid.yearsCount; i++) years[i] = grid.yearsCount === 1 ? grid.yearsMin : grid.yearsMin * ratio ** (i / (grid.yearsCount - 1));
  return { k, years };
}

const fmt = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : x > 0 ? "+∞" : "−∞");
const ratio = (k: number) => (Number.isFinite(k) ? Number(Math.exp(k).toPrecision(3)).toString() : k > 0 ? "∞" : "0");

/** A failure with its one-line message. */
function failure(check: string, kind: ArbitrageKind, what: string, where: Omit<ArbitrageFailure, "check" | "kind" | "message">): ArbitrageFailure {
  const span = where.yearsFrom === undefined ? `expiry ${fmt(where.years)} y` : `expiries ${fmt(where.yearsFrom)}–${fmt(where.years)} y`;
  const region = where.kFrom === where.kTo ? `k = ${fmt(where.kWorst)} (K/F ${ratio(where.kWorst)})`
    : `k in [${fmt(where.kFrom)}, ${fmt(where.kTo)}] (K/F ${ratio(where.kFrom)}–${ratio(where.kTo)})`;
  const message = `${kind} arbitrage (${check}) at ${span}, ${region}: ${what} = ${where.worst.toPrecision(3)}`;
  return { check, kind, message, ...where };
}

/** Collects check results and failures. */
class Report {
  readonly checks: CheckResult[] = [];
  readonly failures: ArbitrageFailure[] = [];

  add(name: string, kind: ArbitrageKind, worst: number, points: number, failures: ArbitrageFailure[]): void {
    const previous = this.checks.find((c) => c.name === name);
    const ok = failures.length === 0 && (previous?.ok ?? true);
    if (previous) {
      previous.ok = ok;
      previous.worst = Math.min(previous.worst, worst);
      previous.points += points;
    } else this.checks.push({ name, kind, ok, worst, points });
    this.failures.push(...failures);
  }
}

/** Lee's bound on each raw SVI wing: b(1 ± ρ) ≤ 2, the k → ±∞ limit of g ≥ 0 (g → 1/4 − (b(1 ± ρ))²/16). */
function wingChecks(report: Report, slices: readonly SviSlice[]): void {
  for (const s of slices) {
    const wings = sviWings(s);
    const [right, left] = [2 - wings.right, 2 - wings.left];
    const worst = Math.min(left, right);
    const failures = worst < -CHECK_TOLERANCE
      ? [failure("wing slope (Lee)", "butterfly", "2 − b(1 ± ρ)", {
          years: s.years, kFrom: right < left ? 1 : -Infinity, kTo: right < left ? Infinity : -1, kWorst: right < left ? Infinity : -Infinity, worst,
        })]
      : [];
    report.add("wing slope (Lee)", "butterfly", worst, 0, failures);
  }
}

/**
 * Beyond T_n the surface is λ·w_n(k/λ): ∂w/∂T = (w_n(x) − x·w_n'(x))/T_n at x = k/λ, which rises then falls
 * (its slope is −x·w''), so its infimum is the smaller limit a − bm(1 + ρ) (x → +∞) or a + bm(1 − ρ) (x → −∞).
 */
function extrapolationCalendar(report: Report, last: SviSlice): void {
  const { right, left } = sviIntercepts(last);
  const worst = Math.min(left, right);
  const failures = worst < -CHECK_TOLERANCE
    ? [failure("extrapolation beyond the last expiry", "calendar", "T_n·∂w/∂T as |k| → ∞", {
        years: last.years, kFrom: right < left ? 0 : -Infinity, kTo: right < left ? Infinity : 0, kWorst: right < left ? Infinity : -Infinity, worst,
      })]
    : [];
  report.add("extrapolation beyond the last expiry", "calendar", worst, 0, failures);
}

/** GJ Theorems 4.1 and 4.2 in closed form for an SSVI spec. */
function ssviClosedForms(report: Report, spec: Extract<VolSurfaceSpec, { model: "ssvi" }>): void {
  const { slope, curvature } = ssviButterflyMargins(spec.rho, spec.phi);
  const worst = Math.min(slope, curvature);
  const what = slope < curvature ? "4 − sup θφ(θ)(1 + |ρ|)" : "4 − sup θφ(θ)²(1 + |ρ|)";
  const span = { years: spec.slices[spec.slices.length - 1]!.years, yearsFrom: spec.slices[0]!.years, kFrom: -Infinity, kTo: Infinity, kWorst: 0 };
  report.add("SSVI butterfly (GJ Theorem 4.2)", "butterfly", worst, 0,
    worst < -CHECK_TOLERANCE ? [failure("SSVI butterfly (GJ Theorem 4.2)", "butterfly", what, { ...span, worst })] : []);
  let least = Infinity;
  const failures: ArbitrageFailure[] = [];
  spec.slices.forEach((s, i) => {
    if (i === 0) return;
    const step = s.theta - spec.slices[i - 1]!.theta;
    least = Math.min(least, step);
    if (step < -CHECK_TOLERANCE) {
      failures.push(failure("SSVI calendar (GJ Theorem 4.1)", "calendar", "θ_{i+1} − θ_i", {
        years: s.years, yearsFrom: spec.slices[i - 1]!.years, kFrom: -Infinity, kTo: Infinity, kWorst: 0, worst: step,
      }));
    }
  });
  report.add("SSVI calendar (GJ Theorem 4.1)", "calendar", Number.isFinite(least) ? least : 0, 0, failures);
}

/** The scans of the header: one line per slice, pair, interpolated smile and the extrapolation. */
function scanLinesOf(spec: VolSurfaceSpec, slices: readonly SviSlice[]): { name: string; kind: ArbitrageKind; line: ScanLine; what: string }[] {
  const out: { name: string; kind: ArbitrageKind; line: ScanLine; what: string }[] = [];
  const at = (value: LineValue, s: SviSlice, t?: SviSlice) => ({
    value, center: t ? (s.m + t.m) / 2 : s.m, scale: t ? Math.min(s.sigma, t.sigma) : s.sigma,
  });
  slices.forEach((s) => out.push({ name: "slice butterfly", kind: "butterfly", what: "g", line: at({ kind: "density", years: s.years }, s) }));
  if (spec.model === "ssvi") return out;
  slices.forEach((s, i) => {
    if (i === 0) return;
    const prev = slices[i - 1]!;
    out.push({ name: "slice calendar", kind: "calendar", what: "w_{i+1}/w_i − 1", line: at({ kind: "gap", years: s.years, yearsFrom: prev.years }, prev, s) });
    for (const alpha of BETWEEN) {
      const years = prev.years + alpha * (s.years - prev.years);
      out.push({ name: "interpolation butterfly", kind: "butterfly", what: "g", line: at({ kind: "density", years }, prev, s) });
    }
  });
  const last = slices[slices.length - 1]!;
  out.push({ name: "extrapolation butterfly", kind: "butterfly", what: "(1 − kw'/2w)² − w'²/16", line: at({ kind: "fukasawa", years: last.years }, last) });
  return out;
}

function runScans(report: Report, source: CheckSource): void {
  const lines = scanLinesOf(source.spec, source.slices);
  const minima = scanLines(source.shapeAt, lines.map((l) => l.line), CHECK_TOLERANCE);
  lines.forEach(({ name, kind, line, what }, i) => {
    const m = minima[i]!;
    const where = { years: line.value.years, kFrom: m.kFrom, kTo: m.kTo, kWorst: m.kWorst, worst: m.worst };
    const yearsFrom = line.value.kind === "gap" ? { yearsFrom: line.value.yearsFrom } : {};
    report.add(name, kind, m.worst, m.points, m.worst < -CHECK_TOLERANCE ? [failure(name, kind, what, { ...where, ...yearsFrom })] : []);
  });
}

/**
 * One grid condition from its per-row minima: the worst row, the run of rows around it that also dip below
 * −tolerance, and the k-run of that row (re-evaluated in full) below −tolerance.
 */
function gridCondition(
  name: string, kind: ArbitrageKind, what: string, minima: Float64Array, at: Int32Array, axes: { k: Float64Array; years: Float64Array },
  row: (years: number) => Float64Array,
): { worst: number; failures: ArbitrageFailure[] } {
  let i = 0;
  for (let r = 1; r < minima.length; r++) if (!(minima[r]! >= minima[i]!)) i = r;
  const worst = minima[i]!;
  if (!(worst < -CHECK_TOLERANCE) && !Number.isNaN(worst)) return { worst, failures: [] };
  let first = i;
  while (first > 0 && minima[first - 1]! < -CHECK_TOLERANCE) first--;
  const values = row(axes.years[i]!);
  let [lo, hi] = [at[i]!, at[i]!];
  while (lo > 0 && values[lo - 1]! < -CHECK_TOLERANCE) lo--;
  while (hi + 1 < values.length && values[hi + 1]! < -CHECK_TOLERANCE) hi++;
  const where = { years: axes.years[i]!, kFrom: axes.k[lo]!, kTo: axes.k[hi]!, kWorst: axes.k[at[i]!]!, worst };
  return { worst, failures: [failure(name, kind, what, first < i ? { ...where, yearsFrom: axes.years[first]! } : where)] };
}

function gridChecks(report: Report, source: CheckSource, grid: CheckGrid): void {
  const axes = gridAxes(grid);
  const minima = source.gridMinima(axes.k, axes.years);
  const n = axes.k.length * axes.years.length;
  const row = (years: number) => source.shapeAt(axes.k, new Float64Array(axes.k.length).fill(years));
  const butterfly = gridCondition("grid butterfly", "butterfly", "g", minima.minG, minima.atG, axes, (t) => row(t).density);
  report.add("grid butterfly", "butterfly", butterfly.worst, n, butterfly.failures);
  const calendar = gridCondition("grid calendar", "calendar", "∂w/∂T", minima.minDwdT, minima.atDwdT, axes, (t) => row(t).dwdT);
  report.add("grid calendar", "calendar", calendar.worst, n, calendar.failures);
}

/** Runs every check of the header on `source` with the (k, T) grid `grid`. */
export function checkSurface(source: CheckSource, grid: CheckGrid): VolSurfaceCheck {
  const report = new Report();
  // Failures in the order a refusal names the first: the smiles themselves, then the closed forms, then the grid.
  runScans(report, source);
  if (source.spec.model === "svi") {
    wingChecks(report, source.slices);
    extrapolationCalendar(report, source.slices[source.slices.length - 1]!);
  } else ssviClosedForms(report, source.spec);
  gridChecks(report, source, grid);
  const summary = (kind: ArbitrageKind) => {
    const of = report.checks.filter((c) => c.kind === kind);
    return { ok: of.every((c) => c.ok), worst: Math.min(...of.map((c) => c.worst)) };
  };
  return {
    ok: report.failures.length === 0,
    butterfly: summary("butterfly"),
    calendar: summary("calendar"),
    checks: report.checks,
    failures: report.failures,
    grid,
  };
}
