// fitVolSurface(chain, options): calibration of raw SVI slices (svi-quasi-explicit.ts, svi-fit.ts) or SSVI
// (ssvi-fit.ts) to a chain of quotes, then the exact checks of check.ts on the result. A raw SVI fit that fails
// a check is refitted from the failing slice on, with the failure's strikes added to that slice's penalty points
// and its penalty ten times stronger; a surface is returned only when every check passes.
import { VolSurfaceError } from "../errors.js";
import { prepareChain } from "./chain.js";
import { fitSsvi } from "./ssvi-fit.js";
import { fitSviSlice } from "./svi-fit.js";
import type { SliceContext, SliceQuotes } from "./svi-quasi-explicit.js";
import type { ArbitrageFailure, FitOptions, SliceFit, SviSlice, VolChain, VolSurfaceCheck, VolSurfaceSpec } from "./types.js";
import { coreOf, VolSurface } from "./vol-surface.js";

/** Refit rounds after the first fit of a raw SVI surface. */
const REFIT_ROUNDS = 4;

/**
 * Where a slice's conditions are enforced at first: its quotes, 6 points on each side out to one range beyond
 * them, and two far wings at four ranges (checks that fail elsewhere add their strikes: sliceOf, failurePoints).
 */
function initialPoints(quotes: SliceQuotes): number[] {
  const lo = Math.min(...quotes.k);
  const hi = Math.max(...quotes.k);
  const range = Math.max(hi - lo, 0.05);
  const points = Array.from(quotes.k);
  for (let j = 1; j <= 6; j++) points.push(lo - (range * j) / 6, hi + (range * j) / 6);
  points.push(lo - 4 * range, hi + 4 * range);
  return points;
}

/** The slice a failure is fixed on: the first expiry at or after it (the last one beyond the last expiry). */
function sliceOf(failure: ArbitrageFailure, slices: readonly SliceQuotes[]): number {
  const i = slices.findIndex((s) => s.years >= failure.years * (1 - 1e-12));
  return i < 0 ? slices.length - 1 : i;
}

/** Strikes around a failure to add to the penalty points. */
function failurePoints(failure: ArbitrageFailure): number[] {
  const spread = Number.isFinite(failure.kTo - failure.kFrom) ? failure.kTo - failure.kFrom : 0;
  const around = [failure.kWorst, failure.kFrom, failure.kTo, failure.kWorst - spread, failure.kWorst + spread];
  const points = around.filter(Number.isFinite);
  for (let j = -4; j <= 4; j++) points.push(failure.kWorst + (j * Math.max(spread, 0.01)) / 4);
  return points.filter(Number.isFinite);
}

/** Raw SVI slices fitted in expiry order, each against the previous one, refitted until every check passes. */
function fitSviSurface(slices: readonly SliceQuotes[], check: (spec: VolSurfaceSpec) => VolSurfaceCheck): { spec: VolSurfaceSpec; report: VolSurfaceCheck } {
  const points = slices.map(initialPoints);
  const strength = slices.map(() => 1);
  const fitted: SviSlice[] = [];
  let from = 0;
  for (let round = 0; ; round++) {
    for (let i = from; i < slices.length; i++) {
      const context: SliceContext = { last: i === slices.length - 1, points: Float64Array.from(points[i]!) };
      if (i > 0) context.previous = fitted[i - 1]!;
      fitted[i] = fitSviSlice(slices[i]!, context, strength[i]!);
    }
    const spec: VolSurfaceSpec = { model: "svi", slices: fitted.slice() };
    const report = check(spec);
    if (report.ok) return { spec, report };
    if (round === REFIT_ROUNDS) {
      const first = report.failures[0]!;
      throw new VolSurfaceError(first.kind === "calendar" ? "calendar" : "butterfly",
        `no arbitrage-free raw SVI fit found: ${first.message}`, { years: first.years, kFrom: first.kFrom, kTo: first.kTo });
    }
    from = slices.length;
    for (const failure of report.failures) {
      const i = sliceOf(failure, slices);
      points[i]!.push(...failurePoints(failure));
      strength[i]! *= 10;
      from = Math.min(from, i);
    }
  }
}

/** RMS and largest |σ_fit − σ_quote| per slice, in vol points. */
function sliceFits(surface: VolSurface, slices: readonly SliceQuotes[]): SliceFit[] {
  return slices.map((s) => {
    const fit = surface.volBatch({ k: s.k, years: s.years });
    let sum = 0;
    let max = 0;
    fit.forEach((v, j) => {
      const e = Math.abs(v - s.vol[j]!);
      sum += e * e;
      max = Math.max(max, e);
    });
    return { years: s.years, quotes: s.k.length, rmsVolPoints: 100 * Math.sqrt(sum / s.k.length), maxVolPoints: 100 * max };
  });
}

/**
 * Calibrates a surface to a chain of option quotes (implied vols, or prices inverted by Let's Be Rational) by
 * weighted least squares on vol, and returns it only if it is free of butterfly and calendar arbitrage on
 * every check of `surface.check()`: raw SVI slices (quasi-explicit start, penalised polish, refits where a check
 * fails) or SSVI with GJ's closed-form conditions built in. `surface.fit` reports the error per slice in vol
 * points and every check's result.
 * @throws PricingInputError for invalid chain input (field and quote named), VolSurfaceError when no
 * arbitrage-free fit is found (expiry and strike region named).
 * @example
 * const surface = fitVolSurface({ expiry, strike, vol, spot: 100, rate: 0.03 }, { pricer });
 * surface.fit!.slices.map((s) => s.rmsVolPoints);
 */
export function fitVolSurface(chain: VolChain, options: FitOptions): VolSurface {
  const core = coreOf(options.pricer);
  const model = options.model ?? "svi";
  const weights = options.weights ?? "uniform";
  const { slices, dropped } = prepareChain(core, chain, weights, model === "svi" ? 5 : 1);
  const check = (spec: VolSurfaceSpec) => VolSurface.create(spec, core).check(options.grid);
  let fitted: { spec: VolSurfaceSpec; report: VolSurfaceCheck };
  if (model === "svi") fitted = fitSviSurface(slices, check);
  else {
    const spec = fitSsvi(slices, options.phi ?? "power-law");
    const report = check(spec);
    if (!report.ok) {
      const first = report.failures[0]!;
      throw new VolSurfaceError(first.kind, `the SSVI fit fails a check: ${first.message}`, { years: first.years, kFrom: first.kFrom, kTo: first.kTo });
    }
    fitted = { spec, report };
  }
  const surface = VolSurface.create(fitted.spec, core);
  return VolSurface.fitted(fitted.spec, options.pricer, { model, weights, slices: sliceFits(surface, slices), check: fitted.report, dropped });
}
