// Properties of the vol-surface API over random inputs (fast-check):
//   - every surface fitVolSurface returns, from random chains with random noise, has no butterfly or calendar
//     violation on the 200 × 200 check grid, nor at 40,000 random (k, T) points of the same domain;
//   - every surface guardVolSurface accepts among random raw SVI and SSVI surfaces (many with arbitrage) passes the
//     same, and has no violation on a 120 × 120 grid far beyond the check grid in k and T (the extrapolations);
//   - JSON round trips are exact.
// A violation is g or ∂w/∂T below −CHECK_TOLERANCE (check.ts explains the 1e-12).
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CHECK_TOLERANCE, createPricer, fitVolSurface, guardVolSurface, ssviButterflyMargins, VolSurface, VolSurfaceError, type Pricer,
  type SviSlice, type VolChain,
} from "../../../bindings/index.js";
import { seededUniform } from "../../../bench/inputs.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

/** Most negative g and ∂w/∂T over the default grid and over as many random points of its domain. */
function worstViolation(surface: VolSurface, seed: number): number {
  const grid = surface.defaultGrid();
  const axes = surface.gridAxes();
  const n = axes.k.length * axes.years.length;
  const k = new Float64Array(2 * n);
  const years = new Float64Array(2 * n);
  const random = seededUniform(seed);
  for (let i = 0; i < axes.years.length; i++) {
    k.set(axes.k, i * axes.k.length);
    years.fill(axes.years[i]!, i * axes.k.length, (i + 1) * axes.k.length);
  }
  for (let p = n; p < 2 * n; p++) {
    k[p] = grid.kMin + (grid.kMax - grid.kMin) * random();
    years[p] = grid.yearsMin * (grid.yearsMax / grid.yearsMin) ** random();
  }
  const shape = surface.shape({ k, years });
  let worst = Infinity;
  for (let p = 0; p < 2 * n; p++) worst = Math.min(worst, shape.density[p]!, shape.dwdT[p]!);
  return worst;
}

/**
 * Most negative g and ∂w/∂T far outside the default grid, where only the extrapolation rules hold (docs/surface.md):
 * k to ±30 grid half-widths (raw SVI's and SSVI's linear wings), T from T_1/100 (the first smile's vols held) to
 * 50·T_n (λ·w_n(k/λ) or θ_n·T/T_n), 120 × 120 points.
 */
function worstFarViolation(surface: VolSurface): number {
  const grid = surface.defaultGrid();
  const kMax = 30 * Math.max(Math.abs(grid.kMin), Math.abs(grid.kMax));
  const axes = surface.gridAxes({ kMin: -kMax, kMax, kCount: 120, yearsMin: surface.expiries[0]! / 100, yearsMax: 50 * surface.expiries[surface.expiries.length - 1]!, yearsCount: 120 });
  const n = axes.k.length * axes.years.length;
  const k = new Float64Array(n);
  const years = new Float64Array(n);
  for (let i = 0; i < axes.years.length; i++) {
    k.set(axes.k, i * axes.k.length);
    years.fill(axes.years[i]!, i * axes.k.length, (i + 1) * axes.k.length);
  }
  const shape = surface.shape({ k, years });
  let worst = Infinity;
  for (let p = 0; p < n; p++) worst = Math.min(worst, shape.density[p]!, shape.dwdT[p]!);
  return worst;
}

/** Random SSVI surfaces of both φ families, drawn past GJ's conditions so that many carry arbitrage. */
const ssviSurfaces = fc.record({
  rho: fc.double({ min: -0.99, max: 0.99, noNaN: true }),
  power: fc.boolean(),
  eta: fc.double({ min: 0.05, max: 4, noNaN: true }),
  gamma: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
  lambda: fc.double({ min: 0.01, max: 5, noNaN: true }),
  thetas: fc.array(fc.double({ min: 0.0005, max: 0.5, noNaN: true }), { minLength: 1, maxLength: 8 }),
  sorted: fc.double({ min: 0, max: 1, noNaN: true }),
}).map((c) => {
  // Mostly non-decreasing θ (calendar-free), sometimes as drawn (often not).
  const thetas = c.sorted < 0.8 ? c.thetas.slice().sort((p, q) => p - q) : c.thetas;
  return {
    model: "ssvi" as const,
    rho: c.rho,
    phi: c.power ? { form: "power-law" as const, eta: c.eta, gamma: c.gamma } : { form: "heston" as const, lambda: c.lambda },
    slices: thetas.map((theta, i) => ({ years: 0.02 * 1.9 ** i, theta })),
  };
});

/** A chain from a random SSVI surface (power-law φ inside GJ's conditions), with Gaussian vol noise. */
const chains = fc.record({
  rho: fc.double({ min: -0.9, max: 0.5, noNaN: true }),
  gamma: fc.double({ min: 0.1, max: 0.5, noNaN: true }),
  etaShare: fc.double({ min: 0.2, max: 0.95, noNaN: true }),
  atmVols: fc.array(fc.double({ min: 0.1, max: 1.2, noNaN: true }), { minLength: 1, maxLength: 6 }),
  strikes: fc.integer({ min: 8, max: 24 }),
  noiseVol: fc.constantFrom(0, 0.001, 0.005, 0.01),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
  model: fc.constantFrom("svi" as const, "ssvi" as const),
}).map((c) => {
  const curvature = 4 / (1 + Math.abs(c.rho));
  const eta = c.etaShare * Math.min(curvature, 2 / Math.sqrt((1 + Math.abs(c.rho)) * (c.gamma === 0.5 ? 1 : (1 - 2 * c.gamma) ** (1 - 2 * c.gamma) * (2 - 2 * c.gamma) ** (2 * c.gamma - 2))));
  expect(ssviButterflyMargins(c.rho, { form: "power-law", eta, gamma: c.gamma }).curvature).toBeGreaterThanOrEqual(0);
  const random = seededUniform(c.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const chain: VolChain & { expiry: number[]; strike: number[]; vol: number[] } = { expiry: [], strike: [], vol: [], forward: 100 };
  let theta = 0;
  c.atmVols.forEach((atm, i) => {
    const years = 0.02 * 2.2 ** i;
    theta = Math.max(theta * 1.05, atm * atm * years);
    const phi = eta / (theta ** c.gamma * (1 + theta) ** (1 - c.gamma));
    for (let j = 0; j < c.strikes; j++) {
      const k = (-3 + (5 * j) / (c.strikes - 1)) * Math.sqrt(theta);
      const z = phi * k + c.rho;
      const w = (theta / 2) * (1 + c.rho * phi * k + Math.sqrt(z * z + 1 - c.rho * c.rho));
      chain.expiry.push(years);
      chain.strike.push(100 * Math.exp(k));
      chain.vol.push(Math.max(0.01, Math.sqrt(w / years) + c.noiseVol * normal()));
    }
  });
  return { chain, model: c.model, seed: c.seed };
});

/** Random raw SVI slices: parameters drawn wide enough that many surfaces carry arbitrage. */
const sviSurfaces = fc.array(
  fc.record({
    a: fc.double({ min: -0.05, max: 0.2, noNaN: true }),
    b: fc.double({ min: 0, max: 1.5, noNaN: true }),
    rho: fc.double({ min: -0.95, max: 0.95, noNaN: true }),
    m: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
    sigma: fc.double({ min: 0.01, max: 1, noNaN: true }),
    gap: fc.double({ min: 0.01, max: 1, noNaN: true }),
  }),
  { minLength: 1, maxLength: 5 },
).map((raw) => {
  let years = 0;
  return raw
    .map(({ gap, ...p }, i): SviSlice => ({ ...p, a: p.a + 0.02 * i, years: (years += gap) }))
    .filter((s) => s.a + s.b * s.sigma * Math.sqrt(1 - s.rho * s.rho) > 0);
}).filter((slices) => slices.length > 0);

describe("vol-surface properties", () => {
  it("every surface fitVolSurface accepts is free of violations on the 200 × 200 grid and at 40k random points", () => {
    let accepted = 0;
    fc.assert(
      fc.property(chains, ({ chain, model, seed }) => {
        let surface: VolSurface;
        try {
          surface = fitVolSurface(chain, { pricer, model });
        } catch (e) {
          if (e instanceof VolSurfaceError) return; // refused: nothing was accepted
          throw e;
        }
        accepted++;
        expect(worstViolation(surface, seed)).toBeGreaterThanOrEqual(-CHECK_TOLERANCE);
      }),
      { numRuns: 30, seed: 17 },
    );
    expect(accepted).toBeGreaterThanOrEqual(25);
  });

  it("every random raw SVI surface the guard accepts is free of violations on the grid and at random points", () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(sviSurfaces, fc.integer({ min: 1, max: 1 << 30 }), (slices, seed) => {
        const surface = VolSurface.create({ model: "svi", slices }, pricer);
        try {
          guardVolSurface(surface);
        } catch (e) {
          expect(e).toBeInstanceOf(VolSurfaceError);
          refused++;
          return;
        }
        accepted++;
        expect(worstViolation(surface, seed)).toBeGreaterThanOrEqual(-CHECK_TOLERANCE);
      }),
      { numRuns: 150, seed: 23 },
    );
    // The draw is wide: both outcomes must occur for the property to mean anything.
    expect(accepted).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(10);
  });

  it("every random SSVI surface the guard accepts is free of violations on the grid, at random points and far outside both", () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(ssviSurfaces, fc.integer({ min: 1, max: 1 << 30 }), (spec, seed) => {
        const surface = VolSurface.create(spec, pricer);
        try {
          guardVolSurface(surface);
        } catch (e) {
          expect(e).toBeInstanceOf(VolSurfaceError);
          refused++;
          return;
        }
        accepted++;
        expect(worstViolation(surface, seed)).toBeGreaterThanOrEqual(-CHECK_TOLERANCE);
        expect(worstFarViolation(surface)).toBeGreaterThanOrEqual(-CHECK_TOLERANCE);
      }),
      { numRuns: 150, seed: 29 },
    );
    expect(accepted).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(10);
  });

  it("raw SVI surfaces the guard accepts or the fit returns stay arbitrage-free far outside the check grid (the extrapolation rules)", () => {
    let accepted = 0;
    fc.assert(
      fc.property(sviSurfaces, (slices) => {
        const surface = VolSurface.create({ model: "svi", slices }, pricer);
        try {
          guardVolSurface(surface);
        } catch {
          return;
        }
        accepted++;
        expect(worstFarViolation(surface)).toBeGreaterThanOrEqual(-CHECK_TOLERANCE);
      }),
      { numRuns: 150, seed: 23 },
    );
    fc.assert(
      fc.property(chains, ({ chain, model }) => {
        try {
          expect(worstFarViolation(fitVolSurface(chain, { pricer, model }))).toBeGreaterThanOrEqual(-CHECK_TOLERANCE);
          accepted++;
        } catch (e) {
          if (!(e instanceof VolSurfaceError)) throw e;
        }
      }),
      { numRuns: 10, seed: 31 },
    );
    expect(accepted).toBeGreaterThan(15);
  });

  it("toJSON → JSON text → fromJSON gives bit-identical vols", () => {
    fc.assert(
      fc.property(sviSurfaces, (slices) => {
        const surface = VolSurface.create({ model: "svi", slices }, pricer);
        const copy = VolSurface.fromJSON(JSON.stringify(surface.toJSON()), pricer);
        const points = { k: [-2, -0.3, 0, 0.1, 1.5], years: [0.001, 0.2, 0.9, 3, 30] };
        expect(copy.volBatch(points)).toEqual(surface.volBatch(points));
      }),
      { numRuns: 100, seed: 5 },
    );
  });
});
