// Exact bigint arithmetic for the ledger, and the one place floats become base units.
// Every float → bigint conversion names its rounding direction so that the pool is never short.

/** Rounding direction of a conversion or division. */
export type Rounding = "down" | "up";

/** 10^0 … 10^80, looked up (a settlement computes a payout per holder). */
const POW10: readonly bigint[] = Array.from({ length: 81 }, (_, i) => 10n ** BigInt(i));

/** 10^n as a bigint. */
export function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n);
}

/** ⌊a·b/d⌋ or ⌈a·b/d⌉ for a, b ≥ 0 and d > 0 (exact: bigint has no overflow). */
export function mulDiv(a: bigint, b: bigint, d: bigint, rounding: Rounding): bigint {
  if (d <= 0n) throw new RangeError("mulDiv: divisor must be positive");
  const p = a * b;
  const q = p / d;
  if (rounding === "up" && q * d !== p && p > 0n) return q + 1n;
  return q;
}

/** Smaller of two bigints. */
export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Larger of two bigints. */
export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/**
 * Converts a non-negative float amount (already expressed in base units, e.g. 12.7 units) to a bigint,
 * rounding `down` or `up`. A value within 1e-9 units (relative 1e-12) of an integer is snapped to it first,
 * so float noise such as 0.1·1e6 = 100000.00000000001 does not cost a whole unit; the snap tolerance is far
 * below one base unit, so the pool's favour is kept for every amount that matters.
 */
export function floatUnits(x: number, rounding: Rounding): bigint {
  if (!Number.isFinite(x) || x < 0) throw new RangeError(`floatUnits: ${x} is not a finite non-negative amount`);
  const nearest = Math.round(x);
  if (Math.abs(x - nearest) <= Math.max(1e-9, Math.abs(x) * 1e-12)) return BigInt(nearest);
  return BigInt(rounding === "up" ? Math.ceil(x) : Math.floor(x));
}

/**
 * A decimal number as bigint units with `decimals` digits (e.g. 1500.25 with 8 decimals → 150025000000n), exact
 * when the number's shortest decimal form (what `String(x)` prints, which round-trips to the same double) has at
 * most that many decimals; undefined otherwise, and for non-finite or negative numbers. Works on the decimal digits,
 * not on x · 10^decimals, so that large strikes (1e12) and many decimals (18) stay exact beyond 2^53.
 */
export function exactUnits(x: number, decimals: number): bigint | undefined {
  if (!Number.isFinite(x) || x < 0) return undefined;
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!m) return undefined;
  const digits = m[1]! + (m[2] ?? "");
  // Value = digits · 10^shift, shift counting the fraction digits and the exponent.
  const shift = Number(m[3] ?? 0) - (m[2]?.length ?? 0) + decimals;
  if (shift >= 0) return BigInt(digits) * 10n ** BigInt(shift);
  const kept = digits.length + shift;
  if (/[^0]/.test(digits.slice(Math.max(0, kept)))) return undefined;
  return kept > 0 ? BigInt(digits.slice(0, kept)) : 0n;
}

/** bigint units with `decimals` → float (for display and for the pricer only, never for the ledger). */
export function unitsToFloat(units: bigint, decimals: number): number {
  const scale = pow10(decimals);
  const whole = units / scale;
  const frac = units % scale;
  return Number(whole) + Number(frac) / 10 ** decimals;
}
