// What the pool needs from the pricing core: one batch price call, synchronous for the ledger's own valuation and
// quotes, or asynchronous (the worker pool) for NAV, greeks and risk computed off the commit path.
import type { Greeks, OptionBatch } from "../bindings/types.js";

/** The synchronous pricer the pool needs (`createPricer()` satisfies it). */
export interface SyncPricer {
  blackScholes(batch: OptionBatch): Greeks;
}

/** An asynchronous pricer (`createPricingPool()` satisfies it): used by `navAsync`. */
export interface AsyncPricer {
  blackScholes(batch: OptionBatch): Promise<Greeks>;
}
