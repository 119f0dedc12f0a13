// Column-wise access to the elementary functions of assembly/math.ts, so tests can check both the
// f64x2 forms (SIMD build) and the scalar forms (scalar build) against references.
import {
  exp, expv, log, logv, normPdf, normPdfv, normCdf, normCdfv, normCdfMills, normCdfMillsv, expNegHalfSquare,
  expNegHalfSquarev,
} from "./math";
import { expTable, expTablev } from "./exp_table";
import { logUnit, logUnitv, minusTwoLogWord, minusTwoLogWordv } from "./log_table";
import { turnCosSinScaled, turnCosSinScaledv } from "./trig";

/** Selects the function applied by mathBatch. */
export const MATH_EXP: i32 = 0;
export const MATH_LOG: i32 = 1;
export const MATH_NORM_PDF: i32 = 2;
export const MATH_NORM_CDF: i32 = 3;
/** Φ by normCdfMills (the Black-Scholes kernel's form) with e^{−x²/2} from expNegHalfSquare. */
export const MATH_NORM_CDF_MILLS: i32 = 4;
/** exp_table.ts's expTable (|x| ≤ 708 only: the Monte Carlo Asian's exp per date). */
export const MATH_EXP_TABLE: i32 = 5;
/** log_table.ts's logUnit (positive normal x < 1 only: Box-Muller's radius). */
export const MATH_LOG_UNIT: i32 = 6;
/** log_table.ts's minusTwoLogWord (v = word + ½ only: −2 ln(v·2⁻³²), Box-Muller's squared radius). */
export const MATH_MINUS_TWO_LOG_WORD: i32 = 7;

@inline
function applyOne(fn: i32, x: f64): f64 {
  if (fn == MATH_EXP) return exp(x);
  if (fn == MATH_LOG) return log(x);
  if (fn == MATH_NORM_PDF) return normPdf(x);
  if (fn == MATH_NORM_CDF_MILLS) return normCdfMills(x, expNegHalfSquare(abs<f64>(x)));
  if (fn == MATH_EXP_TABLE) return expTable(x);
  if (fn == MATH_LOG_UNIT) return logUnit(x);
  if (fn == MATH_MINUS_TWO_LOG_WORD) return minusTwoLogWord(x);
  return normCdf(x);
}

@inline
function applyTwo(fn: i32, x: v128): v128 {
  if (fn == MATH_EXP) return expv(x);
  if (fn == MATH_LOG) return logv(x);
  if (fn == MATH_NORM_PDF) return normPdfv(x);
  if (fn == MATH_NORM_CDF_MILLS) return normCdfMillsv(x, expNegHalfSquarev(f64x2.abs(x)));
  if (fn == MATH_EXP_TABLE) return expTablev(x);
  if (fn == MATH_LOG_UNIT) return logUnitv(x);
  if (fn == MATH_MINUS_TWO_LOG_WORD) return minusTwoLogWordv(x);
  return normCdfv(x);
}

/**
 * output[i] = f(input[i]) for n f64 values at byte offsets input/output; f is exp, log, φ or Φ
 * (fn = MATH_EXP, MATH_LOG, MATH_NORM_PDF, MATH_NORM_CDF, MATH_NORM_CDF_MILLS, MATH_EXP_TABLE, MATH_LOG_UNIT, MATH_MINUS_TWO_LOG_WORD). Pairs go through the f64x2 forms in the SIMD build.
 */
export function mathBatch(fn: i32, n: i32, input: usize, output: usize): void {
  let i: i32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 1 < n; i += 2) {
      const o = <usize>i << 3;
      v128.store(output + o, applyTwo(fn, v128.load(input + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    store<f64>(output + o, applyOne(fn, load<f64>(input + o)));
  }
}

/**
 * trig.ts's cos and sin of a turn: for n words (u32 values stored as f64) at input, writes (cos 2πu, sin 2πu),
 * u = (word + ½)·2⁻³², as two f64 per word at output; pairs of words go through the f64x2 form in the SIMD build.
 */
export function turnCosSinBatch(n: i32, input: usize, output: usize): void {
  let i: i32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 1 < n; i += 2) {
      const words = i32x4(<u32>load<f64>(input + (<usize>i << 3)), <u32>load<f64>(input + (<usize>i << 3), 8), 0, 0);
      turnCosSinScaledv(words, f64x2.splat(1.0), output + (<usize>i << 4), output + (<usize>i << 4) + 16);
    }
  }
  for (; i < n; i++) turnCosSinScaled(<u32>load<f64>(input + (<usize>i << 3)), 1.0, output + (<usize>i << 4));
}
