// Validation of surface parameters: the domain where the formulas define a real, positive total variance.
// Arbitrage is not a domain question: surface.check() and guardVolSurface judge it. A spec that passes is
// copied and frozen, so a VolSurface never changes under its user.
import { PricingInputError } from "../errors.js";
import type { SsviPhi, SsviSlice, SviSlice, VolSurfaceJSON, VolSurfaceSpec } from "./types.js";
import { VOL_SURFACE_FORMAT } from "./types.js";

function describe(v: unknown): string {
  return typeof v === "number" ? String(v) : `${typeof v} ${JSON.stringify(v)}`;
}

/** A number field: finite, and above `min` (or at least, with `inclusive`). */
function number(record: Record<string, unknown>, field: string, path: string, index: number | undefined, min = -Infinity, inclusive = false): number {
  const v = record[field];
  const ok = typeof v === "number" && Number.isFinite(v) && (inclusive ? v >= min : v > min);
  if (!ok) {
    const bound = min === -Infinity ? "" : ` ${inclusive ? "≥" : ">"} ${min}`;
    throw new PricingInputError(`${path}${field}`, index, `must be a finite number${bound}, got ${describe(v)}`);
  }
  return v as number;
}

function object(value: unknown, field: string, index?: number): Record<string, unknown> {
  if (value === null || typeof value !== "object") throw new PricingInputError(field, index, `must be an object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

function correlation(record: Record<string, unknown>, path: string, index: number | undefined): number {
  const rho = number(record, "rho", path, index, -Infinity);
  if (!(Math.abs(rho) < 1)) throw new PricingInputError(`${path}rho`, index, `must be in (−1, 1), got ${rho}`);
  return rho;
}

/** The slices array: 1 to `maxSlices` entries with strictly increasing positive `years`. */
function sliceList(spec: Record<string, unknown>, maxSlices: number): Record<string, unknown>[] {
  const slices = spec.slices;
  if (!Array.isArray(slices) || slices.length === 0 || slices.length > maxSlices) {
    throw new PricingInputError("slices", undefined, `must be an array of 1 to ${maxSlices} slices, got ${describe(slices)}`);
  }
  const records = slices.map((s, i) => object(s, "slices", i));
  records.forEach((s, i) => {
    const years = number(s, "years", "slices.", i, 0);
    if (i > 0 && !(years > (records[i - 1]!.years as number))) {
      throw new PricingInputError("slices.years", i, `must increase strictly from slice to slice, got ${years} after ${describe(records[i - 1]!.years)}`);
    }
  });
  return records;
}

function sviSlice(s: Record<string, unknown>, i: number): SviSlice {
  const slice = {
    years: s.years as number,
    a: number(s, "a", "slices.", i),
    b: number(s, "b", "slices.", i, 0, true),
    rho: correlation(s, "slices.", i),
    m: number(s, "m", "slices.", i),
    sigma: number(s, "sigma", "slices.", i, 0),
  };
  const minimum = slice.a + slice.b * slice.sigma * Math.sqrt(1 - slice.rho * slice.rho);
  if (!(minimum > 0)) {
    throw new PricingInputError("slices.a", i, `the smile's least total variance a + bσ√(1 − ρ²) must be > 0, got ${minimum}`);
  }
  return Object.freeze(slice);
}

function ssviPhi(value: unknown): SsviPhi {
  const phi = object(value, "phi");
  if (phi.form === "power-law") {
    const gamma = number(phi, "gamma", "phi.", undefined, 0);
    if (!(gamma < 1)) throw new PricingInputError("phi.gamma", undefined, `must be in (0, 1), got ${gamma}`);
    return Object.freeze({ form: "power-law", eta: number(phi, "eta", "phi.", undefined, 0), gamma });
  }
  if (phi.form === "heston") return Object.freeze({ form: "heston", lambda: number(phi, "lambda", "phi.", undefined, 0) });
  throw new PricingInputError("phi.form", undefined, `must be "power-law" or "heston", got ${describe(phi.form)}`);
}

/**
 * Checks and freezes a surface spec: raw SVI slices with b ≥ 0, |ρ| < 1, σ > 0 and a positive least total
 * variance; or SSVI with |ρ| < 1, η > 0 and γ in (0, 1) (power-law) or λ > 0 (Heston-like), θ > 0. Expiries
 * must increase strictly. At most `maxSlices` slices.
 * @throws PricingInputError naming the field and the slice.
 */
export function validateSpec(value: unknown, maxSlices: number): VolSurfaceSpec {
  const spec = object(value, "surface");
  const records = sliceList(spec, maxSlices);
  if (spec.model === "svi") return Object.freeze({ model: "svi", slices: Object.freeze(records.map(sviSlice)) });
  if (spec.model === "ssvi") {
    const slices: SsviSlice[] = records.map((s, i) => Object.freeze({ years: s.years as number, theta: number(s, "theta", "slices.", i, 0) }));
    return Object.freeze({ model: "ssvi", rho: correlation(spec, "", undefined), phi: ssviPhi(spec.phi), slices: Object.freeze(slices) });
  }
  throw new PricingInputError("model", undefined, `must be "svi" or "ssvi", got ${describe(spec.model)}`);
}

/** The JSON form of a validated spec. */
export function specToJSON(spec: VolSurfaceSpec): VolSurfaceJSON {
  const copy = JSON.parse(JSON.stringify(spec)) as VolSurfaceSpec;
  return { format: VOL_SURFACE_FORMAT, version: 1, ...copy };
}

/**
 * The spec inside VolSurfaceJSON (format tag and version checked), validated.
 * @throws PricingInputError naming the bad field.
 */
export function specFromJSON(json: unknown, maxSlices: number): VolSurfaceSpec {
  const record = object(typeof json === "string" ? (JSON.parse(json) as unknown) : json, "json");
  if (record.format !== VOL_SURFACE_FORMAT) throw new PricingInputError("format", undefined, `must be "${VOL_SURFACE_FORMAT}", got ${describe(record.format)}`);
  if (record.version !== 1) throw new PricingInputError("version", undefined, `must be 1, got ${describe(record.version)}`);
  return validateSpec(record, maxSlices);
}
