// Plain-JavaScript vol lookup on raw SVI slices: the baseline of the "surface" suite. The same rules as
// assembly/surface.ts (w linear in T between expiries, (T/T_1)·w_1 before, λ·w_n(k/λ) after), written as a
// careful JS author would: struct-of-arrays parameters, a binary search per point, no allocation per point.

/** Raw SVI slices as columns (years increasing). */
export interface PlainSviColumns {
  years: Float64Array;
  a: Float64Array;
  b: Float64Array;
  rho: Float64Array;
  m: Float64Array;
  sigma: Float64Array;
}

function sviW(s: PlainSviColumns, i: number, k: number): number {
  const x = k - s.m[i]!;
  const sigma = s.sigma[i]!;
  return s.a[i]! + s.b[i]! * (s.rho[i]! * x + Math.sqrt(x * x + sigma * sigma));
}

/** Index j with years[j] ≤ T < years[j + 1] (−1 before the first, n − 1 from the last on). */
function locate(years: Float64Array, t: number): number {
  let lo = 0;
  let hi = years.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (years[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** vol[i] = √(w(k[i], T[i])/T[i]) for every point. */
export function sviVolPlain(s: PlainSviColumns, k: Float64Array, years: Float64Array, vol: Float64Array): void {
  const n = s.years.length;
  for (let i = 0; i < k.length; i++) {
    const t = years[i]!;
    const j = locate(s.years, t);
    let w: number;
    if (j < 0) w = (t / s.years[0]!) * sviW(s, 0, k[i]!);
    else if (j >= n - 1) {
      const scale = t / s.years[n - 1]!;
      w = scale * sviW(s, n - 1, k[i]! / scale);
    } else {
      const alpha = (t - s.years[j]!) / (s.years[j + 1]! - s.years[j]!);
      const w0 = sviW(s, j, k[i]!);
      w = w0 + alpha * (sviW(s, j + 1, k[i]!) - w0);
    }
    vol[i] = Math.sqrt(w / t);
  }
}
