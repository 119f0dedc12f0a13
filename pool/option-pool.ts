// OptionPool: the pool-to-peer options liquidity pool. LPs deposit one collateral asset for ERC-4626 shares;
// traders buy options from the pool (buy to open) and sell them back (sell to close); the pool is fully
// collateralised and settles at expiry from the oracle. Every change is an event (ledger.ts); operations are
// validated first, then built on a draft copy of the state and committed whole, so a rejected operation
// leaves no event and no change.
import type { Greeks, OptionBatch } from "../bindings/types.js";
import { SECONDS_PER_YEAR, type Clock } from "./clock.js";
import { collateralFor, optionTypeOf, payoutFor, quoteAmountToUnitsFloat, type CollateralKind, type Scales } from "./collateral.js";
import { PoolError, check } from "./errors.js";
import type { PoolEvent, PoolEventBody, SeriesRef, SettlementPayout } from "./events.js";
import { eventsFromJSON } from "./events.js";
import { feeBreakdown, ivImpact, type FeeBreakdown } from "./fees.js";
import { applyEvent, PoolState, recentCollateral, recentTradeCash, seriesKey, type FlowTotals, type QueuedWithdrawal, type SeriesState } from "./ledger.js";
import { invalidSnapshotField, MIN_VOL, spotMove, timeWeightedSpot, timeWeightedVol, volAt, type OracleSnapshot, type SpotVolOracle } from "./oracle.js";
import { resolveParams, type PoolParams } from "./params.js";
import { previewDeposit, previewRedeem, redeemableShares, type ShareTotals } from "./shares.js";
// Types only (erased at run time): pool/risk imports this module, not the other way round.
import type { StressReport, StressScenario } from "./risk/stress.js";
import { exactUnits, floatUnits, maxBig, minBig, mulDiv, pow10, unitsToFloat, type Rounding } from "./units.js";

/** The synchronous pricer the pool needs (`createPricer()` satisfies it). */
export interface SyncPricer {
  blackScholes(batch: OptionBatch): Greeks;
}

/** An asynchronous pricer (`createPricingPool()` satisfies it): used by `navAsync`. */
export interface AsyncPricer {
  blackScholes(batch: OptionBatch): Promise<Greeks>;
}

/**
 * Risk hooks (pool/risk plugs in here; all optional). A hook refuses by throwing a PoolError, and the
 * operation then appends nothing and changes nothing.
 */
export interface PoolRiskHooks {
  /** Before a quote (and a trade) is priced, e.g. to refuse stale net greeks. */
  beforeQuote?(request: QuoteRequest): void;
  /** With the draft state and the staged events of a trade or redemption, before it is committed. */
  beforeCommit?(operation: "trade" | "redeem", draft: PoolState, events: readonly PoolEvent[]): void;
  /** Stress test of the current book, installed by `attachRisk` (pool/risk); `pool.stressTest()` delegates to it. */
  stressTest?(scenarios?: readonly StressScenario[]): Promise<StressReport>;
}

/** The serialisable settings of a pool (everything but the pricer, oracle and clock). */
export interface PoolSettings extends Scales {
  /** "quote": the pool holds the quote asset and writes puts; "base": holds the base asset and writes calls. */
  collateral: CollateralKind;
  /** ERC-4626 decimal offset: 10^shareOffset virtual shares; shares have decimals + shareOffset decimals. */
  shareOffset: number;
  /** Account credited with the protocol fee share at each settlement. */
  treasury: string;
  params: PoolParams;
}

/** Configuration of a pool. Defaults: sizeDecimals 2, priceDecimals 8, shareOffset 6, treasury "treasury". */
export interface PoolConfig {
  collateral: CollateralKind;
  /** Decimals of the collateral asset (6 for USDC, 18 for ETH...). */
  decimals: number;
  sizeDecimals?: number;
  priceDecimals?: number;
  shareOffset?: number;
  treasury?: string;
  params?: Partial<PoolParams>;
  pricer: SyncPricer;
  oracle: SpotVolOracle;
  clock: Clock;
  /** Risk hooks (pre-trade check, greeks staleness); can also be set later on `pool.riskHooks`. */
  riskHooks?: PoolRiskHooks;
}

/** What a trader asks a quote for. `expiry` in unix seconds; `size` in size units (10^sizeDecimals per contract). */
export interface QuoteRequest {
  type: "call" | "put";
  strike: number;
  expiry: number;
  size: bigint;
  side: "buy" | "sell";
}

/** A trade: a quote request plus the slippage bound of its side. */
export interface TradeRequest extends QuoteRequest {
  /** Buys: the most the trader will pay in total (base units). */
  maxCost?: bigint;
  /** Sells: the least the trader will accept (base units). */
  minProceeds?: bigint;
}

/** A priced quote. Unit amounts are collateral base units, rounded in the pool's favour. */
export interface Quote {
  side: "buy" | "sell";
  series: SeriesRef;
  size: bigint;
  spot: number;
  /** Oracle vol at the strike and expiry. */
  vol: number;
  /** Vol the premium is priced at (vol ± IV impact). */
  volUsed: number;
  ivImpact: number;
  years: number;
  utilizationBefore: number;
  utilizationAfter: number;
  /** Per-contract components in quote currency. */
  perContract: FeeBreakdown;
  premium: bigint;
  utilizationMarkup: bigint;
  optionPriceFee: bigint;
  spotFee: bigint;
  vegaFee: bigint;
  /** Fees charged: buys, markup + all fees; sells, what is withheld from the premium (≤ premium). */
  fees: bigint;
  /** Treasury's share of `fees`. */
  protocolFee: bigint;
  /** Buys: collateral locked. Sells: collateral unlocked. */
  collateral: bigint;
  /** Buys: total the trader pays. Sells: what the trader receives (never negative). */
  total: bigint;
}

/** Result of a redemption. */
export interface RedeemResult {
  /** Assets paid now. */
  assets: bigint;
  /** Shares paid now. */
  sharesRedeemed: bigint;
  /** Shares left waiting in the FIFO queue (0 when fully paid). */
  queuedShares: bigint;
  /** Id of the queued withdrawal, when any. */
  withdrawalId: number | undefined;
}

/** The open book as one pricer batch (the pricing seam for NAV, greeks and stress tests). */
export interface OpenBook {
  /** Live (not expired) series, in batch order. */
  series: SeriesState[];
  /** One option per live series: type, spot, strike, years, vol at the oracle, rate, dividend. */
  batch: OptionBatch;
  /** Series past expiry, not yet settled: valued at intrinsic. */
  expired: SeriesState[];
  spot: number;
}

const ACCOUNT_PATTERN = /^\S.{0,127}$/s;

function checkAccount(value: unknown, field: string): asserts value is string {
  check(typeof value === "string" && ACCOUNT_PATTERN.test(value), field, "must be a non-empty account name (≤ 128 chars)");
}

function checkAmount(value: unknown, field: string): asserts value is bigint {
  check(typeof value === "bigint", field, "must be a bigint");
  check((value as bigint) > 0n, field, "must be > 0");
}

function checkInteger(value: unknown, field: string, min: number, max: number): number {
  check(Number.isInteger(value) && (value as number) >= min && (value as number) <= max, field, `must be an integer in [${min}, ${max}]`);
  return value as number;
}

/** The pool. See README.md, "The pool model", for the model, parameters and invariants. */
export class OptionPool {
  readonly settings: Readonly<PoolSettings>;
  readonly pricer: SyncPricer;
  readonly oracle: SpotVolOracle;
  readonly clock: Clock;
  /** Risk hooks in force (see PoolRiskHooks). */
  riskHooks: PoolRiskHooks | undefined;
  private state = new PoolState();
  private readonly log: PoolEvent[] = [];
  private readonly protocolShareBps: bigint;

  constructor(config: PoolConfig) {
    check(config.collateral === "quote" || config.collateral === "base", "collateral", 'must be "quote" or "base"');
    const decimals = checkInteger(config.decimals, "decimals", 0, 36);
    const sizeDecimals = checkInteger(config.sizeDecimals ?? 2, "sizeDecimals", 0, 18);
    const priceDecimals = checkInteger(config.priceDecimals ?? 8, "priceDecimals", 0, 18);
    const shareOffset = checkInteger(config.shareOffset ?? 6, "shareOffset", 0, 18);
    const treasury = config.treasury ?? "treasury";
    checkAccount(treasury, "treasury");
    check(typeof config.pricer?.blackScholes === "function", "pricer", "must have blackScholes(batch)");
    check(typeof config.oracle?.latest === "function", "oracle", "must have latest()");
    check(typeof config.clock?.now === "function", "clock", "must have now()");
    const params = resolveParams(config.params);
    this.settings = Object.freeze({ collateral: config.collateral, decimals, sizeDecimals, priceDecimals, shareOffset, treasury, params: Object.freeze(params) });
    this.pricer = config.pricer;
    this.oracle = config.oracle;
    this.clock = config.clock;
    this.riskHooks = config.riskHooks;
    this.protocolShareBps = BigInt(Math.round(params.protocolFeeShare * 10_000));
    this.state.flowWindowSeconds = params.ivImpactWindowSeconds;
  }

  /**
   * Rebuilds a pool from its events (e.g. read back with eventsFromJSON). The result has the identical state
   * (`snapshot()`) and event log. Throws PoolError("REPLAY_MISMATCH") for a log that does not fit.
   */
  static replay(config: PoolConfig, events: readonly PoolEvent[]): OptionPool {
    const pool = new OptionPool(config);
    for (const e of events) {
      applyEvent(pool.state, e);
      pool.log.push(e);
    }
    return pool;
  }

  /** OptionPool.replay over the JSON text of eventsToJSON(). */
  static fromJSON(config: PoolConfig, text: string): OptionPool {
    return OptionPool.replay(config, eventsFromJSON(text));
  }

  // ---------------------------------------------------------------- views

  /** Every event so far, oldest first (a copy). */
  get events(): readonly PoolEvent[] {
    return this.log.slice();
  }

  /** Total assets held (base units) = free + locked + reserved. */
  get assets(): bigint {
    return this.state.assets;
  }

  /** Free liquidity (base units): LP money not locked as collateral. */
  get free(): bigint {
    return this.state.free;
  }

  /** Collateral locked for open positions (base units). */
  get locked(): bigint {
    return this.state.locked;
  }

  /** Reserved for others (base units): settled payouts and treasury fees, claimable or pending. */
  get reserved(): bigint {
    return this.state.reserved;
  }

  /** Shares in existence, including those escrowed in the withdrawal queue (share units). */
  get totalSupply(): bigint {
    return this.state.totalSupply;
  }

  /** Cumulative flows (paid in, paid out, premiums, fees, protocol fees, settlement payouts), base units. */
  get totals(): Readonly<FlowTotals> {
    return { ...this.state.totals };
  }

  /** Utilization = locked / (free + locked), in [0, 1] (0 for an empty pool). */
  get utilization(): number {
    const liquidity = this.state.free + this.state.locked;
    return liquidity === 0n ? 0 : Number(this.state.locked) / Number(liquidity);
  }

  /** Shares held by `owner` (not counting queued ones). */
  sharesOf(owner: string): bigint {
    return this.state.shares.get(owner) ?? 0n;
  }

  /** Claimable settlement payouts (and treasury fees) of `account`, base units. */
  claimableOf(account: string): bigint {
    return this.state.claimable.get(account) ?? 0n;
  }

  /** Long positions of `account`: series and size (size units). */
  positionsOf(account: string): { series: SeriesRef; size: bigint }[] {
    const held = this.state.positions.get(account);
    if (!held) return [];
    return [...held].map(([key, size]) => {
      const s = this.state.series.get(key)!;
      return { series: { type: s.type, strike: s.strike, strikeUnits: s.strikeUnits, expiry: s.expiry }, size };
    });
  }

  /** Open series the pool is short (copies). */
  openSeries(): SeriesState[] {
    return [...this.state.series.values()].map((s) => ({ ...s }));
  }

  /** The FIFO withdrawal queue (copies). */
  withdrawalQueue(): QueuedWithdrawal[] {
    return this.state.queue.map((q) => ({ ...q }));
  }

  /** Key-sorted JSON-safe picture of the ledger: equal pools give deep-equal snapshots. */
  snapshot(): Record<string, unknown> {
    return this.state.snapshot();
  }

  /**
   * The open book as one pricer batch at the current oracle (no fees, no IV impact).
   * Use with any pricer, e.g. `pool.navFromGreeks(book, await workers.blackScholes(book.batch))`.
   */
  openBook(): OpenBook {
    return this.bookOf(this.state, this.readOracle(false), this.clock.now());
  }

  /** NAV = free + locked − mark-to-market of the open short options (base units). `rounding` of the liability: "up" (default) is conservative. */
  nav(rounding: Rounding = "up"): bigint {
    return this.navOf(this.state, rounding);
  }

  /** NAV from prices computed elsewhere (the async path): `greeks.price[i]` belongs to `book.series[i]`. */
  navFromGreeks(book: OpenBook, greeks: Pick<Greeks, "price">, rounding: Rounding = "up"): bigint {
    return this.state.free + this.state.locked - this.liabilityFromPrices(book, greeks.price, rounding);
  }

  /** NAV priced by an asynchronous pricer (e.g. the worker pool) in one batch. */
  async navAsync(pricer: AsyncPricer, rounding: Rounding = "up"): Promise<bigint> {
    const book = this.openBook();
    const greeks = book.series.length > 0 ? await pricer.blackScholes(book.batch) : { price: new Float64Array(0) };
    return this.navFromGreeks(book, greeks, rounding);
  }

  /** Price of one whole share in whole collateral tokens: 10^offset · (NAV + 1) / (supply + 10^offset). 1 for a new pool. */
  sharePrice(): number {
    const nav = this.nav("up");
    const v = pow10(this.settings.shareOffset);
    return (Number(nav + 1n) / Number(this.state.totalSupply + v)) * Number(v);
  }

  /** Shares a deposit of `assets` would mint now (rounded down). */
  previewDeposit(assets: bigint): bigint {
    checkAmount(assets, "assets");
    return previewDeposit(assets, this.shareTotals(this.state, "down"));
  }

  /** Assets a redemption of `shares` would pay now if liquidity allowed (rounded down). */
  previewRedeem(shares: bigint): bigint {
    checkAmount(shares, "shares");
    return previewRedeem(shares, this.shareTotals(this.state, "up"));
  }

  /** Value of `owner`'s shares (held + queued) at the redemption price, base units. */
  valueOf(owner: string): bigint {
    const queued = this.state.queue.filter((q) => q.owner === owner).reduce((a, q) => a + q.shares, 0n);
    return previewRedeem(this.sharesOf(owner) + queued, this.shareTotals(this.state, "up"));
  }

  /**
   * Reprices the whole book under a scenario grid (default: pool/risk's 23 spot × vol scenarios) and reports NAV,
   * share-price change, solvency and the worst scenario. Runs on the risk engine wired by `attachRisk(pool, ...)`
   * from pool/risk (kept out of this module so the accounting layer does not load the risk layer).
   * @throws Error (rejects) when no risk engine is attached.
   */
  async stressTest(scenarios?: readonly StressScenario[]): Promise<StressReport> {
    const hooks = this.riskHooks;
    if (!hooks?.stressTest) throw new Error("pool.stressTest: no risk engine attached; call attachRisk(pool, { pricer }) from pool2peer's pool/risk first");
    return hooks.stressTest(scenarios);
  }

  /** Prices a trade without doing it (no event, no change). Throws PoolError for what the trade would hit. */
  quote(request: QuoteRequest): Quote {
    this.riskHooks?.beforeQuote?.(request);
    return this.quoteOn(this.state, request, this.readOracle(true));
  }

  // ---------------------------------------------------------------- LP operations

  /** Deposits `assets` base units for `owner`; returns the shares minted (rounded down). Pays queued withdrawals after. */
  deposit(owner: string, assets: bigint): bigint {
    checkAccount(owner, "owner");
    checkAmount(assets, "assets");
    let minted = 0n;
    this.commit((draft, emit) => {
      minted = previewDeposit(assets, this.shareTotals(draft, "down"));
      if (minted === 0n) throw new PoolError("INVALID_INPUT", "assets", "too small to mint a share");
      emit({ kind: "deposit", owner, assets, shares: minted });
      this.payQueue(draft, emit);
    });
    return minted;
  }

  /** Gives `assets` to the pool with no shares in return (a donation; how the inflation attack starts). */
  donate(from: string, assets: bigint): void {
    checkAccount(from, "from");
    checkAmount(assets, "assets");
    this.commit((draft, emit) => {
      emit({ kind: "donate", from, assets });
      this.payQueue(draft, emit);
    });
  }

  /**
   * Redeems `shares` of `owner`: what free liquidity allows is paid now (rounded down); the rest waits in the
   * FIFO withdrawal queue and is paid, possibly in parts, at the share price of the moment it is paid.
   */
  redeem(owner: string, shares: bigint): RedeemResult {
    checkAccount(owner, "owner");
    checkAmount(shares, "shares");
    if (this.sharesOf(owner) < shares) throw new PoolError("INSUFFICIENT_SHARES", "shares", `${owner} holds ${this.sharesOf(owner)} shares`);
    const result: RedeemResult = { assets: 0n, sharesRedeemed: 0n, queuedShares: 0n, withdrawalId: undefined };
    this.commit((draft, emit) => {
      this.payQueue(draft, emit);
      let fill = 0n;
      if (draft.queue.length === 0) {
        const totals = this.shareTotals(draft, "up");
        fill = redeemableShares(shares, draft.free, totals);
        const assets = previewRedeem(fill, totals);
        if (assets === 0n && fill < shares) fill = 0n; // never burn part of a redemption for nothing
        if (fill > 0n) {
          emit({ kind: "redeem", owner, shares: fill, assets });
          result.assets = assets;
          result.sharesRedeemed = fill;
        }
      }
      if (fill < shares) {
        const id = draft.nextWithdrawalId;
        emit({ kind: "withdrawalQueued", id, owner, shares: shares - fill });
        result.queuedShares = shares - fill;
        result.withdrawalId = id;
      }
    }, "redeem");
    return result;
  }

  /** Pays queued withdrawals from free liquidity, FIFO, at the current price. Returns the number of events. */
  processWithdrawals(): number {
    if (this.state.queue.length === 0) return 0;
    let count = 0;
    this.commit((draft, emit) => {
      count = this.payQueue(draft, emit);
    });
    return count;
  }

  /** Takes a queued withdrawal back: its remaining shares return to `owner`. */
  cancelWithdrawal(owner: string, id: number): bigint {
    checkAccount(owner, "owner");
    const entry = this.state.queue.find((q) => q.id === id);
    if (!entry || entry.owner !== owner) throw new PoolError("UNKNOWN_WITHDRAWAL", "id", `${owner} has no queued withdrawal ${id}`);
    const shares = entry.shares;
    this.commit((_draft, emit) => emit({ kind: "withdrawalCancelled", id, owner, shares }));
    return shares;
  }

  // ---------------------------------------------------------------- traders

  /**
   * Buys to open or sells to close at the current quote, within the slippage bound (`maxCost` for buys,
   * `minProceeds` for sells). Returns the quote it traded at.
   */
  trade(trader: string, request: TradeRequest): Quote {
    checkAccount(trader, "trader");
    const buy = request?.side === "buy";
    if (buy) check(typeof request.maxCost === "bigint" && request.maxCost >= 0n, "maxCost", "a buy needs maxCost ≥ 0 (bigint base units)");
    else check(typeof request?.minProceeds === "bigint" && request.minProceeds >= 0n, "minProceeds", "a sell needs minProceeds ≥ 0 (bigint base units)");
    // A deviating oracle is recorded as a pause (an event that stays, even though this trade is refused).
    this.observeOracle();
    this.riskHooks?.beforeQuote?.(request);
    const q = this.quoteOn(this.state, request, this.readOracle(true));
    if (buy && q.total > request.maxCost!) throw new PoolError("SLIPPAGE", "maxCost", `costs ${q.total} > maxCost ${request.maxCost}`);
    if (!buy && q.total < request.minProceeds!) throw new PoolError("SLIPPAGE", "minProceeds", `pays ${q.total} < minProceeds ${request.minProceeds}`);
    if (!buy) {
      const held = this.state.positions.get(trader)?.get(seriesKey(q.series)) ?? 0n;
      if (held < q.size) throw new PoolError("INSUFFICIENT_POSITION", "size", `${trader} holds ${held} of this series`);
    }
    this.commit((draft, emit) => {
      emit({
        kind: "trade", trader, side: q.side, series: q.series, size: q.size, spot: q.spot, vol: q.volUsed,
        premium: q.premium, fees: q.fees, protocolFee: q.protocolFee, paid: q.total, collateral: q.collateral,
      });
      if (!buy) this.payQueue(draft, emit);
    }, "trade");
    return q;
  }

  // ---------------------------------------------------------------- settlement

  /**
   * Settles every series expiring at `expiry` (unix seconds) at the oracle's first price observed at or after
   * expiry: holders' payouts are reserved for them to claim, collateral is released to LPs, and the expiry's
   * protocol fees become claimable by the treasury. Returns the settlement price.
   */
  settle(expiry: number): number {
    check(Number.isInteger(expiry), "expiry", "must be integer unix seconds");
    const now = this.clock.now();
    if (now < expiry) throw new PoolError("NOT_EXPIRED", "expiry", `expires in ${expiry - now} s`);
    const live = [...this.state.series.values()].filter((s) => s.expiry === expiry);
    const pending = this.state.treasuryPending.get(String(expiry)) ?? 0n;
    if (live.length === 0 && pending === 0n) throw new PoolError("NOTHING_TO_SETTLE", "expiry", `no open series expire at ${expiry}`);
    const { price, priceUnits } = this.settlementPrice(expiry);
    const snap = { spot: price };
    const { settings } = this;
    const payouts: SettlementPayout[] = [];
    let unlocked = 0n;
    for (const s of live) {
      unlocked += s.locked;
      const key = seriesKey(s);
      for (const [account, held] of this.state.positions) {
        const size = held.get(key);
        if (!size) continue;
        const amount = payoutFor(settings.collateral, s.strikeUnits, priceUnits, size, settings);
        if (amount > 0n) payouts.push({ account, strikeUnits: s.strikeUnits, size, amount });
      }
    }
    this.commit((draft, emit) => {
      emit({ kind: "settle", expiry, price: snap.spot, priceUnits, payouts, unlocked, treasuryFee: pending, treasury: settings.treasury });
      this.payQueue(draft, emit);
    });
    return snap.spot;
  }

  /**
   * The settlement price of `expiry`: the oracle's first observation at or after it (within
   * maxSettlementDelaySeconds), in priceDecimals units rounded against the holders (up for puts, down for
   * calls). Used by settle() and by the peer book (pool/book) so peer positions settle at the same price.
   */
  settlementPrice(expiry: number): { price: number; priceUnits: bigint } {
    const snap = this.settlementSnapshot(expiry);
    const { settings } = this;
    const priceFloat = snap.spot * 10 ** settings.priceDecimals;
    // Round the settlement price against the holders: up for puts (quote pools), down for calls (base pools).
    const priceUnits = floatUnits(priceFloat, settings.collateral === "quote" ? "up" : "down");
    if (priceUnits <= 0n) throw new PoolError("INVALID_INPUT", "oracle.spot", "settlement price rounds to 0");
    return { price: snap.spot, priceUnits };
  }

  /**
   * Records a circuit-breaker trip (pool/risk): LP queue processing pauses until `pausedUntil` (unix seconds).
   * The pause is part of the ledger, so it survives replay.
   */
  tripCircuitBreaker(breaker: "liquidity" | "ivJump" | "settlement", reason: string, pausedUntil: number): void {
    check(Number.isFinite(pausedUntil), "pausedUntil", "must be finite unix seconds");
    this.commit((_draft, emit) => emit({ kind: "circuitBreaker", breaker, reason, pausedUntil }));
  }

  /**
   * Checks the latest oracle against its time averages: a spot or base vol deviating by more than maxTwapDeviation
   * records a `tradingPaused` event (trades refused with TRADING_PAUSED for tradingPauseSeconds) instead of
   * repricing the pool. Called by `trade()`; keepers may call it on every oracle update. Returns the unix second
   * trading is paused until (0 or a past time when trading is open).
   */
  observeOracle(): number {
    const now = this.clock.now();
    if (this.state.tradingPausedUntil > now) return this.state.tradingPausedUntil;
    const d = this.twapDeviation(this.readOracle(false));
    if (d) {
      const pausedUntil = now + this.settings.params.tradingPauseSeconds;
      this.commit((_draft, emit) => emit({ kind: "tradingPaused", ...d, pausedUntil }));
    }
    return this.state.tradingPausedUntil;
  }

  /** Unix second until which trading is paused after a deviation (0 when never paused). */
  get tradingPausedUntil(): number {
    return this.state.tradingPausedUntil;
  }

  /** Unix second until which LP queue processing is paused (0 when never paused). */
  get queuePausedUntil(): number {
    return this.state.queuePausedUntil;
  }

  /**
   * The open book of a state at the current oracle and clock (the draft of a pre-trade check, or the pool's
   * own state when omitted). Pricing seam for pool/risk.
   */
  bookOfState(state?: PoolState): OpenBook {
    return this.bookOf(state ?? this.state, this.readOracle(false), this.clock.now());
  }

  /** Pays `account`'s claimable balance (settlement payouts, or treasury fees); returns the amount. */
  claim(account: string): bigint {
    checkAccount(account, "account");
    const assets = this.claimableOf(account);
    if (assets === 0n) throw new PoolError("NOTHING_TO_CLAIM", "account", `${account} has nothing to claim`);
    this.commit((_draft, emit) => emit({ kind: "claim", account, assets }));
    return assets;
  }

  // ---------------------------------------------------------------- internals

  /** Runs `build` on a draft; commits the draft and its events only if it returns without throwing. */
  private commit(build: (draft: PoolState, emit: (body: PoolEventBody) => void) => void, operation?: "trade" | "redeem"): void {
    const draft = this.state.clone();
    const staged: PoolEvent[] = [];
    const time = this.clock.now();
    build(draft, (body) => {
      const event = { ...body, seq: draft.seq + 1, time } as PoolEvent;
      applyEvent(draft, event);
      staged.push(event);
    });
    if (operation) this.riskHooks?.beforeCommit?.(operation, draft, staged);
    this.state = draft;
    this.log.push(...staged);
  }

  /** Pays the queue head-first while free liquidity pays at least one share; returns events emitted. */
  private payQueue(draft: PoolState, emit: (body: PoolEventBody) => void): number {
    if (draft.queue.length === 0) return 0;
    // A circuit breaker (pool/risk) pauses LP queue processing until queuePausedUntil.
    if (draft.queuePausedUntil > this.clock.now()) return 0;
    let count = 0;
    const liability = this.lpLiability(draft, "up");
    while (draft.queue.length > 0) {
      const head = draft.queue[0]!;
      const totals: ShareTotals = { supply: draft.totalSupply, nav: draft.free + draft.locked - liability, offset: this.settings.shareOffset };
      const fill = redeemableShares(head.shares, draft.free, totals);
      const assets = previewRedeem(fill, totals);
      // Stop when nothing can be paid; a part worth 0 units would burn shares for nothing.
      if (fill === 0n || (assets === 0n && fill < head.shares)) break;
      emit({ kind: "withdrawalPaid", id: head.id, owner: head.owner, shares: fill, assets });
      count++;
    }
    return count;
  }

  /** Share totals of an LP entry (liability rounded "down": deposits) or exit ("up": redemptions, queue payments). */
  private shareTotals(state: PoolState, liabilityRounding: Rounding): ShareTotals {
    return { supply: state.totalSupply, nav: state.free + state.locked - this.lpLiability(state, liabilityRounding), offset: this.settings.shareOffset };
  }

  /**
   * Liability at which LPs enter ("down") and exit ("up"). With lpConservativeNav, the option book is marked both
   * at the TWAP spot/vol and at the latest ones, and the LP gets the worse of the two: entries at the lower
   * liability (higher share price), exits at the higher. Hit-and-run defence: an LP who deposits, trades at the
   * latest prices and redeems at once would otherwise have its own trade marked at the stale TWAP (a put bought
   * after a drop is worth more than the TWAP mark) and take that gap from the other LPs; with the worse mark the
   * attacker's trade counts at no less than its latest value, so its profit is ≤ (1 − its share)·(value − cost) ≤ 0.
   */
  private lpLiability(state: PoolState, rounding: Rounding): bigint {
    const twap = this.liability(state, rounding);
    const p = this.settings.params;
    if (p.lpConservativeNav === 0 || p.navTwapWindowSeconds <= 0 || state.series.size === 0) return twap;
    const latest = this.liabilityAt(state, this.readOracle(false), rounding);
    return rounding === "down" ? minBig(twap, latest) : maxBig(twap, latest);
  }

  private navOf(state: PoolState, rounding: Rounding): bigint {
    return state.free + state.locked - this.liability(state, rounding);
  }

  /** Mark-to-market of the open short options, capped per series at its collateral (base units). */
  private liability(state: PoolState, rounding: Rounding): bigint {
    if (state.series.size === 0) return 0n;
    return this.liabilityAt(state, this.navSnapshot(), rounding);
  }

  private liabilityAt(state: PoolState, snap: OracleSnapshot, rounding: Rounding): bigint {
    if (state.series.size === 0) return 0n;
    const book = this.bookOf(state, snap, this.clock.now());
    const prices = book.series.length > 0 ? this.pricer.blackScholes(book.batch).price : new Float64Array(0);
    return this.liabilityFromPrices(book, prices, rounding);
  }

  private liabilityFromPrices(book: OpenBook, prices: Float64Array, rounding: Rounding): bigint {
    const { settings } = this;
    let total = 0n;
    const value = (s: SeriesState, perContract: number) =>
      minBig(s.locked, floatUnits(quoteAmountToUnitsFloat(Math.max(0, perContract), book.spot, s.openSize, settings.collateral, settings), rounding));
    book.series.forEach((s, i) => {
      total += value(s, prices[i]!);
    });
    for (const s of book.expired) total += value(s, s.type === "put" ? s.strike - book.spot : book.spot - s.strike);
    return total;
  }

  private bookOf(state: PoolState, snap: OracleSnapshot, now: number): OpenBook {
    const series: SeriesState[] = [];
    const expired: SeriesState[] = [];
    for (const s of state.series.values()) (s.expiry > now ? series : expired).push(s);
    const n = series.length;
    const type = new Int8Array(n);
    const strike = new Float64Array(n);
    const expiry = new Float64Array(n);
    const vol = new Float64Array(n);
    series.forEach((s, i) => {
      type[i] = s.type === "call" ? 1 : -1;
      strike[i] = s.strike;
      expiry[i] = (s.expiry - now) / SECONDS_PER_YEAR;
      vol[i] = volAt(snap, s.strike, expiry[i]!);
    });
    const { rate, dividend } = this.settings.params;
    return { series, expired, spot: snap.spot, batch: { type, spot: snap.spot, strike, expiry, vol, rate, dividend } };
  }

  /** The latest oracle snapshot, validated; `forTrading` adds the staleness and moving checks. */
  private readOracle(forTrading: boolean): OracleSnapshot {
    const snap = this.oracle.latest();
    const bad = invalidSnapshotField(snap);
    if (bad) throw new PoolError("INVALID_INPUT", `oracle.${bad}`, "oracle returned an unusable value");
    if (forTrading) {
      const p = this.settings.params;
      const age = this.clock.now() - snap.timestamp;
      if (age > p.maxOracleAgeSeconds || age < -p.maxOracleAgeSeconds)
        throw new PoolError("STALE_ORACLE", "oracle.timestamp", `oracle is ${age} s old (limit ${p.maxOracleAgeSeconds})`);
      const move = spotMove(this.oracle, p.oracleMoveWindowSeconds);
      // A spot or vol far from its time average pauses trading instead of repricing the pool.
      const d = this.twapDeviation(snap);
      if (d) throw new PoolError("TRADING_PAUSED", d.field, `latest deviates ${d.deviation.toFixed(4)} (log) from its ${p.navTwapWindowSeconds} s time average (limit ${p.maxTwapDeviation})`);
      const until = this.state.tradingPausedUntil;
      if (until > this.clock.now()) throw new PoolError("TRADING_PAUSED", "tradingPausedUntil", `trading is paused until ${until}`);
      if (move > p.maxOracleMove)
        throw new PoolError("ORACLE_MOVING", "oracle.spot", `spot moved ${move.toFixed(4)} (log) within ${p.oracleMoveWindowSeconds} s (limit ${p.maxOracleMove})`);
    }
    return snap;
  }

  /** The oracle value (spot or base vol) deviating most from its time average, when beyond maxTwapDeviation. */
  private twapDeviation(snap: OracleSnapshot): Omit<Extract<PoolEventBody, { kind: "tradingPaused" }>, "kind" | "pausedUntil"> | undefined {
    const p = this.settings.params;
    if (p.navTwapWindowSeconds <= 0) return undefined;
    const now = this.clock.now();
    const spotAverage = timeWeightedSpot(this.oracle, p.navTwapWindowSeconds, now);
    const volAverage = timeWeightedVol(this.oracle, p.navTwapWindowSeconds, now);
    const dSpot = Math.abs(Math.log(snap.spot / spotAverage));
    const dVol = Math.abs(Math.log(snap.baseVol / volAverage));
    if (Math.max(dSpot, dVol) <= p.maxTwapDeviation) return undefined;
    return dSpot >= dVol
      ? { field: "oracle.spot", latest: snap.spot, average: spotAverage, deviation: dSpot }
      : { field: "oracle.baseVol", latest: snap.baseVol, average: volAverage, deviation: dVol };
  }

  /**
   * The oracle as NAV and share prices see it: spot and base vol replaced by their geometric time-weighted
   * averages over navTwapWindowSeconds (manipulation defence: a one-block spike barely moves the share price).
   */
  private navSnapshot(): OracleSnapshot {
    const snap = this.readOracle(false);
    const window = this.settings.params.navTwapWindowSeconds;
    if (window <= 0) return snap;
    const now = this.clock.now();
    return { ...snap, spot: timeWeightedSpot(this.oracle, window, now), baseVol: timeWeightedVol(this.oracle, window, now) };
  }

  private settlementSnapshot(expiry: number): OracleSnapshot {
    const maxDelay = this.settings.params.maxSettlementDelaySeconds;
    const candidates = this.oracle.history ? this.oracle.history(expiry) : [this.oracle.latest()];
    const snap = candidates.find((o) => o.timestamp >= expiry);
    if (!snap || snap.timestamp - expiry > maxDelay)
      throw new PoolError("STALE_ORACLE", "oracle.timestamp", `no oracle price within ${maxDelay} s after expiry ${expiry}`);
    const bad = invalidSnapshotField(snap);
    if (bad) throw new PoolError("INVALID_INPUT", `oracle.${bad}`, "oracle returned an unusable value");
    return snap;
  }

  private quoteOn(state: PoolState, request: QuoteRequest, snap: OracleSnapshot): Quote {
    const { settings } = this;
    const p = settings.params;
    check(typeof request === "object" && request !== null, "request", "must be an object");
    const { side, type, strike, expiry, size } = request;
    check(side === "buy" || side === "sell", "side", 'must be "buy" or "sell"');
    check(type === "call" || type === "put", "type", 'must be "call" or "put"');
    if (type !== optionTypeOf(settings.collateral))
      throw new PoolError("WRONG_OPTION_TYPE", "type", `a ${settings.collateral}-collateral pool writes ${optionTypeOf(settings.collateral)}s only`);
    check(typeof strike === "number" && Number.isFinite(strike) && strike > 0, "strike", "must be a finite number > 0");
    const strikeUnits = exactUnits(strike, settings.priceDecimals);
    check(strikeUnits !== undefined && strikeUnits > 0n, "strike", `must have at most ${settings.priceDecimals} decimals`);
    check(Number.isInteger(expiry), "expiry", "must be integer unix seconds");
    checkAmount(size, "size");
    const buy = side === "buy";
    const now = this.clock.now();
    const secondsLeft = expiry - now;
    if (secondsLeft < p.minTimeToExpirySeconds)
      throw new PoolError("TOO_CLOSE_TO_EXPIRY", "expiry", `${secondsLeft} s to expiry < ${p.minTimeToExpirySeconds} s`);
    if (buy && secondsLeft > p.maxTimeToExpirySeconds)
      throw new PoolError("EXPIRY_OUT_OF_BOUNDS", "expiry", `${secondsLeft} s to expiry > ${p.maxTimeToExpirySeconds} s`);
    const moneyness = strike / snap.spot;
    if (buy && (moneyness < p.minMoneyness || moneyness > p.maxMoneyness))
      throw new PoolError("STRIKE_OUT_OF_BOUNDS", "strike", `strike/spot ${moneyness.toFixed(4)} outside [${p.minMoneyness}, ${p.maxMoneyness}]`);

    const series: SeriesRef = { type, strike, strikeUnits, expiry };
    // Size and utilization are measured against the liquidity without the trade cash of the impact window, so
    // that the premiums of the first pieces of a split trade do not make the later pieces look smaller.
    const held = state.free + state.locked;
    const netted = held - recentTradeCash(state, now);
    const liquidity = netted > 0n ? netted : held;
    const utilizationBefore = liquidity === 0n ? 0 : Number(state.locked) / Number(liquidity);
    let collateral: bigint;
    let utilizationAfter: number;
    if (buy) {
      collateral = collateralFor(settings.collateral, strikeUnits, size, settings);
      if (collateral > state.free) throw new PoolError("INSUFFICIENT_LIQUIDITY", "size", `needs ${collateral} collateral, ${state.free} free`);
      utilizationAfter = Number(state.locked + collateral) / Number(liquidity);
      if (utilizationAfter > p.maxUtilization)
        throw new PoolError("MAX_UTILIZATION", "size", `utilization would be ${utilizationAfter.toFixed(4)} > ${p.maxUtilization}`);
    } else {
      const open = state.series.get(seriesKey(series));
      if (!open || open.openSize < size) throw new PoolError("INSUFFICIENT_POSITION", "size", `the pool has ${open?.openSize ?? 0n} of this series open`);
      collateral = size === open.openSize ? open.locked : mulDiv(open.locked, size, open.openSize, "down");
      utilizationAfter = liquidity === 0n ? 0 : Number(state.locked - collateral) / Number(liquidity);
    }

    const years = secondsLeft / SECONDS_PER_YEAR;
    const vol = volAt(snap, strike, years);
    // Same-side flow of this series within ivImpactWindowSeconds raises the impact (split trades pay as one).
    const recent = recentCollateral(state, `${seriesKey(series)}:${side}`, now);
    const impact = ivImpact(Number(collateral), Number(liquidity), p, Number(recent));
    const volUsed = buy ? vol + impact : Math.max(MIN_VOL, vol - impact);
    const g = this.pricer.blackScholes({ type, spot: snap.spot, strike, expiry: years, vol: volUsed, rate: p.rate, dividend: p.dividend });
    const perContract = feeBreakdown({ side, price: g.price[0]!, vega: g.vega[0]!, spot: snap.spot, years, utilizationBefore, utilizationAfter }, p);
    const units = (perUnit: number, rounding: Rounding) =>
      floatUnits(quoteAmountToUnitsFloat(Math.max(0, perUnit), snap.spot, size, settings.collateral, settings), rounding);
    // Buys round every component up; sells round the premium down and the fees up.
    const premium = units(perContract.premium, buy ? "up" : "down");
    const utilizationMarkup = units(perContract.utilizationMarkup, "up");
    const optionPriceFee = units(perContract.optionPriceFee, "up");
    const spotFee = units(perContract.spotFee, "up");
    const vegaFee = units(perContract.vegaFee, "up");
    const feeSum = utilizationMarkup + optionPriceFee + spotFee + vegaFee;
    const fees = buy ? feeSum : minBig(premium, feeSum);
    const total = buy ? premium + fees : premium - fees;
    const protocolFee = (fees * this.protocolShareBps) / 10_000n;
    if (!buy && state.free + collateral < total + protocolFee)
      throw new PoolError("INSUFFICIENT_LIQUIDITY", "size", "the pool cannot pay this sale");
    return {
      side, series, size, spot: snap.spot, vol, volUsed, ivImpact: impact, years, utilizationBefore, utilizationAfter, perContract,
      premium, utilizationMarkup, optionPriceFee, spotFee, vegaFee, fees, protocolFee, collateral, total,
    };
  }
}

/** Formats base units as a decimal string with the pool's decimals (for logs). */
export function formatUnits(units: bigint, decimals: number, digits = 2): string {
  return unitsToFloat(units, decimals).toFixed(digits);
}
