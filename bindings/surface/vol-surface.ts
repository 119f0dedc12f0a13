// VolSurface: an immutable implied-vol surface (raw SVI slices or SSVI) evaluated by the WASM core.
import type { WasmCore } from "../wasm.js";
import { checkSurface, defaultCheckGrid, gridAxes, resolveGrid } from "./check.js";
import { gridMinimaOf, shapeAtPoints, shapeOfValidPoints, volAtPoints, volForOptions } from "./evaluate.js";
import { encodeSurface, surfaceLayout } from "./layout.js";
import { specFromJSON, specToJSON, validateSpec } from "./params.js";
import { ssviSlices } from "./ssvi.js";
import type {
  CheckGrid, SurfaceHost, SurfaceOptionBatch, SurfacePoints, SurfaceShape, SviSlice, VolGrid, VolSurfaceCheck, VolSurfaceFitReport,
  VolSurfaceJSON, VolSurfaceSpec,
} from "./types.js";

/** The core of a host. */
export function coreOf(host: SurfaceHost): WasmCore {
  return "exports" in host ? host : host.core;
}

/**
 * A volatility surface: total implied variance w(k, T) in log-moneyness k = ln(K/F) and years T, as raw SVI
 * smiles per expiry or as SSVI, with the interpolation and extrapolation rules of docs/surface.md. Immutable.
 * Build one with `fitVolSurface(chain, { pricer })`, `VolSurface.create(spec, pricer)` or `VolSurface.fromJSON`.
 * Construction checks the parameters' domain only; `check()` reports static arbitrage and guardVolSurface refuses it.
 *
 * @example
 * const surface = VolSurface.create({ model: "svi", slices: [{ years: 1, a: 0.02, b: 0.1, rho: -0.5, m: 0.05, sigma: 0.2 }] }, pricer);
 * surface.vol(0, 1);                                    // ATM vol at one year
 * surface.volForOptions({ spot: 100, strike: [90, 110], expiry: 0.5, rate: 0.03 });
 */
export class VolSurface {
  /** The validated, frozen parameters. */
  readonly spec: VolSurfaceSpec;
  /** Expiries of the slices, years, increasing. */
  readonly expiries: readonly number[];
  /** Raw SVI parameters of each slice (for SSVI, its slices' equivalents). */
  readonly slices: readonly SviSlice[];
  /** Fit quality and checks when the surface comes from fitVolSurface; undefined otherwise. */
  readonly fit: VolSurfaceFitReport | undefined;
  private readonly core: WasmCore;
  private readonly block: Float64Array;

  private constructor(core: WasmCore, spec: VolSurfaceSpec, fit: VolSurfaceFitReport | undefined) {
    this.core = core;
    this.spec = spec;
    this.expiries = Object.freeze(spec.slices.map((s) => s.years));
    this.slices = Object.freeze((spec.model === "svi" ? spec.slices : ssviSlices(spec)).map((s) => Object.freeze({ ...s })));
    this.fit = fit;
    this.block = encodeSurface(surfaceLayout(core), spec);
  }

  /**
   * A surface from its parameters.
   * @throws PricingInputError naming the field and slice outside the parameters' domain.
   */
  static create(spec: VolSurfaceSpec, host: SurfaceHost): VolSurface {
    const core = coreOf(host);
    return new VolSurface(core, validateSpec(spec, surfaceLayout(core).SURFACE_MAX_SLICES), undefined);
  }

  /**
   * A surface from its JSON form (an object or a string), as `toJSON()` writes it.
   * @throws PricingInputError naming the bad field.
   */
  static fromJSON(json: unknown, host: SurfaceHost): VolSurface {
    const core = coreOf(host);
    return new VolSurface(core, specFromJSON(json, surfaceLayout(core).SURFACE_MAX_SLICES), undefined);
  }

  /** @internal fitVolSurface's constructor: a validated spec and its report. */
  static fitted(spec: VolSurfaceSpec, host: SurfaceHost, fit: VolSurfaceFitReport): VolSurface {
    const core = coreOf(host);
    return new VolSurface(core, validateSpec(spec, surfaceLayout(core).SURFACE_MAX_SLICES), fit);
  }

  /** The surface's parameters as tagged, versioned JSON (oracle data). */
  toJSON(): VolSurfaceJSON {
    return specToJSON(this.spec);
  }

  /** The same model on another core (a worker's, a zero-copy batch's). */
  on(host: SurfaceHost): VolSurface {
    return new VolSurface(coreOf(host), this.spec, this.fit);
  }

  /** Implied vol at log-moneyness k = ln(K/F) and `years` to expiry. */
  vol(k: number, years: number): number {
    return volAtPoints(this.core, this.block, { k, years })[0]!;
  }

  /** Total implied variance σ²·T at (k, years). */
  totalVariance(k: number, years: number): number {
    return this.shape({ k, years }).totalVariance[0]!;
  }

  /**
   * Implied vols at points (k, years), each a number or one value per point; into `output` when given.
   * @throws PricingInputError naming the field and element of the first invalid input (k finite, years > 0).
   */
  volBatch(points: SurfacePoints, output?: Float64Array): Float64Array {
    return volAtPoints(this.core, this.block, points, output);
  }

  /**
   * Implied vol of each option at its strike and expiry (years): k = ln(strike/spot) − (rate − dividend)·expiry.
   * The fields are those of a Black-Scholes batch, so `{ ...batch, vol: surface.volForOptions(batch) }` prices it.
   * @throws PricingInputError naming the field and element of the first invalid input.
   */
  volForOptions(options: SurfaceOptionBatch, output?: Float64Array): Float64Array {
    return volForOptions(this.core, this.block, options, output);
  }

  /** Total variance, ∂w/∂k, Durrleman's g and ∂w/∂T at points. */
  shape(points: SurfacePoints): SurfaceShape {
    return shapeAtPoints(this.core, this.block, points);
  }

  /** Implied vols on the grid k × years (row i holds years[i]). */
  grid(k: ArrayLike<number>, years: ArrayLike<number>): VolGrid {
    const n = k.length * years.length;
    const ks = new Float64Array(n);
    const ts = new Float64Array(n);
    for (let i = 0; i < years.length; i++) {
      ks.set(k, i * k.length);
      ts.fill(years[i]!, i * k.length, (i + 1) * k.length);
    }
    return { k: Float64Array.from(k), years: Float64Array.from(years), vol: this.volBatch({ k: ks, years: ts }) };
  }

  /** The default check grid: 200 × 200 points, k over ±6 ATM deviations of the last expiry, T from T_1/4 to 2·T_n. */
  defaultGrid(): CheckGrid {
    return defaultCheckGrid(this.slices);
  }

  /** The grid of `grid`'s axes (gridAxes of the default grid when none is given). */
  gridAxes(grid: Partial<CheckGrid> = {}): { k: Float64Array; years: Float64Array } {
    return gridAxes(resolveGrid(this.defaultGrid(), grid));
  }

  /**
   * Every butterfly and calendar check (closed forms, scans over all k, and the (k, T) grid), each with where
   * it fails. Options override fields of the default grid.
   */
  check(grid: Partial<CheckGrid> = {}): VolSurfaceCheck {
    const source = {
      spec: this.spec,
      slices: this.slices,
      shapeAt: (k: Float64Array, years: Float64Array) => shapeOfValidPoints(this.core, this.block, k, years),
      gridMinima: (k: Float64Array, years: Float64Array) => gridMinimaOf(this.core, this.block, k, years),
    };
    return checkSurface(source, resolveGrid(this.defaultGrid(), grid));
  }
}
