// Black-Scholes-Merton prices and greeks for a batch of European options with a continuous dividend
// yield q (Merton 1973; greeks as in Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed., §1.1):
//   d₁ = (ln(S/K) + (r − q)T)/(σ√T) + σ√T/2,   d₂ = d₁ − σ√T,   θ = +1 call, −1 put,
//   a = S·e^{−qT}·Φ(θd₁),   b = K·e^{−rT}·Φ(θd₂),   price = θ(a − b),
//   delta = θ·e^{−qT}Φ(θd₁),   gamma = e^{−qT}φ(d₁)/(Sσ√T),   vega = S·e^{−qT}φ(d₁)√T (per 1.00 of vol),
//   theta = −S·e^{−qT}φ(d₁)σ/(2√T) + θ(q·a − r·b) (∂V/∂t as calendar time passes, per year),
//   rho = θ·T·b (per 1.00 of rate).
// Out-of-the-money wings: when price < (a + b)/1024 the difference θ(a − b) has lost ~10 bits, so that
// lane's price is recomputed as e^{−rT}·√(F·K)·b(θx, σ√T), x = ln(F/K), F = S·e^{(r−q)T}, with Jäckel's
// normalised Black function (assembly/normalised_black.ts), which keeps full relative accuracy down to
// ~1e-300. Below the threshold the plain formula's relative error is at most ~2048·(ε_Φ + ε·d²)
// ≈ 2e-10 for |d| ≤ 21 (prices ≥ 1e-100·S), and far less on mainstream inputs; above it the
// normalised Black path is exact to ~1e-15 whatever the cancellation.
// Limits: σ√T → 0 sends d₁, d₂ → ±∞ (price → discounted forward intrinsic, φ → 0 so gamma/vega → 0
// away from the money); σ√T → ∞ sends Φ(d₁) → 1, Φ(d₂) → 0 (call → S·e^{−qT}). Φ and φ clamp |d| at 40.
//
// SIMD build: two options per f64x2 iteration, the odd last element through the scalar lane code.
// Scalar build: one option per iteration. Both use assembly/math.ts, whose two forms agree bit for bit.

import {
  exp, expv, log, logv, expNegHalfSquare, expNegHalfSquarev,
  normCdfWithExp, normCdfWithExpv, pmax, INV_SQRT_2PI,
} from "./math";
import { normalisedBlackCall } from "./normalised_black";

// A lane is recomputed with the normalised Black function when price < WING_CANCELLATION·(a + b).
const WING_CANCELLATION: f64 = 1.0 / 1024.0;
// σ√T below the smallest normal number would make d₁ = 0/0 at the money; treat it as this instead.
const MIN_TOTAL_VOL: f64 = 2.2250738585072014e-308;
// e^{−d₂²/2} is taken as e^{−d₁²/2}·F/K only while e^{−d₁²/2} ≥ 1e-280 (far from subnormal, so it still
// carries full relative precision) and F/K < 1e300 (the product cannot overflow).
const E_PRODUCT_MIN: f64 = 1e-280;
const RATIO_MAX: f64 = 1e300;

/**
 * The price of one option from the normalised Black function (Jäckel 2015):
 * e^{−rT}·√F·√K·b(θ·ln(F/K), σ√T). Used for lanes whose plain formula cancels.
 */
function wingPrice(type: f64, spot: f64, strike: f64, expiry: f64, vol: f64, rate: f64, dividend: f64): f64 {
  const carry = (rate - dividend) * expiry;
  const x = log(spot / strike) + carry;
  const s = max<f64>(vol * Math.sqrt(expiry), MIN_TOTAL_VOL);
  const forward = spot * exp(carry);
  return exp(-rate * expiry) * (Math.sqrt(forward) * Math.sqrt(strike)) * normalisedBlackCall(type * x, s);
}

/** One option at byte offset `o` of every column (scalar build, and the SIMD build's odd last element). */
@inline
function priceOne(
  o: usize, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize, dividend: usize,
  price: usize, delta: usize, gamma: usize, vega: usize, theta: usize, rho: usize,
): void {
  const w = load<f64>(type + o);
  const S = load<f64>(spot + o);
  const K = load<f64>(strike + o);
  const T = load<f64>(expiry + o);
  const sigma = load<f64>(vol + o);
  const r = load<f64>(rate + o);
  const q = load<f64>(dividend + o);

  const sqrtT = Math.sqrt(T);
  const s = pmax(sigma * sqrtT, MIN_TOTAL_VOL);
  const dq = exp(-q * T);
  const dr = exp(-r * T);
  const x = log(S / K) + (r - q) * T;
  const d1 = x / s + 0.5 * s;
  const d2 = d1 - s;
  const e1 = expNegHalfSquare(abs<f64>(d1));
  const pdf1 = INV_SQRT_2PI * e1;
  const n1 = normCdfWithExp(w * d1, e1);
  const sdq = S * dq;
  const kdr = K * dr;
  // e^{−d₂²/2} = e^{−d₁²/2}·F/K (since d₁² − d₂² = 2·ln(F/K)): a division instead of an exponential,
  // unless e^{−d₁²/2} is near underflow or F/K overflows; then it is evaluated directly.
  const forwardRatio = sdq / kdr;
  const e2 = e1 < E_PRODUCT_MIN || !(forwardRatio < RATIO_MAX) ? expNegHalfSquare(abs<f64>(d2)) : e1 * forwardRatio;
  const n2 = normCdfWithExp(w * d2, e2);
  const a = sdq * n1;
  const b = kdr * n2;
  let p = w * (a - b);
  if (p < WING_CANCELLATION * (a + b)) p = wingPrice(w, S, K, T, sigma, r, q);
  const vegaTerm = sdq * pdf1;

  store<f64>(price + o, p);
  store<f64>(delta + o, w * (dq * n1));
  store<f64>(gamma + o, (dq * pdf1) / (S * s));
  store<f64>(vega + o, vegaTerm * sqrtT);
  store<f64>(theta + o, w * (q * a - r * b) - (vegaTerm * sigma) / (2.0 * sqrtT));
  store<f64>(rho + o, w * (T * b));
}

/** Two options at byte offset `o` (f64x2 lanes); lane for lane the same operations as priceOne. */
@inline
function priceTwo(
  o: usize, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize, dividend: usize,
  price: usize, delta: usize, gamma: usize, vega: usize, theta: usize, rho: usize,
): void {
  const w = v128.load(type + o);
  const S = v128.load(spot + o);
  const K = v128.load(strike + o);
  const T = v128.load(expiry + o);
  const sigma = v128.load(vol + o);
  const r = v128.load(rate + o);
  const q = v128.load(dividend + o);

  const sqrtT = f64x2.sqrt(T);
  const s = f64x2.pmax(f64x2.mul(sigma, sqrtT), f64x2.splat(MIN_TOTAL_VOL));
  const dq = expv(f64x2.mul(f64x2.neg(q), T));
  const dr = expv(f64x2.mul(f64x2.neg(r), T));
  const x = f64x2.add(logv(f64x2.div(S, K)), f64x2.mul(f64x2.sub(r, q), T));
  const d1 = f64x2.add(f64x2.div(x, s), f64x2.mul(f64x2.splat(0.5), s));
  const d2 = f64x2.sub(d1, s);
  const e1 = expNegHalfSquarev(f64x2.abs(d1));
  const pdf1 = f64x2.mul(f64x2.splat(INV_SQRT_2PI), e1);
  const n1 = normCdfWithExpv(f64x2.mul(w, d1), e1);
  const sdq = f64x2.mul(S, dq);
  const kdr = f64x2.mul(K, dr);
  const forwardRatio = f64x2.div(sdq, kdr);
  let e2 = f64x2.mul(e1, forwardRatio);
  const direct = v128.or(f64x2.lt(e1, f64x2.splat(E_PRODUCT_MIN)), v128.not(f64x2.lt(forwardRatio, f64x2.splat(RATIO_MAX))));
  if (v128.any_true(direct)) e2 = v128.bitselect(expNegHalfSquarev(f64x2.abs(d2)), e2, direct);
  const n2 = normCdfWithExpv(f64x2.mul(w, d2), e2);
  const a = f64x2.mul(sdq, n1);
  const b = f64x2.mul(kdr, n2);
  let p = f64x2.mul(w, f64x2.sub(a, b));
  const wing = f64x2.lt(p, f64x2.mul(f64x2.splat(WING_CANCELLATION), f64x2.add(a, b)));
  if (v128.any_true(wing)) {
    if (i64x2.extract_lane(wing, 0) != 0) {
      p = f64x2.replace_lane(p, 0, wingPrice(
        f64x2.extract_lane(w, 0), f64x2.extract_lane(S, 0), f64x2.extract_lane(K, 0), f64x2.extract_lane(T, 0),
        f64x2.extract_lane(sigma, 0), f64x2.extract_lane(r, 0), f64x2.extract_lane(q, 0),
      ));
    }
    if (i64x2.extract_lane(wing, 1) != 0) {
      p = f64x2.replace_lane(p, 1, wingPrice(
        f64x2.extract_lane(w, 1), f64x2.extract_lane(S, 1), f64x2.extract_lane(K, 1), f64x2.extract_lane(T, 1),
        f64x2.extract_lane(sigma, 1), f64x2.extract_lane(r, 1), f64x2.extract_lane(q, 1),
      ));
    }
  }
  const vegaTerm = f64x2.mul(sdq, pdf1);

  v128.store(price + o, p);
  v128.store(delta + o, f64x2.mul(w, f64x2.mul(dq, n1)));
  v128.store(gamma + o, f64x2.div(f64x2.mul(dq, pdf1), f64x2.mul(S, s)));
  v128.store(vega + o, f64x2.mul(vegaTerm, sqrtT));
  v128.store(theta + o, f64x2.sub(
    f64x2.mul(w, f64x2.sub(f64x2.mul(q, a), f64x2.mul(r, b))),
    f64x2.div(f64x2.mul(vegaTerm, sigma), f64x2.mul(f64x2.splat(2.0), sqrtT)),
  ));
  v128.store(rho + o, f64x2.mul(w, f64x2.mul(T, b)));
}

/**
 * Prices n European options and their greeks. Every pointer is the byte offset of an f64 column of
 * length n (inputs already validated: spot, strike, expiry, vol > 0 and finite; type ±1).
 * Inputs: type (+1 call, −1 put), spot, strike, expiry (years), vol (per √year), rate and dividend
 * (continuously compounded, per year). Outputs: price, delta, gamma, vega (per 1.00 vol),
 * theta (per year of calendar time), rho (per 1.00 rate). Output columns may not alias inputs.
 */
export function blackScholesBatch(
  n: i32, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize, dividend: usize,
  price: usize, delta: usize, gamma: usize, vega: usize, theta: usize, rho: usize,
): void {
  let i: i32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 1 < n; i += 2) {
      priceTwo(<usize>i << 3, type, spot, strike, expiry, vol, rate, dividend, price, delta, gamma, vega, theta, rho);
    }
  }
  for (; i < n; i++) {
    priceOne(<usize>i << 3, type, spot, strike, expiry, vol, rate, dividend, price, delta, gamma, vega, theta, rho);
  }
}
