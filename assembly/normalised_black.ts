// The normalised Black function of P. Jäckel, "Let's Be Rational", Wilmott (2015) 40–53:
//   b(x,s) = Φ(x/s + s/2)·e^{x/2} − Φ(x/s − s/2)·e^{−x/2},   x = ln(F/K), s = σ√T,
// so that an undiscounted call is √(F·K)·b(x,s) and a put is √(F·K)·b(−x,s).
// With h = x/s, t = s/2 and E = e^{−(h²+t²)/2} it is evaluated out of the money (x ≤ 0) in one of three
// regions chosen so that the result keeps full relative accuracy even when it is as small as 1e-300:
//   1. h < −10 and h + t < −10 + τ: asymptotic expansion of Y(h+t) − Y(h−t), Y := Φ/φ (A&S 26.2.12);
//   2. t < τ := 2·ε^{1/16}: Taylor expansion of Y(h+t) − Y(h−t) in t;
//   3. otherwise Φ(z) = ½·e^{−z²/2}·erfcx(−z/√2) with e^{−(h±t)²/2}·e^{±x/2} = E gives
//      b = ½·E·[erfcx(−(h+t)/√2) − erfcx((t−h)/√2)]              for h + t < 0 (Jäckel's region 4),
//      b = e^{x/2} − ½·E·[erfcx((h+t)/√2) + erfcx((t−h)/√2)]    for h + t ≥ 0 (his regions 3 and 4),
//      which needs one exponential (E) besides e^{x/2} and erfcx only at non-negative arguments.
// The vega ∂b/∂s = φ(h+t)·e^{x/2} = E/√(2π) comes with every region at no extra cost.
// In-the-money calls are intrinsic + the out-of-the-money value: b(x,s) = (e^{x/2} − e^{−x/2}) + b(−x,s).

import { erfcx, ONE_OVER_SQRT_TWO } from "./erf_cody";
import { INV_SQRT_2PI } from "./math";

// Below this magnitude numbers are subnormal (DBL_MIN); Jäckel's "denormalisation cutoff".
const DENORMALIZATION_CUTOFF: f64 = 2.2250738585072014e-308;
// η: the asymptotic expansion is used for h < η.
const ASYMPTOTIC_EXPANSION_THRESHOLD: f64 = -10.0;
// τ = 2·ε^{1/16} ≈ 0.2102: the 12th-order small-t expansion is exact to ε below it.
const SMALL_T_THRESHOLD: f64 = 0.21022410381342863;
const SQRT_TWO_PI: f64 = 2.5066282746310005024157652848110452530069867;
const SQRT_DBL_MIN: f64 = 1.4916681462400413e-154;

// Dekker's splitter 2^27 + 1 for exact products without FMA.
const SPLITTER: f64 = 134217729.0;

// h² + t² = squareSum + squareSumLo in double-double, set by splitSquareSum (module state, single-threaded kernels).
let squareSum: f64 = 0.0;
let squareSumLo: f64 = 0.0;

/**
 * h² + t² with h = x/s, t = s/2 in double-double (Dekker's exact product, Knuth's two-sum, and the exact residual of
 * x/s), because rounding h alone would cost h²·ε (absolute) in the exponent (1e-13 relative at h = −30). Needs
 * |h| < 1e150 (finite splits).
 */
@inline
function splitSquareSum(x: f64, s: f64, h: f64, t: f64): void {
  // h·s = p + pe exactly; then x − h·s = (x − p) − pe exactly (Sterbenz) and h_lo = (x − h·s)/s.
  let c = SPLITTER * h;
  const hHi = c - (c - h);
  const hLo = h - hHi;
  c = SPLITTER * s;
  const sHi = c - (c - s);
  const sLo = s - sHi;
  const p = h * s;
  const pe = ((hHi * sHi - p) + hHi * sLo + hLo * sHi) + hLo * sLo;
  const hResidual = ((x - p) - pe) / s;
  // h² = q + qe exactly, t² = u + ue exactly (t = s/2 splits like s).
  const q = h * h;
  const qe = ((hHi * hHi - q) + 2.0 * hHi * hLo) + hLo * hLo;
  const tHi = 0.5 * sHi;
  const tLo = 0.5 * sLo;
  const u = t * t;
  const ue = ((tHi * tHi - u) + 2.0 * tHi * tLo) + tLo * tLo;
  const sum = q + u;
  const bv = sum - q;
  const sumErr = (q - (sum - bv)) + (u - bv);
  squareSum = sum;
  squareSumLo = sumErr + qe + ue + 2.0 * h * hResidual;
}

/**
 * e^{−(h² + t²)/2} with h = x/s, t = s/2, the common factor of all regions, from the double-double exponent of
 * splitSquareSum; the low part enters as e^{−lo} ≈ 1 − lo.
 */
@inline
function expMinusHalfHSquaredPlusTSquared(x: f64, s: f64): f64 {
  const h = x / s;
  const t = 0.5 * s;
  const halfSum = 0.5 * (h * h + t * t);
  // Below 1 the rounding of h and h² moves the exponent by at most ~2ε (absolute): no double-double needed.
  if (halfSum < 1.0) return Math.exp(-halfSum);
  if (halfSum > 750.0) return 0.0; // e^{−750} underflows; also keeps the splits below finite
  splitSquareSum(x, s, h, t);
  return Math.exp(-0.5 * squareSum) * (1.0 - 0.5 * squareSumLo);
}

/**
 * Normalised intrinsic value of a call, e^{x/2} − e^{−x/2} = 2·sinh(x/2) for x > 0 (0 otherwise).
 * sinh is computed through expm1 (musl), which avoids the cancellation of the two exponentials for small x.
 */
@inline
export function normalisedIntrinsicCall(x: f64): f64 {
  if (x <= 0.0) return 0.0;
  return 2.0 * Math.sinh(0.5 * x);
}

// Coefficients 2(−1)ᵏ(2k−1)!!·C(2k+1, 2m+1) of qᵏeᵐ in A(h,t), k = 0…17, m = 0…k (row k starts at k(k+1)/2).
// Exact integers (rounded to double above 2^53), generated from the closed form in the comment below.
const ASYMPTOTIC_COEFFICIENTS = memory.data<f64>([
  2.0,
  -6.0, -2.0,
  30.0, 60.0, 6.0,
  -210.0, -1050.0, -630.0, -30.0,
  1890.0, 17640.0, 26460.0, 7560.0, 210.0,
  -20790.0, -311850.0, -873180.0, -623700.0, -103950.0, -1890.0,
  270270.0, 5945940.0, 26756730.0, 35675640.0, 14864850.0, 1621620.0, 20790.0,
  -4054050.0, -122972850.0, -811620810.0, -1739187450.0, -1352701350.0, -368918550.0, -28378350.0, -270270.0,
  68918850.0, 2756754000.0, 25086461400.0, 78843164400.0, 98553955500.0, 50172922800.0, 9648639000.0, 551350800.0, 4054050.0,
  -1309458150.0, -66782365650.0, -801388387800.0, -3472683013800.0, -6366585525300.0, -5209024520700.0, -1869906238200.0, -267129462600.0, -11785123350.0, -68918850.0,
  27498621150.0, 1741579339500.0, 26646163894350.0, 152263793682000.0, 384889034029500.0, 461866840835400.0, 266461638943500.0, 71056437051600.0, 7837107027750.0, 274986211500.0, 1309458150.0,
  -632468286450.0, -48700058056650.0, -925301103076350.0, -6741479465270550.0, -22471598217568500, -37180280687249696, -31460237504595900, -13482958930541100, -2775903309229050.0, -243500290283250.0, -6957151150950.0, -27498621150.0,
  15811707161250.0, 1454677058835000.0, 33603040059088500, 3.0402750529651501e+17, 1.2921168975101888e+18, 2.81916414002223e+18, 3.2890248300259348e+18, 2.0673870360163021e+18, 6.8406188691715878e+17, 1.1201013353029501e+17, 8000723823592500.0, 189740485935000.0, 632468286450.0,
  -426916093353750.0, -46249243446656248, -1.2764791191277125e+18, -1.4041270310404837e+19, -7.4106704416025526e+19, -2.0615137773912556e+20, -3.1715596575250088e+20, -2.7486850365216742e+20, -1.3339206794884596e+20, -3.5103175776012095e+19, -4.6804234368016128e+18, -2.774954606799375e+17, -5549909213598750.0, -15811707161250.0,
  12380566707258750, 1.5599514051146025e+18, 5.0698420666224583e+19, 6.6632210018466595e+20, 4.2755668095182732e+21, 1.477013988742676e+22, 2.8972197471490954e+22, 3.3111082824561091e+22, 2.2155209831140142e+22, 8.5511336190365464e+21, 1.8323857755078313e+21, 2.0279368266489833e+20, 1.0139684133244916e+19, 1.733279339016225e+17, 426916093353750.0,
  -3.8379756792502125e+17, -5.5650647349128077e+19, -2.1035944697970415e+21, -3.2555628699239928e+22, -2.4959315336083945e+23, -1.0482912441155257e+24, -2.5535299536147421e+24, -3.7208579324100528e+24, -3.2831099403618111e+24, -1.7471520735258761e+24, -5.4910493739384675e+23, -9.7666886097719788e+22, -9.1155760357871798e+21, -3.8955453144389655e+20, -5.7569635188753183e+18, -12380566707258750,
  1.2665319741525701e+19, 2.0939995305989159e+21, 9.1088979581052849e+22, 1.6396016324589512e+24, 1.4801959181921086e+25, 7.4278922440185816e+25, 2.1997988568824262e+26, 3.9805884076920094e+26, 4.4781619586535107e+26, 3.1425697955463229e+26, 1.36178024473674e+26, 3.5524702036610607e+25, 5.3287053054915915e+24, 4.2508190471157993e+23, 1.570499647949187e+22, 2.0264511586441121e+20, 3.8379756792502125e+17,
  -4.4328619095339952e+20, -8.2894517708285719e+22, -4.1115680783309717e+24, -8.5168195908284406e+25, -8.9426605703698626e+26, -5.2842994279458279e+27, -1.8698290283500622e+28, -4.1136238623701368e+28, -5.7469745136053382e+28, -5.1420298279626713e+28, -2.9383027588358121e+28, -1.0568598855891656e+28, -2.3250917482961643e+27, -2.9808868567899543e+26, -2.0557840391654858e+25, -6.6315614166628575e+23, -7.5358652462077921e+21, -1.2665319741525701e+19,
]);

/**
 * Region 1: asymptotic expansion for h ≪ 0 (Jäckel 2015, section 3):
 *   b = e^{−(h²+t²)/2}/√(2π) · (t/r) · A,  r = (h+t)(h−t),  A = Σₖ 2(−1)ᵏ(2k−1)!! qᵏ Σₘ C(2k+1,2m+1) eᵐ,
 * with q = (h/r)², e = (t/h)²; it follows from Y(z) ~ −1/z·Σ(−1)ᵏ(2k−1)!!/z²ᵏ (A&S 26.2.12) and
 * (h−t)^{−n} − (h+t)^{−n} = [(h+t)ⁿ − (h−t)ⁿ]/rⁿ. Terms k = 0…17 give 1.6e-16 relative accuracy for h ≤ −10;
 * the sum stops early once a term falls below ε/8 of it (the terms shrink like (2k−1)!!/(|h|−t)^{2k}).
 */
@inline
function asymptoticExpansionOfNormalisedBlackCall(x: f64, s: f64, E: f64): f64 {
  const h = x / s;
  const t = 0.5 * s;
  const e = (t / h) * (t / h);
  const r = (h + t) * (h - t);
  const q = (h / r) * (h / r);
  let sum: f64 = 2.0;
  let qk: f64 = 1.0;
  for (let k = 1; k <= 17; k++) {
    qk *= q;
    const row = ASYMPTOTIC_COEFFICIENTS + ((<usize>(k * (k + 1)) >> 1) << 3);
    let inner = load<f64>(row + (<usize>k << 3));
    for (let m = k - 1; m >= 0; m--) inner = inner * e + load<f64>(row + (<usize>m << 3));
    const term = qk * inner;
    sum += term;
    if (Math.abs(term) < 2.7755575615628914e-17 * sum) break;
  }
  const b = INV_SQRT_2PI * E * (t / r) * sum;
  return Math.abs(Math.max(b, 0.0));
}

/**
 * Region 2: small-t expansion (Jäckel 2015, section 3): Y(h+t) − Y(h−t) = 2·Σ_{odd n ≤ 13} Y⁽ⁿ⁾(h)·tⁿ/n!,
 * where Y = Φ/φ satisfies Y' = 1 + zY, hence Y⁽ⁿ⁺¹⁾ = z·Y⁽ⁿ⁾ + n·Y⁽ⁿ⁻¹⁾. Written in a := 1 + h·Y(h) and h²
 * (h·Y = a − 1 removes the odd powers of h); exact to ε for h ≤ 0, t < τ.
 */
@inline
function smallTExpansionOfNormalisedBlackCall(x: f64, s: f64, E: f64): f64 {
  const h = x / s;
  const t = 0.5 * s;
  // Y(h) = √(π/2)·erfcx(−h/√2)
  const a = 1.0 + h * (0.5 * SQRT_TWO_PI) * erfcx(-ONE_OVER_SQRT_TWO * h);
  const w = t * t;
  const h2 = h * h;
  // Coefficients Y⁽²ʲ⁺¹⁾(h)/(2j+1)! as polynomials in a and h² (j = 1…6).
  const c1 = (-1.0 + 3.0 * a + a * h2) * (1.0 / 6.0);
  const c2 = (-7.0 + 15.0 * a + h2 * (-1.0 + 10.0 * a + a * h2)) * (1.0 / 120.0);
  const c3 = (-57.0 + 105.0 * a + h2 * (-18.0 + 105.0 * a + h2 * (-1.0 + 21.0 * a + a * h2))) * (1.0 / 5040.0);
  const c4 = (-561.0 + 945.0 * a + h2 * (-285.0 + 1260.0 * a + h2 * (-33.0 + 378.0 * a + h2 * (-1.0 + 36.0 * a + a * h2)))) * (1.0 / 362880.0);
  const c5 =
    (-6555.0 + 10395.0 * a + h2 * (-4680.0 + 17325.0 * a + h2 * (-840.0 + 6930.0 * a + h2 * (-52.0 + 990.0 * a + h2 * (-1.0 + 55.0 * a + a * h2))))) *
    (1.0 / 39916800.0);
  const c6 =
    (-89055.0 + 135135.0 * a + h2 * (-82845.0 + 270270.0 * a + h2 * (-20370.0 + 135135.0 * a + h2 * (-1926.0 + 25740.0 * a + h2 * (-75.0 + 2145.0 * a + h2 * (-1.0 + 78.0 * a + a * h2)))))) *
    (1.0 / 6227020800.0);
  const expansion = 2.0 * t * (a + w * (c1 + w * (c2 + w * (c3 + w * (c4 + w * (c5 + w * c6))))));
  const b = INV_SQRT_2PI * E * expansion;
  return Math.abs(Math.max(b, 0.0));
}

// ∂b/∂s of the last normalisedBlackCallOutOfTheMoney call (module state: the kernels are single-threaded).
let outVega: f64 = 0.0;

/** Vega ∂b/∂s that the last normalisedBlackCallOutOfTheMoney call computed along with b. */
@inline
export function lastNormalisedVega(): f64 {
  return outVega;
}

/** Region 1 of the header: h < η and t < τ + |h| − |η|, written without dividing by s. */
@inline
function inAsymptoticRegion(x: f64, s: f64): bool {
  return x < s * ASYMPTOTIC_EXPANSION_THRESHOLD && 0.5 * s * s + x < s * (SMALL_T_THRESHOLD + ASYMPTOTIC_EXPANSION_THRESHOLD);
}

/**
 * b(x, s)/E with E = e^{−(h²+t²)/2}, for x < 0 and h + t < 0 (both Φ terms in their lower tails): the same three
 * regions as normalisedBlackCallOutOfTheMoney with E = 1 (region 3 in its h + t < 0 form), so the caller can carry
 * the exponential scaled when E itself underflows (blackscholes.ts farWingOne: a price e^{−rT}·√(F·K)·E·b/E of
 * 1e-261 with E = 1e-312). Relative accuracy as b's, ~1e-15.
 */
export function normalisedBlackCallOverExponential(x: f64, s: f64): f64 {
  if (inAsymptoticRegion(x, s)) return asymptoticExpansionOfNormalisedBlackCall(x, s, 1.0);
  if (0.5 * s < SMALL_T_THRESHOLD) return smallTExpansionOfNormalisedBlackCall(x, s, 1.0);
  const hPlusT = ONE_OVER_SQRT_TWO * (x / s + 0.5 * s);
  const tMinusH = ONE_OVER_SQRT_TWO * (0.5 * s - x / s);
  return Math.abs(Math.max(0.5 * (erfcx(-hPlusT) - erfcx(tMinusH)), 0.0));
}

// b'/b of the last logNormalisedBlackCallOutOfTheMoney call.
let outVegaOverB: f64 = 0.0;

/** b'/b (per unit of s) that the last logNormalisedBlackCallOutOfTheMoney call computed along with ln b. */
@inline
export function lastNormalisedVegaOverB(): f64 {
  return outVegaOverB;
}

/**
 * ln b(x, s) for x < −s²/2 (h + t < 0), where b may be far below the double range (implied vol of a price whose
 * normalised value is subnormal): ln b = −(h² + t²)/2 + ln(b/E), the exponent in double-double (splitSquareSum)
 * and b/E from normalisedBlackCallOverExponential; sets b'/b = 1/(√(2π)·b/E). Absolute error ~ε·(1 + |ln b|·2^−50).
 * Returns −∞ (and b'/b = +∞) where |x/s| ≥ 1e150.
 */
export function logNormalisedBlackCallOutOfTheMoney(x: f64, s: f64): f64 {
  const h = x / s;
  if (!(Math.abs(h) < 1e150)) {
    outVegaOverB = Infinity;
    return -Infinity;
  }
  const bOverE = normalisedBlackCallOverExponential(x, s);
  splitSquareSum(x, s, h, 0.5 * s);
  outVegaOverB = INV_SQRT_2PI / bOverE;
  return (-0.5 * squareSum - 0.5 * squareSumLo) + Math.log(bOverE);
}

/**
 * The out-of-the-money (x ≤ 0) normalised call b(x, s) over the three regions of the header, with
 * bMax = e^{x/2} supplied by the caller; sets the vega E/√(2π) read by lastNormalisedVega().
 */
export function normalisedBlackCallOutOfTheMoney(x: f64, s: f64, bMax: f64): f64 {
  if (s <= -x * DENORMALIZATION_CUTOFF) {
    outVega = 0.0;
    return 0.0;
  }
  const E = expMinusHalfHSquaredPlusTSquared(x, s);
  outVega = INV_SQRT_2PI * E;
  if (inAsymptoticRegion(x, s)) return asymptoticExpansionOfNormalisedBlackCall(x, s, E);
  if (0.5 * s < SMALL_T_THRESHOLD) return smallTExpansionOfNormalisedBlackCall(x, s, E);
  const h = x / s;
  const t = 0.5 * s;
  const hPlusT = ONE_OVER_SQRT_TWO * (h + t);
  const tMinusH = ONE_OVER_SQRT_TWO * (t - h);
  let b: f64;
  if (hPlusT < 0.0) b = 0.5 * E * (erfcx(-hPlusT) - erfcx(tMinusH));
  else b = bMax - 0.5 * E * (erfcx(hPlusT) + erfcx(tMinusH));
  return Math.abs(Math.max(b, 0.0));
}

/**
 * Jäckel's normalised Black call b(x, s) = Φ(x/s + s/2)·e^{x/2} − Φ(x/s − s/2)·e^{−x/2}.
 * @param x log-moneyness ln(F/K) (dimensionless)
 * @param s total standard deviation σ·√T (dimensionless, ≥ 0)
 * @returns undiscounted call price divided by √(F·K); relative accuracy ~1e-15 down to ~1e-300.
 */
export function normalisedBlackCall(x: f64, s: f64): f64 {
  const otm = -Math.abs(x);
  const b = normalisedBlackCallOutOfTheMoney(otm, s, Math.exp(0.5 * otm));
  return x > 0.0 ? normalisedIntrinsicCall(x) + b : b;
}

/**
 * Normalised vega ∂b/∂s = φ(x/s + s/2)·e^{x/2} = e^{−(x²/s² + s²/4)/2}/√(2π) (dimensionless).
 * Returns 0 where x/s overflows.
 */
export function normalisedVega(x: f64, s: f64): f64 {
  const ax = Math.abs(x);
  if (ax <= 0.0) return INV_SQRT_2PI * Math.exp(-0.125 * s * s);
  if (s <= 0.0 || s <= ax * SQRT_DBL_MIN) return 0.0;
  const h = x / s;
  const t = 0.5 * s;
  return INV_SQRT_2PI * Math.exp(-0.5 * (h * h + t * t));
}
