// Settlement operations: `settle(expiry)` by anyone, the operator's last-resort `adminSettle`, and the settlement
// price view the peer book uses. What is due is settled by every commit first (pool-core.ts settleDue), so these only
// name an expiry, refuse what cannot be settled yet, and run the commit that settles it.
import { PoolError, check } from "./errors.js";
import type { PoolCore } from "./pool-core.js";
import { dueExpiries, lookupSettlementPrice, pendingError, settlementEvent, settlementUnits, type SettlementPrice } from "./settlement.js";

export class SettlementOperations {
  constructor(private readonly core: PoolCore) {}

  /** The recorded settlement price of `expiry`, or the rule's (NOT_EXPIRED / SETTLEMENT_PENDING when there is none). */
  settlementPriceOf(expiry: number): { price: number; priceUnits: bigint } {
    const core = this.core;
    const now = core.now();
    if (now < expiry) throw new PoolError("NOT_EXPIRED", "expiry", `expires in ${expiry - now} s`);
    const recorded = core.state.settled.get(expiry);
    if (recorded) return { price: recorded.price, priceUnits: recorded.priceUnits };
    const lookup = lookupSettlementPrice(expiry, core.oracle, core.settings.params, core.settings.collateral, core.settings, now);
    if (lookup.status === "pending") throw pendingError(expiry, lookup);
    return { price: lookup.price, priceUnits: lookup.priceUnits };
  }

  /** Settles `expiry` (and every earlier due expiry) in one commit; returns its price. */
  settleExpiry(expiry: number): number {
    const core = this.core;
    check(Number.isSafeInteger(expiry) && expiry > 0, "expiry", "must be integer unix seconds");
    const now = core.now();
    if (now < expiry) throw new PoolError("NOT_EXPIRED", "expiry", `expires in ${expiry - now} s`);
    const wasOpen = dueExpiries(core.state, now).includes(expiry);
    if (!wasOpen) throw new PoolError("NOTHING_TO_SETTLE", "expiry", core.state.settled.has(expiry) ? `expiry ${expiry} is already settled` : `no open series expire at ${expiry}`);
    core.commit("settle", (tx) => {
      if (!tx.draft.settled.has(expiry)) {
        const lookup = lookupSettlementPrice(expiry, core.oracle, core.settings.params, core.settings.collateral, core.settings, tx.now);
        throw pendingError(expiry, lookup as Extract<typeof lookup, { status: "pending" }>);
      }
    }, true);
    return core.state.settled.get(expiry)!.price;
  }

  /** The last resort: settles `expiry` at `price` once neither a print nor the TWAP fallback can come. */
  adminSettle(expiry: number, price: number, reason: string): void {
    const core = this.core;
    check(Number.isSafeInteger(expiry) && expiry > 0, "expiry", "must be integer unix seconds");
    check(typeof reason === "string" && reason.trim().length > 0 && reason.length <= 500, "reason", "must say why (1 to 500 characters)");
    const priceUnits = typeof price === "number" ? settlementUnits(price, core.settings.collateral, core.settings) : undefined;
    check(priceUnits !== undefined, "price", `must be a finite price of at least 10^-${core.settings.priceDecimals}`);
    const now = core.now();
    if (core.state.settled.has(expiry)) throw new PoolError("NOTHING_TO_SETTLE", "expiry", `expiry ${expiry} is already settled`);
    const p = core.settings.params;
    const lookup = lookupSettlementPrice(expiry, core.oracle, p, core.settings.collateral, core.settings, now);
    if (lookup.status === "priced") throw new PoolError("SETTLEMENT_PRICE_KNOWN", "expiry", `expiry ${expiry} has a ${lookup.source} price ${lookup.price}: settle() uses it`);
    if (now < expiry + p.maxSettlementDelaySeconds + p.settlementFallbackWindowSeconds) throw pendingError(expiry, lookup);
    const fixed: SettlementPrice = { price, priceUnits: priceUnits!, source: "admin", observedAt: now };
    core.commit("admin", (tx) => tx.emit(settlementEvent(tx.draft, expiry, fixed, core.settings, reason)), true);
  }
}
