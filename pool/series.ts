// An option series as the pool and the book name it: type, strike (and its exact units), expiry. One validation,
// shared by quotes, trades, book orders and the verifying replay.
import { check } from "./errors.js";
import { optionTypeOf, type CollateralKind, type Scales } from "./collateral.js";
import type { SeriesRef } from "./events.js";
import { checkWritable, type TypeRule } from "./option-types.js";
import { exactUnits } from "./units.js";

/** A series to trade: `strike` in quote currency, `expiry` unix seconds. */
export interface SeriesSpec {
  type: "call" | "put";
  /** Quote currency per unit of the underlying (USDC per ETH). */
  strike: number;
  /** Unix seconds of the expiry instant (not years). */
  expiry: number;
}

/** The series of `spec` for a pool of `kind` with `scales` (and its option types); PoolError naming the field for a bad one. */
export function seriesRefOf(spec: SeriesSpec, kind: CollateralKind, scales: Scales & Omit<TypeRule, "collateral">): SeriesRef {
  check(typeof spec === "object" && spec !== null, "series", "must be an object");
  const { type, strike, expiry } = spec;
  check(type === "call" || type === "put", "type", 'must be "call" or "put"');
  if (type !== optionTypeOf(kind)) checkWritable({ ...scales, collateral: kind }, type);
  check(typeof strike === "number" && Number.isFinite(strike) && strike > 0, "strike", "must be a finite number > 0");
  const strikeUnits = exactUnits(strike, scales.priceDecimals);
  check(strikeUnits !== undefined && strikeUnits > 0n, "strike", `must have at most ${scales.priceDecimals} decimals (and be at least 10^-${scales.priceDecimals})`);
  check(Number.isSafeInteger(expiry) && expiry > 0, "expiry", "must be integer unix seconds");
  return { type, strike, strikeUnits, expiry };
}
