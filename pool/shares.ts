// ERC-4626 share math (EIP-4626 rounding rules, OpenZeppelin's virtual-offset defence against the
// donation / inflation attack): every conversion adds 10^offset virtual shares and 1 virtual unit of assets.
//   shares for assets  = assets · (supply + 10^offset) / (nav + 1)
//   assets for shares  = shares · (nav + 1) / (supply + 10^offset)
// deposit and redeem round down (the caller gets less), mint and withdraw round up (the caller pays more).
// An attacker who donates D to inflate the price makes a victim lose at most about D / 10^offset
// (the attacker loses the rest to the virtual shares), so an offset of 3–6 makes the attack unprofitable.
import { mulDiv, pow10, type Rounding } from "./units.js";

/** Totals the share math needs: the supply of shares and the net asset value behind them (base units). */
export interface ShareTotals {
  /** Shares in existence (including shares escrowed in the withdrawal queue). */
  supply: bigint;
  /** Net asset value owned by the shareholders, base units, ≥ 0. */
  nav: bigint;
  /** Decimal offset: shares have `decimals + offset` decimals and 10^offset virtual shares exist. */
  offset: number;
}

/** Shares worth `assets` base units at the given totals, rounded as asked. */
export function convertToShares(assets: bigint, totals: ShareTotals, rounding: Rounding): bigint {
  return mulDiv(assets, totals.supply + pow10(totals.offset), totals.nav + 1n, rounding);
}

/** Base units worth `shares` at the given totals, rounded as asked. */
export function convertToAssets(shares: bigint, totals: ShareTotals, rounding: Rounding): bigint {
  return mulDiv(shares, totals.nav + 1n, totals.supply + pow10(totals.offset), rounding);
}

/** Shares minted for a deposit of `assets` (rounded down: the pool keeps the dust). */
export function previewDeposit(assets: bigint, totals: ShareTotals): bigint {
  return convertToShares(assets, totals, "down");
}

/** Assets needed to mint exactly `shares` (rounded up). */
export function previewMint(shares: bigint, totals: ShareTotals): bigint {
  return convertToAssets(shares, totals, "up");
}

/** Shares burned to withdraw exactly `assets` (rounded up). */
export function previewWithdraw(assets: bigint, totals: ShareTotals): bigint {
  return convertToShares(assets, totals, "up");
}

/** Assets paid for redeeming `shares` (rounded down). */
export function previewRedeem(shares: bigint, totals: ShareTotals): bigint {
  return convertToAssets(shares, totals, "down");
}

/**
 * The most shares (≤ `shares`) whose redemption pays at most `available` base units: the partial fill of a
 * queued withdrawal when free liquidity is short.
 */
export function redeemableShares(shares: bigint, available: bigint, totals: ShareTotals): bigint {
  if (previewRedeem(shares, totals) <= available) return shares;
  // floor(available · (supply+v) / (nav+1)) shares redeem to ≤ available by construction of the floor.
  let fill = convertToShares(available, totals, "down");
  if (fill > shares) fill = shares;
  while (fill > 0n && previewRedeem(fill, totals) > available) fill -= 1n;
  return fill;
}
