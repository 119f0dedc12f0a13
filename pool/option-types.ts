// Collateral, payoff and pricing legs per (pool collateral, option type): the rule a pool writing calls and puts
// applies to each series, with today's one-type rules as the special case (docs/calls-and-puts.md).
//   quote pool, put    lock K · size quote, pays (K − S)⁺ · size                    collateral.ts, unchanged
//   base pool, call    lock 1 base per contract, pays (S − K)⁺ / S · size base        collateral.ts, unchanged
//   quote pool, call   the cap rule: a call on quote collateral pays at most C = K · capPpm / 10^6 per contract
//                      (C rounded down to price units), so it locks C · size quote and pays min((S − K)⁺, C) · size;
//                      it is a call spread K / K + C and is priced as one (legsOf), so the pool never owes more
//                      than it locked and its mark never exceeds the lock.
//   base pool, put     refused (WRONG_OPTION_TYPE): a put pays (K − S)⁺ / S base, unbounded as S → 0.
// Locks round up and payouts round down (in the pool's favour), as in collateral.ts.
import { collateralFor, optionTypeOf, payoutFor, type CollateralKind, type Scales } from "./collateral.js";
import { PoolError, check } from "./errors.js";
import { exactUnits, mulDiv, pow10 } from "./units.js";

/** The cap rule of calls written on quote collateral: the payoff per contract is capped at capPpm / 10^6 × strike. */
export interface CallCap {
  /** Cap as parts per million of the strike, ≥ 1 (1,000,000: a call pays at most its strike per contract). */
  capPpm: bigint;
}

/** Default cap: a call on quote collateral pays at most its strike per contract (the pool's lock per put at that strike). */
export const DEFAULT_CALL_CAP: CallCap = { capPpm: 1_000_000n };

/** The cap C of a call on quote collateral, in price units (strikeUnits · capPpm / 10^6, rounded down), ≥ 1. */
export function callCapUnits(strikeUnits: bigint, cap: CallCap): bigint {
  check(typeof cap.capPpm === "bigint" && cap.capPpm >= 1n, "capPpm", "must be a bigint ≥ 1");
  const c = mulDiv(strikeUnits, cap.capPpm, 1_000_000n, "down");
  if (c < 1n) throw new PoolError("INVALID_INPUT", "strike", `a call cap of ${cap.capPpm} ppm of strike ${strikeUnits} is below one price unit`);
  return c;
}

function refuseBasePut(kind: CollateralKind, type: "call" | "put"): void {
  if (kind === "base" && type === "put") throw new PoolError("WRONG_OPTION_TYPE", "type", "a base-collateral pool writes calls only: a put's payoff in base is unbounded");
}

/** Collateral (base units, rounded up) locked for `size` size units of a `type` series with `strikeUnits`. */
export function collateralForType(kind: CollateralKind, type: "call" | "put", strikeUnits: bigint, size: bigint, s: Scales, cap = DEFAULT_CALL_CAP): bigint {
  refuseBasePut(kind, type);
  if (type === optionTypeOf(kind)) return collateralFor(kind, strikeUnits, size, s);
  return mulDiv(callCapUnits(strikeUnits, cap) * size, pow10(s.decimals), pow10(s.priceDecimals + s.sizeDecimals), "up");
}

/** Settlement payout (base units, rounded down) of `size` size units of a `type` series at `priceUnits`. */
export function payoutForType(kind: CollateralKind, type: "call" | "put", strikeUnits: bigint, priceUnits: bigint, size: bigint, s: Scales, cap = DEFAULT_CALL_CAP): bigint {
  refuseBasePut(kind, type);
  if (type === optionTypeOf(kind)) return payoutFor(kind, strikeUnits, priceUnits, size, s);
  const c = callCapUnits(strikeUnits, cap);
  const intrinsic = priceUnits > strikeUnits ? priceUnits - strikeUnits : 0n;
  return mulDiv((intrinsic < c ? intrinsic : c) * size, pow10(s.decimals), pow10(s.priceDecimals + s.sizeDecimals), "down");
}

/** One vanilla leg of a series' value: `weight` × the Black-Scholes price of (type, strike). */
export interface PricingLeg {
  type: "call" | "put";
  /** Quote per base. */
  strike: number;
  weight: 1 | -1;
}

/**
 * The vanilla legs whose weighted Black-Scholes prices are the value of a `type` series at `strike` (quote per base)
 * in a `kind` pool: the option itself, or for a capped call on quote collateral the spread call(K) − call(K + C),
 * with C from the cap rule at `priceDecimals`.
 */
export function legsOf(kind: CollateralKind, type: "call" | "put", strike: number, strikeUnits: bigint, priceDecimals: number, cap = DEFAULT_CALL_CAP): PricingLeg[] {
  refuseBasePut(kind, type);
  if (type === optionTypeOf(kind)) return [{ type, strike, weight: 1 }];
  const upper = Number(strikeUnits + callCapUnits(strikeUnits, cap)) / 10 ** priceDecimals;
  return [{ type: "call", strike, weight: 1 }, { type: "call", strike: upper, weight: -1 }];
}

/** Which option types a pool writes: "one" (default), the type of its collateral; "both", puts and capped calls on quote collateral. */
export type OptionTypes = "one" | "both";

/** What the per-series rule needs of a pool's settings (PoolSettings has it; the two fields default to a one-type pool). */
export interface TypeRule extends Scales {
  collateral: CollateralKind;
  optionTypes?: OptionTypes;
  /** The call cap in ppm of the strike (a "both" pool's cap rule). Default 1,000,000. */
  callCapPpm?: number;
}

/** The pool's call cap when it writes capped calls (a "both" quote pool), else undefined. */
export function capRuleOf(rule: TypeRule): CallCap | undefined {
  return rule.optionTypes === "both" && rule.collateral === "quote" ? { capPpm: BigInt(rule.callCapPpm ?? 1_000_000) } : undefined;
}

/** The type check of a series: the pool's one type, or either type in a "both" pool (WRONG_OPTION_TYPE naming `type`). */
export function checkWritable(rule: TypeRule, type: "call" | "put"): void {
  const own = optionTypeOf(rule.collateral);
  if (type === own || capRuleOf(rule)) return;
  throw new PoolError("WRONG_OPTION_TYPE", "type", `a ${rule.collateral}-collateral pool trades ${own}s only (optionTypes "both" lets a quote pool write capped calls too)`);
}

/** Collateral (base units, rounded up) locked for `size` of a series of the pool: collateralFor, or the cap rule's lock. */
export function lockFor(rule: TypeRule, type: "call" | "put", strikeUnits: bigint, size: bigint): bigint {
  if (type === optionTypeOf(rule.collateral)) return collateralFor(rule.collateral, strikeUnits, size, rule);
  return collateralForType(rule.collateral, type, strikeUnits, size, rule, capRuleOf(rule) ?? DEFAULT_CALL_CAP);
}

/** Settlement payout (base units, rounded down) of `size` of a series of the pool at `priceUnits`: payoutFor, or the capped call's. */
export function payoutOf(rule: TypeRule, type: "call" | "put", strikeUnits: bigint, priceUnits: bigint, size: bigint): bigint {
  if (type === optionTypeOf(rule.collateral)) return payoutFor(rule.collateral, strikeUnits, priceUnits, size, rule);
  return payoutForType(rule.collateral, type, strikeUnits, priceUnits, size, rule, capRuleOf(rule) ?? DEFAULT_CALL_CAP);
}

/**
 * The upper strike K + C (quote per base) of a capped call at `strike` in a pool with cap `cap`, or undefined for a
 * series priced as itself. `strike` is a series' strike, exact at priceDecimals (series.ts), so its units are exact.
 */
export function upperStrikeOf(cap: CallCap | undefined, type: "call" | "put" | number, strike: number, priceDecimals: number): number | undefined {
  if (!cap || !(type === "call" || type === 1)) return undefined;
  const units = exactUnits(strike, priceDecimals)!;
  return Number(units + callCapUnits(units, cap)) / 10 ** priceDecimals;
}
