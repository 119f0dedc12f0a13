// Delta hedging of the pool (venues, policy, the hedger, the hedge's bookkeeping) and LP P&L attribution by greek.
export { SimulatedVenue, VenueError, type HedgeVenue, type SimulatedVenueOptions, type VenueFill, type VenueOrder } from "./venue.js";
export { checkPolicy, rebalanceDecision, whalleyWilmottHalfWidth, type Exposure, type HedgeBand, type HedgePolicy, type RebalanceDecision } from "./policy.js";
export { Hedger, exposureOf, type HedgeResult, type HedgerOptions } from "./hedger.js";
export { bookFill, fundingAmount, hedgeValue, marginTarget, positionAfterFill, unrealised, type FillBooking, type HedgeState, type PendingHedgeOrder } from "./accounting.js";
export { HEDGE_EVENT_SCHEMA, type HedgeEventBody, type HedgeEventKind } from "./events.js";
export { limitPriceOf, markWithinGuard } from "./verify.js";
export { hedgeFeeParams } from "./fee.js";
export { attributePnl, pnlMark, type PnlAttribution, type PnlMark } from "./attribution.js";
