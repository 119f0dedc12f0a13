// Decimal strings ↔ bigint base units, exactly (no float in between), for amounts, share counts and option sizes.
// formatAmount and parseAmount behave as viem's formatUnits and parseUnits when no rounding is asked for; the pool's
// older formatUnits (a rounded display string) keeps its behaviour under its deprecated name.
import { exactUnits, type Rounding } from "./units.js";

/** How formatAmount rounds when `digits` cuts fraction digits: "nearest" rounds half away from zero. */
export type DisplayRounding = Rounding | "nearest";

/** Options of formatAmount. */
export interface FormatAmountOptions {
  /** Fraction digits to print, padded with zeros (default: all that are not trailing zeros, as viem prints). */
  digits?: number;
  /** Direction when `digits` drops non-zero digits (default "nearest"); "down" and "up" are toward −∞ and +∞. */
  rounding?: DisplayRounding;
}

function checkDecimals(decimals: number, where: string): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 255) {
    throw new RangeError(`${where}: decimals must be an integer in [0, 255], got ${decimals}`);
  }
}

/** ⌊n/d⌋, ⌈n/d⌉ or n/d rounded half away from zero, for d > 0 and n of either sign. */
function divide(n: bigint, d: bigint, rounding: DisplayRounding): bigint {
  const q = n / d; // truncates toward zero
  const r = n % d;
  if (r === 0n) return q;
  if (rounding === "down") return n < 0n ? q - 1n : q;
  if (rounding === "up") return n < 0n ? q : q + 1n;
  const twice = (r < 0n ? -r : r) * 2n;
  return twice >= d ? (n < 0n ? q - 1n : q + 1n) : q;
}

/**
 * `units` base units with `decimals` decimals as a decimal string, exact: `formatAmount(1n, 18)` is
 * "0.000000000000000001", `formatAmount(150n, 2)` is "1.5", `formatAmount(-2_500_000n, 6)` is "-2.5" (viem's
 * `formatUnits`). With `digits`, the fraction is rounded to that many digits (default "nearest") and padded:
 * `formatAmount(1_234_567n, 6, { digits: 2 })` is "1.23", `formatAmount(1n, 18, { digits: 2 })` is "0.00".
 * For display only: the ledger keeps bigints.
 * @param units an amount in base units (collateral, shares) or an option size in size units
 * @param decimals the digits after the point that the units carry: 6 for USDC, 18 for ETH, sizeDecimals (2) for sizes
 */
export function formatAmount(units: bigint, decimals: number, options: FormatAmountOptions = {}): string {
  checkDecimals(decimals, "formatAmount");
  const { digits, rounding = "nearest" } = options;
  if (digits !== undefined && (!Number.isInteger(digits) || digits < 0 || digits > 255)) {
    throw new RangeError(`formatAmount: digits must be an integer in [0, 255], got ${digits}`);
  }
  let value = units;
  let places = decimals;
  if (digits !== undefined && digits < decimals) {
    value = divide(units, 10n ** BigInt(decimals - digits), rounding);
    places = digits;
  }
  const negative = value < 0n;
  const text = (negative ? -value : value).toString().padStart(places + 1, "0");
  const whole = text.slice(0, text.length - places);
  let fraction = text.slice(text.length - places);
  if (digits === undefined) fraction = fraction.replace(/0+$/, "");
  else fraction = fraction.padEnd(digits, "0");
  return `${negative ? "-" : ""}${whole}${fraction === "" ? "" : "." + fraction}`;
}

/**
 * A decimal amount as bigint base units, exactly (viem's `parseUnits`, but refusing instead of rounding digits
 * that the units cannot hold): `parseAmount("100000", 6)` is 100_000_000_000n (100,000 USDC), `parseAmount("1.5", 2)`
 * is 150n (1.5 contracts at sizeDecimals 2). A number is read as its shortest decimal form (1.1 as "1.1", 1e21 exactly).
 * @throws RangeError naming the value when it is not a plain decimal or has more fraction digits than `decimals`
 */
export function parseAmount(value: string | number, decimals: number): bigint {
  checkDecimals(decimals, "parseAmount");
  if (typeof value === "number") {
    const units = Number.isFinite(value) ? exactUnits(Math.abs(value), decimals) : undefined;
    if (units === undefined) throw new RangeError(`parseAmount: ${value} is not a finite number with at most ${decimals} fraction digits`);
    return value < 0 ? -units : units;
  }
  const text = value.trim();
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) {
    throw new RangeError(`parseAmount: ${JSON.stringify(value)} is not a decimal number`);
  }
  const fraction = (m[3] ?? "").replace(/0+$/, "");
  if (fraction.length > decimals) {
    throw new RangeError(`parseAmount: ${JSON.stringify(value)} has more than ${decimals} fraction digits`);
  }
  const units = BigInt((m[2] || "0") + fraction.padEnd(decimals, "0"));
  return m[1] === "-" ? -units : units;
}

/**
 * An option size in size units from a number of contracts: `contracts(1.5)` is 150n with the default
 * sizeDecimals 2, so `size: contracts(1.5)` reads as what `size: 150n` means. Exact; throws a RangeError for a
 * size finer than 10^-sizeDecimals contracts.
 * @param count whole contracts (a number or a decimal string)
 * @param sizeDecimals the pool's `sizeDecimals` (default 2: 100 size units per contract)
 */
export function contracts(count: number | string, sizeDecimals = 2): bigint {
  return parseAmount(count, sizeDecimals);
}
