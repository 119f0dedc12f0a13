// Vol surfaces for pool tests: a surface flat in strike (any term structure), and arbitrage-free skewed SSVI
// surfaces drawn by fast-check (GJ 2014 Remark 4.4: power-law φ with η(1 + |ρ|) ≤ 2 and 0 < γ ≤ 1/2, θ increasing).
import fc from "fast-check";
import { VolSurface, type Pricer } from "../../bindings/index.js";

/** Years of the slices the test surfaces carry (1 day to 2 years: every pool expiry falls between or beyond them). */
export const SLICE_YEARS = [1 / 365, 7 / 365, 30 / 365, 0.25, 1, 2];

/** Raw SVI with b = 0 at every slice: flat in k, ATM vols `levels` per slice (a term structure). */
export function flatSurface(pricer: Pricer, levels: readonly number[] = [0.9, 0.7, 0.5, 0.45, 0.4, 0.38]): VolSurface {
  return VolSurface.create({
    model: "svi",
    slices: SLICE_YEARS.map((years, i) => ({ years, a: levels[i]! ** 2 * years, b: 0, rho: 0, m: 0, sigma: 0.1 })),
  }, pricer);
}

/** Parameters of a skewed SSVI surface. */
export interface SkewParams {
  rho: number;
  eta: number;
  gamma: number;
  /** ATM vol of the first slice, and its growth factor per slice (θ increasing). */
  atmVol: number;
  growth: number;
}

/** An SSVI surface free of static arbitrage by construction. */
export function skewedSurface(pricer: Pricer, p: SkewParams = { rho: -0.7, eta: 1.1, gamma: 0.4, atmVol: 0.6, growth: 1.05 }): VolSurface {
  let vol = p.atmVol;
  const slices = SLICE_YEARS.map((years) => {
    const theta = vol * vol * years;
    vol *= p.growth;
    return { years, theta };
  });
  return VolSurface.create({ model: "ssvi", rho: p.rho, phi: { form: "power-law", eta: p.eta, gamma: p.gamma }, slices }, pricer);
}

/** Skewed surfaces within GJ's sufficient conditions: ρ ∈ [−0.9, 0.5], η(1 + |ρ|) ≤ 2, γ ∈ [0.1, 0.5], θ increasing. */
export const skewArb: fc.Arbitrary<SkewParams> = fc
  .record({
    rho: fc.double({ min: -0.9, max: 0.5, noNaN: true }),
    etaShare: fc.double({ min: 0.1, max: 1, noNaN: true }),
    gamma: fc.double({ min: 0.1, max: 0.5, noNaN: true }),
    atmVol: fc.double({ min: 0.3, max: 1.2, noNaN: true }),
    growth: fc.double({ min: 1, max: 1.1, noNaN: true }),
  })
  .map(({ rho, etaShare, gamma, atmVol, growth }) => ({ rho, eta: (etaShare * 2) / (1 + Math.abs(rho)), gamma, atmVol, growth }));
