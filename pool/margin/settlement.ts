// Settlement of margin positions at expiry: every position of the expiry pays or receives its intrinsic value at the
// settlement price, longs rounded down and shorts rounded up, so the shorts always cover the longs and the rounding
// surplus (dust) goes to the insurance fund. An account left below zero is then covered by the fund and socialised
// exactly as after a liquidation.
import { PoolError } from "../errors.js";
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
