// e^x for |x| ≤ 708 by a 64-entry table: P. T. P. Tang, "Table-driven implementation of the exponential
// function in IEEE floating-point arithmetic", ACM TOMS 15 (1989) 144-157, with the scale trick of musl's
// exp.c (ARM optimized-routines, Szabolcs Nagy 2018): the table stores 2^(j/64) minus j·2^46 in its bits, so
// adding k·2^46 gives 2^⌊k/64⌋·2^(j/64) with one integer add.
//
// k = round(x·64/ln2), j = k mod 64, r = x − k·ln2/64 (Cody-Waite, |r| ≤ ln2/128 + 2^-40), then
// e^x = 2^⌊k/64⌋·T_j·(1 + p(r)), p(r) = r + r²/2 + r³/6 + r⁴/24 + r⁵/120 (Taylor: the next term is
// r⁶/720 ≤ 3.5e-17). Error < 1.5 ulp: ½ ulp in T_j, ½ in the last add, < 0.3 from truncation and the
// other roundings (test/assembly/math.test.ts checks ≤ 2 ulp against 60-digit references). No division and a short
// dependency chain (the table load runs beside the polynomial), unlike fdlibm's rational form in math.ts:
// the Monte Carlo Asian (one exp per date) runs at the latency of this chain.
// The scalar and f64x2 forms perform the same IEEE-754 operations lane for lane (bit-identical builds).

// Constants and the table from scripts/make-exp-table.py (mpmath, 200 bits).
const INV_LN2_64: f64 = 92.33248261689366; // 64/ln2
const LN2_HI_64: f64 = 0.010830424696223417; // ln2/64, 16 low mantissa bits zero: k·LN2_HI_64 exact for |k| < 2^16
const LN2_LO_64: f64 = 2.572804622327669e-14; // ln2/64 − LN2_HI_64
const ROUND_MAGIC: f64 = 6755399441055744.0; // 1.5·2^52: t = y + ROUND_MAGIC holds round(y) in its low bits
const C2: f64 = 0.5;
const C3: f64 = 1.0 / 6.0;
const C4: f64 = 1.0 / 24.0;
const C5: f64 = 1.0 / 120.0;

/** bits(RN(2^(j/64))) − j·2^46, j = 0..63. */
const EXP_TABLE_64: usize = memory.data<i64>([
  0x3ff0000000000000, 0x3fefec9a3e778061, 0x3fefd9b0d3158574, 0x3fefc74518759bc8,
  0x3fefb5586cf9890f, 0x3fefa3ec32d3d1a2, 0x3fef9301d0125b51, 0x3fef829aaea92de0,
  0x3fef72b83c7d517b, 0x3fef635beb6fcb75, 0x3fef54873168b9aa, 0x3fef463b88628cd6,
  0x3fef387a6e756238, 0x3fef2b4565e27cdd, 0x3fef1e9df51fdee1, 0x3fef1285a6e4030b,
  0x3fef06fe0a31b715, 0x3feefc08b26416ff, 0x3feef1a7373aa9cb, 0x3feee7db34e59ff7,
  0x3feedea64c123422, 0x3feed60a21f72e2a, 0x3feece086061892d, 0x3feec6a2b5c13cd0,
  0x3feebfdad5362a27, 0x3feeb9b2769d2ca7, 0x3feeb42b569d4f82, 0x3feeaf4736b527da,
  0x3feeab07dd485429, 0x3feea76f15ad2148, 0x3feea47eb03a5585, 0x3feea23882552225,
  0x3feea09e667f3bcd, 0x3fee9fb23c651a2f, 0x3fee9f75e8ec5f74, 0x3fee9feb564267c9,
  0x3feea11473eb0187, 0x3feea2f336cf4e62, 0x3feea589994cce13, 0x3feea8d99b4492ed,
  0x3feeace5422aa0db, 0x3feeb1ae99157736, 0x3feeb737b0cdc5e5, 0x3feebd829fde4e50,
  0x3feec49182a3f090, 0x3feecc667b5de565, 0x3feed503b23e255d, 0x3feede6b5579fdbf,
  0x3feee89f995ad3ad, 0x3feef3a2b84f15fb, 0x3feeff76f2fb5e47, 0x3fef0c1e904bc1d2,
  0x3fef199bdd85529c, 0x3fef27f12e57d14b, 0x3fef3720dcef9069, 0x3fef472d4a07897c,
  0x3fef5818dcfba487, 0x3fef69e603db3285, 0x3fef7c97337b9b5f, 0x3fef902ee78b3ff6,
  0x3fefa4afa2a490da, 0x3fefba1bee615a27, 0x3fefd0765b6e4540, 0x3fefe7c1819e90d8,
], 16);

/** The f64x2 constants, splatted (one v128.load per use); the last pair is the bits of 63 (the j mask). */
const EXP64_X2: usize = memory.data<f64>([
  INV_LN2_64, INV_LN2_64, ROUND_MAGIC, ROUND_MAGIC, LN2_HI_64, LN2_HI_64, LN2_LO_64, LN2_LO_64,
  C2, C2, C3, C3, C4, C4, C5, C5, 3.1e-322, 3.1e-322,
], 16);

/** The largest |x| {@link expTable} takes (e^x and 2^⌊k/64⌋ stay normal numbers). */
export const EXP_TABLE_ARG_MAX: f64 = 708.0;

/** e^x for |x| ≤ EXP_TABLE_ARG_MAX (the caller's guarantee; outside it the result is wrong). */
// @ts-ignore: decorator
@inline export function expTable(x: f64): f64 {
  const t = x * INV_LN2_64 + ROUND_MAGIC;
  const kd = t - ROUND_MAGIC;
  const r = (x - kd * LN2_HI_64) - kd * LN2_LO_64;
  const tb = reinterpret<i64>(t);
  const s = reinterpret<f64>(load<i64>(EXP_TABLE_64 + (<usize>(<i32>tb & 63) << 3)) + (tb << 46));
  const r2 = r * r;
  const p = r + (r2 * (r * C3 + C2) + (r2 * r2) * (r * C5 + C4));
  return s + s * p;
}

/** {@link expTable} on both lanes: lane for lane the same operations (the table read per lane). */
// @ts-ignore: decorator
@inline export function expTablev(x: v128): v128 {
  const t = f64x2.add(f64x2.mul(x, v128.load(EXP64_X2)), v128.load(EXP64_X2, 16));
  const kd = f64x2.sub(t, v128.load(EXP64_X2, 16));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(kd, v128.load(EXP64_X2, 32))), f64x2.mul(kd, v128.load(EXP64_X2, 48)));
  const j = v128.and(t, v128.load(EXP64_X2, 128));
  // j < 64 sits in i32 lanes 0 and 2: i32 extracts (lane 0 is one vmovd) cost fewer uops than i64 extracts.
  let s = v128.load64_zero(EXP_TABLE_64 + (<usize>i32x4.extract_lane(j, 0) << 3));
  s = v128.load64_lane(EXP_TABLE_64 + (<usize>i32x4.extract_lane(j, 2) << 3), s, 1);
  s = i64x2.add(s, i64x2.shl(t, 46));
  const r2 = f64x2.mul(r, r);
  const q3 = f64x2.add(f64x2.mul(r, v128.load(EXP64_X2, 80)), v128.load(EXP64_X2, 64));
  const q5 = f64x2.add(f64x2.mul(r, v128.load(EXP64_X2, 112)), v128.load(EXP64_X2, 96));
  const p = f64x2.add(r, f64x2.add(f64x2.mul(r2, q3), f64x2.mul(f64x2.mul(r2, r2), q5)));
  return f64x2.add(s, f64x2.mul(s, p));
}
