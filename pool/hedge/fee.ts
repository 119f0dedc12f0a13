// The pool parameters that make a quote's hedge fee the expected cost of the hedging the trade causes
// (fees.ts hedgeDeltaTraded gives the delta; this gives the cost of trading a unit of it): the venue's fee plus its
// slippage at the size the hedger's orders are expected to have, with the hedger's pass interval for the re-hedging
// term. Funding is not charged: it is a carry of the hedge position, paid or received (a put-writing pool hedging
// short on a perpetual with positive funding receives it), and attribution reports it on its own line.
import type { PoolParams } from "../params.js";
import type { HedgeVenue } from "./venue.js";

/** Fee parameters for hedging at `venue` every `rebalanceSeconds` with orders of about `orderSize` base units. */
export function hedgeFeeParams(venue: Pick<HedgeVenue, "feeRate" | "slippage">, o: { rebalanceSeconds: number; orderSize: number }): Pick<PoolParams, "hedgeCostRate" | "hedgeRebalanceSeconds"> {
  if (!(o.orderSize >= 0 && Number.isFinite(o.orderSize))) throw new RangeError(`orderSize must be a finite number ≥ 0, got ${o.orderSize}`);
  if (!(Number.isSafeInteger(o.rebalanceSeconds) && o.rebalanceSeconds >= 0)) throw new RangeError(`rebalanceSeconds must be whole seconds ≥ 0, got ${o.rebalanceSeconds}`);
  return { hedgeCostRate: venue.feeRate() + venue.slippage(o.orderSize), hedgeRebalanceSeconds: o.rebalanceSeconds };
}
