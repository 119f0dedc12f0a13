// Settlement of the peer positions of one expiry at a price: longs get their payoff (the pool's payoutOf, rounded
// down), writers share what is left of the locked collateral pro rata to size (rounded down), and the rounding dust
// goes to the pool's treasury. One computation for PeerBook.settle and the verifying replay.
import { payoutOf, type TypeRule } from "../option-types.js";
import { PoolError } from "../errors.js";
import { mulDiv } from "../units.js";
import type { BookPayout } from "./events.js";
import type { BookState } from "./state.js";

/** The payouts, released collateral and dust of `expiry`'s peer positions at `priceUnits`. */
export function bookSettlement(state: BookState, expiry: number, priceUnits: bigint, settings: TypeRule): { payouts: BookPayout[]; unlocked: bigint; dust: bigint } {
  const payouts: BookPayout[] = [];
  let unlocked = 0n;
  let dust = 0n;
  for (const p of state.positionsExpiring(expiry)) {
    unlocked += p.locked;
    let toLongs = 0n;
    for (const [account, size] of p.longs) {
      const amount = payoutOf(settings, p.series.type, p.series.strikeUnits, priceUnits, size);
      toLongs += amount;
      if (amount > 0n) payouts.push({ account, position: "long", strikeUnits: p.series.strikeUnits, size, amount });
    }
    const left = p.locked - toLongs; // ≥ 0: locked ≥ collateral of openSize ≥ its payoff
    if (left < 0n) throw new PoolError("REPLAY_MISMATCH", "locked", "collateral below the payoff");
    let toShorts = 0n;
    for (const [account, size] of p.shorts) {
      const amount = mulDiv(left, size, p.openSize, "down");
      toShorts += amount;
      if (amount > 0n) payouts.push({ account, position: "short", strikeUnits: p.series.strikeUnits, size, amount });
    }
    dust += left - toShorts;
  }
  // Canonical order (not the maps' insertion order, which a rolled-back operation may change): series, side, account.
  payouts.sort((a, b) => (a.strikeUnits !== b.strikeUnits ? (a.strikeUnits < b.strikeUnits ? -1 : 1) : a.position !== b.position ? (a.position < b.position ? -1 : 1) : a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
  return { payouts, unlocked, dust };
}
