// Settlement of margin positions at expiry: every position of the expiry pays or receives its intrinsic value at the
// settlement price, longs rounded down and shorts rounded up, so the shorts always cover the longs and the rounding
// surplus (dust) goes to the insurance fund. An account left below zero is then covered by the fund and socialised
// exactly as after a liquidation. The price comes from the pool (poolPriceUnits): an expiry settles margin accounts at
// the price the pool and its peer book settle it at.
import { PoolError, check } from "../errors.js";
import { exactUnits, mulDiv, pow10 } from "../units.js";
import type { MarginScales, MarginSeries } from "./account.js";
import type { MarginState } from "./state.js";

/** A strike as quote base units; PoolError naming `field` when it has more decimals than the cash. */
export function strikeUnitsOf(series: MarginSeries, scales: MarginScales, field = "series.strike"): bigint {
  const k = exactUnits(series.strike, scales.decimals);
  if (k === undefined || k === 0n) throw new PoolError("INVALID_INPUT", field, `strike ${series.strike} is not a whole number of base units (${scales.decimals} decimals)`);
  return k;
}

/** Cash each account gets (signed) when `expiry` settles at `priceUnits` (quote base units per base), and the dust. */
export function marginSettlement(state: MarginState, expiry: number, priceUnits: bigint, scales: MarginScales): { payouts: { account: string; amount: bigint }[]; dust: bigint } {
  const sd = pow10(scales.sizeDecimals);
  const payouts: { account: string; amount: bigint }[] = [];
  let sum = 0n;
  for (const name of [...state.accounts.keys()].sort()) {
    let amount = 0n;
    let holds = false;
    for (const p of state.accounts.get(name)!.positions.values()) {
      if (p.series.expiry !== expiry) continue;
      holds = true;
      const k = strikeUnitsOf(p.series, scales);
      const payoff = p.series.type === "call" ? (priceUnits > k ? priceUnits - k : 0n) : k > priceUnits ? k - priceUnits : 0n;
      amount += p.size > 0n ? mulDiv(payoff, p.size, sd, "down") : -mulDiv(payoff, -p.size, sd, "up");
    }
    if (holds) {
      payouts.push({ account: name, amount });
      sum += amount;
    }
  }
  return { payouts, dust: -sum };
}

/** What a margin settlement needs from a pool (OptionPool satisfies it). */
export interface PoolSettlementSource {
  readonly settings: { readonly priceDecimals: number };
  /** The recorded settlement price of `expiry`, or the pool's rule's (NOT_EXPIRED / SETTLEMENT_PENDING when none). */
  settlementPrice(expiry: number): { price: number; priceUnits: bigint };
}

/**
 * The pool's settlement price of `expiry` in quote base units per base at `scales`: the pool's priceUnits
 * (10^priceDecimals per quote unit) × 10^decimals / 10^priceDecimals, rounded down when the pool's price carries
 * more decimals than the cash (a margin settlement is zero-sum between longs and shorts, so the direction only
 * moves sub-unit amounts between them; the shorts' rounding up still covers the longs).
 */
export function poolPriceUnits(pool: PoolSettlementSource, expiry: number, scales: MarginScales): bigint {
  check(Number.isSafeInteger(expiry), "expiry", "must be integer unix seconds");
  const { priceUnits } = pool.settlementPrice(expiry);
  const units = mulDiv(priceUnits, pow10(scales.decimals), pow10(pool.settings.priceDecimals), "down");
  if (units <= 0n) throw new PoolError("INVALID_INPUT", "expiry", `the pool's settlement price ${priceUnits} is below one quote base unit`);
  return units;
}
