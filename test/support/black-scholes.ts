// Independent Black-Scholes-Merton closed form for tests: erf by its Maclaurin series (|x| < 3, terms summed to
// 1e-17 relative) and erfc by its Laplace continued fraction beyond; about 1e-13 relative, far below the tolerances
// the tests use with it. Shares no code with assembly/ or bindings/.

function erf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

function erfc(x: number): number {
  if (Math.abs(x) < 3) return 1 - erf(x);
  if (x < 0) return 2 - erfc(-x);
  let f = 0;
  for (let k = 120; k >= 1; k--) f = k / 2 / (x + f);
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
}

/** Standard normal CDF. */
export const normCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);

/** BSM price of a call or put: spot s, strike k, years t, vol v, rate r, dividend q (continuous). */
export function bsm(type: "call" | "put", s: number, k: number, t: number, v: number, r = 0, q = 0): number {
  const sd = v * Math.sqrt(t);
  const d1 = (Math.log(s / k) + (r - q + 0.5 * v * v) * t) / sd;
  const d2 = d1 - sd;
  const df = Math.exp(-r * t);
  const fwd = s * Math.exp(-q * t);
  return type === "call" ? fwd * normCdf(d1) - k * df * normCdf(d2) : k * df * normCdf(-d2) - fwd * normCdf(-d1);
}
