// OptionPool: the pool-to-peer options liquidity pool. LPs deposit one collateral asset for ERC-4626 shares;
// traders buy options from the pool (buy to open) and sell them back (sell to close); the pool is fully
// collateralised and settles at expiry from the oracle. Every change is a chained event (ledger.ts,
// ledger-chain.ts) made by one commit (transaction.ts): validated, built on a draft, checked by the risk hooks and
// installed whole, or refused with a PoolError that changes nothing. Threat model: docs/pool-safety.md.
// This file holds the constructors, the log and the operations; the read-only views are in pool-views.ts.
import { PoolError, check } from "./errors.js";
import type { BreakerName, PoolEvent } from "./events.js";
import { eventsFromJSON } from "./events.js";
import type { PoolParams } from "./params.js";
import type { Quote } from "./quote.js";
import { readAfter, storeFailure } from "./pool-persistence.js";
import { unitsToFloat } from "./units.js";
import type { Hedger, HedgeResult } from "./hedge/hedger.js";
import type { RebalanceDecision } from "./hedge/policy.js";
import type { EventStore } from "./store/types.js";
import { PoolViews } from "./pool-views.js";
import { changeParams } from "./params-change.js";

export type { AsyncPricer, SyncPricer } from "./pricer-types.js";
export type { Quote, QuoteRequest } from "./quote.js";
export type { OpenBook } from "./valuation.js";
export type { SnapshotUse } from "./pool-persistence.js";
export type { OpenOptions, PoolConfig, PoolOperation, PoolRiskHooks, PoolSettings, RedeemResult, ReplayOptions, TradeRequest } from "./pool-types.js";
import type { OpenOptions, PoolConfig, RedeemResult, ReplayOptions, TradeRequest } from "./pool-types.js";


/** Marks the constructor call of OptionPool.open (a non-empty store is expected there, refused elsewhere). */
const RESUME: unique symbol = Symbol("resume");

/**
 * The liquidity pool. Units: amounts and shares are `bigint` base units (`decimals`), option sizes size units
 * (10^`sizeDecimals` per contract), strikes quote currency per underlying, expiries and the clock unix seconds (the
 * pricer's `expiry` is in years). The model, parameters and invariants: docs/pool.md; units: docs/units.md.
 */
export class OptionPool extends PoolViews {
  constructor(config: PoolConfig, resuming?: typeof RESUME) {
    super(config);
    if (resuming !== RESUME) this.core.log.requireEmpty();
  }

  /**
   * Resumes a pool from the events in `config.store` (after a restart): from the latest snapshot the options allow
   * (see SnapshotUse) or from genesis, verifying every event after it (schema, chain, MAC, amounts, conservation) as
   * replay does. Refuses (TAMPERED, REPLAY_MISMATCH, INVALID_EVENT, STORE_FAILED) a log or snapshot that does not verify.
   * @example
   * const pool = OptionPool.open({ ...config, store: new SqliteEventStore("pool.db", POOL_LOG), snapshotEvery: 10_000 });
   */
  static open(config: PoolConfig, options: OpenOptions = {}): OptionPool {
    check(config.store !== undefined, "store", "OptionPool.open resumes from config.store: give the store to resume");
    const use = options.snapshot ?? "verified";
    check(use === "verified" || use === "trusted" || use === "ignore", "snapshot", 'must be "verified", "trusted" or "ignore"');
    const pool = new OptionPool(config, RESUME);
    pool.core.log.resume(options.verify ?? "full", use);
    return pool;
  }

  /**
   * Rebuilds a pool from its events (e.g. read back with eventsFromJSON), verifying each one (schema, hash chain,
   * MAC under the config's ledgerKey, re-derived amounts, conservation; verify.ts) before applying it. The result
   * has the identical state (`snapshot()`) and event log. A log that does not verify is refused with a PoolError
   * (INVALID_EVENT, TAMPERED or REPLAY_MISMATCH) naming the first bad event's seq and field.
   */
  static replay(config: PoolConfig, events: Iterable<PoolEvent>, options: ReplayOptions = {}): OptionPool {
    const pool = new OptionPool(config);
    pool.core.log.replay(events, options.verify ?? "full");
    return pool;
  }

  /**
   * A copy of this pool as it stands (state and log), with `params` overriding some parameters: a twin for what-if
   * runs (e.g. the same attack against a pool with a defence switched off). It has the same pricer, oracle, clock
   * and ledger key, no risk hooks, and its own future: nothing done to one changes the other.
   */
  fork(overrides: { params?: Partial<PoolParams> } = {}): OptionPool {
    const config = { ...this.core.config, riskHooks: undefined, store: undefined, snapshotEvery: undefined };
    const pool = new OptionPool({ ...config, params: { ...this.settings.params, ...overrides.params } });
    pool.core.log.adopt(this.core);
    return pool;
  }

  /** OptionPool.replay over the JSON text of eventsToJSON(). */
  static fromJSON(config: PoolConfig, text: string, options: ReplayOptions = {}): OptionPool {
    return OptionPool.replay(config, eventsFromJSON(text), options);
  }

  // ---------------------------------------------------------------- the event log

  /** Every event so far, oldest first, read from the store (for a long log prefer eventsSince with a limit, or store.iterate). */
  get events(): readonly PoolEvent[] {
    return this.eventsSince(0);
  }

  /** Events with seq > `afterSeq`, oldest first, at most `limit` of them (read from the store). */
  eventsSince(afterSeq: number, limit = Number.MAX_SAFE_INTEGER): readonly PoolEvent[] {
    return readAfter(this.core.log.store, afterSeq, limit, this.core.state.seq, "events");
  }


  /** The event store the pool writes to (config.store, or its in-memory one). */
  get store(): EventStore<PoolEvent> {
    return this.core.log.store;
  }

  /**
   * Stores a snapshot of the state (MAC'ed under the ledger key when there is one) so OptionPool.open resumes from
   * it instead of replaying the whole log. Returns its seq. Throws PoolError STORE_FAILED when the store refuses.
   */
  saveSnapshot(): number {
    return this.core.log.saveSnapshot();
  }

  /** The last failure of an automatic snapshot (config.snapshotEvery), undefined after a success. */
  get snapshotError(): PoolError | undefined {
    return this.core.log.snapshotError;
  }

  /** Makes every stored event durable (for a store that batches its fsyncs, e.g. SqliteEventStore in "group" mode). */
  flush(): void {
    try {
      this.core.log.store.flush();
    } catch (e) {
      throw storeFailure(e, "flushing the store");
    }
  }

  // ---------------------------------------------------------------- operations (pool-ops.ts)

  /** Deposits `assets` collateral base units (100_000_000_000n = 100,000 USDC at 6 decimals) for `owner`; returns the shares minted (rounded down). */
  deposit(owner: string, assets: bigint): bigint {
    return this.core.run("deposit", () => this.core.lp.deposit(owner, assets));
  }

  /** Mints exactly `shares` for `owner` (ERC-4626 mint); returns the assets paid in (rounded up). */
  mint(owner: string, shares: bigint): bigint {
    return this.core.run("mint", () => this.core.lp.mint(owner, shares));
  }

  /** Gives `assets` to the pool with no shares in return (a donation; how the inflation attack starts). */
  donate(from: string, assets: bigint): void {
    this.core.run("donate", () => this.core.lp.donate(from, assets));
  }

  /**
   * Redeems `shares` of `owner`: what free liquidity allows is paid now (rounded down); the rest waits in the
   * FIFO withdrawal queue and is paid, possibly in parts, at the share price of the moment it is paid. While a
   * breaker pauses withdrawals, or others wait ahead, the whole redemption is queued.
   */
  redeem(owner: string, shares: bigint): RedeemResult {
    return this.core.run("redeem", () => this.core.lp.redeem(owner, shares));
  }

  /** Withdraws exactly `assets` now for `owner` (ERC-4626 withdraw), burning shares rounded up; returns the shares burned. */
  withdraw(owner: string, assets: bigint): bigint {
    return this.core.run("withdraw", () => this.core.lp.withdraw(owner, assets));
  }

  /** Pays queued withdrawals from free liquidity, FIFO, at the current price, through every LP guard. Returns the number of payments. */
  processWithdrawals(): number {
    return this.core.run("queue", () => this.core.lp.processQueue());
  }

  /** Takes a queued withdrawal back: its remaining shares return to `owner`. */
  cancelWithdrawal(owner: string, id: number): bigint {
    return this.core.run("cancelWithdrawal", () => this.core.lp.cancelWithdrawal(owner, id));
  }

  /**
   * Buys to open or sells to close at the current quote, within the slippage bound (`maxCost` for buys,
   * `minProceeds` for sells; collateral base units). `request.expiry` is unix seconds and `request.size` size units
   * (150n = 1.5 contracts at sizeDecimals 2). Returns the quote it traded at.
   */
  trade(trader: string, request: TradeRequest): Quote {
    return this.core.run("trade", () => this.core.trade(trader, request));
  }

  /**
   * Settles `expiry` (unix seconds; and any earlier expiry that is due) at its settlement price (settlement.ts): holders' payouts
   * are reserved for them to claim, collateral is released to LPs, the expiry's protocol fees become claimable by
   * the treasury. Anyone may call it, and every other operation settles what is due first. Returns the price.
   */
  settle(expiry: number): number {
    return this.core.run("settle", () => this.core.settlement.settleExpiry(expiry));
  }

  /**
   * The last resort of the settlement rule: settles `expiry` at `price` when neither an oracle print within
   * maxSettlementDelaySeconds nor the TWAP fallback exists. A privileged operation: expose it only to the operator.
   */
  adminSettle(expiry: number, price: number, reason: string): void {
    this.core.run("admin", () => this.core.settlement.adminSettle(expiry, price, reason));
  }

  /** Pays `account`'s claimable balance (settlement payouts, or treasury fees); returns the amount. */
  claim(account: string): bigint {
    return this.core.run("claim", () => this.core.claim(account));
  }

  /**
   * The keeper's call, on every oracle update: settles what is due, records a `tradingPaused` event when spot or base
   * vol deviates from its time average by more than maxTwapDeviation, lets the breakers trip, pays the queue where
   * it can. Returns the unix second trading is paused until (0 or a past time when trading is open).
   */
  observeOracle(): number {
    return this.core.run("observe", () => this.core.observe());
  }

  /**
   * Records a circuit-breaker trip (pool/risk): LP withdrawals pause until `pausedUntil` (integer unix seconds, after
   * now and at most params.maxPauseSeconds ahead). The pause is part of the ledger, so it survives replay.
   */
  tripCircuitBreaker(breaker: BreakerName, reason: string, pausedUntil: number): void {
    this.core.run("breaker", () => this.core.tripBreaker(breaker, reason, pausedUntil));
  }

  /** Lifts a pause before its end (a privileged, logged operation): "withdrawals" (every breaker) or "trading". */
  liftPause(scope: "withdrawals" | "trading", reason: string): void {
    this.core.run("admin", () => this.core.liftPause(scope, reason));
  }

  /**
   * Changes some parameters (a privileged, logged operation: a paramsChanged event, replayed like any other).
   * `changes` over the parameters in force must pass resolveParams (INVALID_INPUT naming params.<name>); returns
   * the parameters now in force. See params-change.ts.
   */
  changeParams(changes: Partial<PoolParams>, reason: string): PoolParams {
    return this.core.run("admin", () => changeParams(this.core, changes, reason));
  }

  /** One hedging pass (pool/hedge/hedger.ts): funding, then a rebalance order at the hedger's venue, filled or failed. */
  hedge(hedger: Hedger): HedgeResult {
    return this.core.run("hedge", () => hedger.run(this.core));
  }

  /** The hedger's rebalance decision now (a view: no event, no order; the oracle guards apply). */
  hedgeDecision(hedger: Hedger): RebalanceDecision {
    return hedger.decide(this.core);
  }

}

/**
 * Base units as a decimal string rounded to `digits` (default 2) fraction digits through a float.
 * @deprecated Unlike viem's function of the same name it rounds (`formatUnits(1n, 18)` is "0.00") and goes through a
 * float (inexact beyond 2^53 units). Use `formatAmount(units, decimals)` for the exact string, or
 * `formatAmount(units, decimals, { digits: 2 })` for a rounded one.
 */
export function formatUnits(units: bigint, decimals: number, digits = 2): string {
  return unitsToFloat(units, decimals).toFixed(digits);
}
