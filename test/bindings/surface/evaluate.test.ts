// The vol-surface kernels (assembly/surface.ts) through VolSurface: total variance, its k-slope, Durrleman's g
// and ∂w/∂T against mpmath (test/fixtures/make-surface-golden.py: 50 digits, derivatives by numerical
// differentiation of w itself, so independent of the kernels' closed forms), on raw SVI and SSVI surfaces at
// points before, on, between and beyond their expiries; both builds; input errors.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, PricingInputError, VolSurface, type Pricer } from "../../../bindings/index.js";
import { surfaceLayout } from "../../../bindings/surface/layout.js";
import { seededUniform } from "../../../bench/inputs.js";
import { surfaceGolden, type SurfaceName } from "../../support/surface-fixtures.js";

const NAMES = Object.keys(surfaceGolden.kernel) as SurfaceName[];

for (const simd of [true, false]) {
  describe(`vol-surface kernels (${simd ? "SIMD" : "scalar"} build)`, () => {
    let pricer: Pricer;
    beforeAll(async () => {
      pricer = await createPricer({ simd });
    });

    for (const name of NAMES) {
      it(`${name}: w and σ to 2e-15 relative, w', ∂w/∂T and g to 2e-14 of their scale against mpmath`, () => {
        // Each is a handful of roundings (a square root, one or two divisions, a blend of two slices): ~1e-15
        // measured. The bound on w' and ∂w/∂T is relative to |value| + w (resp. w/T), so a zero slope has a scale.
        const points = surfaceGolden.kernel[name];
        const surface = VolSurface.create(surfaceGolden.surfaces[name], pricer);
        const shape = surface.shape({ k: points.map((p) => p.k), years: points.map((p) => p.years) });
        const vols = surface.volBatch({ k: points.map((p) => p.k), years: points.map((p) => p.years) });
        points.forEach((p, i) => {
          const where = `${name} at k = ${p.k}, T = ${p.years}`;
          expect(Math.abs(shape.totalVariance[i]! - p.w), where).toBeLessThanOrEqual(2e-15 * p.w);
          expect(Math.abs(vols[i]! - p.vol), where).toBeLessThanOrEqual(2e-15 * p.vol);
          expect(Math.abs(shape.dwdk[i]! - p.dwdk), where).toBeLessThanOrEqual(2e-14 * (Math.abs(p.dwdk) + p.w));
          expect(Math.abs(shape.dwdT[i]! - p.dwdT), where).toBeLessThanOrEqual(2e-14 * (Math.abs(p.dwdT) + p.w / p.years));
          expect(Math.abs(shape.density[i]! - p.g), where).toBeLessThanOrEqual(2e-14 * (1 + Math.abs(p.g)));
        });
      });
    }

    it("reads the block layout from the core's exported globals", () => {
      const layout = surfaceLayout(pricer.core);
      expect(layout.SURFACE_COLUMNS).toBe(7);
      expect(layout.SURFACE_HEADER_WORDS).toBeGreaterThanOrEqual(5);
      expect(layout.SURFACE_MAX_SLICES).toBe(256);
    });

    it("an SSVI surface equals the raw SVI surface of its slices at each expiry (GJ section 4) to 1e-15", () => {
      const ssvi = VolSurface.create(surfaceGolden.surfaces["ssvi-power"], pricer);
      const raw = VolSurface.create({ model: "svi", slices: ssvi.slices }, pricer);
      const k = [-1.2, -0.3, 0, 0.2, 0.9];
      for (const years of ssvi.expiries) {
        const a = ssvi.volBatch({ k, years });
        const b = raw.volBatch({ k, years });
        a.forEach((v, j) => expect(Math.abs(v - b[j]!)).toBeLessThanOrEqual(1e-15 * v));
      }
    });

    it("volForOptions uses k = ln(K/S) − (r − q)T: equal to volBatch at that k to 1e-15", () => {
      const surface = VolSurface.create(surfaceGolden.surfaces["svi-slices"], pricer);
      const options = { spot: [100, 95, 120], strike: [80, 100, 150], expiry: [0.07, 1, 2.8], rate: [0.03, -0.01, 0.05], dividend: [0, 0.02, 0.01] };
      const vols = surface.volForOptions(options);
      options.spot.forEach((s, i) => {
        const k = Math.log(options.strike[i]! / s) - (options.rate[i]! - options.dividend[i]!) * options.expiry[i]!;
        expect(Math.abs(vols[i]! - surface.vol(k, options.expiry[i]!))).toBeLessThanOrEqual(1e-15 * vols[i]!);
      });
    });

    it("names the field and element of an invalid input and leaves the output untouched", () => {
      const surface = VolSurface.create(surfaceGolden.surfaces["gj-5.1"], pricer);
      const output = new Float64Array(3).fill(7);
      const thrown = (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          return e;
        }
        return undefined;
      };
      const e1 = thrown(() => surface.volBatch({ k: [0, NaN, 0], years: 1 }, output));
      expect(e1).toBeInstanceOf(PricingInputError);
      expect(e1).toMatchObject({ field: "k", index: 1 });
      const e2 = thrown(() => surface.volBatch({ k: 0, years: [1, 1, 0] }, output));
      expect(e2).toMatchObject({ field: "years", index: 2 });
      const e3 = thrown(() => surface.volForOptions({ spot: 100, strike: [90, -1, 100], expiry: 1, rate: 0 }, output));
      expect(e3).toMatchObject({ field: "strike", index: 1 });
      expect(thrown(() => surface.volBatch({ k: [0, 0], years: 1 }, output))).toMatchObject({ field: "output" });
      expect(Array.from(output)).toEqual([7, 7, 7]);
    });
  });
}

describe("vol-surface kernels, both builds", () => {
  it("SIMD and scalar builds agree bit for bit on 20k random points, sorted and unsorted in T, vols and option vols", async () => {
    // The SIMD build runs SSVI two points at a time with the f64x2 forms of log and exp, which perform the same
    // operations lane for lane as the scalar forms (assembly/math.ts), so the two builds must agree exactly.
    const [simd, scalar] = await Promise.all([createPricer({ simd: true }), createPricer({ simd: false })]);
    const random = seededUniform(99);
    const n = 20_000;
    const k = Float64Array.from({ length: n }, () => -2 + 3 * random());
    const years = Float64Array.from({ length: n }, () => 0.005 + 6 * random() ** 2);
    const sorted = years.slice().sort();
    const options = { spot: 100, strike: k.map((x) => 100 * Math.exp(x)), expiry: years, rate: 0.03, dividend: 0.01 };
    for (const name of ["svi-slices", "ssvi-power", "ssvi-heston", "ssvi-heston-wide"] as const) {
      const [a, b] = [VolSurface.create(surfaceGolden.surfaces[name], simd), VolSurface.create(surfaceGolden.surfaces[name], scalar)];
      for (const t of [years, sorted]) expect(a.volBatch({ k, years: t }), name).toEqual(b.volBatch({ k, years: t }));
      expect(a.volForOptions(options), name).toEqual(b.volForOptions(options));
      // The pair path equals the one-point path of the same build too.
      const single = Float64Array.from({ length: 200 }, (_, i) => a.vol(k[i]!, years[i]!));
      expect(a.volBatch({ k: k.subarray(0, 200), years: years.subarray(0, 200) })).toEqual(single);
    }
  });

  it("SIMD and scalar builds agree bit for bit on shapes (w, w', g, ∂w/∂T), vols in runs of one expiry and the check's grid minima", async () => {
    // The SIMD build evaluates raw SVI shapes two strikes at a time when both share T (runs of one expiry, as the
    // checks' scans and grid rows send them), lane for lane the scalar operations.
    const [simd, scalar] = await Promise.all([createPricer({ simd: true }), createPricer({ simd: false })]);
    const random = seededUniform(7);
    const n = 6_001;
    const k = Float64Array.from({ length: n }, () => -3 + 5 * random());
    const scattered = Float64Array.from({ length: n }, () => 0.005 + 6 * random() ** 2);
    // Runs of 1 to 40 points at one expiry, before T_1, between the slices, on them and beyond T_n.
    const runs = new Float64Array(n);
    for (let i = 0; i < n; ) {
      const [t, length] = [0.005 + 6 * random() ** 2, 1 + Math.floor(40 * random())];
      runs.fill(random() < 0.2 ? [0.05, 1, 3][Math.floor(3 * random())]! : t, i, i + length);
      i += length;
    }
    // 60 expiries: beyond the 32 up to which the pair paths count slices with lane masks (binary search past it).
    const many = {
      model: "ssvi" as const, rho: -0.6, phi: { form: "power-law" as const, eta: 1.2, gamma: 0.4 },
      slices: Array.from({ length: 60 }, (_, i) => ({ years: 0.01 * 1.1 ** i, theta: 0.04 * 0.01 * 1.1 ** i })),
    };
    const manySvi = { model: "svi" as const, slices: VolSurface.create(many, simd).slices.map((s) => ({ ...s })) };
    const specs = { ...surfaceGolden.surfaces, many, "many-svi": manySvi };
    for (const name of ["svi-slices", "gj-5.1", "vogt", "ssvi-power", "many", "many-svi"] as const) {
      const [a, b] = [VolSurface.create(specs[name], simd), VolSurface.create(specs[name], scalar)];
      for (const years of [scattered, runs]) {
        expect(a.shape({ k, years }), name).toEqual(b.shape({ k, years }));
        expect(a.volBatch({ k, years }), name).toEqual(b.volBatch({ k, years }));
      }
      const oneByOne = Float64Array.from({ length: 300 }, (_, i) => a.vol(k[i]!, runs[i]!));
      expect(a.volBatch({ k: k.subarray(0, 300), years: runs.subarray(0, 300) }), name).toEqual(oneByOne);
      const [checkA, checkB] = [a.check(), b.check()];
      expect(checkA.checks, name).toEqual(checkB.checks);
      expect(checkA.failures, name).toEqual(checkB.failures);
      // The pair path equals the one-point path of the same build.
      const one = Array.from({ length: 64 }, (_, i) => a.shape({ k: k[i]!, years: runs[i]! }).density[0]!);
      expect(Array.from(a.shape({ k: k.subarray(0, 64), years: runs.subarray(0, 64) }).density)).toEqual(one);
    }
  });
});
