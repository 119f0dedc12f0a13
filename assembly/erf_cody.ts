// Cody's rational Chebyshev approximations of erfc and erfcx, and the normal-distribution functions
// Let's Be Rational builds on: Φ, φ and the inverse Φ⁻¹ (Wichura's AS241).
// Sources: W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969)
// 631–638, as coded in his CALERF (netlib specfun, 1990); M. J. Wichura, "Algorithm AS 241: the percentage
// points of the normal distribution", Appl. Statist. 37 (1988) 477–484; Abramowitz & Stegun 26.2.12.

// 1/√π
const SQRT_ONE_OVER_PI: f64 = 0.56418958354775628695;
// 1/√(2π)
export const ONE_OVER_SQRT_TWO_PI: f64 = 0.3989422804014326779399460599343818684759;
// 1/√2
export const ONE_OVER_SQRT_TWO: f64 = 0.7071067811865475244008443621048490392848;

/**
 * Cody's erfcx core for y = |x| ≥ 0.46875: returns exp(y²)·erfc(y), no exponential needed.
 * Interval 0.46875 ≤ y ≤ 4: rational function (C/D coefficients); y > 4: sqrt(1/π)/y − y⁻³·R(1/y²) (P/Q).
 */
@inline
function erfcxPositiveTail(y: f64): f64 {
  if (y <= 4.0) {
    const num =
      ((((((((2.15311535474403846e-8 * y + 0.564188496988670089) * y + 8.88314979438837594) * y +
        66.1191906371416295) * y + 298.635138197400131) * y + 881.95222124176909) * y +
        1712.04761263407058) * y + 2051.07837782607147) * y) + 1230.33935479799725;
    const den =
      (((((((y + 15.7449261107098347) * y + 117.693950891312499) * y + 537.181101862009858) * y +
        1621.38957456669019) * y + 3290.79923573345963) * y + 4362.61909014324716) * y +
        3439.36767414372164) * y + 1230.33935480374942;
    return num / den;
  }
  if (y >= 6.71e7) return SQRT_ONE_OVER_PI / y; // 1 − 1/(2y²) == 1 in double precision
  const z = 1.0 / (y * y);
  const num =
    ((((0.0163153871373020978 * z + 0.305326634961232344) * z + 0.360344899949804439) * z +
      0.125781726111229246) * z + 0.0160837851487422766) * z + 6.58749161529837803e-4;
  const den =
    ((((z + 2.56852019228982242) * z + 1.87295284992346047) * z + 0.527905102951428412) * z +
      0.0605183413124413191) * z + 0.00233520497626869185;
  return (SQRT_ONE_OVER_PI - z * num / den) / y;
}

/** Cody's erf on |x| ≤ 0.46875: x·P(x²)/Q(x²) (A/B coefficients). */
@inline
function erfSmall(x: f64): f64 {
  const z = x * x;
  const num =
    (((0.185777706184603153 * z + 3.1611237438705656) * z + 113.864154151050156) * z +
      377.485237685302021) * z + 3209.37758913846947;
  const den =
    (((z + 23.6012909523441209) * z + 244.024637934444173) * z + 1282.61652607737228) * z +
    2844.23683343917062;
  return x * num / den;
}

/**
 * exp(−y²) for y ≥ 0 with the argument split as in CALERF: y = ŷ + δ, ŷ = ⌊16y⌋/16, so that the
 * rounding error of y² does not get amplified by the exponential.
 */
@inline
function expMinusSquare(y: f64): f64 {
  const yHat = Math.floor(y * 16.0) / 16.0;
  const del = (y - yHat) * (y + yHat);
  return Math.exp(-yHat * yHat) * Math.exp(-del);
}

/** Scaled complementary error function erfcx(x) = exp(x²)·erfc(x) (Cody 1969, CALERF with JINT = 2). */
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

/** Complementary error function erfc(x) (Cody 1969, CALERF with JINT = 1); 0 beyond x = 26.543. */
export function erfc(x: f64): f64 {
  const y = Math.abs(x);
  let r: f64;
  if (y <= 0.46875) return 1.0 - erfSmall(x);
  if (y >= 26.543) r = 0.0;
  else r = expMinusSquare(y) * erfcxPositiveTail(y);
  return x < 0.0 ? 2.0 - r : r;
}

/** Standard normal density φ(z) = exp(−z²/2)/√(2π). */
@inline
export function normPdf(z: f64): f64 {
  return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * z * z);
}

/**
 * Standard normal distribution Φ(z). For z ≤ −10 the asymptotic series Φ(z) = φ(z)/|z|·Σ(−1)ᵏ(2k−1)!!/z²ᵏ
 * (Abramowitz & Stegun 26.2.12), summed until its terms stop shrinking or drop below ε·sum;
 * otherwise ½·erfc(−z/√2).
 */
export function normCdf(z: f64): f64 {
  if (z <= -10.0) {
    let sum: f64 = 1.0;
    if (z >= -67108864.0) {
      // −1/√ε: beyond it the series is 1 to machine precision
      const zz = z * z;
      let g: f64 = 1.0;
      let i: f64 = 1.0;
      let last: f64 = Infinity;
      for (;;) {
        const xi = (4.0 * i - 3.0) / zz;
        const yi = xi * ((4.0 * i - 1.0) / zz);
        const a = g * (xi - yi); // pairs two consecutive terms of the alternating series
        sum -= a;
        g *= yi;
        i += 1.0;
        const absA = Math.abs(a);
        if (!(absA < last && absA >= Math.abs(sum * 2.220446049250313e-16))) break;
        last = absA;
      }
    }
    return -normPdf(z) * sum / z;
  }
  return 0.5 * erfc(-z * ONE_OVER_SQRT_TWO);
}

/**
 * Inverse standard normal distribution Φ⁻¹(u), Wichura's AS241 (PPND16), relative accuracy about 1e-16.
 * Returns −∞ at u = 0 and +∞ at u = 1 (via log), NaN outside [0, 1].
 */
export function inverseNormCdf(u: f64): f64 {
  if (u <= 0.0) return Math.log(u);
  if (u >= 1.0) return -Math.log(1.0 - u) ;
  const q = u - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      q *
      (((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r + 6.7265770927008700853e4) * r +
        4.5921953931549871457e4) * r + 1.3731693765509461125e4) * r + 1.9715909503065514427e3) * r +
        1.3314166789178437745e2) * r + 3.3871328727963666080e0) /
      (((((((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r + 3.9307895800092710610e4) * r +
        2.1213794301586595867e4) * r + 5.3941960214247511077e3) * r + 6.8718700749205790830e2) * r +
        4.2313330701600911252e1) * r + 1.0)
    );
  }
  let r = Math.sqrt(-Math.log(q < 0.0 ? u : 1.0 - u));
  let v: f64;
  if (r < 5.0) {
    r -= 1.6;
    v =
      (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r + 2.41780725177450611770e-1) * r +
        1.27045825245236838258e0) * r + 3.64784832476320460504e0) * r + 5.76949722146069140550e0) * r +
        4.63033784615654529590e0) * r + 1.42343711074968357734e0) /
      (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r + 1.51986665636164571966e-2) * r +
        1.48103976427480074590e-1) * r + 6.89767334985100004550e-1) * r + 1.67638483018380384940e0) * r +
        2.05319162663775882187e0) * r + 1.0);
  } else {
    r -= 5.0;
    v =
      (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3) * r +
        2.65321895265761230930e-2) * r + 2.96560571828504891230e-1) * r + 1.78482653991729133580e0) * r +
        5.46378491116411436990e0) * r + 6.65790464350110377720e0) /
      (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5) * r +
        7.86869131145613259100e-4) * r + 1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r +
        5.99832206555887937690e-1) * r + 1.0);
  }
  return q < 0.0 ? -v : v;
}
