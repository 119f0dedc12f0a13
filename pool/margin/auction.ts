// The Dutch auction of a liquidation, in exact bigint arithmetic (the ledger computes and replay re-derives it).
// The account's whole portfolio (every position, so hedges stay together) is offered in fractions F of its size at
// the start (parts per 10^9, ppb). The price of the whole portfolio falls linearly from the mark less a start
// discount to the mark less a floor discount over `durationSeconds`, then stays at the floor:
//   price(t) = mark − ⌊d(t) · maintenance / 10^6⌋,  d(t) = start + (floor − start) · min(1, t / duration)  (ppm)
// so a liquidator that waits earns more and nobody earns more than the schedule gives at that second. A fill of x
// moves ⌈|q| · F / 10^9⌉ (telescoped on the cumulative F, so the pieces sum to the whole position exactly) and costs the
// liquidator x · price (rounded up when it pays, down when it is paid: rounding favours the liquidated account); the
// account pays the penalty ⌈x · penalty · maintenance⌉ to the insurance fund. A fill takes at most what brings the
// account back to its initial margin (partial liquidation), and everything when the rest would be dust.
import { check } from "../errors.js";
import { mulDiv, pow10 } from "../units.js";
import type { MarginPosition } from "./account.js";
import type { AuctionTerms, SeriesSize } from "./events.js";

/** Parts per billion: the unit of portfolio fractions. */
export const PPB = 1_000_000_000n;
/** Parts per million: the unit of discounts and penalties. */
export const PPM = 1_000_000n;

/** Parameters of liquidations. */
export interface LiquidationParams {
  /** Seconds from the start to the floor price. Default 600. */
  durationSeconds: number;
  /** Discount off the mark at the start and at the floor, ppm of the maintenance margin. Defaults 0 and 500,000. */
  startDiscountPpm: bigint;
  floorDiscountPpm: bigint;
  /** Penalty to the insurance fund, ppm of the maintenance margin per whole portfolio. Default 50,000 (5 %). */
  penaltyPpm: bigint;
  /** A remainder whose maintenance margin is below this (quote base units) is taken whole. Default 10^decimals (1 quote). */
  dustUnits: bigint;
  /** Oldest oracle observation that may start an auction, open risk or release cash (seconds). Default 60. */
  maxPriceAgeSeconds: number;
}

/** Discount (ppm of maintenance) `elapsed` seconds into the auction. */
export function discountPpm(t: AuctionTerms, elapsed: number): bigint {
  if (elapsed >= t.durationSeconds) return t.floorDiscountPpm;
  const e = BigInt(Math.max(0, elapsed));
  return t.startDiscountPpm + ((t.floorDiscountPpm - t.startDiscountPpm) * e) / BigInt(t.durationSeconds);
}

/** Price of the whole portfolio (signed quote base units) `elapsed` seconds into the auction. */
export function auctionPrice(t: AuctionTerms, elapsed: number): bigint {
  return t.mark - mulDiv(discountPpm(t, elapsed), t.maintenance, PPM, "down");
}

/** What a fill of `x` ppb at `price` costs the liquidator (signed) and the account in penalty. */
export function fillAmounts(t: AuctionTerms, price: bigint, x: bigint): { amount: bigint; penalty: bigint } {
  const amount = price >= 0n ? mulDiv(price, x, PPB, "up") : -mulDiv(-price, x, PPB, "down");
  return { amount, penalty: mulDiv(t.penaltyPpm * t.maintenance, x, PPM * PPB, "up") };
}

/** The initial margin of what is left after `filledPpb` (the start's initial margin, pro rata, rounded up). */
export function remainingInitial(t: AuctionTerms, filledPpb: bigint): bigint {
  return mulDiv(t.initial, PPB - filledPpb, PPB, "up");
}

/**
 * The largest fill (ppb) a bid may take now: what brings `cash` back to the initial margin of the remainder,
 * everything when no fraction does (the price no longer covers the risk) or when the rest would be dust.
 */
export function maxFill(t: AuctionTerms, cash: bigint, filledPpb: bigint, price: bigint, dustUnits: bigint): bigint {
  const rest = PPB - filledPpb;
  const penalty = mulDiv(t.penaltyPpm, t.maintenance, PPM, "up");
  // cash + x·(price − penalty)/PPB ≥ initial·(rest − x)/PPB  ⇔  x ≥ (initial·rest − cash·PPB) / (price − penalty + initial);
  // two units of cushion for the roundings of amount and penalty.
  const need = t.initial * rest - (cash - 2n) * PPB;
  const gain = price - penalty + t.initial;
  let x = need <= 0n ? 0n : gain <= 0n ? rest : (need + gain - 1n) / gain;
  if (x > rest) x = rest;
  if (x > 0n && mulDiv(t.maintenance, rest - x, PPB, "down") < dustUnits) x = rest;
  return x;
}

/**
 * The fill a bid for `requested` ppb (default: the most allowed) gets: at least enough to move one size unit of the
 * largest position (so an auction of positions up to N units ends within N fills), at most maxFill (or that least),
 * and everything when the remainder would be dust. 0 when the account is back at its initial margin.
 */
export function chooseFill(
  t: AuctionTerms, positions: readonly MarginPosition[], cash: bigint, filledPpb: bigint, price: bigint, dustUnits: bigint, requested?: bigint,
): bigint {
  const rest = PPB - filledPpb;
  const most = maxFill(t, cash, filledPpb, price, dustUnits);
  if (most === 0n) return 0n;
  const largest = positions.reduce((m, p) => (p.size < 0n ? (-p.size > m ? -p.size : m) : p.size > m ? p.size : m), 1n);
  const least = (PPB + largest - 1n) / largest < rest ? (PPB + largest - 1n) / largest : rest;
  const upper = most > least ? most : least;
  let x = requested === undefined || requested > upper ? upper : requested < least ? least : requested;
  if (mulDiv(t.maintenance, rest - x, PPB, "down") < dustUnits) x = rest;
  return x;
}

/** Sizes moved from the account by raising the filled fraction from `before` to `after` (ppb; telescoped, exact). */
export function takeSizes(positions: readonly MarginPosition[], before: bigint, after: bigint): SeriesSize[] {
  const part = (q: bigint, f: bigint) => (q < 0n ? -mulDiv(-q, f, PPB, "up") : mulDiv(q, f, PPB, "up"));
  return positions
    .map((p) => ({ series: p.series, size: part(p.size, after) - part(p.size, before) }))
    .filter((s) => s.size !== 0n);
}

/** Liquidation parameters with their defaults (dust: one quote unit at `decimals`), checked; PoolError naming the field. */
export function resolveLiquidation(p: Partial<LiquidationParams>, decimals: number): LiquidationParams {
  const o: LiquidationParams = {
    durationSeconds: 600, startDiscountPpm: 0n, floorDiscountPpm: 500_000n, penaltyPpm: 50_000n, dustUnits: pow10(decimals), maxPriceAgeSeconds: 60, ...p,
  };
  check(Number.isSafeInteger(o.durationSeconds) && o.durationSeconds >= 1, "liquidation.durationSeconds", "must be an integer ≥ 1");
  check(o.startDiscountPpm >= 0n && o.floorDiscountPpm >= o.startDiscountPpm && o.floorDiscountPpm <= 1_000_000n, "liquidation.floorDiscountPpm", "need 0 ≤ start ≤ floor ≤ 10^6");
  check(o.penaltyPpm >= 0n && o.penaltyPpm <= 1_000_000n, "liquidation.penaltyPpm", "must be in [0, 10^6]");
  check(o.dustUnits >= 0n, "liquidation.dustUnits", "must be ≥ 0");
  check(Number.isFinite(o.maxPriceAgeSeconds) && o.maxPriceAgeSeconds >= 0, "liquidation.maxPriceAgeSeconds", "must be ≥ 0");
  return o;
}
