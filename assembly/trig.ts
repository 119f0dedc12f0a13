// Box-Muller normals with a vectorizable sin/cos of a whole turn: (r cos 2πu₂, r sin 2πu₂), r = √(−2 ln u₁)
// (G. E. P. Box, M. E. Muller, Ann. Math. Stat. 29 (1958) 610-611).
//
// sin 2πu and cos 2πu for u = (b + ½)·2⁻³² of a word b: k = round(4u) quarter turns, f = u − k/4 in [−1/8, 1/8],
// both exactly from b's bits (k mod 4 = (b + 2²⁹) >>> 30, f = (d + ½)·2⁻³², d = b sign-extended from 30 bits),
// x = f·2π in [−π/4, π/4] with one rounding, then the fdlibm kernel
// __kernel_sin (Sun 1993, as in musl k_sin.c, tail y = 0; < 1 ulp on [−π/4, π/4]), cos x = √(1 − sin²x)
// (sin²x ≤ ½ there, so 1 − sin²x ∈ [½, 1] is well conditioned: < 1 ulp, and one sqrt is cheaper than the
// degree-12 cosine kernel), and the quadrant k mod 4 by swapping and sign bits. The scalar and f64x2 forms perform the same IEEE-754
// operations lane for lane (logUnit / logUnitv of log_table.ts, the radius's ln u, are bit-identical too), so both builds give the
// same normals.
import { logUnit, logUnitv } from "./log_table";

const TWO_PI: f64 = 6.283185307179586;
const TWO_PI_2M32: f64 = TWO_PI * 2.3283064365386963e-10; // 2π·2⁻³², exact
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
  SIN_S1, SIN_S1, SIN_S2, SIN_S2, SIN_S3, SIN_S3, SIN_S4, SIN_S4, SIN_S5, SIN_S5, SIN_S6, SIN_S6, // 3-8
  1.0, 1.0, // 9
  TWO_PI_2M32, TWO_PI_2M32, // 10
], 16);
/** 2²⁹ in i32 lanes, the f64 sign bit in i64 lanes. */
const BM_I32_TABLE: usize = memory.data<u32>([0x20000000, 0x20000000, 0x20000000, 0x20000000, 0, 0x80000000, 0, 0x80000000], 16);

// @ts-ignore: decorator
@inline function bmk(i: i32): v128 {
  return v128.load(BM_TABLE + (<usize>i << 4));
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
  const r = Math.sqrt(-2.0 * logUnit(uniform(a)));
  // The reduction from the word's bits: q = round(4u) mod 4 = (b + 2²⁹) >>> 30, and u − q/4 = (d + ½)·2⁻³² with
  // d = b sign-extended from its low 30 bits, exactly; ×2π·2⁻³² (a power-of-two scaling of 2π) rounds once.
  const bq = b + 0x20000000;
  const x = (<f64>((<i32>(b << 2)) >> 2) + 0.5) * TWO_PI_2M32;
  const z = x * x;
  const w = z * z;
  const rs = SIN_S2 + z * (SIN_S3 + z * SIN_S4) + z * w * (SIN_S5 + z * SIN_S6);
  const sinx = x + z * x * (SIN_S1 + z * rs);
  const cosx = Math.sqrt(1.0 - sinx * sinx);
  // Quadrant q = k mod 4: q odd swaps sin and cos; cos is negated for q ∈ {1, 2}, sin for q ∈ {2, 3}.
  // Bit 31 of bq is q & 2, bit 30 is q & 1.
  const h = <i64>bq << 32;
  const swap = (bq & 0x40000000) != 0;
  const c = reinterpret<i64>(select<f64>(sinx, cosx, swap)) ^ ((h ^ (h << 1)) & I64.MIN_VALUE);
  const s = reinterpret<i64>(select<f64>(cosx, sinx, swap)) ^ (h & I64.MIN_VALUE);
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
  // u in [2⁻³³, 1) is in logUnit's domain (positive normal, below 1).
  const r = f64x2.sqrt(f64x2.mul(bmk(2), logUnitv(ua)));
  const bq = i32x4.add(b, v128.load(BM_I32_TABLE));
  const x = f64x2.mul(f64x2.add(f64x2.convert_low_i32x4_s(i32x4.shr_s(i32x4.shl(b, 2), 2)), bmk(0)), bmk(10));
  const z = f64x2.mul(x, x);
  const w = f64x2.mul(z, z);
  let rs = f64x2.add(bmk(4), f64x2.mul(z, f64x2.add(bmk(5), f64x2.mul(z, bmk(6)))));
  rs = f64x2.add(rs, f64x2.mul(f64x2.mul(z, w), f64x2.add(bmk(7), f64x2.mul(z, bmk(8)))));
  const sinx = f64x2.add(x, f64x2.mul(f64x2.mul(z, x), f64x2.add(bmk(3), f64x2.mul(z, rs))));
  const cosx = f64x2.sqrt(f64x2.sub(bmk(9), f64x2.mul(sinx, sinx)));
  const h = v128.shuffle<i32>(i32x4.splat(0), bq, 0, 4, 0, 5); // i64 lanes: bq << 32
  const m = i32x4.shr_s(i32x4.shl(bq, 1), 31);
  const swap = v128.shuffle<i32>(m, m, 0, 0, 1, 1);
  const c = v128.xor(v128.bitselect(sinx, cosx, swap), v128.and(v128.xor(h, i64x2.shl(h, 1)), v128.load(BM_I32_TABLE, 16)));
  const s = v128.xor(v128.bitselect(cosx, sinx, swap), v128.and(h, v128.load(BM_I32_TABLE, 16)));
  const rcos = f64x2.mul(r, c);
  const rsin = f64x2.mul(r, s);
  v128.store(out0, v128.shuffle<f64>(rcos, rsin, 0, 2));
  v128.store(out1, v128.shuffle<f64>(rcos, rsin, 1, 3));
}
