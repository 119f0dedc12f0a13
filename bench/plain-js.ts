// Plain-JavaScript Black-Scholes-Merton price + greeks and Newton implied volatility over Float64Array
// columns: the honest baseline the WASM core is measured against. Written the way a careful JS author
// would write it for speed (monomorphic loops over typed arrays, no allocation per option, shared
// exponentials), with the same conventions as the WASM pricer (DESIGN.md):
//   vega per 1.00 of vol, theta = ∂V/∂t as calendar time passes (per year), rho per 1.00 of rate,
//   continuous dividend yield q.
// Normal CDF: W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23
// (1969) — the same approximation the WASM core uses, so the comparison is like for like; one exp per
// call, shared with the normal density where both are needed.

/** Struct-of-arrays inputs, one element per option; `type` is +1 for a call and −1 for a put. */
export interface PlainOptionColumns {
  type: Float64Array;
  spot: Float64Array;
  strike: Float64Array;
  /** Years. */
  expiry: Float64Array;
  /** Annualised volatility (0.2 = 20%). */
  vol: Float64Array;
  /** Continuously compounded. */
  rate: Float64Array;
  /** Continuously compounded dividend yield. */
  dividend: Float64Array;
}

/** Output columns, caller-allocated with the batch length. */
export interface PlainGreeksColumns {
  price: Float64Array;
  delta: Float64Array;
  gamma: Float64Array;
  vega: Float64Array;
  theta: Float64Array;
  rho: Float64Array;
}

/** Implied-vol inputs: option columns with `price` (discounted) instead of `vol`. */
export interface PlainImpliedVolColumns {
  type: Float64Array;
  price: Float64Array;
  spot: Float64Array;
  strike: Float64Array;
  expiry: Float64Array;
  rate: Float64Array;
  dividend: Float64Array;
}

/** Implied-vol outputs, caller-allocated; status codes as ImpliedVolStatus (0 ok, 1 below intrinsic, 2 above max, 3 at intrinsic). */
export interface PlainImpliedVolOutput {
  vol: Float64Array;
  status: Int32Array;
  iterations: Int32Array;
}

const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)
const SQRT1_2 = 0.7071067811865476; // 1/√2
const INV_SQRT_PI = 0.5641895835477563; // 1/√π

/**
 * erfcx(y) = exp(y²)·erfc(y) for y ≥ 0.46875, Cody's rational Chebyshev approximations: 0.46875..4
 * (his C/D coefficients) and y > 4 (P/Q, in 1/y²). Relative error ~1e-16.
 */
function erfcxTail(y: number): number {
  if (y <= 4) {
    const num = ((((((((2.15311535474403846e-8 * y + 0.564188496988670089) * y + 8.88314979438837594) * y
      + 66.1191906371416295) * y + 298.635138197400131) * y + 881.95222124176909) * y + 1712.04761263407058) * y
      + 2051.07837782607147) * y) + 1230.33935479799725;
    const den = (((((((y + 15.7449261107098347) * y + 117.693950891312499) * y + 537.181101862009858) * y
      + 1621.38957456669019) * y + 3290.79923573345963) * y + 4362.61909014324716) * y + 3439.36767414372164) * y
      + 1230.33935480374942;
    return num / den;
  }
  const z = 1 / (y * y);
  const num = ((((0.0163153871373020978 * z + 0.305326634961232344) * z + 0.360344899949804439) * z
    + 0.125781726111229246) * z + 0.0160837851487422766) * z + 6.58749161529837803e-4;
  const den = ((((z + 2.56852019228982242) * z + 1.87295284992346047) * z + 0.527905102951428412) * z
    + 0.0605183413124413191) * z + 0.00233520497626869185;
  return (INV_SQRT_PI - (z * num) / den) / y;
}

/**
 * Φ(x) given e = exp(−x²/2), so callers that also need φ(x) = e/√(2π) pay for one exp only.
 * Cody (1969): Φ(x) = ½(1 + erf(x/√2)) near 0 (his A/B coefficients, |x/√2| ≤ 0.46875), otherwise
 * the tail ½·erfc(|x|/√2) = ½·e·erfcx(|x|/√2). Relative error of the tail ~(1 + x²/2)·ε (from e).
 */
function normCdfWithExp(x: number, e: number): number {
  const y = (x < 0 ? -x : x) * SQRT1_2;
  if (y <= 0.46875) {
    const u = x * SQRT1_2;
    const z = u * u;
    const num = (((0.185777706184603153 * z + 3.1611237438705656) * z + 113.864154151050156) * z
      + 377.485237685302021) * z + 3209.37758913846947;
    const den = (((z + 23.6012909523441209) * z + 244.024637934444173) * z + 1282.61652607737228) * z
      + 2844.23683343917062;
    return 0.5 + (0.5 * u * num) / den;
  }
  const tail = 0.5 * e * erfcxTail(y);
  return x > 0 ? 1 - tail : tail;
}

/** Standard normal CDF Φ(x) (Cody's erfc), relative error ≲ (1 + x²/2)·1e-16 for x < 0. */
export function normCdf(x: number): number {
  return normCdfWithExp(x, Math.exp(-0.5 * x * x));
}

/**
 * Black-Scholes-Merton price and greeks for n options, plain JS.
 * With ω = ±1 (call/put), F-free form: d1 = (ln(S/K) + (r − q + σ²/2)T)/(σ√T), d2 = d1 − σ√T,
 *   price = ω(S e^{−qT} Φ(ωd1) − K e^{−rT} Φ(ωd2)), delta = ω e^{−qT} Φ(ωd1),
 *   gamma = e^{−qT} φ(d1)/(Sσ√T), vega = S e^{−qT} φ(d1) √T,
 *   theta = −S e^{−qT} φ(d1) σ/(2√T) − ω r K e^{−rT} Φ(ωd2) + ω q S e^{−qT} Φ(ωd1),
 *   rho = ω K T e^{−rT} Φ(ωd2).
 */
export function blackScholesPlain(n: number, input: PlainOptionColumns, out: PlainGreeksColumns): void {
  const { type, spot, strike, expiry, vol, rate, dividend } = input;
  const { price, delta, gamma, vega, theta, rho } = out;
  for (let i = 0; i < n; i++) {
    const w = type[i];
    const s = spot[i];
    const k = strike[i];
    const t = expiry[i];
    const v = vol[i];
    const r = rate[i];
    const q = dividend[i];
    const sqrtT = Math.sqrt(t);
    const vst = v * sqrtT;
    const d1 = (Math.log(s / k) + (r - q) * t) / vst + 0.5 * vst;
    const d2 = d1 - vst;
    const e1 = Math.exp(-0.5 * d1 * d1);
    const nd1 = normCdfWithExp(w * d1, e1);
    const nd2 = normCdf(w * d2);
    const eq = Math.exp(-q * t);
    const sq = s * eq;
    const kr = k * Math.exp(-r * t);
    const sqPdf = sq * e1 * INV_SQRT_2PI;
    const sqN1 = sq * nd1;
    const krN2 = kr * nd2;
    price[i] = w * (sqN1 - krN2);
    delta[i] = w * eq * nd1;
    gamma[i] = sqPdf / (s * s * vst);
    vega[i] = sqPdf * sqrtT;
    theta[i] = (-sqPdf * v) / (2 * sqrtT) + w * (q * sqN1 - r * krN2);
    rho[i] = w * t * krN2;
  }
}

/** Newton stops when the vol step is below this (absolute, vol units): converged quadratically to ~1e-15 after. */
const NEWTON_TOLERANCE = 1e-12;
/** Iteration cap: Newton from the inflection point converges monotonically, so this only guards pathological inputs. */
const NEWTON_MAX_ITERATIONS = 100;

/**
 * Implied volatility by Newton-Raphson on the undiscounted Black price in σ, plain JS.
 * Start at the inflection point σ* = √(2|ln(F/K)|/T) of the price in σ (Manaster & Koehler 1982's
 * idea; price is convex below σ*, concave above), from which Newton converges monotonically.
 * Stops when |Δσ| < 1e-12 or after 100 iterations. Prices outside (intrinsic, upper bound) give NaN and
 * a status code, as the WASM pricer does.
 */
export function impliedVolPlain(n: number, input: PlainImpliedVolColumns, out: PlainImpliedVolOutput): void {
  const { type, price, spot, strike, expiry, rate, dividend } = input;
  const { vol, status, iterations } = out;
  for (let i = 0; i < n; i++) {
    const w = type[i];
    const k = strike[i];
    const t = expiry[i];
    const discount = Math.exp(-rate[i] * t);
    const f = spot[i] * Math.exp((rate[i] - dividend[i]) * t);
    const target = price[i] / discount; // undiscounted
    const intrinsic = Math.max(w * (f - k), 0);
    const upper = w > 0 ? f : k;
    iterations[i] = 0;
    if (target < intrinsic) {
      vol[i] = NaN;
      status[i] = 1;
      continue;
    }
    if (target >= upper) {
      vol[i] = NaN;
      status[i] = 2;
      continue;
    }
    if (target === intrinsic) {
      vol[i] = 0;
      status[i] = 3;
      continue;
    }
    const x = Math.log(f / k);
    const sqrtT = Math.sqrt(t);
    let sigma = Math.sqrt((2 * Math.abs(x)) / t);
    if (sigma < 1e-3) sigma = 1e-3; // ATM: the inflection point is 0 where d1 is undefined; price is concave there anyway
    let iter = 0;
    for (; iter < NEWTON_MAX_ITERATIONS; iter++) {
      const vst = sigma * sqrtT;
      const d1 = x / vst + 0.5 * vst;
      const d2 = d1 - vst;
      const e1 = Math.exp(-0.5 * d1 * d1);
      const model = w * (f * normCdfWithExp(w * d1, e1) - k * normCdf(w * d2));
      const vega = f * e1 * INV_SQRT_2PI * sqrtT;
      const step = (model - target) / vega;
      sigma -= step;
      if (!(sigma > 0)) sigma = 0.5 * (sigma + step); // never leave the domain: halve towards the last iterate
      if (Math.abs(step) < NEWTON_TOLERANCE) {
        iter++;
        break;
      }
    }
    vol[i] = sigma;
    status[i] = 0;
    iterations[i] = iter;
  }
}
