// Implied-volatility surfaces as total implied variance w(k, T) = σ²(k, T)·T in log-moneyness k = ln(K/F),
// F = S·e^{(r−q)T} the forward, T in years. Two models (J. Gatheral and A. Jacquier, "Arbitrage-free SVI
// volatility surfaces", Quantitative Finance 14 (2014) 59–71; "GJ" below):
//
//   raw SVI per expiry T_i (GJ (3.1)):  w_i(k) = a + b·(ρ(k − m) + √((k − m)² + σ²))
//   SSVI (GJ (4.1)):                    w(k, θ) = θ/2·(1 + ρφ(θ)k + √((φ(θ)k + ρ)² + 1 − ρ²)),  θ = θ(T) the
//                                       ATM total variance, φ power-law  η/(θ^γ(1 + θ)^{1−γ})  (GJ (4.5)) or
//                                       Heston-like  (1 − (1 − e^{−λθ})/(λθ))/(λθ)  (GJ (4.3)).
//
// Between and beyond the expiries T_1 < … < T_n (the rules docs/surface.md proves):
//   raw SVI   T < T_1: w = (T/T_1)·w_1(k)                       (the first smile's implied vols, held)
//             T_i ≤ T ≤ T_{i+1}: w = (1 − α)w_i(k) + α·w_{i+1}(k), α = (T − T_i)/(T_{i+1} − T_i)
//             T > T_n: w = λ·w_n(k/λ), λ = T/T_n                (wing slopes and ATM vol of the last smile held)
//   SSVI      θ(T) linear between the θ_i, θ_1·T/T_1 before T_1 and θ_n·T/T_n after T_n.
//
// Each point also gets the k-derivatives w', w'', Durrleman's butterfly density factor (GJ Lemma 2.2)
//   g(k) = (1 − k·w'/(2w))² − (w'²/4)·(1/w + 1/4) + w''/2     (≥ 0 ⇔ no butterfly arbitrage)
// and ∂w/∂T at fixed k (≥ 0 ⇔ no calendar arbitrage, GJ Lemma 2.1), all in closed form: no finite differences.
// Accuracy: a handful of roundings per term (sqrt, divisions); ~1e-15 relative on w, and g to ~1e-15 absolute
// plus the cancellation its terms carry (tests check against 50-digit mpmath values).
//
// A surface is a block of f64 words (the layout below) that the caller writes, then passes by pointer; the
// static block at surfaceParamsPointer() serves a single-threaded caller. Kernels flag invalid inputs (k not
// finite, T not > 0...) by returning 1, as the pricing kernels do, and still write every output.

import { exp, expv, log, logv } from "./math";
import { RULE_FINITE, RULE_POSITIVE, scalarOk } from "./validate";

/** Models (word SURFACE_WORD_KIND). */
export const SURFACE_KIND_SVI: i32 = 0;
export const SURFACE_KIND_SSVI_POWER_LAW: i32 = 1;
export const SURFACE_KIND_SSVI_HESTON: i32 = 2;

/** Header words: kind, slice count n, then SSVI's ρ, η (power-law) or λ (Heston-like), γ (power-law). */
export const SURFACE_WORD_KIND: i32 = 0;
export const SURFACE_WORD_COUNT: i32 = 1;
export const SURFACE_WORD_RHO: i32 = 2;
export const SURFACE_WORD_ETA: i32 = 3;
export const SURFACE_WORD_GAMMA: i32 = 4;
export const SURFACE_HEADER_WORDS: i32 = 8;
/**
 * After the header, SURFACE_COLUMNS columns of n words each, in this order: T_i (years, increasing), θ_i (ATM
 * total variance; SSVI's node values), then the raw SVI a, b, ρ, m, σ of each slice (for SSVI, its slices').
 */
export const SURFACE_COLUMN_YEARS: i32 = 0;
export const SURFACE_COLUMN_THETA: i32 = 1;
export const SURFACE_COLUMN_A: i32 = 2;
export const SURFACE_COLUMN_B: i32 = 3;
export const SURFACE_COLUMN_RHO: i32 = 4;
export const SURFACE_COLUMN_M: i32 = 5;
export const SURFACE_COLUMN_SIGMA: i32 = 6;
export const SURFACE_COLUMNS: i32 = 7;
/** Most slices a block holds. */
export const SURFACE_MAX_SLICES: i32 = 256;

const BLOCK: usize = memory.data(<i32>(SURFACE_HEADER_WORDS + SURFACE_COLUMNS * SURFACE_MAX_SLICES) * 8, 16);

/** The static surface block (SURFACE_HEADER_WORDS + SURFACE_COLUMNS·SURFACE_MAX_SLICES words). */
export function surfaceParamsPointer(): usize {
  return BLOCK;
}

// Up to this x = λθ, the Heston-like φ and φ' come from their Taylor series: the closed forms cancel (q' loses
// ~log2(1/x) + 3 bits near 0), and at x ≤ 1 the 20 terms kept reach below 1e-18 of the sum.
const HESTON_SERIES_MAX: f64 = 1.0;
// 1/22!: the coefficient c_20 = 1/(20 + 2)! the series starts from.
const INV_FACTORIAL_22: f64 = 8.896791392450574e-22;

// The block being evaluated (set by begin()).
let surface: usize = 0;
let kind: i32 = 0;
let count: i32 = 0;
// Slice located last: T in [yearsLo, yearsHi) ⇒ lastSlice (−1 before the first expiry, n − 1 from the last on).
let lastSlice: i32 = -2;
let yearsLo: f64 = 0;
let yearsHi: f64 = 0;
// SSVI: the T whose θ(T), θ'(T), φ(θ), φ'(θ) are cached (NaN: none yet).
let cachedYears: f64 = NaN;
let theta: f64 = 0;
let thetaSlope: f64 = 0;
let phi: f64 = 0;
let phiSlope: f64 = 0;
// Outputs of evaluate(): w, ∂w/∂k, ∂²w/∂k², ∂w/∂T.
let W: f64 = 0;
let W1: f64 = 0;
let W2: f64 = 0;
let WT: f64 = 0;
// Outputs of sviSlice().
let sw: f64 = 0;
let sw1: f64 = 0;
let sw2: f64 = 0;

@inline
function column(c: i32, i: i32): f64 {
  return load<f64>(surface + (<usize>(SURFACE_HEADER_WORDS + c * count + i) << 3));
}

@inline
function header(word: i32): f64 {
  return load<f64>(surface + (<usize>word << 3));
}

// SSVI's θ'(T) on each piece of θ(T), index j + 1 for T's slice j (as locate returns it): θ_1/T_1 before T_1,
// the chord slopes between the expiries, θ_n/T_n from T_n on. Filled by begin() once per kernel call, so the
// per-point path divides no more; each entry is the division thetaIn performed before, so results are unchanged.
const THETA_SLOPES: usize = memory.data(<i32>(SURFACE_MAX_SLICES + 1) * 8, 16);

function begin(pointer: usize): void {
  surface = pointer;
  kind = <i32>header(SURFACE_WORD_KIND);
  count = <i32>header(SURFACE_WORD_COUNT);
  lastSlice = -2;
  cachedYears = NaN;
  if (kind != SURFACE_KIND_SVI) {
    store<f64>(THETA_SLOPES, column(SURFACE_COLUMN_THETA, 0) / column(SURFACE_COLUMN_YEARS, 0));
    for (let j = 0; j < count - 1; j++) {
      const slope = (column(SURFACE_COLUMN_THETA, j + 1) - column(SURFACE_COLUMN_THETA, j))
        / (column(SURFACE_COLUMN_YEARS, j + 1) - column(SURFACE_COLUMN_YEARS, j));
      store<f64>(THETA_SLOPES + (<usize>(j + 1) << 3), slope);
    }
    store<f64>(THETA_SLOPES + (<usize>count << 3), column(SURFACE_COLUMN_THETA, count - 1) / column(SURFACE_COLUMN_YEARS, count - 1));
  }
}

/** Slice counts up to this are located by counting T_i ≤ T over all slices (no branch to mispredict). */
const LINEAR_LOCATE_MAX: i32 = 32;

/** Index j with T_j ≤ T < T_{j+1} (−1 before T_1, n − 1 from T_n on); the last answer is reused while T stays in it. */
function locate(years: f64): i32 {
  if (lastSlice > -2 && years >= yearsLo && years < yearsHi) return lastSlice;
  let j = -1;
  if (count <= LINEAR_LOCATE_MAX) {
    for (let i = 0; i < count; i++) j += <i32>(column(SURFACE_COLUMN_YEARS, i) <= years);
  } else {
    let lo = 0;
    let hi = count; // answer in [lo − 1, hi − 1]: T_{lo−1} ≤ T < T_hi
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (column(SURFACE_COLUMN_YEARS, mid) <= years) lo = mid + 1;
      else hi = mid;
    }
    j = lo - 1;
  }
  yearsLo = j < 0 ? -Infinity : column(SURFACE_COLUMN_YEARS, j);
  yearsHi = j + 1 < count ? column(SURFACE_COLUMN_YEARS, j + 1) : Infinity;
  lastSlice = j;
  return j;
}

/** Raw SVI slice i at k: sw, sw1 = w', sw2 = w'' (GJ (3.1) and its derivatives). */
@inline
function sviSlice(i: i32, k: f64): void {
  const b = column(SURFACE_COLUMN_B, i);
  const rho = column(SURFACE_COLUMN_RHO, i);
  const s = column(SURFACE_COLUMN_SIGMA, i);
  const x = k - column(SURFACE_COLUMN_M, i);
  const r = Math.sqrt(x * x + s * s);
  sw = column(SURFACE_COLUMN_A, i) + b * (rho * x + r);
  sw1 = b * (rho + x / r);
  sw2 = b * (s * s) / (r * r * r);
}

/** Raw SVI slices with the interpolation and extrapolation rules of the header. */
function evaluateSvi(k: f64, years: f64): void {
  const j = locate(years);
  if (j < 0) {
    const t1 = column(SURFACE_COLUMN_YEARS, 0);
    const scale = years / t1;
    sviSlice(0, k);
    W = scale * sw;
    W1 = scale * sw1;
    W2 = scale * sw2;
    WT = sw / t1;
  } else if (j >= count - 1) {
    const tn = column(SURFACE_COLUMN_YEARS, count - 1);
    const scale = years / tn;
    const x = k / scale;
    sviSlice(count - 1, x);
    W = scale * sw;
    W1 = sw1;
    W2 = sw2 / scale;
    WT = (sw - x * sw1) / tn;
  } else {
    const t0 = column(SURFACE_COLUMN_YEARS, j);
    const dt = column(SURFACE_COLUMN_YEARS, j + 1) - t0;
    const alpha = (years - t0) / dt;
    sviSlice(j, k);
    const w = sw;
    const w1 = sw1;
    const w2 = sw2;
    sviSlice(j + 1, k);
    W = w + alpha * (sw - w);
    W1 = w1 + alpha * (sw1 - w1);
    W2 = w2 + alpha * (sw2 - w2);
    WT = (sw - w) / dt;
  }
}

/** w of raw SVI slice i at k (no derivatives: the vol kernels' path). */
@inline
function sviW(i: i32, k: f64): f64 {
  const s = column(SURFACE_COLUMN_SIGMA, i);
  const x = k - column(SURFACE_COLUMN_M, i);
  return column(SURFACE_COLUMN_A, i) + column(SURFACE_COLUMN_B, i) * (column(SURFACE_COLUMN_RHO, i) * x + Math.sqrt(x * x + s * s));
}

/** w(k, T) of raw SVI slices alone, by the rules of evaluateSvi (the same operations on w). */
function totalVarianceSvi(k: f64, years: f64): f64 {
  const j = locate(years);
  if (j < 0) return (years / column(SURFACE_COLUMN_YEARS, 0)) * sviW(0, k);
  if (j >= count - 1) {
    const scale = years / column(SURFACE_COLUMN_YEARS, count - 1);
    return scale * sviW(count - 1, k / scale);
  }
  const t0 = column(SURFACE_COLUMN_YEARS, j);
  const alpha = (years - t0) / (column(SURFACE_COLUMN_YEARS, j + 1) - t0);
  const w = sviW(j, k);
  return w + alpha * (sviW(j + 1, k) - w);
}

// Pair paths of the SIMD build for raw SVI: both lanes run the scalar path's operations lane for lane (no fused
// multiply-add in WASM SIMD), so the SIMD and scalar builds agree bit for bit. Results go through PAIR (one
// v128 per quantity) because a function returns one value.
const PAIR: usize = memory.data(128, 16);
const PAIR_W: usize = 0;
const PAIR_W1: usize = 16;
const PAIR_W2: usize = 32;
const PAIR_G: usize = 48;
const PAIR_WT: usize = 64;

/** Raw SVI slice i at both lanes of x: w, w', w'' into PAIR at `at`, `at` + 16, `at` + 32 (sviSlice lane for lane). */
@inline
function sviSlicePair(i: i32, x0: v128, at: usize): void {
  const b = f64x2.splat(column(SURFACE_COLUMN_B, i));
  const rho = f64x2.splat(column(SURFACE_COLUMN_RHO, i));
  const sigma = column(SURFACE_COLUMN_SIGMA, i);
  const s2 = f64x2.splat(sigma * sigma);
  const x = f64x2.sub(x0, f64x2.splat(column(SURFACE_COLUMN_M, i)));
  const r = f64x2.sqrt(f64x2.add(f64x2.mul(x, x), s2));
  v128.store(PAIR + at, f64x2.add(f64x2.splat(column(SURFACE_COLUMN_A, i)), f64x2.mul(b, f64x2.add(f64x2.mul(rho, x), r))));
  v128.store(PAIR + at, f64x2.mul(b, f64x2.add(rho, f64x2.div(x, r))), 16);
  v128.store(PAIR + at, f64x2.div(f64x2.mul(b, s2), f64x2.mul(f64x2.mul(r, r), r)), 32);
}

/**
 * evaluateSvi and durrleman at two strikes of one expiry, T in slice j (as locate returns it): w, w', g and
 * ∂w/∂T into PAIR (the grid rows and the checks' scans, whose points share T).
 */
function sviShapePair(j: i32, k0: f64, k1: f64, years: f64): void {
  const kv = f64x2(k0, k1);
  let w: v128, w1: v128, w2: v128, wt: v128;
  if (j < 0) {
    const t1 = column(SURFACE_COLUMN_YEARS, 0);
    const scale = f64x2.splat(years / t1);
    sviSlicePair(0, kv, 0);
    const sw = v128.load(PAIR + PAIR_W);
    w = f64x2.mul(scale, sw);
    w1 = f64x2.mul(scale, v128.load(PAIR + PAIR_W1));
    w2 = f64x2.mul(scale, v128.load(PAIR + PAIR_W2));
    wt = f64x2.div(sw, f64x2.splat(t1));
  } else if (j >= count - 1) {
    const tn = column(SURFACE_COLUMN_YEARS, count - 1);
    const scale = f64x2.splat(years / tn);
    const x = f64x2.div(kv, scale);
    sviSlicePair(count - 1, x, 0);
    const sw = v128.load(PAIR + PAIR_W);
    const sw1 = v128.load(PAIR + PAIR_W1);
    w = f64x2.mul(scale, sw);
    w1 = sw1;
    w2 = f64x2.div(v128.load(PAIR + PAIR_W2), scale);
    wt = f64x2.div(f64x2.sub(sw, f64x2.mul(x, sw1)), f64x2.splat(tn));
  } else {
    const t0 = column(SURFACE_COLUMN_YEARS, j);
    const dt = column(SURFACE_COLUMN_YEARS, j + 1) - t0;
    const alpha = f64x2.splat((years - t0) / dt);
    sviSlicePair(j, kv, 0);
    const a = v128.load(PAIR + PAIR_W);
    const a1 = v128.load(PAIR + PAIR_W1);
    const a2 = v128.load(PAIR + PAIR_W2);
    sviSlicePair(j + 1, kv, 0);
    const sw = v128.load(PAIR + PAIR_W);
    w = f64x2.add(a, f64x2.mul(alpha, f64x2.sub(sw, a)));
    w1 = f64x2.add(a1, f64x2.mul(alpha, f64x2.sub(v128.load(PAIR + PAIR_W1), a1)));
    w2 = f64x2.add(a2, f64x2.mul(alpha, f64x2.sub(v128.load(PAIR + PAIR_W2), a2)));
    wt = f64x2.div(f64x2.sub(sw, a), f64x2.splat(dt));
  }
  // durrleman lane for lane: u = 1 − k·w'/(2w); g = u² − ((0.25·w')·w')·(1/w + 0.25) + 0.5·w''.
  const u = f64x2.sub(f64x2.splat(1.0), f64x2.div(f64x2.mul(kv, w1), f64x2.mul(f64x2.splat(2.0), w)));
  const quarter = f64x2.splat(0.25);
  const curvature = f64x2.mul(f64x2.mul(f64x2.mul(quarter, w1), w1), f64x2.add(f64x2.div(f64x2.splat(1.0), w), quarter));
  v128.store(PAIR + PAIR_W, w);
  v128.store(PAIR + PAIR_W1, w1);
  v128.store(PAIR + PAIR_G, f64x2.add(f64x2.sub(f64x2.mul(u, u), curvature), f64x2.mul(f64x2.splat(0.5), w2)));
  v128.store(PAIR + PAIR_WT, wt);
}

/**
 * Both lanes' slices j = (number of T_i ≤ T) − 1, counted at once with lane masks (−1 where true); call it up to
 * LINEAR_LOCATE_MAX slices, and locate's binary search per lane beyond.
 */
@inline
function slicesOfPair(tv: v128): v128 {
  let jv = i64x2.splat(-1);
  for (let i = 0; i < count; i++) jv = i64x2.sub(jv, f64x2.le(f64x2.splat(column(SURFACE_COLUMN_YEARS, i)), tv));
  return jv;
}

/**
 * Raw SVI vols of two points with their own expiries (totalVarianceSvi lane for lane): each lane's slices iA, iB
 * (equal outside the interpolation), strike x (k/λ beyond T_n), weight α and scale (T/T_1, T/T_n or 1).
 */
function sviVolPair(k0: f64, t0: f64, k1: f64, t1: f64): v128 {
  const tv = f64x2(t0, t1);
  let j0: i32, j1: i32;
  if (count > LINEAR_LOCATE_MAX) {
    j0 = locate(t0);
    j1 = locate(t1);
  } else {
    const jv = slicesOfPair(tv);
    j0 = <i32>i64x2.extract_lane(jv, 0);
    j1 = <i32>i64x2.extract_lane(jv, 1);
  }
  const a0 = max(j0, 0) < count - 1 ? max(j0, 0) : count - 1;
  const a1 = max(j1, 0) < count - 1 ? max(j1, 0) : count - 1;
  const between0 = j0 >= 0 && j0 < count - 1;
  const between1 = j1 >= 0 && j1 < count - 1;
  const b0 = between0 ? j0 + 1 : a0;
  const b1 = between1 ? j1 + 1 : a1;
  const scale0 = between0 ? 1.0 : t0 / column(SURFACE_COLUMN_YEARS, a0);
  const scale1 = between1 ? 1.0 : t1 / column(SURFACE_COLUMN_YEARS, a1);
  const x0 = j0 >= count - 1 ? k0 / scale0 : k0;
  const x1 = j1 >= count - 1 ? k1 / scale1 : k1;
  const ta0 = column(SURFACE_COLUMN_YEARS, a0);
  const ta1 = column(SURFACE_COLUMN_YEARS, a1);
  const alpha = f64x2(
    between0 ? (t0 - ta0) / (column(SURFACE_COLUMN_YEARS, b0) - ta0) : 0.0,
    between1 ? (t1 - ta1) / (column(SURFACE_COLUMN_YEARS, b1) - ta1) : 0.0,
  );
  const x = f64x2(x0, x1);
  const wa = sviWPair(a0, a1, x);
  const wb = sviWPair(b0, b1, x);
  const blended = f64x2.add(wa, f64x2.mul(alpha, f64x2.sub(wb, wa)));
  const mask = i64x2(between0 ? -1 : 0, between1 ? -1 : 0);
  // Outside the interpolation w = scale·w_A exactly (no 0·(w_B − w_A), which an infinite w would turn to NaN);
  // inside, scale is 1 and the product is exact.
  const w = f64x2.mul(f64x2(scale0, scale1), v128.bitselect(blended, wa, mask));
  return f64x2.sqrt(f64x2.div(w, tv));
}

/** Raw SVI vols of two strikes of one expiry, T in slice j (totalVarianceSvi lane for lane; sorted batches, a book). */
function sviVolPairOneExpiry(j: i32, k0: f64, k1: f64, years: f64): v128 {
  const kv = f64x2(k0, k1);
  let w: v128;
  if (j < 0) w = f64x2.mul(f64x2.splat(years / column(SURFACE_COLUMN_YEARS, 0)), sviWPair(0, 0, kv));
  else if (j >= count - 1) {
    const scale = f64x2.splat(years / column(SURFACE_COLUMN_YEARS, count - 1));
    w = f64x2.mul(scale, sviWPair(count - 1, count - 1, f64x2.div(kv, scale)));
  } else {
    const t0 = column(SURFACE_COLUMN_YEARS, j);
    const alpha = f64x2.splat((years - t0) / (column(SURFACE_COLUMN_YEARS, j + 1) - t0));
    const wa = sviWPair(j, j, kv);
    w = f64x2.add(wa, f64x2.mul(alpha, f64x2.sub(sviWPair(j + 1, j + 1, kv), wa)));
  }
  return f64x2.sqrt(f64x2.div(w, f64x2.splat(years)));
}

/** w of slice i0 on lane 0 and slice i1 on lane 1 at x (sviW lane for lane). */
@inline
function sviWPair(i0: i32, i1: i32, x0: v128): v128 {
  const sigma = f64x2(column(SURFACE_COLUMN_SIGMA, i0), column(SURFACE_COLUMN_SIGMA, i1));
  const x = f64x2.sub(x0, f64x2(column(SURFACE_COLUMN_M, i0), column(SURFACE_COLUMN_M, i1)));
  const inner = f64x2.add(f64x2.mul(f64x2(column(SURFACE_COLUMN_RHO, i0), column(SURFACE_COLUMN_RHO, i1)), x),
    f64x2.sqrt(f64x2.add(f64x2.mul(x, x), f64x2.mul(sigma, sigma))));
  return f64x2.add(f64x2(column(SURFACE_COLUMN_A, i0), column(SURFACE_COLUMN_A, i1)),
    f64x2.mul(f64x2(column(SURFACE_COLUMN_B, i0), column(SURFACE_COLUMN_B, i1)), inner));
}

/** θ(T) and θ'(T) (SSVI's ATM total variance and its slope in T). */
function ssviTheta(years: f64): void {
  thetaIn(locate(years), years);
}

/** θ(T) and θ'(T) given T's slice j (as locate returns it). */
@inline
function thetaIn(j: i32, years: f64): void {
  thetaSlope = load<f64>(THETA_SLOPES + (<usize>(j + 1) << 3));
  if (j < 0 || j >= count - 1) theta = thetaSlope * years;
  else theta = column(SURFACE_COLUMN_THETA, j) + thetaSlope * (years - column(SURFACE_COLUMN_YEARS, j));
}

/**
 * Power-law φ(θ) = η·θ^{−γ}·(1 + θ)^{γ−1} (GJ (4.5)), computed as η·e^{γ·ln((1 + θ)/θ)}/(1 + θ) (one logarithm),
 * and φ'(θ) = φ·(−γ/θ + (γ − 1)/(1 + θ)).
 */
function powerLawPhi(): void {
  const gamma = header(SURFACE_WORD_GAMMA);
  phi = header(SURFACE_WORD_ETA) * exp(gamma * log((1.0 + theta) / theta)) / (1.0 + theta);
  phiSlope = phi * (-gamma / theta + (gamma - 1.0) / (1.0 + theta));
}

/**
 * Heston-like φ(θ) = q(λθ) with q(x) = (1 − (1 − e^{−x})/x)/x = (x − 1 + e^{−x})/x² = Σ_{j≥0} (−x)^j/(j + 2)!
 * (GJ (4.3)), and φ'(θ) = λ·q'(λθ), q'(x) = (2 − x − (x + 2)e^{−x})/x³ = −Σ_{j≥0} (j + 1)(−x)^j/(j + 3)!.
 */
function hestonPhi(): void {
  const lambda = header(SURFACE_WORD_ETA);
  const x = lambda * theta;
  if (x > HESTON_SERIES_MAX) {
    const e = exp(-x);
    phi = (x - 1.0 + e) / (x * x);
    phiSlope = lambda * (2.0 - x - (x + 2.0) * e) / (x * x * x);
  } else {
    // Horner on both series; c runs through c_j = 1/(j + 2)!, holding c_{j+1} when dq needs it.
    let q = 0.0;
    let dq = 0.0;
    let c = INV_FACTORIAL_22;
    for (let j = 19; j >= 0; j--) {
      dq = dq * -x - <f64>(j + 1) * c;
      c *= <f64>(j + 3);
      q = q * -x + c;
    }
    phi = q;
    phiSlope = lambda * dq;
  }
}

/** θ, θ', φ, φ' at T, recomputed only when T differs from the cached one. */
@inline
function ssviAt(years: f64): void {
  if (years != cachedYears) {
    ssviTheta(years);
    if (kind == SURFACE_KIND_SSVI_HESTON) hestonPhi();
    else powerLawPhi();
    cachedYears = years;
  }
}

/** SSVI at (k, T): GJ (4.1) with its k-derivatives, and ∂w/∂T = θ'(T)·(w/θ + φ'(θ)·(θk/2)·(ρ + z/R)). */
function evaluateSsvi(k: f64, years: f64): void {
  ssviAt(years);
  const rho = header(SURFACE_WORD_RHO);
  const z = phi * k + rho;
  const r = Math.sqrt(z * z + (1.0 - rho * rho));
  const skew = rho + z / r;
  W = 0.5 * theta * (1.0 + rho * phi * k + r);
  W1 = 0.5 * theta * phi * skew;
  W2 = 0.5 * theta * (phi * phi) * (1.0 - rho * rho) / (r * r * r);
  WT = thetaSlope * (W / theta + phiSlope * 0.5 * theta * k * skew);
}

/** φ(θ) on both lanes of an f64x2: lane for lane the operations of powerLawPhi / hestonPhi (so both builds agree). */
@inline
function phiv(th: v128): v128 {
  if (kind == SURFACE_KIND_SSVI_HESTON) {
    const x = f64x2.mul(f64x2.splat(header(SURFACE_WORD_ETA)), th);
    const closed = f64x2.div(f64x2.add(f64x2.sub(x, f64x2.splat(1.0)), expv(f64x2.neg(x))), f64x2.mul(x, x));
    const minusX = f64x2.neg(x);
    let q = f64x2.splat(0.0);
    let c = INV_FACTORIAL_22;
    for (let j = 19; j >= 0; j--) {
      c *= <f64>(j + 3);
      q = f64x2.add(f64x2.mul(q, minusX), f64x2.splat(c));
    }
    return v128.bitselect(closed, q, f64x2.gt(x, f64x2.splat(HESTON_SERIES_MAX)));
  }
  const onePlus = f64x2.add(f64x2.splat(1.0), th);
  const power = expv(f64x2.mul(f64x2.splat(header(SURFACE_WORD_GAMMA)), logv(f64x2.div(onePlus, th))));
  return f64x2.div(f64x2.mul(f64x2.splat(header(SURFACE_WORD_ETA)), power), onePlus);
}

/**
 * SSVI vols of two points at once (the SIMD build): θ per lane, then φ and w on both lanes (the operations of
 * totalVarianceSsvi lane for lane). Leaves lane 1's θ, φ in the cache for the next pair, its φ' as NaN: the vol
 * kernels never read ∂w/∂T, and every kernel call starts with an empty cache.
 */
function ssviVolPair(k0: f64, t0: f64, k1: f64, t1: f64): v128 {
  let j0: i32, j1: i32;
  if (count > LINEAR_LOCATE_MAX) {
    j0 = locate(t0);
    j1 = locate(t1);
  } else {
    const jv = slicesOfPair(f64x2(t0, t1));
    j0 = <i32>i64x2.extract_lane(jv, 0);
    j1 = <i32>i64x2.extract_lane(jv, 1);
  }
  thetaIn(j0, t0);
  const theta0 = theta;
  thetaIn(j1, t1);
  const th = f64x2(theta0, theta);
  const ph = phiv(th);
  const rho = f64x2.splat(header(SURFACE_WORD_RHO));
  const kv = f64x2(k0, k1);
  const z = f64x2.add(f64x2.mul(ph, kv), rho);
  const r = f64x2.sqrt(f64x2.add(f64x2.mul(z, z), f64x2.splat(1.0 - header(SURFACE_WORD_RHO) * header(SURFACE_WORD_RHO))));
  const inner = f64x2.add(f64x2.add(f64x2.splat(1.0), f64x2.mul(f64x2.mul(rho, ph), kv)), r);
  const w = f64x2.mul(f64x2.mul(f64x2.splat(0.5), th), inner);
  cachedYears = t1;
  phi = f64x2.extract_lane(ph, 1);
  phiSlope = NaN;
  return f64x2.sqrt(f64x2.div(w, f64x2(t0, t1)));
}

/** Vols of points i and i + 1 into `vol`: raw SVI as a pair (one slice lookup when both share T); SSVI as two scalar evaluations when both reuse the cached θ (sorted batches), else a pair. */
@inline
function volPair(k0: f64, t0: f64, k1: f64, t1: f64, vol: usize): void {
  if (kind == SURFACE_KIND_SVI) v128.store(vol, t0 == t1 ? sviVolPairOneExpiry(locate(t0), k0, k1, t0) : sviVolPair(k0, t0, k1, t1));
  else if (t0 == cachedYears && t1 == cachedYears) {
    store<f64>(vol, Math.sqrt(totalVariance(k0, t0) / t0));
    store<f64>(vol, Math.sqrt(totalVariance(k1, t1) / t1), 8);
  } else v128.store(vol, ssviVolPair(k0, t0, k1, t1));
}

/** w(k, T) of SSVI alone (θ and φ through the same cache as evaluateSsvi). */
function totalVarianceSsvi(k: f64, years: f64): f64 {
  ssviAt(years);
  const rho = header(SURFACE_WORD_RHO);
  const z = phi * k + rho;
  return 0.5 * theta * (1.0 + rho * phi * k + Math.sqrt(z * z + (1.0 - rho * rho)));
}

@inline
function totalVariance(k: f64, years: f64): f64 {
  return kind == SURFACE_KIND_SVI ? totalVarianceSvi(k, years) : totalVarianceSsvi(k, years);
}

@inline
function evaluate(k: f64, years: f64): void {
  if (kind == SURFACE_KIND_SVI) evaluateSvi(k, years);
  else evaluateSsvi(k, years);
}

/** Durrleman's g (GJ Lemma 2.2) from w, w', w'' at k. */
@inline
function durrleman(k: f64, w: f64, w1: f64, w2: f64): f64 {
  const u = 1.0 - k * w1 / (2.0 * w);
  return u * u - 0.25 * w1 * w1 * (1.0 / w + 0.25) + 0.5 * w2;
}

// Inputs of the vol kernels: points (k, T), or options (spot, strike, expiry, rate, dividend) whose
// k = ln(K/S) − (r − q)T. Constant in each instantiation of volLoop, so the tests fold away.
const INPUT_POINTS: i32 = 0;
const INPUT_OPTIONS: i32 = 1;
// Whether the inputs pointK last read are in their domain.
let pointOk = true;

/** k of input i (and pointOk): columns c0..c4 are k, T (points) or spot, strike, expiry, rate, dividend (options). */
@inline
function pointK(mode: i32, i: i32, c0: usize, c1: usize, c2: usize, c3: usize, c4: usize): f64 {
  const o = <usize>i << 3;
  if (mode == INPUT_POINTS) {
    const k = load<f64>(c0 + o);
    pointOk = scalarOk(k, RULE_FINITE) & scalarOk(load<f64>(c1 + o), RULE_POSITIVE);
    return k;
  }
  const s = load<f64>(c0 + o);
  const K = load<f64>(c1 + o);
  const r = load<f64>(c3 + o);
  const q = load<f64>(c4 + o);
  const t = load<f64>(c2 + o);
  pointOk = scalarOk(s, RULE_POSITIVE) & scalarOk(K, RULE_POSITIVE) & scalarOk(t, RULE_POSITIVE) & scalarOk(r, RULE_FINITE)
    & scalarOk(q, RULE_FINITE);
  return log(K / s) - (r - q) * t;
}

/** σ = √(w(k, T)/T) of every input into `vol`: pairs in the SIMD build (volPair), then one at a time. */
@inline
function volLoop(mode: i32, pointer: usize, n: i32, c0: usize, c1: usize, c2: usize, c3: usize, c4: usize, vol: usize): i32 {
  begin(pointer);
  const years = mode == INPUT_POINTS ? c1 : c2;
  let ok = true;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 1 < n; i += 2) {
      const o = <usize>i << 3;
      const k0 = pointK(mode, i, c0, c1, c2, c3, c4);
      ok = ok & pointOk;
      const k1 = pointK(mode, i + 1, c0, c1, c2, c3, c4);
      ok = ok & pointOk;
      volPair(k0, load<f64>(years + o), k1, load<f64>(years + o, 8), vol + o);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    const k = pointK(mode, i, c0, c1, c2, c3, c4);
    ok = ok & pointOk;
    const t = load<f64>(years + o);
    store<f64>(vol + o, Math.sqrt(totalVariance(k, t) / t));
  }
  return ok ? 0 : 1;
}

/**
 * Implied vol σ = √(w(k, T)/T) for n points (k[i], years[i]) (f64 columns at byte offsets) into `vol`.
 * Returns 1 when some k is not finite or some T is not finite and > 0 (that element's vol is garbage), else 0.
 */
export function surfaceVolBatch(pointer: usize, n: i32, k: usize, years: usize, vol: usize): i32 {
  return volLoop(INPUT_POINTS, pointer, n, k, years, 0, 0, 0, vol);
}

/**
 * Implied vol at strike[i] for an option expiring in expiry[i] years on spot[i] with continuously compounded
 * rate[i] and dividend[i]: k = ln(K/S) − (r − q)·T. Returns 1 when an input is out of its domain (spot, strike,
 * expiry finite and > 0; rate, dividend finite), else 0.
 */
export function surfaceVolStrikeBatch(
  pointer: usize, n: i32, spot: usize, strike: usize, expiry: usize, rate: usize, dividend: usize, vol: usize,
): i32 {
  return volLoop(INPUT_OPTIONS, pointer, n, spot, strike, expiry, rate, dividend, vol);
}

/** surfaceShapeBatch's point i on the scalar path; false when its inputs are out of their domain. */
@inline
function shapePoint(i: i32, k: usize, years: usize, w: usize, dwdk: usize, g: usize, dwdT: usize): bool {
  const o = <usize>i << 3;
  const ki = load<f64>(k + o);
  const t = load<f64>(years + o);
  evaluate(ki, t);
  store<f64>(w + o, W);
  store<f64>(dwdk + o, W1);
  store<f64>(g + o, durrleman(ki, W, W1, W2));
  store<f64>(dwdT + o, WT);
  return scalarOk(ki, RULE_FINITE) & scalarOk(t, RULE_POSITIVE);
}

/**
 * Shape of the surface at n points: total variance w, ∂w/∂k, Durrleman's g and ∂w/∂T (f64 columns).
 * Returns 1 when some k is not finite or some T is not finite and > 0, else 0.
 */
export function surfaceShapeBatch(
  pointer: usize, n: i32, k: usize, years: usize, w: usize, dwdk: usize, g: usize, dwdT: usize,
): i32 {
  begin(pointer);
  let ok = true;
  let i = 0;
  if (ASC_FEATURE_SIMD && kind == SURFACE_KIND_SVI) {
    // Pairs that share T (the checks' scans send runs of one expiry) as a pair; the others point by point.
    for (; i + 1 < n; i += 2) {
      const o = <usize>i << 3;
      const k0 = load<f64>(k + o);
      const k1 = load<f64>(k + o, 8);
      const t = load<f64>(years + o);
      if (load<f64>(years + o, 8) == t && scalarOk(k0, RULE_FINITE) & scalarOk(k1, RULE_FINITE) & scalarOk(t, RULE_POSITIVE)) {
        sviShapePair(locate(t), k0, k1, t);
        v128.store(w + o, v128.load(PAIR + PAIR_W));
        v128.store(dwdk + o, v128.load(PAIR + PAIR_W1));
        v128.store(g + o, v128.load(PAIR + PAIR_G));
        v128.store(dwdT + o, v128.load(PAIR + PAIR_WT));
      } else {
        ok = ok & shapePoint(i, k, years, w, dwdk, g, dwdT);
        ok = ok & shapePoint(i + 1, k, years, w, dwdk, g, dwdT);
      }
    }
  }
  for (; i < n; i++) ok = ok & shapePoint(i, k, years, w, dwdk, g, dwdT);
  return ok ? 0 : 1;
}

/** Words per grid row in surfaceGridMinima's output: min g, its k index, min ∂w/∂T, its k index. */
export const SURFACE_GRID_ROW_WORDS: i32 = 4;

/**
 * The check grid k[j] × years[i] (nk × nt points) reduced per row i to (min g, argmin j, min ∂w/∂T, argmin j),
 * written as SURFACE_GRID_ROW_WORDS f64 per row at `out`: the grid check reads 4·nt numbers, not 4·nk·nt.
 * Returns 1 when some k is not finite or some T is not finite and > 0, else 0.
 */
export function surfaceGridMinima(pointer: usize, k: usize, nk: i32, years: usize, nt: i32, out: usize): i32 {
  begin(pointer);
  let ok = true;
  for (let j = 0; j < nk; j++) ok = ok & scalarOk(load<f64>(k + (<usize>j << 3)), RULE_FINITE);
  for (let i = 0; i < nt; i++) {
    const t = load<f64>(years + (<usize>i << 3));
    ok = ok & scalarOk(t, RULE_POSITIVE);
    let minG = Infinity;
    let minT = Infinity;
    let atG = 0;
    let atT = 0;
    let j = 0;
    if (ASC_FEATURE_SIMD && kind == SURFACE_KIND_SVI) {
      const slice = locate(t);
      for (; j + 1 < nk; j += 2) {
        sviShapePair(slice, load<f64>(k + (<usize>j << 3)), load<f64>(k + (<usize>j << 3), 8), t);
        for (let lane = 0; lane < 2; lane++) {
          const g = load<f64>(PAIR + PAIR_G + (<usize>lane << 3));
          const wt = load<f64>(PAIR + PAIR_WT + (<usize>lane << 3));
          if (!(g >= minG)) {
            minG = g;
            atG = j + lane;
          }
          if (!(wt >= minT)) {
            minT = wt;
            atT = j + lane;
          }
        }
      }
    }
    for (; j < nk; j++) {
      const kj = load<f64>(k + (<usize>j << 3));
      evaluate(kj, t);
      const g = durrleman(kj, W, W1, W2);
      // `!(g >= minG)` also takes a NaN, so a NaN anywhere shows as the row's minimum.
      if (!(g >= minG)) {
        minG = g;
        atG = j;
      }
      if (!(WT >= minT)) {
        minT = WT;
        atT = j;
      }
    }
    const row = out + (<usize>(i * SURFACE_GRID_ROW_WORDS) << 3);
    store<f64>(row, minG);
    store<f64>(row, <f64>atG, 8);
    store<f64>(row, minT, 16);
    store<f64>(row, <f64>atT, 24);
  }
  return ok ? 0 : 1;
}
