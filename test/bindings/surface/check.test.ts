// surface.check(): each no-arbitrage condition on surfaces built to violate it (and on clean ones), with the
// failure's expiry and strike region compared with mpmath (test/fixtures/make-surface-golden.py); the
// interpolation and extrapolation rules in time; parameter validation and JSON round trips.
import { beforeAll, describe, expect, it } from "vitest";
import {
  createPricer, HESTON_THETA_PHI2_MAX, PricingInputError, VolSurface, type Pricer, type SviSlice, type VolSurfaceCheck, type VolSurfaceSpec,
} from "../../../bindings/index.js";
import { surfaceGolden } from "../../support/surface-fixtures.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

const gj51 = surfaceGolden.surfaces["gj-5.1"].slices[0] as SviSlice;
const failing = (check: VolSurfaceCheck) => check.checks.filter((c) => !c.ok).map((c) => c.name).sort();
const check = (spec: VolSurfaceSpec) => VolSurface.create(spec, pricer).check();

describe("arbitrage checks", () => {
  it("passes the published arbitrage-free surfaces: GJ Example 5.1, the SSVI families, their raw SVI slices", () => {
    for (const name of ["gj-5.1", "ssvi-power", "ssvi-heston", "ssvi-heston-wide", "svi-slices"] as const) {
      const report = check(surfaceGolden.surfaces[name]);
      expect(failing(report), name).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.grid.kCount * report.grid.yearsCount).toBe(40_000);
    }
  });

  it("catches Vogt's butterfly arbitrage where mpmath puts it: g < 0 on k in [0.642, 1.257], min −0.0329 at 0.879", () => {
    const report = check(surfaceGolden.surfaces.vogt);
    const slice = report.failures.find((f) => f.check === "slice butterfly")!;
    const ref = surfaceGolden.vogtNegativeG;
    expect(slice.years).toBe(1);
    // The scan's run of negative points lies inside the true interval and spans most of it (points ~1% apart).
    expect(slice.kFrom).toBeGreaterThanOrEqual(ref.kFrom);
    expect(slice.kTo).toBeLessThanOrEqual(ref.kTo);
    expect(slice.kTo - slice.kFrom).toBeGreaterThan(0.9 * (ref.kTo - ref.kFrom));
    // The zoom refines the minimum to 1e-9 in value (it is quadratic at the minimum).
    expect(Math.abs(slice.worst - ref.worst)).toBeLessThan(1e-9);
    expect(Math.abs(slice.kWorst - ref.kWorst)).toBeLessThan(1e-4);
    expect(slice.message).toMatch(/butterfly arbitrage \(slice butterfly\) at expiry 1 y, k in \[0\.6\d+, 1\.2\d+\]/);
    expect(failing(report)).toContain("grid butterfly");
  });

  it("catches a wing steeper than Lee's bound b(1 + ρ) ≤ 2 (g → 1/4 − (b(1 + ρ))²/16 < 0 in the right wing)", () => {
    const report = check({ model: "svi", slices: [{ years: 1, a: 0.02, b: 1.5, rho: 0.5, m: 0, sigma: 0.2 }] });
    const wing = report.failures.find((f) => f.check === "wing slope (Lee)")!;
    expect(wing.worst).toBeCloseTo(2 - 1.5 * 1.5, 12);
    expect([wing.kFrom, wing.kTo]).toEqual([1, Infinity]);
  });

  it("catches two crossing smiles where mpmath puts the crossing: w_2 < w_1 on k in [−0.0496, 0.2695]", () => {
    const report = check(surfaceGolden.surfaces.crossing);
    const ref = surfaceGolden.crossingRegion;
    const pair = report.failures.find((f) => f.check === "slice calendar")!;
    expect([pair.yearsFrom, pair.years]).toEqual([0.5, 1]);
    expect(pair.kFrom).toBeGreaterThanOrEqual(ref.kFrom);
    expect(pair.kTo).toBeLessThanOrEqual(ref.kTo);
    expect(pair.kTo - pair.kFrom).toBeGreaterThan(0.9 * (ref.kTo - ref.kFrom));
    expect(Math.abs(pair.worst - ref.worst)).toBeLessThan(1e-12);
    const grid = report.failures.find((f) => f.check === "grid calendar")!;
    expect(grid.years).toBeGreaterThan(0.5);
    expect(grid.years).toBeLessThanOrEqual(1);
    // Each smile alone is clean: only calendar checks fail (the later smile's a < 0 also fails the extrapolation's).
    expect(report.butterfly.ok).toBe(true);
    expect(failing(report)).toEqual(["extrapolation beyond the last expiry", "grid calendar", "slice calendar"]);
  });

  it("catches calendar arbitrage of the extrapolation beyond the last expiry (intercept a − bm(1 + ρ) < 0)", () => {
    const report = check({ model: "svi", slices: [{ years: 1, a: 0.01, b: 0.1, rho: 0.5, m: 0.5, sigma: 0.3 }] });
    const tail = report.failures.find((f) => f.check === "extrapolation beyond the last expiry")!;
    expect(tail.worst).toBeCloseTo(0.01 - 0.1 * 0.5 * 1.5, 14);
    expect(tail.kind).toBe("calendar");
    const grid = report.failures.find((f) => f.check === "grid calendar")!;
    expect(grid.years).toBeGreaterThan(1);
  });

  it("catches a raw SVI slice with butterfly arbitrage between expiries too (the grid's interpolated smiles near it)", () => {
    const vogt = surfaceGolden.surfaces.vogt.slices[0] as SviSlice;
    const report = check({ model: "svi", slices: [{ ...gj51, years: 0.5, a: gj51.a * 0.5, b: gj51.b * 0.5 }, { ...vogt, years: 1 }] });
    const grid = report.failures.find((f) => f.check === "grid butterfly")!;
    expect(grid.yearsFrom!).toBeGreaterThan(0.5);
    expect(grid.yearsFrom!).toBeLessThan(1);
    expect(grid.kFrom).toBeGreaterThan(0.6);
  });

  it("catches SSVI outside GJ Theorem 4.2 (η(1 + |ρ|) > 4; γ > 1/2) and 4.1 (θ decreasing)", () => {
    const base = surfaceGolden.surfaces["ssvi-power"] as Extract<VolSurfaceSpec, { model: "ssvi" }>;
    const steep = check({ ...base, phi: { form: "power-law", eta: 2.5, gamma: 0.4 } });
    expect(failing(steep)).toContain("SSVI butterfly (GJ Theorem 4.2)");
    const curved = check({ ...base, phi: { form: "power-law", eta: 0.5, gamma: 0.7 } });
    expect(curved.failures.find((f) => f.check === "SSVI butterfly (GJ Theorem 4.2)")!.worst).toBe(-Infinity);
    const slices = base.slices.map((s, i) => (i === 4 ? { ...s, theta: base.slices[3]!.theta * 0.9 } : s));
    const falling = check({ ...base, slices });
    const calendar = falling.failures.find((f) => f.check === "SSVI calendar (GJ Theorem 4.1)")!;
    expect([calendar.yearsFrom, calendar.years]).toEqual([base.slices[3]!.years, base.slices[4]!.years]);
    const heston = check({ ...base, rho: -0.6, phi: { form: "heston", lambda: 0.03 } });
    expect(failing(heston)).toContain("SSVI butterfly (GJ Theorem 4.2)");
  });

  it("Heston-like φ: GJ Theorem 4.2 holds exactly for λ ≥ (1 + |ρ|)/4 (θφ → 1/λ); the θφ² bound is weaker", () => {
    // The constant is sup_x (x − 1 + e^{−x})²/x³ from mpmath (40 digits): the curvature margin's edge, below the
    // slope's. At λ = (1 + |ρ|)/4 the slope margin is 0 and the check passes; 2% below it fails, as does every λ
    // down to the curvature edge, where the extrapolated surface has g < 0 at long expiries.
    expect(HESTON_THETA_PHI2_MAX).toBe(surfaceGolden.hestonThetaPhi2Max);
    const base = surfaceGolden.surfaces["ssvi-heston"] as Extract<VolSurfaceSpec, { model: "ssvi" }>;
    const edge = (1 + Math.abs(base.rho)) / 4;
    const closedForm = (lambda: number) => check({ ...base, phi: { form: "heston", lambda } }).checks.find((c) => c.name === "SSVI butterfly (GJ Theorem 4.2)")!;
    expect(closedForm(edge).ok).toBe(true);
    expect(closedForm(edge).worst).toBeCloseTo(0, 14);
    expect(closedForm(edge * 0.98).ok).toBe(false);
    const curvatureEdge = (HESTON_THETA_PHI2_MAX * (1 + Math.abs(base.rho))) / 4;
    expect(closedForm(curvatureEdge).ok).toBe(false);
    // The arbitrage the slope margin catches: θφ(1 + |ρ|) > 4 at large θ, so g < 0 in the wings of a long expiry.
    const surface = VolSurface.create({ ...base, phi: { form: "heston", lambda: 0.5 * edge } }, pricer);
    const far = surface.shape({ k: [-200, 200], years: 200 * base.slices[base.slices.length - 1]!.years });
    expect(Math.min(...far.density)).toBeLessThan(-0.01);
  });
});

describe("interpolation and extrapolation in time", () => {
  it("raw SVI: w is linear in T between expiries, (T/T_1)·w_1 before, λ·w_n(k/λ) after (ATM vol held)", () => {
    const spec = surfaceGolden.surfaces["svi-slices"] as Extract<VolSurfaceSpec, { model: "svi" }>;
    const surface = VolSurface.create(spec, pricer);
    const [first, second, last] = [spec.slices[0]!, spec.slices[1]!, spec.slices[spec.slices.length - 1]!];
    const w = (k: number, t: number) => surface.totalVariance(k, t);
    for (const k of [-0.8, -0.1, 0, 0.3]) {
      const mid = (first.years + second.years) / 2;
      expect(w(k, mid)).toBeCloseTo((w(k, first.years) + w(k, second.years)) / 2, 15);
      expect(surface.vol(k, first.years / 5)).toBeCloseTo(surface.vol(k, first.years), 14);
      const lambda = 1.7;
      expect(w(k, last.years * lambda)).toBeCloseTo(lambda * w(k / lambda, last.years), 15);
    }
    expect(surface.vol(0, 10 * last.years)).toBeCloseTo(surface.vol(0, last.years), 14);
  });

  it("SSVI: θ(T) linear between expiries and θ_n·T/T_n beyond (ATM total variance = θ)", () => {
    const spec = surfaceGolden.surfaces["ssvi-power"] as Extract<VolSurfaceSpec, { model: "ssvi" }>;
    const surface = VolSurface.create(spec, pricer);
    const [a, b] = [spec.slices[2]!, spec.slices[3]!];
    expect(surface.totalVariance(0, (a.years + b.years) / 2)).toBeCloseTo((a.theta + b.theta) / 2, 16);
    const last = spec.slices[spec.slices.length - 1]!;
    expect(surface.totalVariance(0, 2 * last.years)).toBeCloseTo(2 * last.theta, 16);
    const first = spec.slices[0]!;
    expect(surface.totalVariance(0, first.years / 4)).toBeCloseTo(first.theta / 4, 16);
  });
});

describe("parameters and JSON", () => {
  it("refuses parameters outside the domain, naming the field and slice", () => {
    const bad = (slice: Partial<SviSlice>, field: string, index: number) => {
      const spec = { model: "svi" as const, slices: [{ ...gj51, years: 0.5 }, { ...gj51, ...slice }] };
      expect(() => VolSurface.create(spec, pricer)).toThrow(PricingInputError);
      try {
        VolSurface.create(spec, pricer);
      } catch (e) {
        expect(e).toMatchObject({ field, index });
      }
    };
    bad({ rho: 1 }, "slices.rho", 1);
    bad({ b: -0.1 }, "slices.b", 1);
    bad({ sigma: 0 }, "slices.sigma", 1);
    bad({ a: -1 }, "slices.a", 1);
    bad({ years: 0.5 }, "slices.years", 1);
    bad({ m: NaN }, "slices.m", 1);
    expect(() => VolSurface.create({ model: "ssvi", rho: -0.5, phi: { form: "power-law", eta: 1, gamma: 1.2 }, slices: [{ years: 1, theta: 0.04 }] }, pricer))
      .toThrow(/phi\.gamma: must be in \(0, 1\)/);
  });

  it("round-trips through JSON text to bit-identical vols; refuses another format or version", () => {
    for (const name of ["svi-slices", "ssvi-power", "ssvi-heston"] as const) {
      const surface = VolSurface.create(surfaceGolden.surfaces[name], pricer);
      const copy = VolSurface.fromJSON(JSON.stringify(surface), pricer);
      const points = { k: [-1, -0.2, 0, 0.4], years: [0.01, 0.3, 1.2, 7] };
      expect(copy.volBatch(points)).toEqual(surface.volBatch(points));
      expect(copy.toJSON()).toEqual(surface.toJSON());
    }
    const json = VolSurface.create(surfaceGolden.surfaces["gj-5.1"], pricer).toJSON();
    expect(() => VolSurface.fromJSON({ ...json, version: 2 }, pricer)).toThrow(/version: must be 1/);
    expect(() => VolSurface.fromJSON({ ...json, format: "x" }, pricer)).toThrow(/format/);
  });

  it("refuses a bad check grid, naming the field", () => {
    const surface = VolSurface.create(surfaceGolden.surfaces["gj-5.1"], pricer);
    expect(() => surface.check({ kCount: 0 })).toThrow(/grid\.kCount/);
    expect(() => surface.check({ yearsMin: -1 })).toThrow(/grid\.yearsMin/);
  });
});
