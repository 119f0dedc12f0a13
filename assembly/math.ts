// Elementary functions for the pricing kernels, each in a scalar (f64) and an f64x2 (v128) form.
//
// The two forms of every routine perform the same IEEE-754 operations in the same order on each lane
// (wasm SIMD has no FMA, and lane selection is a bit-select, not arithmetic), so the SIMD build and
// the scalar build return bit-identical results. Keep it that way when editing: change both forms.
//
//   exp / expv             fdlibm e_exp.c (Sun 1993, as in musl): Cody-Waite ln2 split, Remez polynomial
//                          for r·(e^r+1)/(e^r−1), 2^k built from exponent bits; < 1 ulp.
//   log / logv             fdlibm e_log.c (as in musl): x = 2^k·(1+f), s = f/(2+f), Remez polynomial in s²; < 1 ulp.
//   normPdf / normPdfv     e^{−x²/2}/√(2π) with x² split exactly (Dekker/Veltkamp), so no 1e-13 loss at |x| ≈ 20.
//   normCdf / normCdfv     W. J. Cody, ANORM, ACM TOMS Algorithm 715 (1993), from "Rational Chebyshev
//                          approximations for the error function", Math. Comp. 23 (1969) 631–637:
//                          relative accuracy ~1e-15 in the lower tail down to underflow.
//   normCdfMills           Φ(−y) = e^{−y²/2}·R(y) with one 8/8 rational R on [0, √32] (fitted here, see the
//                          section below), Cody's asymptotic tail beyond: the Black-Scholes kernel's Φ.
//
// Every f64x2 constant is a splatted pair in a data segment (see "f64x2 constants" below for why).

// ---- constants -------------------------------------------------------------------------------------

// 1.5·2^52: adding it rounds a |v| < 2^51 to the nearest integer, which then sits in the low mantissa bits.
const ROUND_MAGIC: f64 = 6755399441055744.0;
const ROUND_MAGIC_BITS: i64 = 0x4338000000000000;

// fdlibm e_exp.c: ln2 split so that k·LN2_HI is exact for |k| < 2^20, and the Remez coefficients.
const INV_LN2: f64 = 1.44269504088896338700e+00;
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const EXP_P1: f64 = 1.66666666666666019037e-01;
const EXP_P2: f64 = -2.77777777770155933842e-03;
const EXP_P3: f64 = 6.61375632143793436117e-05;
const EXP_P4: f64 = -1.65339022054652515390e-06;
const EXP_P5: f64 = 4.13813679705723846039e-08;
// e^710 overflows and e^−746 underflows (below half the smallest subnormal): clamping there keeps k in
// [−1076, 1025] so that both halves of 2^k = 2^{k1}·2^{k2} stay normal numbers.
const EXP_ARG_MAX: f64 = 710.0;
const EXP_ARG_MIN: f64 = -746.0;

// fdlibm e_log.c: Remez coefficients of (log(1+f) − 2s)/s... in s² (Lg1..Lg7).
const LG1: f64 = 6.666666666666735130e-01;
const LG2: f64 = 3.999999999940941908e-01;
const LG3: f64 = 2.857142874366239149e-01;
const LG4: f64 = 2.222219843214978396e-01;
const LG5: f64 = 1.818357216161805012e-01;
const LG6: f64 = 1.531383769920937332e-01;
const LG7: f64 = 1.479819860511658591e-01;
// Adding this to the bits of x moves the mantissa range to [√2/2, √2) (0x3ff00000 − 0x3fe6a09e in the high word).
const LOG_SHIFT: i64 = 0x00095f6200000000;
const LOG_MANTISSA_MASK: i64 = 0x000fffffffffffff;
const LOG_SQRT_HALF_BITS: i64 = 0x3fe6a09e00000000;
const MIN_NORMAL: f64 = 2.2250738585072014e-308;
const TWO_POW_54: f64 = 18014398509481984.0;

/** 1/√(2π). */
export const INV_SQRT_2PI: f64 = 0.3989422804014326779399460599343818684759;
// Veltkamp's splitter 2^27 + 1: splits a double into two 26-bit halves whose products are exact.
const SPLITTER: f64 = 134217729.0;
// Beyond |x| = 40, e^{−x²/2} = e^{−800} is 0 in double precision: clamping avoids overflow in the split.
const NORMAL_ARG_MAX: f64 = 40.0;

// Cody ANORM (TOMS 715) coefficients, as published.
const CDF_THRESHOLD: f64 = 0.66291;
const CDF_ROOT32: f64 = 5.656854248;
const A0: f64 = 2.2352520354606839287e00;
const A1: f64 = 1.6102823106855587881e02;
const A2: f64 = 1.0676894854603709582e03;
const A3: f64 = 1.8154981253343561249e04;
const A4: f64 = 6.5682337918207449113e-2;
const B0: f64 = 4.7202581904688241870e01;
const B1: f64 = 9.7609855173777669322e02;
const B2: f64 = 1.0260932208618978205e04;
const B3: f64 = 4.5507789335026729956e04;
const C0: f64 = 3.9894151208813466764e-1;
const C1: f64 = 8.8831497943883759412e00;
const C2: f64 = 9.3506656132177855979e01;
const C3: f64 = 5.9727027639480026226e02;
const C4: f64 = 2.4945375852903726711e03;
const C5: f64 = 6.8481904505362823326e03;
const C6: f64 = 1.1602651437647350124e04;
const C7: f64 = 9.8427148383839780218e03;
const C8: f64 = 1.0765576773720192317e-8;
const D0: f64 = 2.2266688044328115691e01;
const D1: f64 = 2.3538790178262499861e02;
const D2: f64 = 1.5193775994075548050e03;
const D3: f64 = 6.4855582982667607550e03;
const D4: f64 = 1.8615571640885098091e04;
const D5: f64 = 3.4900952721145977266e04;
const D6: f64 = 3.8912003286093271411e04;
const D7: f64 = 1.9685429676859990727e04;
const P0: f64 = 2.1589853405795699e-1;
const P1: f64 = 1.274011611602473639e-1;
const P2: f64 = 2.2235277870649807e-2;
const P3: f64 = 1.421619193227893466e-3;
const P4: f64 = 2.9112874951168792e-5;
const P5: f64 = 2.307344176494017303e-2;
const Q0: f64 = 1.28426009614491121e00;
const Q1: f64 = 4.68238212480865118e-1;
const Q2: f64 = 6.59881378689285515e-2;
const Q3: f64 = 3.78239633202758244e-3;
const Q4: f64 = 7.29751555083966205e-5;

// ---- f64x2 constants -----------------------------------------------------------------------------
// Every constant of the f64x2 forms is a splatted pair in a data segment, read with one v128.load:
// V8's TurboFan (x64) rebuilds each v128.const inside a loop with three instructions
// (movq r, imm64; vmovq; vpunpcklqdq) and then spills the results, a load from a fixed address is one.
// Same values as the f64 constants above, so the two forms still agree bit for bit.
export const NEG_HALF_X2: usize = memory.data<f64>([-0.5, -0.5], 16);
const NEG_54_X2: usize = memory.data<f64>([-54.0, -54.0], 16);
const NEG_INFINITY_X2: usize = memory.data<f64>([-Infinity, -Infinity], 16);
export const HALF_X2: usize = memory.data<f64>([0.5, 0.5], 16);
export const ONE_X2: usize = memory.data<f64>([1.0, 1.0], 16);
export const TWO_X2: usize = memory.data<f64>([2.0, 2.0], 16);
const CDF_ROOT32_X2: usize = memory.data<f64>([CDF_ROOT32, CDF_ROOT32], 16);
const CDF_THRESHOLD_X2: usize = memory.data<f64>([CDF_THRESHOLD, CDF_THRESHOLD], 16);
export const INV_SQRT_2PI_X2: usize = memory.data<f64>([INV_SQRT_2PI, INV_SQRT_2PI], 16);
export const INFINITY_X2: usize = memory.data<f64>([Infinity, Infinity], 16);
const LG1_X2: usize = memory.data<f64>([LG1, LG1], 16);
const LG2_X2: usize = memory.data<f64>([LG2, LG2], 16);
const LG3_X2: usize = memory.data<f64>([LG3, LG3], 16);
const LG4_X2: usize = memory.data<f64>([LG4, LG4], 16);
const LG5_X2: usize = memory.data<f64>([LG5, LG5], 16);
const LG6_X2: usize = memory.data<f64>([LG6, LG6], 16);
const LG7_X2: usize = memory.data<f64>([LG7, LG7], 16);
const LN2_HI_X2: usize = memory.data<f64>([LN2_HI, LN2_HI], 16);
const LN2_LO_X2: usize = memory.data<f64>([LN2_LO, LN2_LO], 16);
export const MIN_NORMAL_X2: usize = memory.data<f64>([MIN_NORMAL, MIN_NORMAL], 16);
const NORMAL_ARG_MAX_X2: usize = memory.data<f64>([NORMAL_ARG_MAX, NORMAL_ARG_MAX], 16);
const NAN_X2: usize = memory.data<f64>([NaN, NaN], 16);
const P0_X2: usize = memory.data<f64>([P0, P0], 16);
const P1_X2: usize = memory.data<f64>([P1, P1], 16);
const P2_X2: usize = memory.data<f64>([P2, P2], 16);
const P3_X2: usize = memory.data<f64>([P3, P3], 16);
const P4_X2: usize = memory.data<f64>([P4, P4], 16);
const P5_X2: usize = memory.data<f64>([P5, P5], 16);
const Q0_X2: usize = memory.data<f64>([Q0, Q0], 16);
const Q1_X2: usize = memory.data<f64>([Q1, Q1], 16);
const Q2_X2: usize = memory.data<f64>([Q2, Q2], 16);
const Q3_X2: usize = memory.data<f64>([Q3, Q3], 16);
const Q4_X2: usize = memory.data<f64>([Q4, Q4], 16);
const ROUND_MAGIC_X2: usize = memory.data<f64>([ROUND_MAGIC, ROUND_MAGIC], 16);
const SPLITTER_X2: usize = memory.data<f64>([SPLITTER, SPLITTER], 16);
const TWO_POW_54_X2: usize = memory.data<f64>([TWO_POW_54, TWO_POW_54], 16);
const EXP_BIAS_X2: usize = memory.data<i64>([1023, 1023], 16);
const LOG_MANTISSA_MASK_X2: usize = memory.data<i64>([LOG_MANTISSA_MASK, LOG_MANTISSA_MASK], 16);
const LOG_SHIFT_X2: usize = memory.data<i64>([LOG_SHIFT, LOG_SHIFT], 16);
const LOG_SQRT_HALF_BITS_X2: usize = memory.data<i64>([LOG_SQRT_HALF_BITS, LOG_SQRT_HALF_BITS], 16);
const ROUND_MAGIC_BITS_X2: usize = memory.data<i64>([ROUND_MAGIC_BITS, ROUND_MAGIC_BITS], 16);

// ---- min/max ---------------------------------------------------------------------------------------
// wasm's f64.min/f64x2.min must handle NaN and −0 and compile to several instructions on x86; the
// "pseudo" forms are single minpd/maxpd instructions. x as first argument propagates a NaN x.

/** pmin(x, c) = c < x ? c : x, the scalar twin of f64x2.pmin. */
@inline
export function pmin(x: f64, c: f64): f64 {
  return select<f64>(c, x, c < x);
}

/** pmax(x, c) = x < c ? c : x, the scalar twin of f64x2.pmax. */
@inline
export function pmax(x: f64, c: f64): f64 {
  return select<f64>(c, x, x < c);
}

// ---- exp -------------------------------------------------------------------------------------------

/**
 * e^x (fdlibm e_exp.c): k = round(x/ln2), r = x − k·ln2 (Cody-Waite, two parts), c = r − r²·P(r²),
 * e^r = 1 − ((lo − r·c/(2−c)) − hi), then ·2^k applied as two normal factors 2^{k₁}·2^{k−k₁}
 * (k₁ = round(k/2), also by the magic-number rounding) so subnormal results and overflow come out right. Error < 1 ulp. NaN → NaN, +∞ → +∞, −∞ → 0.
 */
@inline
export function exp(x: f64): f64 {
  x = pmin(pmax(x, EXP_ARG_MIN), EXP_ARG_MAX);
  const t = x * INV_LN2 + ROUND_MAGIC;
  const k = t - ROUND_MAGIC;
  const hi = x - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = hi - lo;
  const rr = r * r;
  const c = r - rr * (EXP_P1 + rr * (EXP_P2 + rr * (EXP_P3 + rr * (EXP_P4 + rr * EXP_P5))));
  const y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  const t1 = k * 0.5 + ROUND_MAGIC;
  const s1 = (reinterpret<i64>(t1) + 1023) << 52;
  const s2 = (reinterpret<i64>(t) - reinterpret<i64>(t1) + 1023) << 52;
  return y * reinterpret<f64>(s1) * reinterpret<f64>(s2);
}

// The constants of expv as one table of splatted pairs (index·16 bytes), in three copies. Binaryen merges
// repeated loads of one address within a loop body into one local (no store in between), and V8 then
// keeps that value live from the first use to the last and spills it; a kernel that calls expv at
// several places gives each its own copy (expvWith), so each constant is one load next to its use.
// 1023 as the bits of an f64 (a subnormal), the exponent bias added to 2^k's integer k.
const EXP_BIAS_AS_F64: f64 = 5.0542915569559521e-321;
export const EXP_TABLE_X2: usize = memory.data<f64>([
  EXP_ARG_MIN, EXP_ARG_MIN, EXP_ARG_MAX, EXP_ARG_MAX, INV_LN2, INV_LN2, ROUND_MAGIC, ROUND_MAGIC, LN2_HI, LN2_HI, LN2_LO, LN2_LO, EXP_P5, EXP_P5, EXP_P4, EXP_P4, EXP_P3, EXP_P3, EXP_P2, EXP_P2, EXP_P1, EXP_P1, 2.0, 2.0, 1.0, 1.0, 0.5, 0.5, EXP_BIAS_AS_F64, EXP_BIAS_AS_F64,
], 16);
export const EXP_TABLE_X2_B: usize = memory.data<f64>([
  EXP_ARG_MIN, EXP_ARG_MIN, EXP_ARG_MAX, EXP_ARG_MAX, INV_LN2, INV_LN2, ROUND_MAGIC, ROUND_MAGIC, LN2_HI, LN2_HI, LN2_LO, LN2_LO, EXP_P5, EXP_P5, EXP_P4, EXP_P4, EXP_P3, EXP_P3, EXP_P2, EXP_P2, EXP_P1, EXP_P1, 2.0, 2.0, 1.0, 1.0, 0.5, 0.5, EXP_BIAS_AS_F64, EXP_BIAS_AS_F64,
], 16);
export const EXP_TABLE_X2_C: usize = memory.data<f64>([
  EXP_ARG_MIN, EXP_ARG_MIN, EXP_ARG_MAX, EXP_ARG_MAX, INV_LN2, INV_LN2, ROUND_MAGIC, ROUND_MAGIC, LN2_HI, LN2_HI, LN2_LO, LN2_LO, EXP_P5, EXP_P5, EXP_P4, EXP_P4, EXP_P3, EXP_P3, EXP_P2, EXP_P2, EXP_P1, EXP_P1, 2.0, 2.0, 1.0, 1.0, 0.5, 0.5, EXP_BIAS_AS_F64, EXP_BIAS_AS_F64,
], 16);

/** Entry i of a table of splatted pairs. */
@inline
function entry(table: usize, i: i32): v128 {
  return v128.load(table + (<usize>i << 4));
}

/** e^x on both lanes of an f64x2; lane for lane the same operations as {@link exp}. */
@inline
export function expv(x: v128): v128 {
  return expvWith(x, EXP_TABLE_X2);
}

/** {@link expv} reading its constants from `table` (EXP_TABLE_X2, EXP_TABLE_X2_B or EXP_TABLE_X2_C). */
@inline
export function expvWith(x: v128, table: usize): v128 {
  x = f64x2.pmin(f64x2.pmax(x, entry(table, 0)), entry(table, 1));
  const t = f64x2.add(f64x2.mul(x, entry(table, 2)), entry(table, 3));
  const k = f64x2.sub(t, entry(table, 3));
  const hi = f64x2.sub(x, f64x2.mul(k, entry(table, 4)));
  const lo = f64x2.mul(k, entry(table, 5));
  const r = f64x2.sub(hi, lo);
  const rr = f64x2.mul(r, r);
  let p = f64x2.add(f64x2.mul(rr, entry(table, 6)), entry(table, 7));
  p = f64x2.add(f64x2.mul(rr, p), entry(table, 8));
  p = f64x2.add(f64x2.mul(rr, p), entry(table, 9));
  p = f64x2.add(f64x2.mul(rr, p), entry(table, 10));
  const c = f64x2.sub(r, f64x2.mul(rr, p));
  const q = f64x2.div(f64x2.mul(r, c), f64x2.sub(entry(table, 11), c));
  const y = f64x2.sub(entry(table, 12), f64x2.sub(f64x2.sub(lo, q), hi));
  const t1 = f64x2.add(f64x2.mul(k, entry(table, 13)), entry(table, 3));
  const s1 = i64x2.shl(i64x2.add(t1, entry(table, 14)), 52);
  const s2 = i64x2.shl(i64x2.add(i64x2.sub(t, t1), entry(table, 14)), 52);
  return f64x2.mul(f64x2.mul(y, s1), s2);
}

/**
 * {@link expvWith} for |x| ≤ EXP_NORMAL_ARG_MAX only (the caller's guarantee; other lanes come out wrong):
 * there k = round(x/ln2) stays in [−1021, 1022], so 2^k is one normal factor and y·2^k is exactly the
 * y·2^{k₁}·2^{k−k₁} of {@link exp} (one rounding either way). No clamping, no split of the scale.
 */
@inline
export function expvNormalWith(x: v128, table: usize): v128 {
  const t = f64x2.add(f64x2.mul(x, entry(table, 2)), entry(table, 3));
  const k = f64x2.sub(t, entry(table, 3));
  const hi = f64x2.sub(x, f64x2.mul(k, entry(table, 4)));
  const lo = f64x2.mul(k, entry(table, 5));
  const r = f64x2.sub(hi, lo);
  const rr = f64x2.mul(r, r);
  let p = f64x2.add(f64x2.mul(rr, entry(table, 6)), entry(table, 7));
  p = f64x2.add(f64x2.mul(rr, p), entry(table, 8));
  p = f64x2.add(f64x2.mul(rr, p), entry(table, 9));
  p = f64x2.add(f64x2.mul(rr, p), entry(table, 10));
  const c = f64x2.sub(r, f64x2.mul(rr, p));
  const q = f64x2.div(f64x2.mul(r, c), f64x2.sub(entry(table, 11), c));
  const y = f64x2.sub(entry(table, 12), f64x2.sub(f64x2.sub(lo, q), hi));
  return f64x2.mul(y, i64x2.shl(i64x2.add(t, entry(table, 14)), 52));
}

/** The largest |x| that {@link expvNormalWith} takes: e^{±708} and 2^k are normal numbers. */
export const EXP_NORMAL_ARG_MAX: f64 = 708.0;
export const EXP_NORMAL_ARG_MAX_X2: usize = memory.data<f64>([EXP_NORMAL_ARG_MAX, EXP_NORMAL_ARG_MAX], 16);

// ---- log -------------------------------------------------------------------------------------------

/**
 * ln x (fdlibm e_log.c): x = 2^k·(1+f) with 1+f in [√2/2, √2), s = f/(2+f),
 * ln x = k·ln2_hi − ((f²/2 − (s·(f²/2 + R(s²)) + k·ln2_lo)) − f). Error < 1 ulp.
 * Subnormals are pre-scaled by 2^54; 0 → −∞, x < 0 or NaN → NaN, +∞ → +∞.
 */
@inline
export function log(x: f64): f64 {
  const subnormal = x < MIN_NORMAL;
  const xs = select<f64>(x * TWO_POW_54, x, subnormal);
  const kAdjust = select<f64>(-54.0, 0.0, subnormal);
  const u = reinterpret<i64>(xs) + LOG_SHIFT;
  const kd = reinterpret<f64>(<i64>(<u64>u >> 52) - 1023 + ROUND_MAGIC_BITS) - ROUND_MAGIC + kAdjust;
  const f = reinterpret<f64>((u & LOG_MANTISSA_MASK) + LOG_SQRT_HALF_BITS) - 1.0;
  const hfsq = 0.5 * f * f;
  const s = f / (2.0 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  const result = s * (hfsq + r) + kd * LN2_LO - hfsq + f + kd * LN2_HI;
  const ok = x > 0.0 && x < Infinity;
  const special = select<f64>(-Infinity, select<f64>(NaN, x, x < 0.0), x == 0.0);
  return select<f64>(result, special, ok);
}

/**
 * ln x on both lanes for x a positive, normal, finite number (the caller's guarantee), with kAdjust
 * added to the exponent (−54 for pre-scaled subnormals, else 0); lane for lane the operations of {@link log}.
 */
@inline
export function logNormalv(x: v128, kAdjust: v128): v128 {
  const u = i64x2.add(x, v128.load(LOG_SHIFT_X2));
  const kBits = i64x2.add(i64x2.sub(i64x2.shr_u(u, 52), v128.load(EXP_BIAS_X2)), v128.load(ROUND_MAGIC_BITS_X2));
  const kd = f64x2.add(f64x2.sub(kBits, v128.load(ROUND_MAGIC_X2)), kAdjust);
  const f = f64x2.sub(
    i64x2.add(v128.and(u, v128.load(LOG_MANTISSA_MASK_X2)), v128.load(LOG_SQRT_HALF_BITS_X2)),
    v128.load(ONE_X2),
  );
  const hfsq = f64x2.mul(f64x2.mul(f, v128.load(HALF_X2)), f);
  const s = f64x2.div(f, f64x2.add(f, v128.load(TWO_X2)));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  // Horner with each coefficient loaded just before its add (IEEE add and mul commute, so the values are
  // the scalar form's): V8 keeps wasm loads in program order, so a coefficient loaded early stays live.
  let t1 = f64x2.add(f64x2.mul(w, v128.load(LG6_X2)), v128.load(LG4_X2));
  t1 = f64x2.add(f64x2.mul(w, t1), v128.load(LG2_X2));
  t1 = f64x2.mul(w, t1);
  let t2 = f64x2.add(f64x2.mul(w, v128.load(LG7_X2)), v128.load(LG5_X2));
  t2 = f64x2.add(f64x2.mul(w, t2), v128.load(LG3_X2));
  t2 = f64x2.add(f64x2.mul(w, t2), v128.load(LG1_X2));
  t2 = f64x2.mul(z, t2);
  const r = f64x2.add(t2, t1);
  const result = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, r)), f64x2.mul(kd, v128.load(LN2_LO_X2)));
  return f64x2.add(f64x2.add(f64x2.sub(result, hfsq), f), f64x2.mul(kd, v128.load(LN2_HI_X2)));
}

/** ln x on both lanes of an f64x2; lane for lane the same operations as {@link log}. Branch-free. */
@inline
export function logv(x: v128): v128 {
  const subnormal = f64x2.lt(x, v128.load(MIN_NORMAL_X2));
  const xs = v128.bitselect(f64x2.mul(x, v128.load(TWO_POW_54_X2)), x, subnormal);
  const kAdjust = v128.bitselect(v128.load(NEG_54_X2), f64x2.splat(0.0), subnormal);
  const result = logNormalv(xs, kAdjust);
  const ok = v128.and(f64x2.gt(x, f64x2.splat(0.0)), f64x2.lt(x, v128.load(INFINITY_X2)));
  const special = v128.bitselect(
    v128.load(NEG_INFINITY_X2),
    v128.bitselect(v128.load(NAN_X2), x, f64x2.lt(x, f64x2.splat(0.0))),
    f64x2.eq(x, f64x2.splat(0.0)),
  );
  return v128.bitselect(result, special, ok);
}

// ---- e^{−x²/2} and the normal density ----------------------------------------------------------------

/**
 * e^{−y²/2} for y ≥ 0 with y² carried exactly as hi + lo (Dekker's product with Veltkamp's split):
 * e^{−y²/2} = e^{−hi/2}·(1 − lo/2) to O(lo²). Rounding y² directly would cost a relative error of
 * y²·2^−53 (≈5e-14 at y = 20), which the lower tail of Φ would inherit.
 */
@inline
export function expNegHalfSquare(y: f64): f64 {
  y = pmin(y, NORMAL_ARG_MAX);
  const hi = y * y;
  const c = y * SPLITTER;
  const yh = c - (c - y);
  const yl = y - yh;
  const lo = ((yh * yh - hi) + 2.0 * yh * yl) + yl * yl;
  return exp(-0.5 * hi) * (1.0 - 0.5 * lo);
}

/** {@link expNegHalfSquare} on both lanes (y ≥ 0); same operations lane for lane. */
@inline
export function expNegHalfSquarev(y: v128): v128 {
  y = f64x2.pmin(y, v128.load(NORMAL_ARG_MAX_X2));
  const hi = f64x2.mul(y, y);
  const c = f64x2.mul(y, v128.load(SPLITTER_X2));
  const yh = f64x2.sub(c, f64x2.sub(c, y));
  const yl = f64x2.sub(y, yh);
  const lo = f64x2.add(
    f64x2.add(f64x2.sub(f64x2.mul(yh, yh), hi), f64x2.mul(f64x2.mul(yh, v128.load(TWO_X2)), yl)),
    f64x2.mul(yl, yl),
  );
  const e = expv(f64x2.mul(hi, v128.load(NEG_HALF_X2)));
  return f64x2.mul(e, f64x2.sub(v128.load(ONE_X2), f64x2.mul(lo, v128.load(HALF_X2))));
}

/** Standard normal density φ(x) = e^{−x²/2}/√(2π). */
@inline
export function normPdf(x: f64): f64 {
  return INV_SQRT_2PI * expNegHalfSquare(abs<f64>(x));
}

/** φ(x) on both lanes; same operations lane for lane as {@link normPdf}. */
@inline
export function normPdfv(x: v128): v128 {
  return f64x2.mul(expNegHalfSquarev(f64x2.abs(x)), v128.load(INV_SQRT_2PI_X2));
}

// ---- the normal distribution function (Cody, TOMS 715 ANORM) -----------------------------------------

/** Cody's central rational function: Φ(x) = ½ + x·A(x²)/B(x²) for |x| ≤ 0.66291. */
@inline
function cdfCentral(x: f64): f64 {
  const z = x * x;
  const num = (((A4 * z + A0) * z + A1) * z + A2) * z + A3;
  const den = ((((z + B0) * z + B1) * z + B2) * z + B3);
  return 0.5 + (x * num) / den;
}

@inline
function cdfCentralv(x: v128): v128 {
  const z = f64x2.mul(x, x);
  return f64x2.add(v128.load(HALF_X2), f64x2.div(cdfCentralNumv(x, z, CDF_TABLE_X2), cdfCentralDenv(z, CDF_TABLE_X2)));
}

/** Cody's middle range: Φ(−y) = e^{−y²/2}·C(y)/D(y) for 0.66291 < y ≤ √32; e = e^{−y²/2}. */
@inline
function tailMiddle(y: f64, e: f64): f64 {
  const num = (((((((C8 * y + C0) * y + C1) * y + C2) * y + C3) * y + C4) * y + C5) * y + C6) * y + C7;
  const den = (((((((y + D0) * y + D1) * y + D2) * y + D3) * y + D4) * y + D5) * y + D6) * y + D7;
  return e * (num / den);
}

@inline
function tailMiddlev(y: v128, e: v128): v128 {
  return f64x2.mul(e, f64x2.div(tailMiddleNumv(y, CDF_TABLE_X2), tailMiddleDenv(y, CDF_TABLE_X2)));
}

/** Cody's asymptotic range: Φ(−y) = e^{−y²/2}·(1/√(2π) − z·P(z)/Q(z))/y, z = 1/y², for y > √32. */
@inline
function tailFar(y: f64, e: f64): f64 {
  const z = 1.0 / (y * y);
  const num = ((((P5 * z + P0) * z + P1) * z + P2) * z + P3) * z + P4;
  const den = ((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4;
  return e * ((INV_SQRT_2PI - (z * num) / den) / y);
}

@inline
function tailFarv(y: v128, e: v128): v128 {
  const z = f64x2.div(v128.load(ONE_X2), f64x2.mul(y, y));
  let num = f64x2.add(f64x2.mul(z, v128.load(P5_X2)), v128.load(P0_X2));
  num = f64x2.add(f64x2.mul(num, z), v128.load(P1_X2));
  num = f64x2.add(f64x2.mul(num, z), v128.load(P2_X2));
  num = f64x2.add(f64x2.mul(num, z), v128.load(P3_X2));
  num = f64x2.add(f64x2.mul(num, z), v128.load(P4_X2));
  let den = f64x2.add(z, v128.load(Q0_X2));
  den = f64x2.add(f64x2.mul(den, z), v128.load(Q1_X2));
  den = f64x2.add(f64x2.mul(den, z), v128.load(Q2_X2));
  den = f64x2.add(f64x2.mul(den, z), v128.load(Q3_X2));
  den = f64x2.add(f64x2.mul(den, z), v128.load(Q4_X2));
  const r = f64x2.div(f64x2.mul(z, num), den);
  return f64x2.mul(e, f64x2.div(f64x2.sub(v128.load(INV_SQRT_2PI_X2), r), y));
}

/**
 * Φ(x) given e = e^{−x²/2} from {@link expNegHalfSquare}(|x|) (the Black-Scholes kernel already has it
 * for φ(d₁)). Cody's ANORM: central rational for |x| ≤ 0.66291, else the tail Φ(−|x|) and 1 − tail for
 * x > 0. The tail is clamped at |x| = 40, where Φ(−40) ≈ 4e-351 is already 0.
 */
@inline
export function normCdfWithExp(x: f64, e: f64): f64 {
  const y = abs<f64>(x);
  if (y <= CDF_THRESHOLD) return cdfCentral(x);
  const yc = pmin(y, NORMAL_ARG_MAX);
  const tail = yc <= CDF_ROOT32 ? tailMiddle(yc, e) : tailFar(yc, e);
  return x > 0.0 ? 1.0 - tail : tail;
}

/** √32 as a splatted pair: {@link normCdfNearv} takes |x| up to this. */
export const CDF_NEAR_MAX_X2: usize = CDF_ROOT32_X2;

// The constants of normCdfNearv as tables of splatted pairs, in two copies (see EXP_TABLE_X2 for why).
export const CDF_TABLE_X2: usize = memory.data<f64>([
  CDF_THRESHOLD, CDF_THRESHOLD, A4, A4, A0, A0, A1, A1, A2, A2, A3, A3, B0, B0, B1, B1, B2, B2, B3, B3, C8, C8, C0, C0, C1, C1, C2, C2, C3, C3, C4, C4, C5, C5, C6, C6, C7, C7, D0, D0, D1, D1, D2, D2, D3, D3, D4, D4, D5, D5, D6, D6, D7, D7, 1.0, 1.0, 0.5, 0.5,
], 16);
export const CDF_TABLE_X2_B: usize = memory.data<f64>([
  CDF_THRESHOLD, CDF_THRESHOLD, A4, A4, A0, A0, A1, A1, A2, A2, A3, A3, B0, B0, B1, B1, B2, B2, B3, B3, C8, C8, C0, C0, C1, C1, C2, C2, C3, C3, C4, C4, C5, C5, C6, C6, C7, C7, D0, D0, D1, D1, D2, D2, D3, D3, D4, D4, D5, D5, D6, D6, D7, D7, 1.0, 1.0, 0.5, 0.5,
], 16);

// normCdfNearv in pieces (numerators and denominators of the two rationals, then their combination),
// for kernels that evaluate them in separate loops to keep each loop's live values within 16 registers.

/** x·A(x²) of Cody's central rational (z = x²); `table` is CDF_TABLE_X2 or CDF_TABLE_X2_B. */
@inline
export function cdfCentralNumv(x: v128, z: v128, table: usize): v128 {
  let num = f64x2.add(f64x2.mul(z, entry(table, 1)), entry(table, 2));
  num = f64x2.add(f64x2.mul(num, z), entry(table, 3));
  num = f64x2.add(f64x2.mul(num, z), entry(table, 4));
  num = f64x2.add(f64x2.mul(num, z), entry(table, 5));
  return f64x2.mul(x, num);
}

/** B(x²) of Cody's central rational (z = x²). */
@inline
export function cdfCentralDenv(z: v128, table: usize): v128 {
  let den = f64x2.add(z, entry(table, 6));
  den = f64x2.add(f64x2.mul(den, z), entry(table, 7));
  den = f64x2.add(f64x2.mul(den, z), entry(table, 8));
  return f64x2.add(f64x2.mul(den, z), entry(table, 9));
}

/** C(y) of Cody's middle rational (y = |x|). */
@inline
export function tailMiddleNumv(y: v128, table: usize): v128 {
  let num = f64x2.add(f64x2.mul(y, entry(table, 10)), entry(table, 11));
  num = f64x2.add(f64x2.mul(num, y), entry(table, 12));
  num = f64x2.add(f64x2.mul(num, y), entry(table, 13));
  num = f64x2.add(f64x2.mul(num, y), entry(table, 14));
  num = f64x2.add(f64x2.mul(num, y), entry(table, 15));
  num = f64x2.add(f64x2.mul(num, y), entry(table, 16));
  num = f64x2.add(f64x2.mul(num, y), entry(table, 17));
  return f64x2.add(f64x2.mul(num, y), entry(table, 18));
}

/** D(y) of Cody's middle rational (y = |x|). */
@inline
export function tailMiddleDenv(y: v128, table: usize): v128 {
  let den = f64x2.add(y, entry(table, 19));
  den = f64x2.add(f64x2.mul(den, y), entry(table, 20));
  den = f64x2.add(f64x2.mul(den, y), entry(table, 21));
  den = f64x2.add(f64x2.mul(den, y), entry(table, 22));
  den = f64x2.add(f64x2.mul(den, y), entry(table, 23));
  den = f64x2.add(f64x2.mul(den, y), entry(table, 24));
  den = f64x2.add(f64x2.mul(den, y), entry(table, 25));
  return f64x2.add(f64x2.mul(den, y), entry(table, 26));
}

/**
 * Φ(x) for |x| ≤ √32 from the four pieces above and e = e^{−x²/2}: per lane the central rational
 * ½ + x·A/B for |x| ≤ 0.66291, else the tail e·C/D (and 1 − tail for x > 0), one shared division.
 */
@inline
export function cdfNearFromPartsv(x: v128, e: v128, numC: v128, denC: v128, numM: v128, denM: v128, table: usize): v128 {
  const central = f64x2.le(f64x2.abs(x), entry(table, 0));
  const q = f64x2.div(v128.bitselect(numC, numM, central), v128.bitselect(denC, denM, central));
  const tail = f64x2.mul(e, q);
  const outer = v128.bitselect(f64x2.sub(entry(table, 27), tail), tail, f64x2.gt(x, f64x2.splat(0.0)));
  return v128.bitselect(f64x2.add(q, entry(table, 28)), outer, central);
}

/**
 * Φ(x) on both lanes for |x| ≤ √32 (the caller's guarantee; far-tail lanes must use
 * {@link normCdfWithExpv}), given e = e^{−x²/2}; per lane the same operations as {@link normCdfWithExp}.
 * Branch-free: both lanes evaluate Cody's central and middle rationals, pick numerator and denominator
 * with a bit-select and share one division (a pair straddling |x| = 0.66291 is as likely as not in a
 * Black-Scholes batch, and a mispredicted branch costs more than the extra polynomial).
 * `table` is CDF_TABLE_X2 or CDF_TABLE_X2_B.
 */
@inline
export function normCdfNearv(x: v128, e: v128, table: usize): v128 {
  const y = f64x2.abs(x);
  const z = f64x2.mul(x, x);
  return cdfNearFromPartsv(
    x, e, cdfCentralNumv(x, z, table), cdfCentralDenv(z, table), tailMiddleNumv(y, table), tailMiddleDenv(y, table), table,
  );
}

/** {@link normCdfWithExp} on both lanes; every lane takes the same branch and operations as the scalar form. */
@inline
export function normCdfWithExpv(x: v128, e: v128): v128 {
  const y = f64x2.abs(x);
  const yc = f64x2.pmin(y, v128.load(NORMAL_ARG_MAX_X2));
  const middle = f64x2.le(yc, v128.load(CDF_ROOT32_X2));
  if (i64x2.all_true(middle)) return normCdfNearv(x, e, CDF_TABLE_X2);
  let tail: v128;
  if (!v128.any_true(middle)) tail = tailFarv(yc, e);
  else tail = v128.bitselect(tailMiddlev(yc, e), tailFarv(yc, e), middle);
  let result = v128.bitselect(f64x2.sub(v128.load(ONE_X2), tail), tail, f64x2.gt(x, f64x2.splat(0.0)));
  const central = f64x2.le(y, v128.load(CDF_THRESHOLD_X2));
  if (v128.any_true(central)) result = v128.bitselect(cdfCentralv(x), result, central);
  return result;
}

// ---- Φ from one rational in |x| (for the Black-Scholes kernel) ------------------------------------------
// Φ(−y) = e^{−y²/2}·R(y) for 0 ≤ y ≤ √32 with R = P/Q of degree 8/8 (Q monic), a relative least-squares
// fit (Loeb's reweighting, 50 digits) of Φ(−y)·e^{y²/2} on Chebyshev nodes of [0, √32] made by
// test/fixtures/fit-mills-rational.py: 1.4e-17 in exact arithmetic, ≤ 7.4e-16 evaluated in double by
// Horner (Cody's middle rational measures 6.8e-16 the same way). One rational over the central and middle
// ranges means no per-lane choice and one polynomial pair fewer than Cody's ANORM; Φ(y) = 1 − e·R(y)
// keeps full relative accuracy too since Φ(y) ≥ ½ there. Beyond √32, Cody's asymptotic tail as in normCdf.
const MILLS_P0: f64 = 13013.105395733;
const MILLS_P1: f64 = 14796.910272731386;
const MILLS_P2: f64 = 8475.988569361967;
const MILLS_P3: f64 = 2990.889925629931;
const MILLS_P4: f64 = 691.6345504469731;
const MILLS_P5: f64 = 104.04743621867398;
const MILLS_P6: f64 = 9.42752021084533;
const MILLS_P7: f64 = 0.39893992934771116;
const MILLS_P8: f64 = 3.602690293122617e-08;
const MILLS_Q0: f64 = 26026.210791466;
const MILLS_Q1: f64 = 50359.73231217434;
const MILLS_Q2: f64 = 44120.12464104268;
const MILLS_Q3: f64 = 22926.650555826414;
const MILLS_Q4: f64 = 7756.501907132066;
const MILLS_Q5: f64 = 1757.2457135999414;
const MILLS_Q6: f64 = 261.8120394435918;
const MILLS_Q7: f64 = 23.631102601032016;

/** P(y), the numerator of {@link normCdfMills}'s rational (lane form of millsNumv; same operations). */
@inline
export function millsNum(y: f64): f64 {
  return (((((((MILLS_P8 * y + MILLS_P7) * y + MILLS_P6) * y + MILLS_P5) * y + MILLS_P4) * y + MILLS_P3) * y
    + MILLS_P2) * y + MILLS_P1) * y + MILLS_P0;
}

/** Q(y), the denominator of {@link normCdfMills}'s rational (lane form of millsDenv; same operations). */
@inline
export function millsDen(y: f64): f64 {
  return (((((((y + MILLS_Q7) * y + MILLS_Q6) * y + MILLS_Q5) * y + MILLS_Q4) * y + MILLS_Q3) * y + MILLS_Q2) * y
    + MILLS_Q1) * y + MILLS_Q0;
}

/** R(y) ≈ Φ(−y)·e^{y²/2} for 0 ≤ y ≤ √32 (see above). */
@inline
function millsRatio(y: f64): f64 {
  const num = (((((((MILLS_P8 * y + MILLS_P7) * y + MILLS_P6) * y + MILLS_P5) * y + MILLS_P4) * y + MILLS_P3) * y
    + MILLS_P2) * y + MILLS_P1) * y + MILLS_P0;
  const den = (((((((y + MILLS_Q7) * y + MILLS_Q6) * y + MILLS_Q5) * y + MILLS_Q4) * y + MILLS_Q3) * y + MILLS_Q2) * y
    + MILLS_Q1) * y + MILLS_Q0;
  return num / den;
}

/**
 * Φ(x) given e = e^{−x²/2}: e·R(|x|) for x ≤ 0 and 1 − e·R(|x|) for x > 0 while |x| ≤ √32, Cody's
 * asymptotic tail beyond (clamped at |x| = 40 as {@link normCdfWithExp}). Relative error ≲ 1e-15.
 */
@inline
export function normCdfMills(x: f64, e: f64): f64 {
  const yc = pmin(abs<f64>(x), NORMAL_ARG_MAX);
  const tail = yc <= CDF_ROOT32 ? e * millsRatio(yc) : tailFar(yc, e);
  return x > 0.0 ? 1.0 - tail : tail;
}

/**
 * R(y) = Φ(−y)·e^{y²/2} for any y ≥ 0, without the clamp of {@link normCdfMills}: the rational above up to √32,
 * Cody's asymptotic tail (≈ 1/(y·√(2π))) beyond; ≲ 1e-15 relative. For tails whose e^{−y²/2} underflows on its
 * own while the product with a large factor does not (blackscholes.ts farWingOne).
 */
@inline
export function normTailScaled(y: f64): f64 {
  return y <= CDF_ROOT32 ? millsRatio(y) : tailFar(y, 1.0);
}

// The f64x2 form in pieces (numerator, denominator, combination) for kernels that evaluate them in
// separate loops; per lane the same operations as normCdfMills for |x| ≤ √32.
export const MILLS_TABLE_X2: usize = memory.data<f64>([
  MILLS_P0, MILLS_P0, MILLS_P1, MILLS_P1, MILLS_P2, MILLS_P2, MILLS_P3, MILLS_P3, MILLS_P4, MILLS_P4, MILLS_P5, MILLS_P5, MILLS_P6, MILLS_P6, MILLS_P7, MILLS_P7, MILLS_P8, MILLS_P8, MILLS_Q0, MILLS_Q0, MILLS_Q1, MILLS_Q1, MILLS_Q2, MILLS_Q2, MILLS_Q3, MILLS_Q3, MILLS_Q4, MILLS_Q4, MILLS_Q5, MILLS_Q5, MILLS_Q6, MILLS_Q6, MILLS_Q7, MILLS_Q7, 1.0, 1.0,
], 16);

/** P(y) of {@link normCdfMills}'s rational on both lanes (y = |x|). */
@inline
export function millsNumv(y: v128): v128 {
  let num = f64x2.add(f64x2.mul(y, entry(MILLS_TABLE_X2, 8)), entry(MILLS_TABLE_X2, 7));
  num = f64x2.add(f64x2.mul(num, y), entry(MILLS_TABLE_X2, 6));
  num = f64x2.add(f64x2.mul(num, y), entry(MILLS_TABLE_X2, 5));
  num = f64x2.add(f64x2.mul(num, y), entry(MILLS_TABLE_X2, 4));
  num = f64x2.add(f64x2.mul(num, y), entry(MILLS_TABLE_X2, 3));
  num = f64x2.add(f64x2.mul(num, y), entry(MILLS_TABLE_X2, 2));
  num = f64x2.add(f64x2.mul(num, y), entry(MILLS_TABLE_X2, 1));
  num = f64x2.add(f64x2.mul(num, y), entry(MILLS_TABLE_X2, 0));
  return num;
}

/** Q(y) of {@link normCdfMills}'s rational on both lanes (y = |x|). */
@inline
export function millsDenv(y: v128): v128 {
  let den = f64x2.add(y, entry(MILLS_TABLE_X2, 16));
  den = f64x2.add(f64x2.mul(den, y), entry(MILLS_TABLE_X2, 15));
  den = f64x2.add(f64x2.mul(den, y), entry(MILLS_TABLE_X2, 14));
  den = f64x2.add(f64x2.mul(den, y), entry(MILLS_TABLE_X2, 13));
  den = f64x2.add(f64x2.mul(den, y), entry(MILLS_TABLE_X2, 12));
  den = f64x2.add(f64x2.mul(den, y), entry(MILLS_TABLE_X2, 11));
  den = f64x2.add(f64x2.mul(den, y), entry(MILLS_TABLE_X2, 10));
  den = f64x2.add(f64x2.mul(den, y), entry(MILLS_TABLE_X2, 9));
  return den;
}

/** Φ(x) on both lanes for |x| ≤ √32 from e = e^{−x²/2} and R's numerator and denominator at |x|. */
@inline
export function cdfFromMillsv(x: v128, e: v128, num: v128, den: v128): v128 {
  const tail = f64x2.mul(e, f64x2.div(num, den));
  return v128.bitselect(f64x2.sub(entry(MILLS_TABLE_X2, 17), tail), tail, f64x2.gt(x, f64x2.splat(0.0)));
}

/** {@link normCdfMills} on both lanes; lanes beyond √32 go through the scalar form (rare). */
@inline
export function normCdfMillsv(x: v128, e: v128): v128 {
  const y = f64x2.abs(x);
  let result = cdfFromMillsv(x, e, millsNumv(y), millsDenv(y));
  const far = f64x2.gt(y, v128.load(CDF_ROOT32_X2));
  if (v128.any_true(far)) {
    if (i64x2.extract_lane(far, 0) != 0) {
      result = f64x2.replace_lane(result, 0, normCdfMills(f64x2.extract_lane(x, 0), f64x2.extract_lane(e, 0)));
    }
    if (i64x2.extract_lane(far, 1) != 0) {
      result = f64x2.replace_lane(result, 1, normCdfMills(f64x2.extract_lane(x, 1), f64x2.extract_lane(e, 1)));
    }
  }
  return result;
}

/** Standard normal distribution function Φ(x), Cody's ANORM (TOMS 715); ~1e-15 relative in the lower tail. */
@inline
export function normCdf(x: f64): f64 {
  const y = abs<f64>(x);
  if (y <= CDF_THRESHOLD) return cdfCentral(x);
  return normCdfWithExp(x, expNegHalfSquare(y));
}

/** Φ(x) on both lanes; the exponential is evaluated only when some lane is outside the central range. */
@inline
export function normCdfv(x: v128): v128 {
  const y = f64x2.abs(x);
  const central = f64x2.le(y, v128.load(CDF_THRESHOLD_X2));
  if (i64x2.all_true(central)) return cdfCentralv(x);
  return normCdfWithExpv(x, expNegHalfSquarev(y));
}
