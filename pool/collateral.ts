// Collateral and payoff in exact bigint base units.
// Quote-collateral pools write puts: lock strike × size quote units; a put pays (K − S)⁺ × size.
// Base-collateral pools write calls: lock 1 base unit per contract; a call pays (S − K)⁺ / S × size in base.
// Locks round up and payouts round down, so the pool always holds at least what it can owe.
import { mulDiv, pow10 } from "./units.js";

/** Which asset the pool holds, hence which option it writes: "quote" → puts, "base" → calls. */
export type CollateralKind = "quote" | "base";

/** Decimal scales of a pool: collateral, option size (contracts) and prices (strikes, settlement). */
export interface Scales {
  /** Decimals of the collateral asset (e.g. 6 for USDC, 18 for ETH). */
  decimals: number;
  /** Decimals of option sizes: size 1 contract = 10^sizeDecimals size units. */
  sizeDecimals: number;
  /** Decimals of strikes and settlement prices (quote currency per base). */
  priceDecimals: number;
}

/** The option type a pool of this kind writes. */
export function optionTypeOf(kind: CollateralKind): "put" | "call" {
  return kind === "quote" ? "put" : "call";
}

/** Collateral (base units, rounded up) locked for `size` size units of a series with `strikeUnits`. */
export function collateralFor(kind: CollateralKind, strikeUnits: bigint, size: bigint, s: Scales): bigint {
  if (kind === "quote") return mulDiv(strikeUnits * size, pow10(s.decimals), pow10(s.priceDecimals + s.sizeDecimals), "up");
  return mulDiv(size, pow10(s.decimals), pow10(s.sizeDecimals), "up");
}

/** Settlement payout (base units, rounded down) of `size` size units at settlement price `priceUnits`. */
export function payoutFor(kind: CollateralKind, strikeUnits: bigint, priceUnits: bigint, size: bigint, s: Scales): bigint {
  if (kind === "quote") {
    const intrinsic = strikeUnits > priceUnits ? strikeUnits - priceUnits : 0n;
    return mulDiv(intrinsic * size, pow10(s.decimals), pow10(s.priceDecimals + s.sizeDecimals), "down");
  }
  const intrinsic = priceUnits > strikeUnits ? priceUnits - strikeUnits : 0n;
  if (intrinsic === 0n) return 0n;
  return mulDiv(intrinsic * size, pow10(s.decimals), priceUnits * pow10(s.sizeDecimals), "down");
}

/**
 * A per-contract amount in quote currency (a price or a fee) as a float amount of collateral base units
 * for `size` size units: quote pools × 10^decimals, base pools ÷ spot first.
 */
export function quoteAmountToUnitsFloat(perContract: number, spot: number, size: bigint, kind: CollateralKind, s: Scales): number {
  const contracts = Number(size) / 10 ** s.sizeDecimals;
  const inCollateral = kind === "quote" ? perContract : perContract / spot;
  return inCollateral * contracts * 10 ** s.decimals;
}
