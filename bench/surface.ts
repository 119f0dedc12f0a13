// Suite "surface": vol lookups on a volatility surface (raw SVI slices and SSVI, SIMD and scalar builds, through
// VolSurface's public batch methods) against the plain-JS lookup of bench/surface-plain-js.ts, per point; and
// whole calibrations (fitVolSurface, 10 expiries × 40 strikes) and the 200 × 200 check, per call. The surface is
// an equity-index-like SSVI (ρ −0.7, power-law φ η 1.3 γ 0.4, ATM vol 18% → 22%), or its slices as raw SVI.
// "Grouped by expiry" batches hold 2,000 strikes per expiry, as a pool's book does; "random T" draws every
// point's expiry anew, the worst case for the slice lookup and for SSVI's φ(θ).
import { createPricer, type Pricer } from "../bindings/pricer.js";
import { fitVolSurface } from "../bindings/surface/fit.js";
import { encodeSurface, surfaceLayout } from "../bindings/surface/layout.js";
import { VolSurface } from "../bindings/surface/vol-surface.js";
import type { VolChain, VolSurfaceSpec } from "../bindings/surface/types.js";
import { seededUniform } from "./inputs.js";
import { measureBatches, samplingBudget, type BatchTask } from "./measure.js";
import { sviVolPlain, type PlainSviColumns } from "./surface-plain-js.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "surface";
const BASELINE = "plain js svi lookup, random T";
const FIT_BASELINE = "fit svi 10×40";
const EXPIRIES = [0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0];

let sink = 0;

/** The suite's SSVI surface: θ(T) = σ_ATM(T)²·T with σ_ATM rising from 18% to 22%. */
function ssviSpec(): Extract<VolSurfaceSpec, { model: "ssvi" }> {
  const slices = EXPIRIES.map((years) => {
    const atm = 0.18 + 0.04 * (1 - Math.exp(-years));
    return { years, theta: atm * atm * years };
  });
  return { model: "ssvi", rho: -0.7, phi: { form: "power-law", eta: 1.3, gamma: 0.4 }, slices };
}

/** Points: `perExpiry` strikes at each of `expiries` expiries in order, or the same count with random expiries. */
function points(n: number, grouped: boolean): { k: Float64Array; years: Float64Array } {
  const random = seededUniform(grouped ? 11 : 12);
  const k = new Float64Array(n);
  const years = new Float64Array(n);
  const perExpiry = 2000;
  for (let i = 0; i < n; i++) {
    k[i] = -1 + 1.6 * random();
    years[i] = grouped ? 0.02 + (3.5 * Math.floor(i / perExpiry) * perExpiry) / n : 0.02 + 3.5 * random();
  }
  return { k, years };
}

/** A chain of 40 strikes per expiry from `surface`, with optional vol noise (seeded). */
function chainOf(surface: VolSurface, noiseVol: number): VolChain {
  const random = seededUniform(21);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const expiry: number[] = [];
  const k: number[] = [];
  for (const years of EXPIRIES) {
    const width = Math.max(Math.sqrt(surface.totalVariance(0, years)), 0.1);
    for (let j = 0; j < 40; j++) {
      expiry.push(years);
      k.push(-4 * width + (7 * width * j) / 39);
    }
  }
  const vol = Array.from(surface.volBatch({ k, years: expiry }), (v) => v + noiseVol * normal());
  return { expiry, strike: k.map((x) => 100 * Math.exp(x)), vol, forward: 100 };
}

function plainColumns(surface: VolSurface): PlainSviColumns {
  const column = (key: "years" | "a" | "b" | "rho" | "m" | "sigma") => Float64Array.from(surface.slices, (s) => s[key]);
  return { years: column("years"), a: column("a"), b: column("b"), rho: column("rho"), m: column("m"), sigma: column("sigma") };
}

/** The lookup rows: public batch calls on both builds and models, one kernel-only row, the plain-JS baseline. */
async function lookupTasks(n: number, simd: Pricer, scalar: Pricer): Promise<BatchTask[]> {
  const [grouped, random] = [points(n, true), points(n, false)];
  const ssvi = VolSurface.create(ssviSpec(), simd);
  const svi = VolSurface.create({ model: "svi", slices: ssvi.slices }, simd);
  const [sviScalar, ssviScalar] = [svi.on(scalar), ssvi.on(scalar)];
  const out = new Float64Array(n);
  const plain = plainColumns(svi);
  // Kernel-only: the random points already in the core's scratch, the surface in its static block.
  const core = simd.core;
  const base = core.reserve(3 * n * 8);
  core.f64(base, n).set(random.k);
  core.f64(base + n * 8, n).set(random.years);
  const block = encodeSurface(surfaceLayout(core), svi.spec);
  const ssviBlock = encodeSurface(surfaceLayout(core), ssvi.spec);
  const options = { spot: 100, strike: random.k.map((x) => 100 * Math.exp(x)), expiry: random.years, rate: 0.03, dividend: 0.01 };
  const row = (name: string, note: string, run: () => number): BatchTask => ({
    suite: SUITE, name, units: n, unit: "point", baseline: BASELINE, note, run: () => { sink += run(); },
  });
  return [
    row(BASELINE, "binary search + raw SVI per point, the same rules", () => (sviVolPlain(plain, random.k, random.years, out), out[0]!)),
    row("wasm simd svi, grouped by expiry", "VolSurface.volBatch (copies in and out); target ≤ 30 ns", () => svi.volBatch(grouped, out)[0]!),
    row("wasm simd svi, random T", "target ≤ 30 ns", () => svi.volBatch(random, out)[0]!),
    row("wasm scalar svi, random T", "", () => sviScalar.volBatch(random, out)[0]!),
    row("wasm simd ssvi, grouped by expiry", "θ, φ(θ) reused while T repeats", () => ssvi.volBatch(grouped, out)[0]!),
    row("wasm simd ssvi, random T", "φ(θ) per point pair: f64x2 log and exp", () => ssvi.volBatch(random, out)[0]!),
    row("wasm scalar ssvi, random T", "", () => ssviScalar.volBatch(random, out)[0]!),
    row("wasm simd svi volForOptions, random T", "k = ln(K/S) − (r − q)T in WASM", () => svi.volForOptions(options, out)[0]!),
    row("wasm simd svi kernel, random T", "surfaceVolBatch on columns already in WASM memory", () => {
      core.f64(core.exports.surfaceParamsPointer(), block.length).set(block);
      core.exports.surfaceVolBatch(core.exports.surfaceParamsPointer(), n, base, base + n * 8, base + 2 * n * 8);
      return core.f64(base + 2 * n * 8, 1)[0]!;
    }),
    row("wasm simd ssvi kernel, random T", "surfaceVolBatch on columns already in WASM memory", () => {
      core.f64(core.exports.surfaceParamsPointer(), ssviBlock.length).set(ssviBlock);
      core.exports.surfaceVolBatch(core.exports.surfaceParamsPointer(), n, base, base + n * 8, base + 2 * n * 8);
      return core.f64(base + 2 * n * 8, 1)[0]!;
    }),
  ];
}

/** The calibration and check rows (one call each), with fit quality in their notes. */
function fitTasks(pricer: Pricer): BatchTask[] {
  const truth = VolSurface.create(ssviSpec(), pricer);
  const [exact, noisy] = [chainOf(truth, 0), chainOf(truth, 0.002)];
  const quality = (model: "svi" | "ssvi", chain: VolChain) => {
    const fit = fitVolSurface(chain, { pricer, model }).fit!;
    const worst = Math.max(...fit.slices.map((s) => s.rmsVolPoints));
    return `worst slice RMS ${worst.toPrecision(2)} vol points`;
  };
  const fitted = fitVolSurface(exact, { pricer });
  const row = (name: string, unit: string, note: string, run: () => unknown): BatchTask => ({
    suite: SUITE, name, units: 1, unit, baseline: FIT_BASELINE, note, run: () => { sink += run() === undefined ? 0 : 1; },
  });
  return [
    row(FIT_BASELINE, "fit", `raw SVI, noise-free chain: ${quality("svi", exact)}; target ≤ 5 ms`, () => fitVolSurface(exact, { pricer })),
    row("fit svi 10×40, 0.2 vol-point noise", "fit", quality("svi", noisy), () => fitVolSurface(noisy, { pricer })),
    row("fit ssvi 10×40, 0.2 vol-point noise", "fit", quality("ssvi", noisy), () => fitVolSurface(noisy, { pricer, model: "ssvi" })),
    row("check, raw SVI 10 slices", "check", "surface.check(): scans + 200 × 200 grid", () => fitted.check()),
  ];
}

/** Runs the suite: 100k points per lookup call (quick: 4k), whole fits and checks. */
export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const n = options.quick ? 4096 : 100_000;
  const simd = await createPricer({ simd: true });
  const scalar = await createPricer({ simd: false });
  const tasks = [...(await lookupTasks(n, simd, scalar)), ...fitTasks(simd)];
  const rows = await measureBatches(tasks, samplingBudget(options.quick), log);
  if (!Number.isFinite(sink)) log(`  ${SUITE}: non-finite checksum ${sink}`);
  return rows;
}
