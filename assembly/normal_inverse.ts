// Inverse standard normal CDF: M. J. Wichura, "Algorithm AS 241: The percentage points of the normal
// distribution", Applied Statistics 37 (1988) 477-484, PPND16 (relative accuracy about 1e-16).
// Three rational approximations: the centre |p − ½| ≤ 0.425, then r = √(−ln min(p, 1−p)) ≤ 5, then the far tail.

/** Φ⁻¹(p) for p in (0, 1); ±Infinity at 0 and 1, NaN outside. */
export function inverseNormalCdf(p: f64): f64 {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * (((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r + 6.7265770927008700853e4) * r +
      4.5921953931549871457e4) * r + 1.3731693765509461125e4) * r + 1.9715909503065514427e3) * r +
      1.3314166789178437745e2) * r + 3.387132872796366608)) /
      (((((((5.226495278852854561e3 * r + 2.8729085735721942674e4) * r + 3.930789580009271061e4) * r +
      2.1213794301586595867e4) * r + 5.3941960214247511077e3) * r + 6.871870074920579083e2) * r +
      4.2313330701600911252e1) * r + 1.0);
  }
  if (!(p > 0.0 && p < 1.0)) {
    if (p == 0.0) return -Infinity;
    if (p == 1.0) return Infinity;
    return NaN;
  }
  let r = q < 0.0 ? p : 1.0 - p;
  r = Math.sqrt(-Math.log(r));
  let value: f64;
  if (r <= 5.0) {
    r -= 1.6;
    value = (((((((7.7454501427834140764e-4 * r + 2.27238449892691845833e-2) * r + 2.4178072517745061177e-1) * r +
      1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
      4.6303378461565452959) * r + 1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 1.51986665636164571966e-2) * r +
      1.4810397642748007459e-1) * r + 6.8976733498510000455e-1) * r + 1.6763848301838038494) * r +
      2.05319162663775882187) * r + 1.0);
  } else {
    r -= 5.0;
    value = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3) * r +
      2.65321895265761230930e-2) * r + 2.96560571828504891230e-1) * r + 1.78482653991729133580) * r +
      5.46378491116411436990) * r + 6.65790464350110377720) /
      (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5) * r +
      7.86869131145613259100e-4) * r + 1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r +
      5.99832206555887937690e-1) * r + 1.0);
  }
  return q < 0.0 ? -value : value;
}

/**
 * Φ⁻¹ of u = (word + ½)·2⁻³² for the two u32 words in lanes 0 and 1 of `words`: the central rational of
 * {@link inverseNormalCdf} on both f64x2 lanes (the same operations in the same order, so the same bits), and
 * the scalar routine for a lane in the tails (|u − ½| > 0.425, about 15% of lanes: they need log and sqrt).
 */
// @ts-ignore: decorator
@inline export function inverseNormalCdfWordsv(words: v128): v128 {
  const u = f64x2.mul(f64x2.add(f64x2.convert_low_i32x4_u(words), v128.load(INV_TABLE)), v128.load(INV_TABLE, 16));
  const q = f64x2.sub(u, v128.load(INV_TABLE));
  const r = f64x2.sub(v128.load(INV_TABLE, 32), f64x2.mul(q, q));
  let num = f64x2.add(f64x2.mul(v128.load(INV_TABLE, 48), r), v128.load(INV_TABLE, 64));
  num = f64x2.add(f64x2.mul(num, r), v128.load(INV_TABLE, 80));
  num = f64x2.add(f64x2.mul(num, r), v128.load(INV_TABLE, 96));
  num = f64x2.add(f64x2.mul(num, r), v128.load(INV_TABLE, 112));
  num = f64x2.add(f64x2.mul(num, r), v128.load(INV_TABLE, 128));
  num = f64x2.add(f64x2.mul(num, r), v128.load(INV_TABLE, 144));
  num = f64x2.add(f64x2.mul(num, r), v128.load(INV_TABLE, 160));
  let den = f64x2.add(f64x2.mul(v128.load(INV_TABLE, 176), r), v128.load(INV_TABLE, 192));
  den = f64x2.add(f64x2.mul(den, r), v128.load(INV_TABLE, 208));
  den = f64x2.add(f64x2.mul(den, r), v128.load(INV_TABLE, 224));
  den = f64x2.add(f64x2.mul(den, r), v128.load(INV_TABLE, 240));
  den = f64x2.add(f64x2.mul(den, r), v128.load(INV_TABLE, 256));
  den = f64x2.add(f64x2.mul(den, r), v128.load(INV_TABLE, 272));
  den = f64x2.add(f64x2.mul(den, r), v128.load(INV_TABLE, 288));
  let z = f64x2.div(f64x2.mul(q, num), den);
  const central = f64x2.le(f64x2.abs(q), v128.load(INV_TABLE, 304));
  if (!i64x2.all_true(central)) {
    if (i64x2.extract_lane(central, 0) == 0) z = f64x2.replace_lane(z, 0, inverseNormalCdf(f64x2.extract_lane(u, 0)));
    if (i64x2.extract_lane(central, 1) == 0) z = f64x2.replace_lane(z, 1, inverseNormalCdf(f64x2.extract_lane(u, 1)));
  }
  return z;
}

// Constants of inverseNormalCdfWordsv, each splatted (one v128.load per use).
const INV_TABLE: usize = memory.data<f64>([
  0.5, 0.5, 2.3283064365386963e-10, 2.3283064365386963e-10, 0.180625, 0.180625,
  2.5090809287301226727e3, 2.5090809287301226727e3, 3.3430575583588128105e4, 3.3430575583588128105e4,
  6.7265770927008700853e4, 6.7265770927008700853e4, 4.5921953931549871457e4, 4.5921953931549871457e4,
  1.3731693765509461125e4, 1.3731693765509461125e4, 1.9715909503065514427e3, 1.9715909503065514427e3,
  1.3314166789178437745e2, 1.3314166789178437745e2, 3.387132872796366608, 3.387132872796366608,
  5.226495278852854561e3, 5.226495278852854561e3, 2.8729085735721942674e4, 2.8729085735721942674e4,
  3.930789580009271061e4, 3.930789580009271061e4, 2.1213794301586595867e4, 2.1213794301586595867e4,
  5.3941960214247511077e3, 5.3941960214247511077e3, 6.871870074920579083e2, 6.871870074920579083e2,
  4.2313330701600911252e1, 4.2313330701600911252e1, 1.0, 1.0,
  0.425, 0.425,
], 16);
