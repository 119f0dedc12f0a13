// Monte Carlo pricing of European and path-dependent options under geometric Brownian motion, in fixed-size
// blocks of paths whose accumulators depend only on (spec, seed, block index): blocks can be run in any split
// (one call, several calls, several workers) and summed in block order by the caller with bit-identical results.
//
// Paths: exact log-space GBM on t_i = i·T/n, ln S_i = ln S0 + (r − q − σ²/2) t_i + σ W(t_i) (Glasserman,
// "Monte Carlo Methods in Financial Engineering", 2004, §3.2). Pseudo-random: Philox4x32-10 counter (sample, 0,
// group, 0) under key (seed), Box-Muller normals, W by cumulative sums; one-date runs take normal s mod 4 of
// counter (⌊s/4⌋, 0, 0) so no normal is discarded. Quasi-random: Sobol (Joe-Kuo) points with
// a random digital shift per replication, AS241 inverse CDF, Brownian bridge (Glasserman §3.1.2, Algorithm 3.2
// ordering as in QuantLib's BrownianBridge). Speed: Box-Muller via trig.ts (table-driven sin/cos of a turn, −2 ln u
// from log_table.ts), Philox on eight counters per call (two chains of i32x4 lanes) and exp (exp_table.ts, its ±708
// clamp skipped when provably idle) on two dates per f64x2 in the SIMD build; the scalar build runs
// the same operations in the same order (two partial sums for even and odd dates), so the builds agree bit for
// bit. Only the arithmetic Asian needs an exp per date (exp_table.ts); the others work in log space. Greeks: pathwise for Lipschitz payoffs, gamma by the mixed
// likelihood-ratio/pathwise estimator, likelihood ratio for digital and barrier (Glasserman §7.2-7.3).
import { philox4x32, philox4x32x4, philox4x32x8, philoxRoundKeys, PHILOX_ROUND_KEYS, philoxOut0, philoxOut1, philoxOut2, philoxOut3, uniformOpen } from "./philox";
import { ensureSobolDirections, sobolCoordinateAt, sobolDirection } from "./sobol";
import { inverseNormalCdf, inverseNormalCdfWordsv } from "./normal_inverse";
import { exp, pmax, pmin } from "./math";
import { expTable, expTablev } from "./exp_table";
import { boxMullerPair, boxMullerPairs, boxMullerPairsv } from "./trig";

/**
 * Bounds of the arithmetic Asian's per-date exponent ln(S_i/S0): clamped to ±708 (S_i/S0 beyond e^{±708} is
 * no market), the domain of exp_table.ts's expTable/expTablev (table-driven, no division: the exp per date
 * is most of the Asian's payoff time).
 */
const ASIAN_EXP_MIN: f64 = -708.0;
const ASIAN_EXP_MAX: f64 = 708.0;
const ASIAN_EXP_BOUNDS: usize = memory.data<f64>([ASIAN_EXP_MIN, ASIAN_EXP_MIN, ASIAN_EXP_MAX, ASIAN_EXP_MAX], 16);

/** e^x of an Asian date exponent, x clamped to [ASIAN_EXP_MIN, ASIAN_EXP_MAX] (scalar twin of asianExpv). */
// @ts-ignore: decorator
@inline function asianExp(x: f64): f64 {
  return expTable(pmin(pmax(x, ASIAN_EXP_MIN), ASIAN_EXP_MAX));
}

/**
 * Largest |z| of a pseudo-random normal: Box-Muller's radius is at most √(−2 ln 2⁻³³) = 6.764 (u ≥ 2⁻³³), cos and
 * sin at most 1 (+ rounding); 6.8 leaves margin.
 */
const PSEUDO_NORMAL_BOUND: f64 = 6.8;

/** Both lanes of {@link asianExp}: the same clamp, then expTablev (bit-identical to expTable). */
// @ts-ignore: decorator
@inline function asianExpv(x: v128): v128 {
  return expTablev(f64x2.pmin(f64x2.pmax(x, v128.load(ASIAN_EXP_BOUNDS)), v128.load(ASIAN_EXP_BOUNDS, 16)));
}

/** Paths per block (antithetic pairs count as two paths). */
export const MC_BLOCK_PATHS: i32 = 4096;
/** Independent digital shifts (replications) of the Sobol sampler; sample s belongs to replication s % 16. */
export const MC_REPLICATIONS: i32 = 16;
/** Estimated quantities per sample: price, control variate, delta, gamma, vega, rho, theta. */
export const MC_QUANTITIES: i32 = 7;
/** f64 accumulators per block: [count, Σq_k (7), Σq_k² (7), Σq0·q1, then Σq_k per replication (16 × 7)]. */
export const MC_BLOCK_ACCUMULATORS: i32 = 16 + 16 * 7;

// Parameter vector layout (f64), written by bindings/montecarlo.ts.
const P_PAYOFF = 0; // one of the PAYOFF_ codes below
const P_TYPE = 1; // +1 call, −1 put
const P_SPOT = 2;
const P_STRIKE = 3;
const P_EXPIRY = 4;
const P_VOL = 5;
const P_RATE = 6;
const P_DIVIDEND = 7;
const P_STEPS = 8;
const P_PATHS = 9;
const P_SEED_LO = 10;
const P_SEED_HI = 11;
const P_SAMPLER = 12; // 0 pseudo, 1 sobol
const P_ANTITHETIC = 13;
const P_BARRIER = 14; // barrier level (already BGK-shifted by the caller when continuous)
const P_BARRIER_KIND = 15; // 0 up-and-out, 1 up-and-in, 2 down-and-out, 3 down-and-in
const P_REBATE = 16;
const P_GREEKS = 17;
const P_CONTROL = 18; // control variate: 0 none, 1 geometric Asian payoff, 2 discounted terminal price
/** Length of the parameter vector. */
export const MC_PARAMS: i32 = 24;

// Payoff codes of P_PAYOFF (MC_PAYOFF in bindings/kernel/montecarlo.ts; lookback is the remaining code, 5).
const PAYOFF_EUROPEAN = 0;
const PAYOFF_ASIAN_ARITHMETIC = 1;
const PAYOFF_ASIAN_GEOMETRIC = 2;
const PAYOFF_BARRIER = 3;
const PAYOFF_DIGITAL = 4;

/** Bytes of work space the kernel needs for `steps` dates (W, z, Sobol state, shifts, bridge tables). */
export function monteCarloWorkBytes(steps: i32): usize {
  return <usize>((steps + 3) & ~3) * (8 + 8 + 4 + 4 * 16 + 4 * 4 + 8 * 3) + 64;
}

// Per-call state (globals so the @inline helpers see them without arguments).
let n: i32 = 0;
let payoff: i32 = 0;
let optionType: f64 = 1;
let S0: f64 = 0;
let K: f64 = 0;
let T: f64 = 0;
let vol: f64 = 0;
let rate: f64 = 0;
let drift: f64 = 0; // r − q − σ²/2
let dt: f64 = 0;
let sqrtDt: f64 = 0;
let discount: f64 = 0;
let logBarrier: f64 = 0;
let barrierKind: i32 = 0;
let rebate: f64 = 0;
let greeks = false;
let controlKind: i32 = 0;
// False when the Asian's per-date exponent provably stays inside ±ASIAN_EXP_MAX (pseudo-random paths with
// |drift|·T + |σ|·n·√dt·PSEUDO_NORMAL_BOUND ≤ 700, since |W(t_i)| ≤ i·√dt·max|z|): the clamp is then the identity
// and the price-only loop skips it (same results, both builds).
let asianExpClamp = true;
// Whether paths need Σz² (likelihood-ratio greeks) and ΣW (geometric Asian, its control variate): greeks,
// payoff 2 or control 1. Otherwise pseudoNormals skips them (sumZ2 and sumWAll then hold 0).
let pathSums = true;
let wbuf: usize = 0; // W(t_i), i = 0..n−1
let zbuf: usize = 0; // standard normals of the sample
// Philox words of the sample (SIMD build: 4 bytes per normal, whole groups of 16): the room of wbuf, whose
// W values are written only after the normals are made from the words.
let ubuf: usize = 0;
let sumZ2: f64 = 0; // Σ z_i² of the current sample (sign-invariant, for likelihood ratios)
let sumWAll: f64 = 0; // Σ W(t_i) of the current sample (the antithetic mirror negates it)
// Outputs of evaluatePath.
let q0: f64 = 0;
let q1: f64 = 0;
let q2: f64 = 0;
let q3: f64 = 0;
let q4: f64 = 0;
let q5: f64 = 0;
let q6: f64 = 0;

// @ts-ignore: decorator
@inline function w(i: i32): f64 {
  return load<f64>(wbuf + (<usize>i << 3));
}

/** Likelihood-ratio greeks of a discounted payoff P (Glasserman §7.3): scores of the Gaussian increments. */
// @ts-ignore: decorator
@inline function likelihoodRatioGreeks(price: f64, w1: f64, wT: f64): void {
  const t1 = dt;
  const z1 = w1 / sqrtDt;
  const fn = <f64>n;
  q2 = price * w1 / (S0 * vol * t1);
  q3 = price * ((z1 * z1 - 1.0) / (S0 * S0 * vol * vol * t1) - z1 / (S0 * S0 * vol * sqrtDt));
  q4 = price * ((sumZ2 - fn) / vol - wT);
  q5 = price * (wT / vol - T);
  q6 = -(price * ((sumZ2 - fn) / (2.0 * T) + drift * wT / (vol * T)) - rate * price);
}

/**
 * Pathwise greeks from the payoff's sensitivities to the path: gradient sums over dates of ∂F/∂S_i · ∂S_i/∂θ,
 * given as gS = Σ F_i S_i, gSW = Σ F_i S_i w_i, gST = Σ F_i S_i t_i; gamma from the pathwise delta times the
 * likelihood-ratio score of the first increment (mixed estimator, Glasserman §7.3.3).
 */
// @ts-ignore: decorator
@inline function pathwiseGreeks(price: f64, gS: f64, gSW: f64, gST: f64, w1: f64): void {
  q2 = discount * gS / S0;
  q3 = q2 * (w1 / (vol * dt) - 1.0) / S0;
  q4 = discount * (gSW - vol * gST);
  q5 = -T * price + discount * gST;
  q6 = -(-rate * price + discount * (drift * gST + 0.5 * vol * gSW) / T);
}

/** European call/put (payoff 0) on the terminal price: price, and pathwise greeks. */
// @ts-ignore: decorator
@inline function europeanPath(wT: f64, w1: f64): f64 {
  const ST = S0 * exp(drift * T + vol * wT);
  q1 = discount * ST;
  const intrinsic = Math.max(optionType * (ST - K), 0.0);
  const price = discount * intrinsic;
  if (greeks) {
    const g = intrinsic > 0.0 ? optionType * ST : 0.0;
    pathwiseGreeks(price, g, g * wT, g * T, w1);
  }
  return price;
}

/** Cash-or-nothing digital (payoff 4): a discontinuous payoff, so likelihood-ratio greeks. */
// @ts-ignore: decorator
@inline function digitalPath(wT: f64, w1: f64): f64 {
  const ST = S0 * exp(drift * T + vol * wT);
  q1 = discount * ST;
  const price = optionType * (ST - K) > 0.0 ? discount : 0.0;
  if (greeks) likelihoodRatioGreeks(price, w1, wT);
  return price;
}

// Partial sums of the arithmetic Asian over even (…0) and odd (…1) dates: Σe, Σe·w, Σe·t, and the last e.
let aE0: f64 = 0;
let aE1: f64 = 0;
let aEW0: f64 = 0;
let aEW1: f64 = 0;
let aET0: f64 = 0;
let aET1: f64 = 0;
let aLastE: f64 = 0;

/** SIMD build: the Asian's sums over date pairs, dates (i + 1, i + 2) in the two f64x2 lanes; returns the dates done. */
// @ts-ignore: decorator
@inline function asianSumsSimd(driftDt: f64, sv: f64): i32 {
  const vDriftDt = f64x2.splat(driftDt);
  const vSv = f64x2.splat(sv);
  const vDt = f64x2.splat(dt);
  const two = f64x2.splat(2.0);
  let date = f64x2(1.0, 2.0); // (i + 1, i + 2)
  let vE = f64x2.splat(0);
  let vEW = f64x2.splat(0);
  let vET = f64x2.splat(0);
  let e = f64x2.splat(0);
  let i = 0;
  if (greeks) {
    for (; i + 1 < n; i += 2) {
      const wv = v128.load(wbuf + (<usize>i << 3));
      e = asianExpv(f64x2.add(f64x2.mul(vDriftDt, date), f64x2.mul(vSv, wv)));
      vE = f64x2.add(vE, e);
      vEW = f64x2.add(vEW, f64x2.mul(e, wv));
      vET = f64x2.add(vET, f64x2.mul(e, f64x2.mul(date, vDt)));
      date = f64x2.add(date, two);
    }
  } else if (asianExpClamp) {
    for (; i + 1 < n; i += 2) {
      const wv = v128.load(wbuf + (<usize>i << 3));
      e = asianExpv(f64x2.add(f64x2.mul(vDriftDt, date), f64x2.mul(vSv, wv)));
      vE = f64x2.add(vE, e);
      date = f64x2.add(date, two);
    }
  } else {
    // The clamp cannot act (see asianExpClamp): the same exps without it.
    for (; i + 1 < n; i += 2) {
      const wv = v128.load(wbuf + (<usize>i << 3));
      e = expTablev(f64x2.add(f64x2.mul(vDriftDt, date), f64x2.mul(vSv, wv)));
      vE = f64x2.add(vE, e);
      date = f64x2.add(date, two);
    }
  }
  aE0 = f64x2.extract_lane(vE, 0); aE1 = f64x2.extract_lane(vE, 1);
  aEW0 = f64x2.extract_lane(vEW, 0); aEW1 = f64x2.extract_lane(vEW, 1);
  aET0 = f64x2.extract_lane(vET, 0); aET1 = f64x2.extract_lane(vET, 1);
  aLastE = f64x2.extract_lane(e, 1);
  return i;
}

/** Scalar build: the same operations as asianSumsSimd in the same order, lanes as two scalars. */
// @ts-ignore: decorator
@inline function asianSumsScalar(driftDt: f64, sv: f64): i32 {
  let e0: f64 = 0, e1: f64 = 0, ew0: f64 = 0, ew1: f64 = 0, et0: f64 = 0, et1: f64 = 0;
  let lastE: f64 = 0;
  let i = 0;
  if (greeks) {
    for (; i + 1 < n; i += 2) {
      const wa = load<f64>(wbuf + (<usize>i << 3));
      const wb = load<f64>(wbuf + (<usize>i << 3), 8);
      const da = <f64>(i + 1);
      const db = <f64>(i + 2);
      const ea = asianExp(driftDt * da + sv * wa);
      const eb = asianExp(driftDt * db + sv * wb);
      e0 += ea; e1 += eb;
      ew0 += ea * wa; ew1 += eb * wb;
      et0 += ea * (da * dt); et1 += eb * (db * dt);
      lastE = eb;
    }
  } else if (asianExpClamp) {
    for (; i + 1 < n; i += 2) {
      const ea = asianExp(driftDt * <f64>(i + 1) + sv * load<f64>(wbuf + (<usize>i << 3)));
      const eb = asianExp(driftDt * <f64>(i + 2) + sv * load<f64>(wbuf + (<usize>i << 3), 8));
      e0 += ea; e1 += eb;
      lastE = eb;
    }
  } else {
    for (; i + 1 < n; i += 2) {
      const ea = expTable(driftDt * <f64>(i + 1) + sv * load<f64>(wbuf + (<usize>i << 3)));
      const eb = expTable(driftDt * <f64>(i + 2) + sv * load<f64>(wbuf + (<usize>i << 3), 8));
      e0 += ea; e1 += eb;
      lastE = eb;
    }
  }
  aE0 = e0; aE1 = e1; aEW0 = ew0; aEW1 = ew1; aET0 = et0; aET1 = et1; aLastE = lastE;
  return i;
}

/**
 * Arithmetic Asian (payoff 1) over t_1..t_n: one exp per date, two dates per step in two partial sums (even and
 * odd dates: the f64x2 lanes in the SIMD build, two scalars in the scalar build, so both builds agree bit for bit).
 */
// @ts-ignore: decorator
@inline function asianArithmeticPath(sign: f64, sv: f64, w1: f64): f64 {
  const driftDt = drift * dt;
  const i = ASC_FEATURE_SIMD ? asianSumsSimd(driftDt, sv) : asianSumsScalar(driftDt, sv);
  if (i < n) {
    // Odd n: the last date joins the even partial sums.
    const wa = load<f64>(wbuf + (<usize>i << 3));
    const da = <f64>(i + 1);
    const ea = asianExp(driftDt * da + sv * wa);
    aE0 += ea; aEW0 += ea * wa; aET0 += ea * (da * dt);
    aLastE = ea;
  }
  const sumE = aE0 + aE1;
  const sumEW = sign * (aEW0 + aEW1);
  const sumET = aET0 + aET1;
  const fn = <f64>n;
  const sumW = sign * sumWAll;
  const sumT = dt * fn * (fn + 1.0) * 0.5;
  const A = S0 * sumE / fn;
  const intrinsic = Math.max(optionType * (A - K), 0.0);
  const price = discount * intrinsic;
  if (controlKind == 1) {
    const G = S0 * exp((drift * sumT + vol * sumW) / fn);
    q1 = discount * Math.max(optionType * (G - K), 0.0);
  } else {
    q1 = discount * S0 * aLastE;
  }
  if (greeks) {
    const g = intrinsic > 0.0 ? optionType * S0 / fn : 0.0;
    pathwiseGreeks(price, g * sumE, g * sumEW, g * sumET, w1);
  }
  return price;
}

/** Geometric Asian (payoff 2): only Σ W(t_i) (summed while the path was generated) and the terminal price. */
// @ts-ignore: decorator
@inline function asianGeometricPath(sign: f64, sv: f64, w1: f64): f64 {
  const fn = <f64>n;
  const sumW = sign * sumWAll;
  const sumT = dt * fn * (fn + 1.0) * 0.5;
  const G = S0 * exp((drift * sumT + vol * sumW) / fn);
  const intrinsic = Math.max(optionType * (G - K), 0.0);
  const price = discount * intrinsic;
  q1 = discount * S0 * exp(drift * dt * fn + sv * w(n - 1));
  if (greeks) {
    const g = intrinsic > 0.0 ? optionType * G / fn : 0.0;
    pathwiseGreeks(price, g * fn, g * sumW, g * sumT, w1);
  }
  return price;
}

/** Barrier (payoff 3), monitored at the dates in log space (no exp per date); likelihood-ratio greeks. */
// @ts-ignore: decorator
@inline function barrierPath(sv: f64, wT: f64, w1: f64): f64 {
  let hit = false;
  const driftDt = drift * dt;
  if (barrierKind < 2) {
    for (let i = 0; i < n; i++) {
      if (driftDt * <f64>(i + 1) + sv * load<f64>(wbuf + (<usize>i << 3)) >= logBarrier) { hit = true; break; }
    }
  } else {
    for (let i = 0; i < n; i++) {
      if (driftDt * <f64>(i + 1) + sv * load<f64>(wbuf + (<usize>i << 3)) <= logBarrier) { hit = true; break; }
    }
  }
  const ST = S0 * exp(drift * T + vol * wT);
  const knockIn = (barrierKind & 1) == 1;
  const alive = knockIn ? hit : !hit;
  const price = discount * (alive ? Math.max(optionType * (ST - K), 0.0) : rebate);
  q1 = discount * ST;
  if (greeks) likelihoodRatioGreeks(price, w1, wT);
  return price;
}

/** Floating-strike lookback (payoff 5) over t_1..t_n: call S_T − min S_i, put max S_i − S_T; pathwise greeks. */
// @ts-ignore: decorator
@inline function lookbackPath(sign: f64, sv: f64, wT: f64, w1: f64): f64 {
  let extreme: f64 = optionType > 0.0 ? Infinity : -Infinity;
  let at: i32 = 0;
  const driftDt = drift * dt;
  for (let i = 0; i < n; i++) {
    const x = driftDt * <f64>(i + 1) + sv * load<f64>(wbuf + (<usize>i << 3));
    if (optionType > 0.0 ? x < extreme : x > extreme) { extreme = x; at = i; }
  }
  const ST = S0 * exp(drift * T + vol * wT);
  const SX = S0 * exp(extreme);
  const price = discount * optionType * (ST - SX);
  q1 = discount * ST;
  if (greeks) {
    const wx = sign * w(at);
    const tx = <f64>(at + 1) * dt;
    const gT = optionType * ST;
    const gX = -optionType * SX;
    pathwiseGreeks(price, gT + gX, gT * wT + gX * wx, gT * T + gX * tx, w1);
  }
  return price;
}

/** Evaluates one path W·sign (sign −1: the antithetic mirror): sets q0..q6. */
function evaluatePath(sign: f64): void {
  const w1 = sign * w(0);
  const wT = sign * w(n - 1);
  const sv = sign * vol;
  let price: f64;
  if (payoff == PAYOFF_EUROPEAN) price = europeanPath(wT, w1);
  else if (payoff == PAYOFF_DIGITAL) price = digitalPath(wT, w1);
  else if (payoff == PAYOFF_ASIAN_ARITHMETIC) price = asianArithmeticPath(sign, sv, w1);
  else if (payoff == PAYOFF_ASIAN_GEOMETRIC) price = asianGeometricPath(sign, sv, w1);
  else if (payoff == PAYOFF_BARRIER) price = barrierPath(sv, wT, w1);
  else price = lookbackPath(sign, sv, wT, w1);
  q0 = price;
  if (!greeks) { q2 = 0; q3 = 0; q4 = 0; q5 = 0; q6 = 0; }
}

/** Four normals at p from Philox counter (c0, c1, c2, 0): Box-Muller pairs (w0, w1) and (w2, w3). */
// @ts-ignore: decorator
@inline function philoxGroup(c0: u32, c1: u32, c2: u32, k0: u32, k1: u32, p: usize): void {
  philox4x32(c0, c1, c2, 0, k0, k1);
  if (ASC_FEATURE_SIMD) {
    boxMullerPairs(philoxOut0, philoxOut1, philoxOut2, philoxOut3, p, p + 16);
  } else {
    boxMullerPair(philoxOut0, philoxOut1, p);
    boxMullerPair(philoxOut2, philoxOut3, p + 16);
  }
}

/**
 * One-date samples share Philox blocks: sample s takes normal s mod 4 of counter (⌊s/4⌋, 0, 0) (so none of the
 * four normals is discarded and the normal still depends only on seed and s). Refills zbuf when s starts a group
 * (or is the first sample of a call), then sets W(t_1), Σz² and ΣW as pseudoNormals does for n = 1.
 */
// @ts-ignore: decorator
@inline function pseudoNormalOneDate(s: u64, first: bool, k0: u32, k1: u32): void {
  const group = s >> 2;
  if (first || (s & 3) == 0) philoxGroup(<u32>group, <u32>(group >> 32), 0, k0, k1, zbuf);
  const z = load<f64>(zbuf + (<usize>(s & 3) << 3));
  const w1 = sqrtDt * z;
  store<f64>(wbuf, w1);
  sumZ2 = z * z;
  sumWAll = w1;
}

/**
 * W by cumulative sums of the normals in zbuf into wbuf; with `withSums` (a constant at each call: two
 * specialised loops) also Σz² and ΣW into sumZ2 and sumWAll, which only greeks, the geometric Asian and its
 * control variate read (pathSums).
 */
// @ts-ignore: decorator
@inline function cumulativeW(withSums: bool): void {
  // W by cumulative sums, four dates per step as a prefix sum (a, a+b, c+(a+b), (d+c)+(a+b)) added to the carry,
  // so the serial chain is one add per four dates; Σz² and ΣW in four partial sums (dates i mod 4). The SIMD
  // build runs these in f64x2 lanes, the scalar build the same additions one by one (bit-identical results).
  let carry: f64 = 0;
  let z2: f64 = 0;
  let sw: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const h = f64x2.splat(sqrtDt);
    let z2a = f64x2.splat(0), z2b = f64x2.splat(0), swa = f64x2.splat(0), swb = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      const p = zbuf + (<usize>i << 3);
      const za = v128.load(p);
      const zb = v128.load(p, 16);
      const ia = f64x2.mul(h, za);
      const ib = f64x2.mul(h, zb);
      const pa = v128.shuffle<f64>(ia, f64x2.add(ia, v128.shuffle<f64>(ia, ia, 1, 0)), 0, 3); // (a, b + a)
      const pb = v128.shuffle<f64>(ib, f64x2.add(ib, v128.shuffle<f64>(ib, ib, 1, 0)), 0, 3); // (c, d + c)
      const cv = f64x2.splat(carry);
      const wa = f64x2.add(cv, pa);
      const wb = f64x2.add(cv, f64x2.add(pb, v128.shuffle<f64>(pa, pa, 1, 1)));
      const q = wbuf + (<usize>i << 3);
      v128.store(q, wa);
      v128.store(q, wb, 16);
      carry = f64x2.extract_lane(wb, 1);
      if (withSums) {
        z2a = f64x2.add(z2a, f64x2.mul(za, za));
        z2b = f64x2.add(z2b, f64x2.mul(zb, zb));
        swa = f64x2.add(swa, wa);
        swb = f64x2.add(swb, wb);
      }
    }
    z2 = (f64x2.extract_lane(z2a, 0) + f64x2.extract_lane(z2a, 1)) + (f64x2.extract_lane(z2b, 0) + f64x2.extract_lane(z2b, 1));
    sw = (f64x2.extract_lane(swa, 0) + f64x2.extract_lane(swa, 1)) + (f64x2.extract_lane(swb, 0) + f64x2.extract_lane(swb, 1));
  } else {
    let z20: f64 = 0, z21: f64 = 0, z22: f64 = 0, z23: f64 = 0, sw0: f64 = 0, sw1: f64 = 0, sw2: f64 = 0, sw3: f64 = 0;
    for (; i + 4 <= n; i += 4) {
      const p = zbuf + (<usize>i << 3);
      const za0 = load<f64>(p), za1 = load<f64>(p, 8), zb0 = load<f64>(p, 16), zb1 = load<f64>(p, 24);
      const a = sqrtDt * za0, b = sqrtDt * za1, c = sqrtDt * zb0, d = sqrtDt * zb1;
      const ab = b + a;
      const w0 = carry + a, w1 = carry + ab, w2 = carry + (c + ab), w3 = carry + ((d + c) + ab);
      const q = wbuf + (<usize>i << 3);
      store<f64>(q, w0); store<f64>(q, w1, 8); store<f64>(q, w2, 16); store<f64>(q, w3, 24);
      carry = w3;
      if (withSums) {
        z20 += za0 * za0; z21 += za1 * za1; z22 += zb0 * zb0; z23 += zb1 * zb1;
        sw0 += w0; sw1 += w1; sw2 += w2; sw3 += w3;
      }
    }
    z2 = (z20 + z21) + (z22 + z23);
    sw = (sw0 + sw1) + (sw2 + sw3);
  }
  for (; i < n; i++) {
    const z = load<f64>(zbuf + (<usize>i << 3));
    carry += sqrtDt * z;
    z2 += z * z;
    sw += carry;
    store<f64>(wbuf + (<usize>i << 3), carry);
  }
  sumZ2 = z2;
  sumWAll = sw;
}

/**
 * Philox normals for sample s (n ≥ 2): counter (s, g, 0) gives four words, Box-Muller pairs (w0, w1) → z_{4g}, z_{4g+1} and
 * (w2, w3) → z_{4g+2}, z_{4g+3} (trig.ts; both pairs in one f64x2 in the SIMD build); then W by cumulative sums.
 */
function pseudoNormals(s: u64, k0: u32, k1: u32): void {
  const lo = <u32>s;
  const hi = <u32>(s >> 32);
  // zbuf has room for a multiple of 4 normals.
  let g = 0;
  if (ASC_FEATURE_SIMD) {
    // Two tight loops instead of one fused body (fewer live v128 values, so V8 spills less): Philox for eight
    // groups (32 normals) per call (philox4x32x8: two chains of four, the last 16 by philox4x32x4) in i32x4
    // lanes into ubuf, 64 bytes per four groups as philox4x32x4 lays them out
    // (word k of block j at 16k + 4j); then one f64x2 Box-Muller step per iteration: step t of a call takes
    // the pair of words (k, k + 1), k = 2·(t & 1), of blocks (2b, 2b + 1), b = t >> 1, loaded as two u32 lanes
    // (load64_zero), and writes normals 4·(2b) + k, +1 and 4·(2b + 1) + k, +1 of the call's 16.
    const full = ((n + 3) & ~3) & ~15;
    // PHILOX_ROUND_KEYS holds the round keys of (k0, k1): monteCarloBlocks and philoxNormals write them first.
    for (; g + 32 <= full; g += 32) philox4x32x8(lo, hi, <u32>(g >> 2), 0, PHILOX_ROUND_KEYS, ubuf + (<usize>g << 2));
    if (g < full) philox4x32x4(lo, hi, <u32>(g >> 2), 0, PHILOX_ROUND_KEYS, ubuf + (<usize>g << 2));
    g = full;
    for (let t = 0; t < (full >> 2); t++) {
      const call = <usize>(t >> 2);
      const k = <usize>(t & 1);
      const b = <usize>((t >> 1) & 1);
      const words = ubuf + (call << 6) + (k << 5) + (b << 3);
      const out = zbuf + (call << 7) + (b << 6) + (k << 4);
      boxMullerPairsv(v128.load64_zero(words), v128.load64_zero(words, 16), out, out + 32);
    }
  }
  for (; g < n; g += 4) philoxGroup(lo, hi, <u32>(g >> 2), k0, k1, zbuf + (<usize>g << 3));
  if (pathSums) cumulativeW(true);
  else cumulativeW(false);
}

// Brownian bridge tables (built per call into the work space).
let bridgeLeft: usize = 0; // i32: left index j (0 means "from W(0) = 0", else point j−1)
let bridgeRight: usize = 0; // i32
let bridgeIndex: usize = 0; // i32
let bridgeLeftWeight: usize = 0; // f64
let bridgeRightWeight: usize = 0; // f64
let bridgeStdDev: usize = 0; // f64

/** Brownian bridge construction order for n equal dates (bisection, as QuantLib's BrownianBridge). */
function buildBridge(map: usize): void {
  for (let i = 0; i < n; i++) store<i32>(map + (<usize>i << 2), 0);
  store<i32>(map + (<usize>(n - 1) << 2), 1);
  store<i32>(bridgeIndex, n - 1);
  store<f64>(bridgeStdDev, Math.sqrt(T));
  store<f64>(bridgeLeftWeight, 0);
  store<f64>(bridgeRightWeight, 0);
  let j = 0;
  for (let i = 1; i < n; i++) {
    while (load<i32>(map + (<usize>j << 2)) != 0) j++;
    let k = j;
    while (load<i32>(map + (<usize>k << 2)) == 0) k++;
    const l = j + ((k - 1 - j) >> 1);
    store<i32>(map + (<usize>l << 2), i);
    store<i32>(bridgeIndex + (<usize>i << 2), l);
    store<i32>(bridgeLeft + (<usize>i << 2), j);
    store<i32>(bridgeRight + (<usize>i << 2), k);
    const tl = <f64>(l + 1) * dt;
    const tk = <f64>(k + 1) * dt;
    const tj = <f64>j * dt; // time of the left neighbour (point j−1), 0 when j = 0
    store<f64>(bridgeLeftWeight + (<usize>i << 3), (tk - tl) / (tk - tj));
    store<f64>(bridgeRightWeight + (<usize>i << 3), (tl - tj) / (tk - tj));
    store<f64>(bridgeStdDev + (<usize>i << 3), Math.sqrt((tl - tj) * (tk - tl) / (tk - tj)));
    j = k + 1;
    if (j >= n) j = 0;
  }
}

/** Sobol normals through the bridge: z (already in zbuf, in bridge order) → W(t_i) in wbuf, and Σ of squared increments. */
function bridgeNormals(): void {
  store<f64>(wbuf + (<usize>(n - 1) << 3), load<f64>(bridgeStdDev) * load<f64>(zbuf));
  for (let i = 1; i < n; i++) {
    const j = load<i32>(bridgeLeft + (<usize>i << 2));
    const k = load<i32>(bridgeRight + (<usize>i << 2));
    const l = load<i32>(bridgeIndex + (<usize>i << 2));
    const left = j == 0 ? 0.0 : load<f64>(wbuf + (<usize>(j - 1) << 3));
    store<f64>(wbuf + (<usize>l << 3),
      load<f64>(bridgeLeftWeight + (<usize>i << 3)) * left +
      load<f64>(bridgeRightWeight + (<usize>i << 3)) * load<f64>(wbuf + (<usize>k << 3)) +
      load<f64>(bridgeStdDev + (<usize>i << 3)) * load<f64>(zbuf + (<usize>i << 3)));
  }
  let prev: f64 = 0;
  let z2: f64 = 0;
  let sw: f64 = 0;
  for (let i = 0; i < n; i++) {
    const wi = load<f64>(wbuf + (<usize>i << 3));
    const z = (wi - prev) / sqrtDt;
    z2 += z * z;
    sw += wi;
    prev = wi;
  }
  sumZ2 = z2;
  sumWAll = sw;
}

/** Evaluates sample s (one path, or an antithetic pair averaged) and adds it to the block accumulators at acc. */
// @ts-ignore: decorator
@inline function accumulate(acc: usize, s: i64, antithetic: bool): void {
  evaluatePath(1.0);
  if (antithetic) {
    const a0 = q0, a1 = q1, a2 = q2, a3 = q3, a4 = q4, a5 = q5, a6 = q6;
    evaluatePath(-1.0);
    q0 = 0.5 * (a0 + q0); q1 = 0.5 * (a1 + q1); q2 = 0.5 * (a2 + q2); q3 = 0.5 * (a3 + q3);
    q4 = 0.5 * (a4 + q4); q5 = 0.5 * (a5 + q5); q6 = 0.5 * (a6 + q6);
  }
  store<f64>(acc, load<f64>(acc) + 1.0);
  store<f64>(acc, load<f64>(acc, 8) + q0, 8);
  store<f64>(acc, load<f64>(acc, 16) + q1, 16);
  store<f64>(acc, load<f64>(acc, 64) + q0 * q0, 64);
  store<f64>(acc, load<f64>(acc, 72) + q1 * q1, 72);
  store<f64>(acc, load<f64>(acc, 120) + q0 * q1, 120);
  const rep = acc + 128 + (<usize>(<i32>(s % 16) * 7) << 3);
  store<f64>(rep, load<f64>(rep) + q0);
  store<f64>(rep, load<f64>(rep, 8) + q1, 8);
  // Without greeks q2..q6 are 0 and their sums stay +0 (the block starts zeroed): skipped, same bits.
  if (greeks) {
    store<f64>(acc, load<f64>(acc, 24) + q2, 24);
    store<f64>(acc, load<f64>(acc, 32) + q3, 32);
    store<f64>(acc, load<f64>(acc, 40) + q4, 40);
    store<f64>(acc, load<f64>(acc, 48) + q5, 48);
    store<f64>(acc, load<f64>(acc, 56) + q6, 56);
    store<f64>(acc, load<f64>(acc, 80) + q2 * q2, 80);
    store<f64>(acc, load<f64>(acc, 88) + q3 * q3, 88);
    store<f64>(acc, load<f64>(acc, 96) + q4 * q4, 96);
    store<f64>(acc, load<f64>(acc, 104) + q5 * q5, 104);
    store<f64>(acc, load<f64>(acc, 112) + q6 * q6, 112);
    store<f64>(rep, load<f64>(rep, 16) + q2, 16);
    store<f64>(rep, load<f64>(rep, 24) + q3, 24);
    store<f64>(rep, load<f64>(rep, 32) + q4, 32);
    store<f64>(rep, load<f64>(rep, 40) + q5, 40);
    store<f64>(rep, load<f64>(rep, 48) + q6, 48);
  }
}

/**
 * Runs blocks firstBlock .. firstBlock+blockCount−1 and writes MC_BLOCK_ACCUMULATORS f64 per block at `out`.
 * `params` is the MC_PARAMS f64 vector; `work` has monteCarloWorkBytes(steps) bytes (16-byte aligned).
 */
export function monteCarloBlocks(params: usize, firstBlock: i32, blockCount: i32, out: usize, work: usize): void {
  payoff = <i32>load<f64>(params + (P_PAYOFF << 3));
  optionType = load<f64>(params + (P_TYPE << 3));
  S0 = load<f64>(params + (P_SPOT << 3));
  K = load<f64>(params + (P_STRIKE << 3));
  T = load<f64>(params + (P_EXPIRY << 3));
  vol = load<f64>(params + (P_VOL << 3));
  rate = load<f64>(params + (P_RATE << 3));
  const dividend = load<f64>(params + (P_DIVIDEND << 3));
  n = <i32>load<f64>(params + (P_STEPS << 3));
  const paths = <i64>load<f64>(params + (P_PATHS << 3));
  const k0 = <u32>load<f64>(params + (P_SEED_LO << 3));
  const k1 = <u32>load<f64>(params + (P_SEED_HI << 3));
  const sobol = load<f64>(params + (P_SAMPLER << 3)) != 0.0;
  const antithetic = load<f64>(params + (P_ANTITHETIC << 3)) != 0.0;
  logBarrier = Math.log(load<f64>(params + (P_BARRIER << 3)) / S0);
  barrierKind = <i32>load<f64>(params + (P_BARRIER_KIND << 3));
  rebate = load<f64>(params + (P_REBATE << 3));
  greeks = load<f64>(params + (P_GREEKS << 3)) != 0.0;
  controlKind = <i32>load<f64>(params + (P_CONTROL << 3));
  drift = rate - dividend - 0.5 * vol * vol;
  dt = T / <f64>n;
  sqrtDt = Math.sqrt(dt);
  discount = Math.exp(-rate * T);
  pathSums = greeks || payoff == PAYOFF_ASIAN_GEOMETRIC || controlKind == 1;
  asianExpClamp = sobol || !(Math.abs(drift) * T + Math.abs(vol) * <f64>n * sqrtDt * PSEUDO_NORMAL_BOUND <= 700.0);

  // Work space layout.
  const padded = <usize>((n + 3) & ~3);
  wbuf = work;
  zbuf = wbuf + (padded << 3);
  const state = zbuf + (padded << 3); // u32 × n
  const shifts = state + (padded << 2); // u32 × 16 × n
  const map = shifts + (padded << 6); // i32 × n
  bridgeLeft = map + (padded << 2);
  bridgeRight = bridgeLeft + (padded << 2);
  bridgeIndex = bridgeRight + (padded << 2);
  bridgeLeftWeight = bridgeIndex + (padded << 2);
  bridgeRightWeight = bridgeLeftWeight + (padded << 3);
  bridgeStdDev = bridgeRightWeight + (padded << 3);
  ubuf = wbuf;

  const samples: i64 = antithetic ? paths >> 1 : paths;
  const perBlock: i64 = antithetic ? MC_BLOCK_PATHS >> 1 : MC_BLOCK_PATHS;
  memory.fill(out, 0, <usize>blockCount * MC_BLOCK_ACCUMULATORS * 8);

  if (sobol) {
    ensureSobolDirections();
    buildBridge(map);
    // Digital shift of replication r, dimension d: Philox(counter (r, 0, d, 0x50B01), key seed), word 0.
    for (let r = 0; r < MC_REPLICATIONS; r++) {
      for (let d = 0; d < n; d++) {
        philox4x32(<u32>r, 0, <u32>d, 0x50b01, k0, k1);
        store<u32>(shifts + (<usize>(r * n + d) << 2), philoxOut0);
      }
    }
  }

  if (ASC_FEATURE_SIMD) philoxRoundKeys(k0, k1, PHILOX_ROUND_KEYS);
  for (let b = 0; b < blockCount; b++) {
    const block = <i64>(firstBlock + b);
    const acc = out + (<usize>b * MC_BLOCK_ACCUMULATORS << 3);
    const first = block * perBlock;
    let last = first + perBlock;
    if (last > samples) last = samples;
    if (first >= last) continue;
    if (!sobol && n == 1) {
      for (let s = first; s < last; s++) {
        pseudoNormalOneDate(<u64>s, s == first, k0, k1);
        accumulate(acc, s, antithetic);
      }
    } else if (!sobol) {
      for (let s = first; s < last; s++) {
        pseudoNormals(<u64>s, k0, k1);
        accumulate(acc, s, antithetic);
      }
    } else {
      // Sample s = 16·j + r uses Sobol point j with shift r; blocks hold whole groups of 16 (perBlock % 16 == 0).
      const firstPoint = <u32>(first / MC_REPLICATIONS);
      const lastPoint = <u32>((last + MC_REPLICATIONS - 1) / MC_REPLICATIONS);
      for (let d = 0; d < n; d++) store<u32>(state + (<usize>d << 2), sobolCoordinateAt(d, firstPoint));
      for (let j = firstPoint; j < lastPoint; j++) {
        if (j > firstPoint) {
          const c = ctz<u32>(j);
          for (let d = 0; d < n; d++) {
            const p = state + (<usize>d << 2);
            store<u32>(p, load<u32>(p) ^ sobolDirection(d, c));
          }
        }
        for (let r = 0; r < MC_REPLICATIONS; r++) {
          const s = <i64>j * MC_REPLICATIONS + r;
          if (s >= last) break;
          const shift = shifts + (<usize>(r * n) << 2);
          let d = 0;
          if (ASC_FEATURE_SIMD) {
            // Two dimensions per f64x2: AS241's central rational in lanes, tails per lane (same bits as scalar).
            for (; d + 2 <= n; d += 2) {
              const words = v128.xor(v128.load64_zero(state + (<usize>d << 2)), v128.load64_zero(shift + (<usize>d << 2)));
              v128.store(zbuf + (<usize>d << 3), inverseNormalCdfWordsv(words));
            }
          }
          for (; d < n; d++) {
            const x = load<u32>(state + (<usize>d << 2)) ^ load<u32>(shift + (<usize>d << 2));
            store<f64>(zbuf + (<usize>d << 3), inverseNormalCdf(uniformOpen(x)));
          }
          bridgeNormals();
          accumulate(acc, s, antithetic);
        }
      }
    }
  }
}

/** Test hook: writes `count` standard normals of pseudo sample `sample` (Philox + Box-Muller) at out (count 1: the one-date layout). */
export function philoxNormals(seedLo: u32, seedHi: u32, sample: f64, count: i32, out: usize, work: usize): void {
  n = count;
  dt = 1.0;
  sqrtDt = 1.0;
  const padded = <usize>((count + 3) & ~3);
  wbuf = work;
  zbuf = work + (padded << 3);
  ubuf = wbuf;
  if (ASC_FEATURE_SIMD) philoxRoundKeys(seedLo, seedHi, PHILOX_ROUND_KEYS);
  if (count == 1) {
    pseudoNormalOneDate(<u64>sample, true, seedLo, seedHi);
    store<f64>(out, load<f64>(wbuf));
    return;
  }
  pseudoNormals(<u64>sample, seedLo, seedHi);
  memory.copy(out, zbuf, <usize>count << 3);
}
