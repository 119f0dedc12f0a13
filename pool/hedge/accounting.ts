// The hedge position's bookkeeping, exact in base units of the (quote) collateral. A perpetual (or a spot position
// financed from free liquidity, which books the same way) is held at an average-cost basis: `entry` is the signed
// notional the open position was opened at (long: paid, positive; short: received, negative). A fill in the
// position's direction adds to it; a fill against it closes the position pro rata at its basis and realises
// proceeds − basis (longs) or basis − cost (shorts); what is left opens the other way at the fill price.
//   unrealised P&L at spot X = size · X · unit − entry        (unit = 10^(decimals − sizeDecimals) base units)
//   margin posted            = ⌈|size| · mark · unit · hedgeMarginRate⌉
//   funding paid             = size · mark · unit · rate  (rate: the period's fraction, > 0 when longs pay)
// Every float → bigint conversion names its rounding in the pool's favour (pays rounded up, receives rounded down,
// values rounded against the LP asking for them).
import type { Scales } from "../collateral.js";
import { floatUnits, mulDiv, type Rounding } from "../units.js";

/** The pool's hedge, part of the ledger state. */
export interface HedgeState {
  /** Signed position in size units of the base asset (> 0 long). */
  size: bigint;
  /** Signed average-cost basis of the open position, base units of the collateral. */
  entry: bigint;
  /** Collateral posted at the venue as margin (base units, ≥ 0): part of the pool's assets. */
  margin: bigint;
  /** The order sent and not yet filled or failed (retried with the same id). */
  pending: PendingHedgeOrder | undefined;
  /** Id of the next order. */
  nextOrderId: number;
  /** Unix second funding has been accrued up to (0: no position yet). */
  fundedUntil: number;
}

/** A recorded order awaiting its fill. */
export interface PendingHedgeOrder {
  id: number;
  venue: string;
  side: "buy" | "sell";
  size: bigint;
  limitPrice: number;
}

/** A flat hedge. */
export function emptyHedge(): HedgeState {
  return { size: 0n, entry: 0n, margin: 0n, pending: undefined, nextOrderId: 1, fundedUntil: 0 };
}

/** Whether `h` holds a position or a basis (its value then depends on spot). */
export function hedgeIsOpen(h: HedgeState): boolean {
  return h.size !== 0n || h.entry !== 0n;
}

/** Base units of the collateral per size unit per 1.0 of price: 10^(decimals − sizeDecimals). */
export function hedgeUnit(scales: Scales): number {
  return 10 ** (scales.decimals - scales.sizeDecimals);
}

/** A signed float amount of base units as a bigint, rounded toward +∞ ("up") or −∞ ("down"). */
export function signedUnits(x: number, rounding: Rounding): bigint {
  return x >= 0 ? floatUnits(x, rounding) : -floatUnits(-x, rounding === "up" ? "down" : "up");
}

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

/** The position after a fill of `size` whose notional is `notional`, and the P&L it realises (exact). */
export function positionAfterFill(h: Pick<HedgeState, "size" | "entry">, side: "buy" | "sell", size: bigint, notional: bigint): { size: bigint; entry: bigint; realised: bigint } {
  const buy = side === "buy";
  const after = h.size + (buy ? size : -size);
  if (h.size === 0n || h.size > 0n === buy) return { size: after, entry: h.entry + (buy ? notional : -notional), realised: 0n };
  const held = abs(h.size);
  const closed = size < held ? size : held;
  // The closed part's basis rounds down; the part left keeps the remainder, so a full close takes all of it.
  const basis = closed === held ? abs(h.entry) : mulDiv(abs(h.entry), closed, held, "down");
  const closedNotional = closed === size ? notional : mulDiv(notional, closed, size, buy ? "up" : "down");
  const realised = h.size > 0n ? closedNotional - basis : basis - closedNotional;
  const left = abs(h.entry) - basis;
  const entry = closed < size ? (buy ? 1n : -1n) * (notional - closedNotional) : h.size > 0n ? left : -left;
  return { size: after, entry, realised };
}

/** The amounts a fill books: notional, fee, realised P&L, margin moved (from free), and the position after it. */
export interface FillBooking {
  notional: bigint;
  fee: bigint;
  realised: bigint;
  margin: bigint;
  size: bigint;
  entry: bigint;
}

/** What a fill of `size` at `price` (venue `mark`, `feeRate`) books against hedge `h`. */
export function bookFill(h: HedgeState, side: "buy" | "sell", size: bigint, price: number, mark: number, feeRate: number, marginRate: number, scales: Scales): FillBooking {
  const notional = floatUnits(Number(size) * price * hedgeUnit(scales), side === "buy" ? "up" : "down");
  const fee = floatUnits(Number(notional) * feeRate, "up");
  const after = positionAfterFill(h, side, size, notional);
  return { notional, fee, ...after, margin: marginTarget(after.size, mark, marginRate, scales) - h.margin };
}

/** Margin for a position of `size` at `mark`: ⌈|size| · mark · unit · rate⌉ base units. */
export function marginTarget(size: bigint, mark: number, marginRate: number, scales: Scales): bigint {
  return floatUnits(Number(abs(size)) * mark * hedgeUnit(scales) * marginRate, "up");
}

/** Funding the pool pays on `h` for a period at `rate` (signed; negative: received), rounded up (toward the pool paying more). */
export function fundingAmount(h: HedgeState, mark: number, rate: number, scales: Scales): bigint {
  return signedUnits(Number(h.size) * mark * hedgeUnit(scales) * rate, "up");
}

/** Unrealised P&L of `h` at `spot` (signed base units), rounded as asked. */
export function unrealised(h: HedgeState, spot: number, scales: Scales, rounding: Rounding): bigint {
  return signedUnits(Number(h.size) * spot * hedgeUnit(scales), rounding) - h.entry;
}

/**
 * What the hedge adds to NAV at `spot`: margin + unrealised P&L, rounded against the LP as the NAV's liability is
 * (`liabilityRounding` "up": the hedge's value rounds down).
 */
export function hedgeValue(h: HedgeState, spot: number, scales: Scales, liabilityRounding: Rounding): bigint {
  if (!hedgeIsOpen(h)) return h.margin;
  return h.margin + unrealised(h, spot, scales, liabilityRounding === "up" ? "down" : "up");
}

/**
 * Bounds of hedgeValue over every spot > 0 (undefined: unbounded): a long's value is at least margin − entry, a
 * short's at most margin − entry (its basis is what it received). The verifying replay bounds a recorded NAV by these.
 */
export function hedgeValueBounds(h: HedgeState): { low: bigint | undefined; high: bigint | undefined } {
  const atZero = h.margin - h.entry;
  if (h.size === 0n) return { low: atZero, high: atZero };
  return h.size > 0n ? { low: atZero, high: undefined } : { low: undefined, high: atZero };
}
