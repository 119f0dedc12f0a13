// The normalised Black function of P. Jäckel, "Let's Be Rational", Wilmott (2015) 40–53:
//   b(x,s) = Φ(x/s + s/2)·e^{x/2} − Φ(x/s − s/2)·e^{−x/2},   x = ln(F/K), s = σ√T,
// so that an undiscounted call is √(F·K)·b(x,s) and a put is √(F·K)·b(−x,s).
// With h = x/s and t = s/2 it is evaluated out of the money (x ≤ 0) in one of four regions chosen
// so that the result keeps full relative accuracy even when it is as small as 1e-300:
//   1. h < −10 and h + t < −10 + τ: asymptotic expansion of Y(h+t) − Y(h−t), Y := Φ/φ (A&S 26.2.12);
//   2. t < τ := 2·ε^{1/16}: Taylor expansion of Y(h+t) − Y(h−t) in t;
//   3. h + t > 0.85: plain difference of the two Φ terms (no cancellation there);
//   4. otherwise ½·e^{−(h²+t²)/2}·[erfcx(−(h+t)/√2) − erfcx(−(h−t)/√2)] (one exponential only).
// In-the-money calls are intrinsic + the out-of-the-money value: b(x,s) = (e^{x/2} − e^{−x/2}) + b(−x,s).

import { erfcx, normCdf, ONE_OVER_SQRT_TWO, ONE_OVER_SQRT_TWO_PI } from "./erf_cody";

// Below this magnitude numbers are subnormal (DBL_MIN); Jäckel's "denormalisation cutoff".
const DENORMALIZATION_CUTOFF: f64 = 2.2250738585072014e-308;
// η: the asymptotic expansion is used for h < η.
const ASYMPTOTIC_EXPANSION_THRESHOLD: f64 = -10.0;
// τ = 2·ε^{1/16} ≈ 0.2116: the 12th-order small-t expansion is exact to ε below it.
const SMALL_T_THRESHOLD: f64 = 0.21022410381342863;
const SQRT_TWO_PI: f64 = 2.5066282746310005024157652848110452530069867;
const FOURTH_ROOT_DBL_EPSILON: f64 = 1.220703125e-4;
const SQRT_DBL_MIN: f64 = 1.4916681462400413e-154;

/**
 * Normalised intrinsic value of a call, e^{x/2} − e^{−x/2} = 2·sinh(x/2) for x > 0 (0 otherwise).
 * For tiny x the Taylor series avoids the cancellation of the two exponentials.
 */
@inline
export function normalisedIntrinsicCall(x: f64): f64 {
  if (x <= 0.0) return 0.0;
  const x2 = x * x;
  // The factor 98 ≈ (92897280)^{1/4} keeps the last omitted term below ε.
  if (x2 < 98.0 * FOURTH_ROOT_DBL_EPSILON) {
    return x * (1.0 + x2 * (1.0 / 24.0 + x2 * (1.0 / 1920.0 + x2 * (1.0 / 322560.0 + x2 * (1.0 / 92897280.0)))));
  }
  const bMax = Math.exp(0.5 * x);
  return bMax - 1.0 / bMax;
}

/**
 * Region 1: asymptotic expansion for h ≪ 0 (Jäckel 2015, eq. (2.5)–(2.7)):
 *   b = e^{−(h²+t²)/2}/√(2π) · (t/r) · A,  r = (h+t)(h−t),  A = Σₖ 2(−1)ᵏ(2k−1)!! qᵏ Σₘ C(2k+1,2m+1) eᵐ,
 * with q = (h/r)², e = (t/h)²; it follows from Y(z) ~ −1/z·Σ(−1)ᵏ(2k−1)!!/z²ᵏ and
 * (h−t)^{−n} − (h+t)^{−n} = [(h+t)ⁿ − (h−t)ⁿ]/rⁿ. Terms k = 0…17 give 1.6e-16 relative accuracy for h ≤ −10.
 * The binomials are generated exactly in the loop (all below 2^53).
 */
function asymptoticExpansionOfNormalisedBlackCall(h: f64, t: f64): f64 {
  const e = (t / h) * (t / h);
  const r = (h + t) * (h - t);
  const q = (h / r) * (h / r);
  // (2k−1)!! for k = 17 is 33!!
  let doubleFactorial: f64 = 6332659870762850625.0;
  let sum: f64 = 0.0;
  for (let k = 17; k >= 0; k--) {
    const n = <f64>(2 * k + 1);
    // inner Horner in e from m = k down to 0: C(n, 2m+1)
    let binomial: f64 = 1.0; // C(n, n)
    let inner: f64 = 1.0;
    for (let m = k - 1; m >= 0; m--) {
      const j = <f64>(2 * m + 3); // previous lower index
      binomial = (binomial * j * (j - 1.0)) / ((n - j + 1.0) * (n - j + 2.0));
      inner = inner * e + binomial;
    }
    const coefficient = (k & 1 ? -2.0 : 2.0) * doubleFactorial;
    sum = sum * q + coefficient * inner;
    if (k > 0) doubleFactorial /= <f64>(2 * k - 1);
  }
  const b = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t)) * (t / r) * sum;
  return Math.abs(Math.max(b, 0.0));
}

/**
 * Region 2: small-t expansion (Jäckel 2015, section 3): Y(h+t) − Y(h−t) = 2·Σ_{odd n ≤ 13} Y⁽ⁿ⁾(h)·tⁿ/n!,
 * where Y = Φ/φ satisfies Y' = 1 + zY, hence Y⁽ⁿ⁺¹⁾ = z·Y⁽ⁿ⁾ + n·Y⁽ⁿ⁻¹⁾. Written in a := 1 + h·Y(h) and h²
 * (h·Y = a − 1 removes the odd powers of h); exact to ε for h ≤ 0, t < τ.
 */
function smallTExpansionOfNormalisedBlackCall(h: f64, t: f64): f64 {
  // Y(h) = √(π/2)·erfcx(−h/√2)
  const a = 1.0 + h * (0.5 * SQRT_TWO_PI) * erfcx(-ONE_OVER_SQRT_TWO * h);
  const w = t * t;
  const h2 = h * h;
  // Coefficients Y⁽²ʲ⁺¹⁾(h)/(2j+1)! as polynomials in a and h² (j = 1…6).
  const c1 = (-1.0 + 3.0 * a + a * h2) / 6.0;
  const c2 = (-7.0 + 15.0 * a + h2 * (-1.0 + 10.0 * a + a * h2)) / 120.0;
  const c3 = (-57.0 + 105.0 * a + h2 * (-18.0 + 105.0 * a + h2 * (-1.0 + 21.0 * a + a * h2))) / 5040.0;
  const c4 = (-561.0 + 945.0 * a + h2 * (-285.0 + 1260.0 * a + h2 * (-33.0 + 378.0 * a + h2 * (-1.0 + 36.0 * a + a * h2)))) / 362880.0;
  const c5 =
    (-6555.0 + 10395.0 * a + h2 * (-4680.0 + 17325.0 * a + h2 * (-840.0 + 6930.0 * a + h2 * (-52.0 + 990.0 * a + h2 * (-1.0 + 55.0 * a + a * h2))))) /
    39916800.0;
  const c6 =
    (-89055.0 + 135135.0 * a + h2 * (-82845.0 + 270270.0 * a + h2 * (-20370.0 + 135135.0 * a + h2 * (-1926.0 + 25740.0 * a + h2 * (-75.0 + 2145.0 * a + h2 * (-1.0 + 78.0 * a + a * h2)))))) /
    6227020800.0;
  const expansion = 2.0 * t * (a + w * (c1 + w * (c2 + w * (c3 + w * (c4 + w * (c5 + w * c6))))));
  const b = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t)) * expansion;
  return Math.abs(Math.max(b, 0.0));
}

/** Region 3: b = Φ(h+t)·e^{x/2} − Φ(h−t)·e^{−x/2} directly (used where b ≳ 0.85·e^{x/2}). */
@inline
function normalisedBlackCallUsingNormCdf(x: f64, s: f64): f64 {
  const h = x / s;
  const t = 0.5 * s;
  const bMax = Math.exp(0.5 * x);
  const b = normCdf(h + t) * bMax - normCdf(h - t) / bMax;
  return Math.abs(Math.max(b, 0.0));
}

/**
 * Region 4: Φ(z) = ½·e^{−z²/2}·erfcx(−z/√2) turns b into
 * ½·e^{−(h²+t²)/2}·[erfcx(−(h+t)/√2) − erfcx(−(h−t)/√2)]: one exponential, and the difference of two
 * rational functions keeps nearly all 16 digits (Jäckel 2015, section 3).
 */
@inline
function normalisedBlackCallUsingErfcx(h: f64, t: f64): f64 {
  const b =
    0.5 * Math.exp(-0.5 * (h * h + t * t)) *
    (erfcx(-ONE_OVER_SQRT_TWO * (h + t)) - erfcx(-ONE_OVER_SQRT_TWO * (h - t)));
  return Math.abs(Math.max(b, 0.0));
}

/** The out-of-the-money (x ≤ 0) normalised call, dispatched over Jäckel's four regions. */
function normalisedBlackCallOutOfTheMoney(x: f64, s: f64): f64 {
  if (s <= -x * DENORMALIZATION_CUTOFF) return 0.0;
  // h < η and t < τ + |h| − |η|, written without dividing by s.
  if (x < s * ASYMPTOTIC_EXPANSION_THRESHOLD && 0.5 * s * s + x < s * (SMALL_T_THRESHOLD + ASYMPTOTIC_EXPANSION_THRESHOLD)) {
    return asymptoticExpansionOfNormalisedBlackCall(x / s, 0.5 * s);
  }
  if (0.5 * s < SMALL_T_THRESHOLD) return smallTExpansionOfNormalisedBlackCall(x / s, 0.5 * s);
  // h + t > 0.85, again without dividing by s.
  if (x + 0.5 * s * s > s * 0.85) return normalisedBlackCallUsingNormCdf(x, s);
  return normalisedBlackCallUsingErfcx(x / s, 0.5 * s);
}

/**
 * Jäckel's normalised Black call b(x, s) = Φ(x/s + s/2)·e^{x/2} − Φ(x/s − s/2)·e^{−x/2}.
 * @param x log-moneyness ln(F/K) (dimensionless)
 * @param s total standard deviation σ·√T (dimensionless, ≥ 0)
 * @returns undiscounted call price divided by √(F·K); relative accuracy ~1e-15 down to ~1e-300.
 */
export function normalisedBlackCall(x: f64, s: f64): f64 {
  if (x > 0.0) return normalisedIntrinsicCall(x) + normalisedBlackCallOutOfTheMoney(-x, s);
  return normalisedBlackCallOutOfTheMoney(x, s);
}

/**
 * Normalised vega ∂b/∂s = φ(x/s + s/2)·e^{x/2} = e^{−(x²/s² + s²/4)/2}/√(2π) (dimensionless).
 * Returns 0 where x/s overflows.
 */
export function normalisedVega(x: f64, s: f64): f64 {
  const ax = Math.abs(x);
  if (ax <= 0.0) return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.125 * s * s);
  if (s <= 0.0 || s <= ax * SQRT_DBL_MIN) return 0.0;
  const h = x / s;
  const t = 0.5 * s;
  return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t));
}
