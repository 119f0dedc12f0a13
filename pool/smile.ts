// The pool's pricing seam for implied vol: what vol a series is priced, valued, stressed and risked at, from one
// oracle snapshot. Three sources, in order of precedence:
//   - `volSurface` (a VolSurface from bindings/surface): vol(K, T) = baseVol · σ_S(k, T) / σ_S(0, T), k = ln(K/F),
//     F = spot · e^{carry·T}. The oracle's baseVol stays the at-the-money level of every expiry (what the TWAP guard,
//     the IV-jump breaker, the greeks refresh and VaR's spot diffusion read) and the surface gives each expiry's smile
//     relative to its own ATM vol: Lyra's baseIv × skew, with the skew from an arbitrage-checked SVI/SSVI smile.
//     A surface flat in k gives σ_S(k, T) and σ_S(0, T) from the same operations (w = a + 0), so the ratio is
//     exactly 1 and every number is bit-identical to the baseVol path.
//   - `surface` (a function of strike and years): its value as given.
//   - baseVol + skew · ln(K / spot).
// Every vol is checked (finite, > 0; else PoolError INVALID_INPUT naming the source, strike and expiry) and floored
// at MIN_VOL. The batch form evaluates the surface in two WASM batches (the smile and its ATM column).
import { PoolError } from "./errors.js";
import type { OracleSnapshot } from "./oracle.js";

/** Lowest vol the pool ever prices with (a surface or skew could produce less). */
export const MIN_VOL = 0.01;

/** Log-moneyness k = ln(K/F) of `strike` against the forward spot · e^{carryPerYear · years}. */
export function logMoneyness(strike: number, spot: number, years: number, carryPerYear: number): number {
  return Math.log(strike / spot) - carryPerYear * years;
}

function sourceField(snapshot: OracleSnapshot): string {
  return snapshot.volSurface ? "oracle.volSurface" : snapshot.surface ? "oracle.surface" : "oracle.skew";
}

/** The checked, floored vol: a non-finite or non-positive value is an oracle fault, not a low vol. */
function checkedVol(snapshot: OracleSnapshot, v: number, strike: number, years: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0)
    throw new PoolError("INVALID_INPUT", sourceField(snapshot), `vol ${String(v)} at strike ${strike}, ${years.toFixed(6)} years is not a finite number > 0`);
  return v > MIN_VOL ? v : MIN_VOL;
}

/**
 * Implied vol of the snapshot at `strike` (quote currency) and `years`, floored at MIN_VOL; `carryPerYear`
 * (rate − dividend, continuously compounded) places the surface's forward. Throws PoolError INVALID_INPUT naming
 * `oracle.volSurface`, `oracle.surface` or `oracle.skew` for a vol that is not finite and > 0.
 */
export function volAt(snapshot: OracleSnapshot, strike: number, years: number, carryPerYear = 0): number {
  const s = snapshot.volSurface;
  let v: number;
  if (s) {
    const k = logMoneyness(strike, snapshot.spot, years, carryPerYear);
    v = snapshot.baseVol * (s.vol(k, years) / s.vol(0, years));
  } else if (snapshot.surface) v = snapshot.surface(strike, years);
  else v = snapshot.baseVol + (snapshot.skew ?? 0) * Math.log(strike / snapshot.spot);
  return checkedVol(snapshot, v, strike, years);
}

/** Reusable columns of the batch form (grown on demand). */
export class SmileColumns {
  private k = new Float64Array(0);
  private smile = new Float64Array(0);
  private atm = new Float64Array(0);

  /**
   * Writes volAt(snapshot, strike[i], years[i], carryPerYear) into out[i] for i < n, the surface evaluated in two
   * batches; the same bits as n calls of volAt.
   */
  fill(snapshot: OracleSnapshot, strike: ArrayLike<number>, years: ArrayLike<number>, n: number, carryPerYear: number, out: Float64Array): void {
    const s = snapshot.volSurface;
    if (!s || n === 0) {
      for (let i = 0; i < n; i++) out[i] = volAt(snapshot, strike[i]!, years[i]!, carryPerYear);
      return;
    }
    if (this.k.length < n) {
      this.k = new Float64Array(n);
      this.smile = new Float64Array(n);
      this.atm = new Float64Array(n);
    }
    const k = this.k.subarray(0, n);
    const t = years instanceof Float64Array && years.length === n ? years : Float64Array.from({ length: n }, (_, i) => years[i]!);
    for (let i = 0; i < n; i++) k[i] = logMoneyness(strike[i]!, snapshot.spot, t[i]!, carryPerYear);
    const smile = s.volBatch({ k, years: t }, this.smile.subarray(0, n));
    const atm = s.volBatch({ k: 0, years: t }, this.atm.subarray(0, n));
    for (let i = 0; i < n; i++) out[i] = checkedVol(snapshot, snapshot.baseVol * (smile[i]! / atm[i]!), strike[i]!, t[i]!);
  }
}
