// OptionPool: the pool-to-peer options liquidity pool. LPs deposit one collateral asset for ERC-4626 shares;
// traders buy options from the pool (buy to open) and sell them back (sell to close); the pool is fully
// collateralised and settles at expiry from the oracle. Every change is a chained event (ledger.ts,
// ledger-chain.ts) made by one commit (transaction.ts): validated, built on a draft, checked by the risk hooks and
// installed whole, or refused with a PoolError that changes nothing. Threat model: docs/pool-safety.md.
import type { Greeks } from "../bindings/types.js";
import type { Clock } from "./clock.js";
import { PoolError, check } from "./errors.js";
import type { BreakerName, PoolEvent, SeriesRef } from "./events.js";
import { eventsFromJSON } from "./events.js";
import type { FlowTotals, PoolState, QueuedWithdrawal, SeriesState } from "./ledger.js";
import { liabilityFromPrices, type OpenBook } from "./valuation.js";
import { sameSnapshot, type OracleSnapshot, type SpotVolOracle } from "./oracle.js";
import type { PoolParams } from "./params.js";
import type { AsyncPricer, SyncPricer } from "./pricer-types.js";
import type { Quote, QuoteRequest } from "./quote.js";
import { PoolCore } from "./pool-core.js";
import { changeParams } from "./params-change.js";
import { readAfter, storeFailure } from "./pool-persistence.js";
import { previewDeposit, previewRedeem } from "./shares.js";
// Types only (erased at run time): pool/risk imports the pool's types, not the other way round.
import type { StressReport, StressScenario } from "./risk/stress.js";
import { pow10, unitsToFloat, type Rounding } from "./units.js";
import { hedgeValue, type HedgeState } from "./hedge/accounting.js";
import type { Hedger, HedgeResult } from "./hedge/hedger.js";
import type { RebalanceDecision } from "./hedge/policy.js";
import type { EventStore } from "./store/types.js";
import type { SurfaceRefusals } from "./surface-guard.js";

export type { AsyncPricer, SyncPricer } from "./pricer-types.js";
export type { Quote, QuoteRequest } from "./quote.js";
export type { OpenBook } from "./valuation.js";
export type { SnapshotUse } from "./pool-persistence.js";
export type { OpenOptions, PoolConfig, PoolOperation, PoolRiskHooks, PoolSettings, RedeemResult, ReplayOptions, TradeRequest } from "./pool-types.js";
import { settingsOf, type OpenOptions, type PoolConfig, type PoolRiskHooks, type PoolSettings, type RedeemResult, type ReplayOptions, type TradeRequest } from "./pool-types.js";


function checkAmount(value: unknown, field: string): asserts value is bigint {
  check(typeof value === "bigint", field, "must be a bigint");
  check((value as bigint) > 0n, field, "must be > 0");
}


/** Marks the constructor call of OptionPool.open (a non-empty store is expected there, refused elsewhere). */
const RESUME: unique symbol = Symbol("resume");

/**
 * The liquidity pool. Units: amounts and shares are `bigint` base units (`decimals`), option sizes size units
 * (10^`sizeDecimals` per contract), strikes quote currency per underlying, expiries and the clock unix seconds (the
 * pricer's `expiry` is in years). The model, parameters and invariants: docs/pool.md; units: docs/units.md.
 */
export class OptionPool {
  private readonly core: PoolCore;

  constructor(config: PoolConfig, resuming?: typeof RESUME) {
    this.core = new PoolCore(settingsOf(config), config);
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

  /** The pool's settings; `params` are those in force (the configured ones, with every paramsChanged event since). */
  get settings(): Readonly<PoolSettings> {
    return this.core.settings;
  }

  // ---------------------------------------------------------------- collaborators and hooks

  get pricer(): SyncPricer {
    return this.core.pricer;
  }

  get oracle(): SpotVolOracle {
    return this.core.oracle;
  }

  get clock(): Clock {
    return this.core.clock;
  }

  /** Risk hooks in force (see PoolRiskHooks). */
  get riskHooks(): PoolRiskHooks | undefined {
    return this.core.hooks;
  }

  set riskHooks(hooks: PoolRiskHooks | undefined) {
    this.core.hooks = hooks;
  }

  // ---------------------------------------------------------------- views

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

  /** Seq of the last event (0 for a new pool): async results are tied to it. */
  get seq(): number {
    return this.core.state.seq;
  }

  /** Seq of the last event that changed the open book (a trade or a settlement). */
  get bookSeq(): number {
    return this.core.state.bookSeq;
  }

  /** Total assets held (base units) = free + locked + reserved. */
  get assets(): bigint {
    return this.core.state.assets;
  }

  /** Free liquidity (base units): LP money not locked as collateral. */
  get free(): bigint {
    return this.core.state.free;
  }

  /** Collateral locked for open positions (base units). */
  get locked(): bigint {
    return this.core.state.locked;
  }

  /** Reserved for others (base units): settled payouts and treasury fees, claimable or pending. */
  get reserved(): bigint {
    return this.core.state.reserved;
  }

  /** Shares in existence, including those escrowed in the withdrawal queue (share units). */
  get totalSupply(): bigint {
    return this.core.state.totalSupply;
  }

  /** Cumulative flows (paid in, paid out, premiums, fees, protocol fees, settlement payouts), base units. */
  get totals(): Readonly<FlowTotals> {
    return { ...this.core.state.totals };
  }

  /** Utilization = locked / (free + locked), in [0, 1] (0 for an empty pool). */
  get utilization(): number {
    const liquidity = this.core.state.free + this.core.state.locked;
    return liquidity === 0n ? 0 : Number(this.core.state.locked) / Number(liquidity);
  }

  /** Shares held by `owner` (not counting queued ones). */
  sharesOf(owner: string): bigint {
    return this.core.state.shares.get(owner) ?? 0n;
  }

  /** Claimable settlement payouts (and treasury fees) of `account`, base units. */
  claimableOf(account: string): bigint {
    return this.core.state.claimable.get(account) ?? 0n;
  }

  /** Long positions of `account`: series and size (size units), in series-key order. */
  positionsOf(account: string): { series: SeriesRef; size: bigint }[] {
    const held = this.core.state.positions.get(account);
    if (!held) return [];
    // Key order, not insertion order: the same answer before and after a restart from a snapshot.
    return [...held].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, size]) => {
      const s = this.core.state.series.get(key)!;
      return { series: { type: s.type, strike: s.strike, strikeUnits: s.strikeUnits, expiry: s.expiry }, size };
    });
  }

  /** Open series the pool is short (copies), in series-key order. */
  openSeries(): SeriesState[] {
    return [...this.core.state.series].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => ({ ...s }));
  }

  /** The FIFO withdrawal queue (copies). */
  withdrawalQueue(): QueuedWithdrawal[] {
    return this.core.state.queue.map((q) => ({ ...q }));
  }

  /** Key-sorted JSON-safe picture of the ledger: equal pools give deep-equal snapshots. */
  snapshot(): Record<string, unknown> {
    return this.core.state.snapshot();
  }

  /**
   * The open book as one pricer batch at the current oracle (no fees, no IV impact), tagged with the seq it was
   * read at. Use with any pricer, e.g. `pool.navFromGreeks(book, await workers.blackScholes(book.batch))`.
   */
  openBook(): OpenBook & { seq: number } {
    return { ...this.core.bookOf(this.core.state), seq: this.core.state.seq };
  }

  /** The open book of a draft state (the pre-trade check's), or the pool's own state when omitted. Pricing seam for pool/risk. */
  bookOfState(state?: PoolState): OpenBook {
    return this.core.bookOf(state ?? this.core.state);
  }

  /** NAV = free + locked − mark-to-market of the open short options (base units). `rounding` of the liability: "up" (default) is conservative. */
  nav(rounding: Rounding = "up"): bigint {
    return this.core.navOf(this.core.state, rounding);
  }

  /**
   * NAV from prices computed elsewhere (the async path): `greeks.price[i]` belongs to `book.series[i]`. Refuses
   * (LEDGER_MOVED) a book read at another seq than the ledger's now: prices of an old book are not today's NAV.
   */
  navFromGreeks(book: OpenBook & { seq?: number }, greeks: Pick<Greeks, "price">, rounding: Rounding = "up"): bigint {
    if (book.seq !== undefined && book.seq !== this.seq) throw new PoolError("LEDGER_MOVED", "book", `the book was read at seq ${book.seq}, the ledger is at ${this.seq}`);
    const s = this.core.state;
    return s.free + s.locked - liabilityFromPrices(book, greeks.price, rounding, this.settings) + hedgeValue(s.hedge, book.spot, this.settings, rounding);
  }

  /**
   * NAV priced by an asynchronous pricer (e.g. the worker pool) in one batch. If the ledger, the oracle or the clock
   * moved while the batch was priced, it is priced again (up to `attempts` times), then refused with LEDGER_MOVED:
   * the result is always the NAV of one ledger state at one oracle print and one time (what nav() says then).
   */
  async navAsync(pricer: AsyncPricer, rounding: Rounding = "up", attempts = 3): Promise<bigint> {
    for (let i = 0; i < attempts; i++) {
      const now = this.clock.now();
      // The NAV's own marks: the time-weighted spot and vol (nav()), not the latest print (openBook()).
      const book = { ...this.core.bookOf(this.core.state, this.core.market.navSnapshot(now)), seq: this.seq };
      const print = this.oracle.latest();
      const greeks = book.series.length > 0 ? await pricer.blackScholes(book.batch) : { price: new Float64Array(0) };
      if (this.seq === book.seq && sameSnapshot(this.oracle.latest(), print) && this.clock.now() === now) return this.navFromGreeks(book, greeks, rounding);
    }
    throw new PoolError("LEDGER_MOVED", "navAsync", `the ledger or the oracle moved during each of ${attempts} pricings`);
  }

  /** Price of one whole share in whole collateral tokens: 10^offset · (NAV + 1) / (supply + 10^offset). 1 for a new pool. */
  sharePrice(): number {
    const nav = this.nav("up");
    const v = pow10(this.settings.shareOffset);
    return (Number(nav + 1n) / Number(this.core.state.totalSupply + v)) * Number(v);
  }

  /** Shares a deposit of `assets` would mint now (rounded down). */
  previewDeposit(assets: bigint): bigint {
    checkAmount(assets, "assets");
    return previewDeposit(assets, this.core.shareTotals(this.core.state, "down"));
  }

  /** Assets a redemption of `shares` would pay now if liquidity allowed (rounded down). */
  previewRedeem(shares: bigint): bigint {
    checkAmount(shares, "shares");
    return previewRedeem(shares, this.core.shareTotals(this.core.state, "up"));
  }

  /** Value of `owner`'s shares (held + queued) at the redemption price, base units. */
  valueOf(owner: string): bigint {
    const queued = this.core.state.queue.filter((q) => q.owner === owner).reduce((a, q) => a + q.shares, 0n);
    return previewRedeem(this.sharesOf(owner) + queued, this.core.shareTotals(this.core.state, "up"));
  }

  /**
   * Reprices the whole book under a scenario grid (default: pool/risk's 23 spot × vol scenarios). Runs on the risk
   * engine wired by `attachRisk(pool, ...)` from pool/risk (kept out of this module so the accounting layer does not
   * load the risk layer). @throws Error (rejects) when no risk engine is attached.
   */
  async stressTest(scenarios?: readonly StressScenario[]): Promise<StressReport> {
    const hooks = this.core.hooks;
    if (!hooks?.stressTest) throw new Error("pool.stressTest: no risk engine attached; call attachRisk(pool, { pricer }) from pool2peer's pool/risk first");
    return hooks.stressTest(scenarios);
  }

  /** Prices a trade without doing it (no event, no change). Throws PoolError for what the trade would hit. */
  quote(request: QuoteRequest): Quote {
    return this.core.quote(request);
  }

  /** Vol-surface refusals (VOL_SURFACE_REFUSED) this pool object has made: counts and the latest; not state (docs/surface.md). */
  surfaceRefusals(): SurfaceRefusals {
    return this.core.market.surfaceRefusals;
  }

  /** Unix second until which trading (and LP entries and exits at the oracle's prices) is paused after a deviation. */
  get tradingPausedUntil(): number {
    return this.core.state.tradingPausedUntil;
  }

  /** Unix second until which LP withdrawals (direct and queued) are paused by a circuit breaker (0 when never paused). */
  get withdrawalsPausedUntil(): number {
    return this.core.state.withdrawalsPausedUntil;
  }

  /** Per breaker, the unix second until which it pauses LP withdrawals (0 when never tripped). */
  breakerPauses(): Record<BreakerName, number> {
    return { ...this.core.state.breakerPausedUntil };
  }

  /** @deprecated The same as withdrawalsPausedUntil (breakers pause direct redemptions too, not only the queue). */
  get queuePausedUntil(): number {
    return this.withdrawalsPausedUntil;
  }

  /**
   * The settlement price of `expiry`: the recorded one once settled, else the rule of settlement.ts (first print in
   * [expiry, expiry + maxSettlementDelaySeconds], then the TWAP fallback). Throws NOT_EXPIRED, or SETTLEMENT_PENDING
   * with the reason when there is none yet. Used by the peer book so peer positions settle at the same price.
   */
  settlementPrice(expiry: number): { price: number; priceUnits: bigint } {
    check(Number.isSafeInteger(expiry), "expiry", "must be integer unix seconds");
    return this.core.settlement.settlementPriceOf(expiry);
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

  /** The hedge position, basis and margin (size units, base units; a copy). */
  hedgePosition(): Readonly<HedgeState> {
    const h = this.core.state.hedge;
    return { ...h, pending: h.pending && { ...h.pending } };
  }

  /** The oracle as NAV sees it now (time-weighted spot and base vol; see MarketGuard.navSnapshot). */
  navSnapshot(): OracleSnapshot {
    return this.core.market.navSnapshot(this.core.now());
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
