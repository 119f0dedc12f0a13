// Box-Muller normals with a vectorizable sin/cos of a whole turn: (r cos 2πu₂, r sin 2πu₂), r = √(−2 ln u₁)
// (G. E. P. Box, M. E. Muller, Ann. Math. Stat. 29 (1958) 610-611).
//
// sin 2πu and cos 2πu for u in (0, 1): k = round(4u) quarter turns, f = u − k/4 in [−1/8, 1/8] (exact: u has
// at most 33 significant bits and k/4 is a multiple of 1/4), x = 2π·f in [−π/4, π/4], then the fdlibm kernel
// __kernel_sin (Sun 1993, as in musl k_sin.c, tail y = 0; < 1 ulp on [−π/4, π/4]), cos x = √(1 − sin²x)
// (sin²x ≤ ½ there, so 1 − sin²x ∈ [½, 1] is well conditioned: < 1 ulp, and one sqrt is cheaper than the
// degree-12 cosine kernel), and the quadrant k mod 4 by swapping and sign bits. The scalar and f64x2 forms perform the same IEEE-754
// operations lane for lane (log / logNormalv of math.ts are bit-identical too), so both builds give the same normals.
import { log, logNormalv } from "./math";

const ROUND_MAGIC: f64 = 6755399441055744.0; // 1.5·2^52: x + it rounds x to an integer in the low mantissa bits
const TWO_PI: f64 = 6.283185307179586;
const SIN_S1: f64 = -1.66666666666666324348e-01;
const SIN_S2: f64 = 8.33333333332248946124e-03;
const SIN_S3: f64 = -1.98412698298579493134e-04;
const SIN_S4: f64 = 2.75573137070700676789e-06;
const SIN_S5: f64 = -2.50507602534068634195e-08;
const SIN_S6: f64 = 1.58969099521155010221e-10;

// The f64x2 constants as a 16-byte aligned table: one v128.load per use (binaryen folds f64x2.splat(constant)
// into v128.const, which V8 rebuilds from immediates at every use inside the loop, ~3 instructions each).
const BM_TABLE: usize = memory.data<f64>([
  0.5, 0.5, // 0
  2.3283064365386963e-10, 2.3283064365386963e-10, // 1: 2⁻³²
  -2.0, -2.0, // 2
  4.0, 4.0, // 3
  ROUND_MAGIC, ROUND_MAGIC, // 4
  0.25, 0.25, // 5
  TWO_PI, TWO_PI, // 6
  SIN_S1, SIN_S1, SIN_S2, SIN_S2, SIN_S3, SIN_S3, SIN_S4, SIN_S4, SIN_S5, SIN_S5, SIN_S6, SIN_S6, // 7-12
  1.0, 1.0, // 13
], 16);
const BM_INT_TABLE: usize = memory.data<i64>([3, 3, 1, 1, 2, 2, 0, 0], 16); // 0: 3, 1: 1, 2: 2, 3: +0.0

// @ts-ignore: decorator
@inline function bmk(i: i32): v128 {
  return v128.load(BM_TABLE + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline function bmki(i: i32): v128 {
  return v128.load(BM_INT_TABLE + (<usize>i << 4));
}

/** Maps a 32-bit word to (0, 1): (x + ½)·2⁻³² (the same as philox.ts uniformOpen). */
// @ts-ignore: decorator
@inline function uniform(x: u32): f64 {
  return (<f64>x + 0.5) * 2.3283064365386963e-10;
}

/**
 * Writes the Box-Muller pair of the words (a, b) at out: out[0] = r·cos 2πu_b, out[1] = r·sin 2πu_b with
 * r = √(−2 ln u_a), u = (word + ½)·2⁻³².
 */
// @ts-ignore: decorator
@inline export function boxMullerPair(a: u32, b: u32, out: usize): void {
  const r = Math.sqrt(-2.0 * log(uniform(a)));
  const u = uniform(b);
  const t = u * 4.0 + ROUND_MAGIC;
  const k = t - ROUND_MAGIC;
  const x = (u - k * 0.25) * TWO_PI;
  const z = x * x;
  const w = z * z;
  const rs = SIN_S2 + z * (SIN_S3 + z * SIN_S4) + z * w * (SIN_S5 + z * SIN_S6);
  const sinx = x + z * x * (SIN_S1 + z * rs);
  const cosx = Math.sqrt(1.0 - sinx * sinx);
  // Quadrant q = k mod 4: q odd swaps sin and cos; cos is negated for q ∈ {1, 2}, sin for q ∈ {2, 3}.
  const q = reinterpret<i64>(t) & 3;
  const swap = (q & 1) != 0;
  const c = reinterpret<i64>(select<f64>(sinx, cosx, swap)) ^ (((q + 1) & 2) << 62);
  const s = reinterpret<i64>(select<f64>(cosx, sinx, swap)) ^ ((q & 2) << 62);
  store<f64>(out, r * reinterpret<f64>(c));
  store<f64>(out, r * reinterpret<f64>(s), 8);
}

/**
 * Two Box-Muller pairs at once, lane for lane the operations of {@link boxMullerPair}: words (a0, b0) → out0
 * and (a1, b1) → out1, each as (r·cos, r·sin).
 */
// @ts-ignore: decorator
@inline export function boxMullerPairs(a0: u32, b0: u32, a1: u32, b1: u32, out0: usize, out1: usize): void {
  boxMullerPairsv(i32x4(a0, a1, 0, 0), i32x4(b0, b1, 0, 0), out0, out1);
}

/** {@link boxMullerPairs} on words already in v128 lanes: u32 lanes 0 and 1 of `a` (radii) and `b` (angles). */
// @ts-ignore: decorator
@inline export function boxMullerPairsv(a: v128, b: v128, out0: usize, out1: usize): void {
  const ua = f64x2.mul(f64x2.add(f64x2.convert_low_i32x4_u(a), bmk(0)), bmk(1));
  // u ≥ 2⁻³³ is a positive normal number: logv's subnormal/zero/negative/∞ lanes are never taken, so its core
  // logNormalv (the same operations) is called directly.
  const r = f64x2.sqrt(f64x2.mul(bmk(2), logNormalv(ua, v128.load(BM_INT_TABLE, 48))));
  const u = f64x2.mul(f64x2.add(f64x2.convert_low_i32x4_u(b), bmk(0)), bmk(1));
  const t = f64x2.add(f64x2.mul(u, bmk(3)), bmk(4));
  const k = f64x2.sub(t, bmk(4));
  const x = f64x2.mul(f64x2.sub(u, f64x2.mul(k, bmk(5))), bmk(6));
  const z = f64x2.mul(x, x);
  const w = f64x2.mul(z, z);
  let rs = f64x2.add(bmk(8), f64x2.mul(z, f64x2.add(bmk(9), f64x2.mul(z, bmk(10)))));
  rs = f64x2.add(rs, f64x2.mul(f64x2.mul(z, w), f64x2.add(bmk(11), f64x2.mul(z, bmk(12)))));
  const sinx = f64x2.add(x, f64x2.mul(f64x2.mul(z, x), f64x2.add(bmk(7), f64x2.mul(z, rs))));
  const cosx = f64x2.sqrt(f64x2.sub(bmk(13), f64x2.mul(sinx, sinx)));
  const q = v128.and(t, bmki(0));
  const swap = i64x2.eq(v128.and(q, bmki(1)), bmki(1));
  const c = v128.xor(v128.bitselect(sinx, cosx, swap), i64x2.shl(v128.and(i64x2.add(q, bmki(1)), bmki(2)), 62));
  const s = v128.xor(v128.bitselect(cosx, sinx, swap), i64x2.shl(v128.and(q, bmki(2)), 62));
  const rcos = f64x2.mul(r, c);
  const rsin = f64x2.mul(r, s);
  v128.store(out0, v128.shuffle<f64>(rcos, rsin, 0, 2));
  v128.store(out1, v128.shuffle<f64>(rcos, rsin, 1, 3));
}
