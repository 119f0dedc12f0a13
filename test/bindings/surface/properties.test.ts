// Properties of the vol-surface API over random inputs (fast-check):
//   - every surface fitVolSurface returns, from random chains with random noise, has no butterfly or calendar
//     violation on the 200 × 200 check grid, nor at 40,000 random (k, T) points of the same domain;
//   - every surface guardVolSurface accepts among random raw SVI surfaces (many with arbitrage) passes the same;
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
