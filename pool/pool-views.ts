// The read-only side of OptionPool: collaborators, balances, positions, valuation (NAV, share price, previews),
// pauses and the settlement price. OptionPool (option-pool.ts) extends it with the operations, the log and the
// constructors; nothing here changes the ledger.
import type { Greeks } from "../bindings/types.js";
import type { Clock } from "./clock.js";
import { PoolError, check } from "./errors.js";
import type { BreakerName, SeriesRef } from "./events.js";
import type { FlowTotals, PoolState, QueuedWithdrawal, SeriesState } from "./ledger.js";
import { liabilityFromPrices, type OpenBook } from "./valuation.js";
import { sameSnapshot, type OracleSnapshot, type SpotVolOracle } from "./oracle.js";
import type { AsyncPricer, SyncPricer } from "./pricer-types.js";
import type { Quote, QuoteRequest } from "./quote.js";
import { PoolCore } from "./pool-core.js";
import { previewDeposit, previewRedeem } from "./shares.js";
// Types only (erased at run time): pool/risk imports the pool's types, not the other way round.
import type { StressReport, StressScenario } from "./risk/stress.js";
import { pow10, type Rounding } from "./units.js";
import { hedgeValue, type HedgeState } from "./hedge/accounting.js";
import type { SurfaceRefusals } from "./surface-guard.js";
import { settingsOf, type PoolConfig, type PoolRiskHooks, type PoolSettings } from "./pool-types.js";

export function checkAmount(value: unknown, field: string): asserts value is bigint {
  check(typeof value === "bigint", field, "must be a bigint");
  check((value as bigint) > 0n, field, "must be > 0");
}

/** What an OptionPool shows without changing anything (see OptionPool). */
export abstract class PoolViews {
  protected readonly core: PoolCore;

  protected constructor(config: PoolConfig) {
    this.core = new PoolCore(settingsOf(config), config);
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
