// Monte Carlo over the WASM core: spec validation, block runs and the block-order combination of accumulators.
// Blocks of MC_BLOCK_PATHS paths depend only on (spec, seed, block index), so any split of the block range
// (one call, several calls, a worker pool) summed in block order gives bit-identical results.
import { PricingInputError } from "./errors.js";
import {
  encodeMonteCarloParams, MC_ACCUMULATOR, MC_BARRIER, MC_BLOCK_ACCUMULATORS, MC_BLOCK_PATHS, MC_CONTROL, MC_PARAMS, MC_PAYOFF, MC_QUANTITIES,
  MC_REPLICATIONS, MC_SAMPLER, SOBOL_MAX_DIMENSIONS,
} from "./kernel/montecarlo.js";
import { ranges } from "./planning.js";
import type { WasmCore } from "./wasm.js";

export { MC_BLOCK_ACCUMULATORS, MC_BLOCK_PATHS, MC_REPLICATIONS, SOBOL_MAX_DIMENSIONS } from "./kernel/montecarlo.js";

const PAYOFF_CODES: Readonly<Record<MonteCarloPayoff, number>> = MC_PAYOFF;
const BARRIER_CODES: Readonly<Record<BarrierType, number>> = MC_BARRIER;

/** Payoffs priced by monteCarlo. Asian averages and barrier monitoring use t_i = i·T/steps, i = 1..steps. */
export type MonteCarloPayoff = "european" | "asian-arithmetic" | "asian-geometric" | "barrier" | "digital" | "lookback";
/** Barrier kinds (discretely monitored at the dates unless `continuous`). */
export type BarrierType = "up-and-out" | "up-and-in" | "down-and-out" | "down-and-in";

/** A Monte Carlo pricing request (see DESIGN.md). Times in years, rates continuously compounded. */
export interface MonteCarloSpec {
  payoff: MonteCarloPayoff;
  type: "call" | "put";
  spot: number;
  strike: number;
  /** Years. */
  expiry: number;
  vol: number;
  rate: number;
  dividend?: number;
  /** Monitoring / averaging dates (default 1 for european and digital, 64 otherwise); ≤ 1024 for sobol. */
  steps?: number;
  /** Number of simulated paths (an antithetic pair counts as two; must be even when antithetic). */
  paths: number;
  /** Integer seed in [0, 2^53) (default 1): the key of the Philox streams and of the Sobol digital shifts. */
  seed?: number;
  /** "pseudo" (Philox4x32-10, default) or "sobol" (Joe-Kuo + Brownian bridge, 16 random digital shifts). */
  sampler?: "pseudo" | "sobol";
  antithetic?: boolean;
  /** Control variate with the coefficient estimated from the run: the discrete geometric Asian for asian-arithmetic, the discounted terminal price otherwise. */
  controlVariate?: boolean;
  /** Estimate delta, gamma, vega, rho and theta with standard errors. */
  greeks?: boolean;
  /** Barrier level (barrier payoff only): above spot for up-, below for down- barriers. */
  barrier?: number;
  barrierType?: BarrierType;
  /** Paid at expiry when a knock-out option is knocked out or a knock-in option is not knocked in. */
  rebate?: number;
  /**
   * Continuous monitoring approximated by the Broadie-Glasserman-Kou shift: the `steps` dates are monitored at
   * H·e^{∓0.5826·σ·√(T/steps)}, the barrier moved toward spot (error O(1/steps), see docs/numerics.md). With
   * `greeks`, vega and theta hold the shifted level fixed (they omit the shift's σ and T dependence, O(1/√steps)).
   */
  continuous?: boolean;
}

/** An estimate with its standard error. */
export interface Estimate {
  value: number;
  stdError: number;
}

/** Result of monteCarlo: price and optional greeks (vega per 1.00 vol, rho per 1.00 rate, theta per year of calendar time). */
export interface MonteCarloResult {
  price: number;
  stdError: number;
  paths: number;
  delta?: Estimate;
  gamma?: Estimate;
  vega?: Estimate;
  rho?: Estimate;
  theta?: Estimate;
  /** Control variate coefficient used (0 without control variate). */
  controlBeta: number;
}

/** A validated spec with defaults filled in, as numbers the kernel reads. */
export interface NormalizedMonteCarloSpec {
  readonly params: Float64Array;
  readonly paths: number;
  readonly steps: number;
  readonly sampler: "pseudo" | "sobol";
  readonly antithetic: boolean;
  readonly greeks: boolean;
  readonly controlVariate: boolean;
  /** Expected value of the control variate (discounted). */
  readonly controlMean: number;
}

const BGK_BETA = 0.5826; // −ζ(1/2)/√(2π), Broadie, Glasserman, Kou, Math. Finance 7 (1997) 325-349

function requireNumber(field: string, v: unknown, rule: "positive" | "nonNegative" | "finite"): number {
  const ok = typeof v === "number" && (rule === "positive" ? v > 0 && v < Infinity : rule === "nonNegative" ? v >= 0 && v < Infinity : v > -Infinity && v < Infinity);
  if (!ok) throw new PricingInputError(field, undefined, `must be a finite number${rule === "positive" ? " > 0" : rule === "nonNegative" ? " ≥ 0" : ""}, got ${String(v)}`);
  return v as number;
}

function requireBoolean(field: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw new PricingInputError(field, undefined, `must be a boolean, got ${String(v)}`);
  return v;
}

/** Standard normal CDF by the series Φ(x) = ½ + φ(x)·Σ x^{2k+1}/(2k+1)!! (Marsaglia, J. Stat. Softw. 11 (2004)), tails by continued fraction. */
export function normalCdf(x: number): number {
  if (x < -8 || x > 8) {
    // Laplace continued fraction for the Mills ratio, exact to double precision beyond |x| = 8.
    const a = Math.abs(x);
    let f = a;
    for (let k = 60; k >= 1; k--) f = a + k / f;
    const tail = Math.exp(-0.5 * a * a) / Math.sqrt(2 * Math.PI) / f;
    return x < 0 ? tail : 1 - tail;
  }
  let sum = x;
  let term = x;
  const x2 = x * x;
  for (let k = 1; k < 500 && Math.abs(term) > 1e-17 * Math.abs(sum); k++) {
    term *= x2 / (2 * k + 1);
    sum += term;
  }
  return 0.5 + sum * Math.exp(-0.5 * x2 - 0.91893853320467274178);
}

/** Discounted price of the discrete geometric Asian on t_i = i·T/n (Kemna-Vorst with discrete dates). */
export function geometricAsianPrice(type: 1 | -1, spot: number, strike: number, expiry: number, vol: number, rate: number, dividend: number, steps: number): number {
  const n = steps;
  const mean = Math.log(spot) + (rate - dividend - 0.5 * vol * vol) * expiry * (n + 1) / (2 * n);
  const variance = vol * vol * expiry * (n + 1) * (2 * n + 1) / (6 * n * n);
  const sd = Math.sqrt(variance);
  const forward = Math.exp(mean + 0.5 * variance);
  const d1 = (mean - Math.log(strike) + variance) / sd;
  const d2 = d1 - sd;
  const df = Math.exp(-rate * expiry);
  return type === 1 ? df * (forward * normalCdf(d1) - strike * normalCdf(d2)) : df * (strike * normalCdf(-d2) - forward * normalCdf(-d1));
}

/** Validates a spec (throws PricingInputError naming the field) and encodes it for the kernel. */
export function normalizeMonteCarloSpec(spec: MonteCarloSpec): NormalizedMonteCarloSpec {
  if (spec === null || typeof spec !== "object") throw new PricingInputError("spec", undefined, "must be an object");
  const payoffCode = PAYOFF_CODES[spec.payoff as MonteCarloPayoff];
  if (payoffCode === undefined || !Object.hasOwn(PAYOFF_CODES, spec.payoff)) {
    throw new PricingInputError("payoff", undefined, `must be one of ${Object.keys(PAYOFF_CODES).join(", ")}, got ${String(spec.payoff)}`);
  }
  if (spec.type !== "call" && spec.type !== "put") throw new PricingInputError("type", undefined, `must be "call" or "put", got ${String(spec.type)}`);
  const type = spec.type === "call" ? 1 : -1;
  const spot = requireNumber("spot", spec.spot, "positive");
  const strike = spec.payoff === "lookback" ? (spec.strike === undefined ? 0 : requireNumber("strike", spec.strike, "nonNegative")) : requireNumber("strike", spec.strike, "positive");
  const expiry = requireNumber("expiry", spec.expiry, "positive");
  const vol = requireNumber("vol", spec.vol, "positive");
  const rate = requireNumber("rate", spec.rate, "finite");
  const dividend = spec.dividend === undefined ? 0 : requireNumber("dividend", spec.dividend, "finite");
  const steps = spec.steps === undefined ? (spec.payoff === "european" || spec.payoff === "digital" ? 1 : 64) : spec.steps;
  if (!Number.isInteger(steps) || steps <= 0 || steps > 1 << 20) throw new PricingInputError("steps", undefined, `must be an integer in [1, 2^20], got ${String(steps)}`);
  const paths = spec.paths;
  if (typeof paths !== "number" || !Number.isInteger(paths) || paths <= 0 || paths > 2 ** 48) throw new PricingInputError("paths", undefined, `must be an integer in [1, 2^48], got ${String(paths)}`);
  const seed = spec.seed === undefined ? 1 : spec.seed;
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) throw new PricingInputError("seed", undefined, `must be an integer in [0, 2^53), got ${String(seed)}`);
  const sampler = spec.sampler ?? "pseudo";
  if (sampler !== "pseudo" && sampler !== "sobol") throw new PricingInputError("sampler", undefined, `must be "pseudo" or "sobol", got ${String(sampler)}`);
  const antithetic = requireBoolean("antithetic", spec.antithetic);
  const controlVariate = requireBoolean("controlVariate", spec.controlVariate);
  const greeks = requireBoolean("greeks", spec.greeks);
  const continuous = requireBoolean("continuous", spec.continuous);
  if (antithetic && paths % 2 !== 0) throw new PricingInputError("paths", undefined, `must be even with antithetic (pairs), got ${paths}`);
  const samples = antithetic ? paths / 2 : paths;
  if (sampler === "sobol") {
    if (steps > SOBOL_MAX_DIMENSIONS) throw new PricingInputError("steps", undefined, `must be ≤ ${SOBOL_MAX_DIMENSIONS} with the sobol sampler, got ${steps}`);
    if (samples < 2 * MC_REPLICATIONS) throw new PricingInputError("paths", undefined, `must give at least ${2 * MC_REPLICATIONS} samples with the sobol sampler, got ${paths}`);
    if (samples / MC_REPLICATIONS > 2 ** 32) throw new PricingInputError("paths", undefined, "too many for 32-bit Sobol points");
  }
  let barrier = 0;
  let barrierKind = 0;
  let rebate = 0;
  if (spec.payoff === "barrier") {
    const bt = spec.barrierType;
    if (bt === undefined || !Object.hasOwn(BARRIER_CODES, bt)) throw new PricingInputError("barrierType", undefined, `must be one of ${Object.keys(BARRIER_CODES).join(", ")}, got ${String(bt)}`);
    barrierKind = BARRIER_CODES[bt];
    barrier = requireNumber("barrier", spec.barrier, "positive");
    const up = barrierKind < 2;
    if (up ? !(barrier > spot) : !(barrier < spot)) throw new PricingInputError("barrier", undefined, `must be ${up ? "above" : "below"} spot ${spot} for ${bt}, got ${barrier}`);
    rebate = spec.rebate === undefined ? 0 : requireNumber("rebate", spec.rebate, "nonNegative");
    // Continuous monitoring (Broadie-Glasserman-Kou 1997, Theorem 1): a barrier monitored on m dates prices like a
    // continuous one moved away from spot by e^{±β·σ·√(T/m)}, so a continuous barrier H is priced by monitoring the
    // m dates at H' = H·e^{∓β·σ·√(T/m)}, moved toward spot (down for an up barrier, up for a down barrier).
    // Known limitation of the greeks: H' is passed as a fixed level, so the likelihood-ratio vega and theta are
    // ∂V/∂σ and ∂V/∂t at fixed H' and omit the shift's own dependence, ∂V/∂H'·∂H'/∂σ with ∂H'/∂σ = ∓β·√(T/m)·H'
    // and ∂V/∂H'·∂H'/∂T with ∂H'/∂T = ∓β·σ/(2√(T·m))·H' (theta = −∂V/∂T). Both terms shrink like 1/√m; delta,
    // gamma and rho are unaffected (H' depends on neither spot nor rate). Including them would need ∂V/∂H', which
    // the likelihood-ratio estimator does not give (a finite difference in H' of a knock indicator is very noisy).
    if (continuous) barrier *= Math.exp((up ? -1 : 1) * BGK_BETA * vol * Math.sqrt(expiry / steps));
  }
  const control = !controlVariate ? MC_CONTROL.none : payoffCode === MC_PAYOFF["asian-arithmetic"] ? MC_CONTROL.geometricAsian : MC_CONTROL.terminalPrice;
  const controlMean = control === MC_CONTROL.geometricAsian
    ? geometricAsianPrice(type, spot, strike, expiry, vol, rate, dividend, steps)
    : spot * Math.exp(-dividend * expiry);
  const params = encodeMonteCarloParams({
    payoff: payoffCode, type, spot, strike, expiry, vol, rate, dividend, steps, paths, seedLo: seed % 2 ** 32, seedHi: Math.floor(seed / 2 ** 32),
    sampler: MC_SAMPLER[sampler], antithetic: antithetic ? 1 : 0, barrier, barrierKind, rebate, greeks: greeks ? 1 : 0, control,
  });
  return { params, paths, steps, sampler, antithetic, greeks, controlVariate, controlMean };
}

/** Number of fixed-size blocks of a spec. */
export function monteCarloBlockCount(spec: NormalizedMonteCarloSpec): number {
  return Math.ceil(spec.paths / MC_BLOCK_PATHS);
}

/** Runs blocks [firstBlock, firstBlock + blockCount) and returns their accumulators (MC_BLOCK_ACCUMULATORS each). */
export function runMonteCarloBlocks(core: WasmCore, spec: NormalizedMonteCarloSpec, firstBlock: number, blockCount: number): Float64Array {
  const total = monteCarloBlockCount(spec);
  if (!Number.isInteger(firstBlock) || !Number.isInteger(blockCount) || firstBlock < 0 || blockCount < 0 || firstBlock + blockCount > total) {
    throw new PricingInputError("blocks", undefined, `range [${firstBlock}, ${firstBlock + blockCount}) outside [0, ${total})`);
  }
  const exports = core.exports;
  const result = new Float64Array(blockCount * MC_BLOCK_ACCUMULATORS);
  // At most 256 blocks per kernel call keeps the output region small; blocks are independent of the call split.
  const perCall = 256;
  const workBytes = exports.monteCarloWorkBytes(spec.steps);
  const paramsBytes = MC_PARAMS * 8;
  const outBytes = Math.min(perCall, Math.max(blockCount, 1)) * MC_BLOCK_ACCUMULATORS * 8;
  const base = core.reserve(paramsBytes + outBytes + workBytes + 16);
  const paramsPtr = base;
  const outPtr = base + paramsBytes;
  const workPtr = (outPtr + outBytes + 15) & ~15;
  core.f64(paramsPtr, MC_PARAMS).set(spec.params);
  for (const { start, count } of ranges(blockCount, perCall, firstBlock)) {
    exports.monteCarloBlocks(paramsPtr, start, count, outPtr, workPtr);
    result.set(core.f64(outPtr, count * MC_BLOCK_ACCUMULATORS), (start - firstBlock) * MC_BLOCK_ACCUMULATORS);
  }
  return result;
}

/** Combines all blocks' accumulators (in block order) into the estimate and standard errors. */
export function combineMonteCarloBlocks(spec: NormalizedMonteCarloSpec, blocks: Float64Array): MonteCarloResult {
  const total = monteCarloBlockCount(spec);
  if (blocks.length !== total * MC_BLOCK_ACCUMULATORS) throw new PricingInputError("blocks", undefined, `expected ${total} blocks of accumulators, got ${blocks.length / MC_BLOCK_ACCUMULATORS}`);
  const acc = new Float64Array(MC_BLOCK_ACCUMULATORS);
  for (let b = 0; b < total; b++) {
    const o = b * MC_BLOCK_ACCUMULATORS;
    for (let k = 0; k < MC_BLOCK_ACCUMULATORS; k++) acc[k]! += blocks[o + k]!;
  }
  const N = acc[MC_ACCUMULATOR.count]!;
  const mean = (k: number) => acc[MC_ACCUMULATOR.sum + k]! / N;
  const variance = (k: number) => Math.max(acc[MC_ACCUMULATOR.sumOfSquares + k]! / N - mean(k) * mean(k), 0) * N / (N - 1);
  const covariance = () => (acc[MC_ACCUMULATOR.priceTimesControl]! / N - mean(0) * mean(1)) * N / (N - 1);
  let beta = 0;
  if (spec.controlVariate) {
    const varX = variance(1);
    beta = varX > 0 ? covariance() / varX : 0;
  }
  const price = mean(0) - beta * (mean(1) - spec.controlMean);
  const estimates: Estimate[] = [];
  if (spec.sampler === "pseudo") {
    const covYX = covariance();
    const residual = Math.max(variance(0) - 2 * beta * covYX + beta * beta * variance(1), 0);
    estimates.push({ value: price, stdError: Math.sqrt(residual / N) });
    for (let k = 2; k < MC_QUANTITIES; k++) estimates.push({ value: mean(k), stdError: Math.sqrt(variance(k) / N) });
  } else {
    // Randomised QMC: replication r holds samples s ≡ r (mod 16); the error is the spread of the 16 replication estimates.
    const samples = spec.antithetic ? spec.paths / 2 : spec.paths;
    const rep = (r: number, k: number) => acc[MC_ACCUMULATOR.replications + r * MC_QUANTITIES + k]!;
    const counts = Array.from({ length: MC_REPLICATIONS }, (_, r) => Math.floor((samples - 1 - r) / MC_REPLICATIONS) + 1);
    for (let k = 0; k < MC_QUANTITIES; k++) {
      if (k === 1) continue;
      const values = counts.map((c, r) => rep(r, k) / c - (k === 0 ? beta * (rep(r, 1) / c - spec.controlMean) : 0));
      const m = values.reduce((a, v) => a + v, 0) / MC_REPLICATIONS;
      const v = values.reduce((a, x) => a + (x - m) * (x - m), 0) / (MC_REPLICATIONS - 1);
      estimates.push({ value: k === 0 ? price : mean(k), stdError: Math.sqrt(v / MC_REPLICATIONS) });
    }
  }
  const result: MonteCarloResult = { price: estimates[0]!.value, stdError: estimates[0]!.stdError, paths: spec.paths, controlBeta: beta };
  if (spec.greeks) {
    result.delta = estimates[1]!;
    result.gamma = estimates[2]!;
    result.vega = estimates[3]!;
    result.rho = estimates[4]!;
    result.theta = estimates[5]!;
  }
  return result;
}

/**
 * Prices `spec` by Monte Carlo on `core`. `onBlocks` (optional) is called after each group of blocks.
 * @example monteCarlo(core, { payoff: "asian-arithmetic", type: "call", spot: 100, strike: 100, expiry: 1, vol: 0.2, rate: 0.05, steps: 12, paths: 1e5, controlVariate: true })
 */
export function monteCarlo(core: WasmCore, spec: MonteCarloSpec, onBlocks?: (done: number, total: number) => void): MonteCarloResult {
  const normalized = normalizeMonteCarloSpec(spec);
  const total = monteCarloBlockCount(normalized);
  const blocks = new Float64Array(total * MC_BLOCK_ACCUMULATORS);
  for (const { start, count } of ranges(total, 64)) {
    blocks.set(runMonteCarloBlocks(core, normalized, start, count), start * MC_BLOCK_ACCUMULATORS);
    onBlocks?.(start + count, total);
  }
  return combineMonteCarloBlocks(normalized, blocks);
}
