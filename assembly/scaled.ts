// Numbers carried as mantissa·2^exponent with an i32 exponent, for the few results whose factors under- or overflow
// on their own although the product is a double: the far wings of Black-Scholes, where
// e^{−d²/2} < 1e-308 while K·e^{−rT}·e^{−d²/2} is, say, 1e-261 (blackscholes.ts farWingOne).
// The pair is (scaledMantissa, scaledExponent), module state read right after the call (single-threaded kernels).
// Math.scalbn (AssemblyScript std, musl scalbn.c) turns a pair back into a double, rounding once.

// fdlibm's ln 2 split (as math.ts's exp): n·LN2_HI is exact for |n| < 2^20.
const INV_LN2: f64 = 1.44269504088896338700e+00;
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
// Veltkamp's splitter 2^27 + 1 (exact products without FMA, as math.ts).
const SPLITTER: f64 = 134217729.0;
// Beyond |d| = 1024, d²/2 > 2^19: e^{−d²/2}·base < 2^−(2^19·1.44 − 1024) is 0 for any representable
// product with the factors the kernels use, and n·LN2_HI would stop being exact.
const GAUSSIAN_ARG_MAX: f64 = 1024.0;
const TWO_POW_64: f64 = 18446744073709551616.0;

/** Mantissa of the last {@link scaledGaussian} (in [0.7, 2.9], or 0). */
export let scaledMantissa: f64 = 0.0;
/** Binary exponent of the last {@link scaledGaussian}. */
export let scaledExponent: i32 = 0;

/** The binary exponent e of a finite x ≠ 0 with |x| = m·2^e, m ∈ [1, 2) (subnormals included). */
@inline
export function exponentOf(x: f64): i32 {
  const biased = <i32>((reinterpret<u64>(x) >> 52) & 0x7ff);
  if (biased != 0) return biased - 1023;
  return <i32>((reinterpret<u64>(x * TWO_POW_64) >> 52) & 0x7ff) - 1023 - 64;
}

/** x·2^{−exponentOf(x)}: |result| ∈ [1, 2), exact. */
@inline
export function mantissaOf(x: f64): f64 {
  return Math.scalbn(x, -exponentOf(x));
}

/**
 * base·e^{−d²/2} as scaledMantissa·2^scaledExponent, for a normal base > 0 and any d, to ~2 ulp whatever the size
 * of d²/2: d² = p + pe exactly (Dekker), n = round(−p/(2 ln 2)), and e^{−p/2 − pe/2} = 2^n·e^{(−p/2 − n·LN2_HI) +
 * (−pe/2 − n·LN2_LO)}, where −p/2 − n·LN2_HI is exact (Sterbenz) and the remaining exponent is below ln 2/2 + ε.
 * Sets mantissa 0 when |d| > GAUSSIAN_ARG_MAX or d is NaN.
 */
export function scaledGaussian(base: f64, d: f64): void {
  const y = Math.abs(d);
  if (!(y <= GAUSSIAN_ARG_MAX)) {
    scaledMantissa = 0.0;
    scaledExponent = 0;
    return;
  }
  const p = y * y;
  const c = y * SPLITTER;
  const yh = c - (c - y);
  const yl = y - yh;
  const pe = ((yh * yh - p) + 2.0 * yh * yl) + yl * yl;
  const n = Math.round(-0.5 * p * INV_LN2);
  const exponent = (-0.5 * p - n * LN2_HI) + (-0.5 * pe - n * LN2_LO);
  scaledMantissa = mantissaOf(base) * Math.exp(exponent);
  scaledExponent = exponentOf(base) + <i32>n;
}
