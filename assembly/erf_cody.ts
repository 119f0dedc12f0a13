// Cody's rational Chebyshev approximation of the scaled complementary error function erfcx, which
// Let's Be Rational builds on (Φ, φ and Φ⁻¹ live in math.ts and normal_inverse.ts).
// Source: W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969)
// 631–638, as coded in his CALERF (netlib specfun, 1990).

// 1/√π
const SQRT_ONE_OVER_PI: f64 = 0.56418958354775628695;
// 1/√2
export const ONE_OVER_SQRT_TWO: f64 = 0.7071067811865475244008443621048490392848;

/**
 * Cody's erfcx core for y = |x| ≥ 0.46875: returns exp(y²)·erfc(y), no exponential needed.
 * Interval 0.46875 ≤ y ≤ 4: rational function (C/D coefficients); y > 4: sqrt(1/π)/y − y⁻³·R(1/y²) (P/Q).
 * The polynomials are evaluated in Estrin's scheme (independent pairs combined with y², y⁴, y⁸): the implied-vol
 * iteration is latency bound and Horner's chain of eight dependent multiply-adds dominated it. All coefficients
 * are positive and y > 0, so every partial sum is a sum of positive terms and keeps Horner's rounding bound.
 */
@inline
function erfcxPositiveTail(y: f64): f64 {
  if (y <= 4.0) {
    const y2 = y * y;
    const y4 = y2 * y2;
    const num =
      ((1230.33935479799725 + 2051.07837782607147 * y) + (1712.04761263407058 + 881.95222124176909 * y) * y2) +
      ((298.635138197400131 + 66.1191906371416295 * y) + (8.88314979438837594 + 0.564188496988670089 * y) * y2) * y4 +
      2.15311535474403846e-8 * (y4 * y4);
    const den =
      ((1230.33935480374942 + 3439.36767414372164 * y) + (4362.61909014324716 + 3290.79923573345963 * y) * y2) +
      ((1621.38957456669019 + 537.181101862009858 * y) + (117.693950891312499 + 15.7449261107098347 * y) * y2) * y4 +
      y4 * y4;
    return num / den;
  }
  if (y >= 6.71e7) return SQRT_ONE_OVER_PI / y; // 1 − 1/(2y²) == 1 in double precision
  const z = 1.0 / (y * y);
  const z2 = z * z;
  const num =
    (6.58749161529837803e-4 + 0.0160837851487422766 * z) + (0.125781726111229246 + 0.360344899949804439 * z) * z2 +
    (0.305326634961232344 + 0.0163153871373020978 * z) * (z2 * z2);
  const den =
    (0.00233520497626869185 + 0.0605183413124413191 * z) + (0.527905102951428412 + 1.87295284992346047 * z) * z2 +
    (2.56852019228982242 + z) * (z2 * z2);
  return (SQRT_ONE_OVER_PI - z * num / den) / y;
}

/** Cody's erf on |x| ≤ 0.46875: x·P(x²)/Q(x²) (A/B coefficients), Estrin's scheme in z = x² (positive terms). */
@inline
function erfSmall(x: f64): f64 {
  const z = x * x;
  const z2 = z * z;
  const num = (3209.37758913846947 + 377.485237685302021 * z) + (113.864154151050156 + 3.1611237438705656 * z) * z2 +
    0.185777706184603153 * (z2 * z2);
  const den = (2844.23683343917062 + 1282.61652607737228 * z) + (244.024637934444173 + 23.6012909523441209 * z) * z2 +
    z2 * z2;
  return x * num / den;
}

/** Scaled complementary error function erfcx(x) = exp(x²)·erfc(x) (Cody 1969, CALERF with JINT = 2). */
@inline
export function erfcx(x: f64): f64 {
  const y = Math.abs(x);
  let r: f64;
  if (y <= 0.46875) return Math.exp(x * x) * (1.0 - erfSmall(x));
  r = erfcxPositiveTail(y);
  if (x < 0.0) {
    // erfcx(−y) = 2·exp(y²) − erfcx(y); overflows to +∞ below −26.628.
    if (x < -26.628) return Infinity;
    const yHat = Math.floor(y * 16.0) / 16.0;
    const del = (y - yHat) * (y + yHat);
    const e = Math.exp(yHat * yHat) * Math.exp(del);
    r = (e + e) - r;
  }
  return r;
}
