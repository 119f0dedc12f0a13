// The pool's engine behind the OptionPool facade: the ledger state and its log, the one commit every operation goes
// through, valuation, settlement and trading. LP operations live in lp.ts.
//
// The commit: an operation runs inside run() (non-reentrant: an operation started from a hook or a callback while
// another runs is refused with REENTRANT_CALL, and any unexpected failure becomes a PoolError), builds its events on
// a draft copy of the state (each sealed into the hash chain and applied at once), lets the hooks stage breaker trips
// and check risk, then tries the withdrawal queue on a savepoint of the draft (its payments pass the same guards and
// risk check as a redemption, or are left for later), and installs the draft and its events whole.
import { checkAccount } from "./accounts.js";
import type { Clock } from "./clock.js";
import { PoolError, check } from "./errors.js";
import type { BreakerName, PoolEvent, PoolEventBody } from "./events.js";
import { canonicalEvent, decodeEvent } from "./events.js";
import { applyEvent, PoolState, seriesKey } from "./ledger.js";
import { checkChain, genesisHash, ledgerKeyBytes, sealEvent } from "./ledger-chain.js";
import { BookValuer, openBookOf, type OpenBook } from "./valuation.js";
import { LpOperations } from "./lp.js";
import { MarketGuard } from "./market.js";
import { volAt, type OracleSnapshot, type SpotVolOracle } from "./oracle.js";
import type { PoolConfig, PoolRiskHooks, PoolSettings, TradeRequest } from "./option-pool.js";
import type { SyncPricer } from "./pricer-types.js";
import { priceQuote, type Quote, type QuoteContext, type QuoteRequest } from "./quote.js";
import { dueExpiries, lookupSettlementPrice, pendingError, settlementEvent, settlementUnits, type SettlementPrice } from "./settlement.js";
import type { ShareTotals } from "./shares.js";
import { maxBig, minBig, type Rounding } from "./units.js";
import { checkConservation, verifyEvent, type VerifyContext, type VerifyLevel } from "./verify.js";
import { checkStore, snapshotRecord, snapshotState, storeFailure, type SnapshotUse } from "./pool-persistence.js";
import { MemoryEventStore } from "./store/memory-store.js";
import type { EventStore } from "./store/types.js";

/** The operations of a pool, as the commit and the risk hooks name them. */
export type PoolOperation =
  | "deposit" | "mint" | "donate" | "redeem" | "withdraw" | "queue" | "cancelWithdrawal"
  | "trade" | "settle" | "claim" | "observe" | "breaker" | "admin";

/** Stages one event on the draft of the running commit. */
export type Emit = (body: PoolEventBody) => void;

/** The running commit, as an operation's builder sees it. */
export interface Tx {
  draft: PoolState;
  emit: Emit;
  /** Clock time of the operation (integer unix seconds): every event of it carries this time. */
  now: number;
}

/** Events per page when the pool copies its log between stores. */
const PAGE = 1024;

/** How settleDue treats an expiry without a price: LP operations refuse ("strict"), the others leave it for later. */
type DueMode = "strict" | "lenient";

export class PoolCore {
  state = new PoolState();
  /** The record of every event (config.store, or one in memory): the commit appends to it before it installs. */
  readonly store: EventStore<PoolEvent>;
  hooks: PoolRiskHooks | undefined;
  readonly pricer: SyncPricer;
  readonly oracle: SpotVolOracle;
  readonly clock: Clock;
  readonly market: MarketGuard;
  readonly quoteContext: QuoteContext;
  readonly lp: LpOperations;
  readonly valuer: BookValuer;
  private readonly key: Uint8Array | undefined;
  private busy: PoolOperation | undefined;
  private retainedFrom: number | undefined;
  private readonly genesis: string;
  private lastSnapshotSeq = 0;
  /** The last failure of an automatic snapshot (snapshotEvery), cleared by the next success. */
  snapshotError: PoolError | undefined;

  constructor(
    readonly settings: Readonly<PoolSettings>,
    readonly config: PoolConfig,
  ) {
    this.pricer = config.pricer;
    this.oracle = config.oracle;
    this.clock = config.clock;
    this.hooks = config.riskHooks;
    this.key = config.ledgerKey === undefined ? undefined : ledgerKeyBytes(config.ledgerKey);
    this.market = new MarketGuard(config.oracle, settings.params);
    const protocolShareBps = BigInt(Math.round(settings.params.protocolFeeShare * 10_000));
    this.quoteContext = { ...settings, protocolShareBps, pricer: config.pricer };
    this.state.flowWindowSeconds = settings.params.ivImpactWindowSeconds;
    this.state.hash = this.genesis = genesisHash(settings);
    if (config.store !== undefined) checkStore(config.store);
    this.store = config.store ?? new MemoryEventStore<PoolEvent>();
    if (config.snapshotEvery !== undefined)
      check(Number.isSafeInteger(config.snapshotEvery) && config.snapshotEvery >= 1, "snapshotEvery", "must be an integer ≥ 1 (events between automatic snapshots)");
    this.lp = new LpOperations(this);
    this.valuer = new BookValuer(settings, config.pricer);
  }

  // ------------------------------------------------------------------ the commit

  /** Runs operation `name`: refuses re-entry, turns an unexpected failure into a PoolError (nothing was installed). */
  run<T>(name: PoolOperation, body: () => T): T {
    if (this.busy) throw new PoolError("REENTRANT_CALL", "operation", `${name} was called while ${this.busy} is running (from a hook or callback)`);
    this.busy = name;
    try {
      return body();
    } catch (e) {
      if (e instanceof PoolError) throw e;
      throw new PoolError("INTERNAL_ERROR", "operation", `${name} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      this.busy = undefined;
    }
  }

  /** The clock's time, checked: events carry integer unix seconds. */
  now(): number {
    const t = this.clock.now();
    if (!Number.isSafeInteger(t) || t < 0) throw new PoolError("INVALID_INPUT", "clock", `now() returned ${String(t)}, not integer unix seconds`);
    return t;
  }

  private stager(draft: PoolState, now: number, staged: PoolEvent[]): Emit {
    return (body) => {
      const event = sealEvent(body, draft.seq + 1, now, draft.hash, this.key);
      applyEvent(draft, event);
      staged.push(event);
    };
  }

  /**
   * Runs operation `operation` on the state in place, recording every change in its undo log, and keeps it whole or
   * takes it back whole (see the file header); `payQueue` then tries the withdrawal queue on a savepoint. Returns the
   * events kept (none when the operation changed nothing).
   */
  commit(operation: PoolOperation, build: (tx: Tx) => void, payQueue = false, settleFirst = true): PoolEvent[] {
    const now = this.now();
    const state = this.state;
    const staged: PoolEvent[] = [];
    const emit = this.stager(state, now, staged);
    const tx = { draft: state, emit, now };
    state.undo.begin();
    try {
      // Every operation first settles what is due, so nothing runs between an expiry's price and its settlement.
      if (settleFirst) this.settleDue(tx, "lenient");
      build(tx);
      this.hooks?.onStaged?.(state, staged, emit);
      if (staged.length > 0) this.hooks?.beforeCommit?.(operation, state, staged);
      if (payQueue) this.payQueueOnSavepoint(tx, staged);
      // The record comes first: an event the store refused is never installed.
      if (staged.length > 0) this.appendToStore(staged);
    } catch (e) {
      state.undo.rollback();
      throw e;
    }
    state.undo.commit();
    if (staged.length === 0) return [];
    this.retainOracle();
    this.autoSnapshot();
    return staged;
  }

  private appendToStore(events: readonly PoolEvent[]): void {
    try {
      this.store.append(events);
    } catch (e) {
      throw storeFailure(e, `appending events ${events[0]!.seq}..${events[events.length - 1]!.seq}`);
    }
  }

  /** Stores a snapshot of the state as it stands (between operations only); returns its seq. */
  saveSnapshot(): number {
    if (this.busy) throw new PoolError("REENTRANT_CALL", "operation", `saveSnapshot was called while ${this.busy} is running`);
    const record = snapshotRecord(this.state, this.genesis, this.key);
    try {
      this.store.saveSnapshot(record);
    } catch (e) {
      throw storeFailure(e, `saving the snapshot at seq ${record.seq}`);
    }
    this.lastSnapshotSeq = record.seq;
    return record.seq;
  }

  /** The snapshot every config.snapshotEvery events: the operation is already installed, so a failure is kept, not thrown. */
  private autoSnapshot(): void {
    const every = this.config.snapshotEvery;
    if (every === undefined || this.state.seq - this.lastSnapshotSeq < every) return;
    const busy = this.busy;
    this.busy = undefined;
    try {
      this.saveSnapshot();
      this.snapshotError = undefined;
    } catch (e) {
      this.snapshotError = storeFailure(e, "the automatic snapshot");
      this.lastSnapshotSeq = this.state.seq; // retried after the next snapshotEvery events, not on every operation
    } finally {
      this.busy = busy;
    }
  }

  /** Pays what the queue can be paid now, on a savepoint: a guard or a limit refusing it takes back only the payments. */
  private payQueueOnSavepoint(tx: Tx, staged: PoolEvent[]): void {
    const state = tx.draft;
    if (state.queue.length === 0 || state.withdrawalsPausedUntil > tx.now) return;
    const mark = state.undo.savepoint();
    const more: PoolEvent[] = [];
    const emit = this.stager(state, tx.now, more);
    try {
      this.lp.payQueue({ draft: state, emit, now: tx.now });
      if (more.length === 0) return;
      this.hooks?.onStaged?.(state, more, emit);
      this.hooks?.beforeCommit?.("queue", state, more);
    } catch (e) {
      if (!(e instanceof PoolError)) throw e;
      state.undo.rollbackTo(mark); // the queue waits for a later operation
      return;
    }
    staged.push(...more);
  }

  /** Asks the oracle to keep its record from the earliest unsettled expiry on (settlement.ts). */
  private retainOracle(): void {
    if (!this.oracle.retain) return;
    let earliest: number | undefined;
    for (const s of this.state.series.values()) if (earliest === undefined || s.expiry < earliest) earliest = s.expiry;
    for (const key of this.state.treasuryPending.keys()) if (earliest === undefined || Number(key) < earliest) earliest = Number(key);
    if (earliest !== this.retainedFrom) this.oracle.retain(this, (this.retainedFrom = earliest));
  }

  /** Takes `other`'s state and a copy of its log as this pool's own (fork); the impact window is this pool's. */
  adopt(other: PoolCore): void {
    this.requireEmptyStore();
    this.state = PoolState.fromSnapshot(other.state.snapshot(), this.settings.params.ivImpactWindowSeconds);
    for (let from = 1; from <= other.state.seq; from += PAGE) this.appendToStore(other.store.read(from, PAGE));
    this.retainOracle();
  }

  /** Refuses a store that already holds a log (a new pool, a replay or a fork starts from genesis). */
  requireEmptyStore(): void {
    const head = this.store.head();
    if (head.seq !== 0) throw new PoolError("INVALID_INPUT", "store", `holds ${head.seq} events already: resume it with OptionPool.open(config)`);
  }

  /** Rebuilds the state from `events`, verifying each (verify.ts) before applying it, then stores them (in pages). */
  replay(events: Iterable<PoolEvent>, level: VerifyLevel): void {
    this.requireEmptyStore();
    const verified = this.verifyAll(events, level, "events");
    for (let i = 0; i < verified.length; i += PAGE) this.appendToStore(verified.slice(i, i + PAGE));
    this.retainOracle();
  }

  /** Resumes the pool from its store: a snapshot when `use` allows (pool-persistence.ts), then the verified tail of the log. */
  resume(level: VerifyLevel, use: SnapshotUse): void {
    const restored = snapshotState(this.store, use, this.genesis, this.key, this.settings.params.ivImpactWindowSeconds);
    if (restored) this.state = this.lastSnapshot(restored);
    let tail: Iterable<PoolEvent>;
    try {
      tail = this.store.iterate(this.state.seq + 1);
    } catch (e) {
      throw storeFailure(e, "reading the log");
    }
    this.verifyAll(tail, level, "store", false);
    const head = this.store.head();
    if (head.seq !== this.state.seq) throw new PoolError("REPLAY_MISMATCH", "store", `the log ends at seq ${this.state.seq}, its head says ${head.seq}`);
    this.retainOracle();
  }

  private lastSnapshot(state: PoolState): PoolState {
    this.lastSnapshotSeq = state.seq;
    return state;
  }

  /** Verifies and applies each event in order; keeps them (for a later append) when `keep`. */
  private verifyAll(events: Iterable<PoolEvent>, level: VerifyLevel, source: string, keep = true): PoolEvent[] {
    const ctx: VerifyContext = { quote: this.quoteContext as VerifyContext["quote"], level };
    const kept: PoolEvent[] = [];
    let i = 0;
    try {
      for (const raw of events) {
        const e = decodeEvent(raw, `${source}[${i++}]`, false);
        this.verifyOne(ctx, e);
        if (keep) kept.push(e);
      }
    } catch (e) {
      if (e instanceof PoolError) throw e;
      throw storeFailure(e, "reading the log");
    }
    return kept;
  }

  private verifyOne(ctx: VerifyContext, e: PoolEvent): void {
    try {
      if (e.seq !== this.state.seq + 1) throw new PoolError("REPLAY_MISMATCH", "seq", `expected seq ${this.state.seq + 1}, got ${e.seq}`);
      checkChain(this.state.hash, e, canonicalEvent(e), this.key);
      verifyEvent(ctx, this.state, e);
      applyEvent(this.state, e);
      checkConservation(this.state, e);
    } catch (err) {
      if (err instanceof PoolError && !/\bseq \d+/.test(err.message)) throw new PoolError(err.code, err.field, `seq ${e.seq}: ${err.message}`, { cause: err });
      throw err;
    }
  }

  // ------------------------------------------------------------------ valuation

  /** The settlement price units of `expiry` when fixed (recorded, or found by the rule), else undefined. */
  private fixedPrice = (expiry: number): bigint | undefined => {
    const recorded = this.state.settled.get(expiry);
    if (recorded) return recorded.priceUnits;
    const lookup = lookupSettlementPrice(expiry, this.oracle, this.settings.params, this.settings.collateral, this.settings, this.now());
    return lookup.status === "priced" ? lookup.priceUnits : undefined;
  };

  bookOf(state: PoolState, snap: OracleSnapshot = this.market.latest()): OpenBook {
    return openBookOf(state, snap, this.now(), this.settings, this.fixedPrice);
  }

  navOf(state: PoolState, rounding: Rounding): bigint {
    if (state.series.size === 0) return state.free + state.locked;
    const now = this.now();
    return state.free + state.locked - this.valuer.liability(state, this.market.navSnapshot(now), now, rounding, this.fixedPrice);
  }

  /**
   * Liability at which LPs enter ("down") and exit ("up"): the option book marked both at the TWAP spot/vol and at
   * the latest ones, the LP getting the worse of the two (entries at the lower liability, exits at the higher).
   * Hit-and-run defence: an LP who deposits, trades at the latest prices and redeems at once would otherwise have
   * its own trade marked at the stale TWAP and take that gap from the other LPs; with the worse mark the attacker's
   * trade counts at no less than its latest value, so its profit is ≤ (1 − its share)·(value − cost) ≤ 0.
   */
  private lpLiability(state: PoolState, rounding: Rounding): bigint {
    if (state.series.size === 0) return 0n;
    const now = this.now();
    const twap = this.valuer.liability(state, this.market.navSnapshot(now), now, rounding, this.fixedPrice);
    const p = this.settings.params;
    if (p.lpConservativeNav === 0 || p.navTwapWindowSeconds <= 0) return twap;
    const latest = this.valuer.liability(state, this.market.latest(), now, rounding, this.fixedPrice);
    return rounding === "down" ? minBig(twap, latest) : maxBig(twap, latest);
  }

  /** Share totals of an LP entry (liability rounded "down") or exit ("up"), for views. */
  shareTotals(state: PoolState, liabilityRounding: Rounding): ShareTotals {
    return { supply: state.totalSupply, nav: state.free + state.locked - this.lpLiability(state, liabilityRounding), offset: this.settings.shareOffset };
  }

  /**
   * Share totals for an LP operation inside a commit: what is due is settled first (an expiry without a price yet
   * refuses the operation), and with options open the oracle passes every guard a trade passes.
   */
  guardedShareTotals(tx: Tx, liabilityRounding: Rounding): ShareTotals {
    this.settleDue(tx, "strict");
    if (tx.draft.series.size > 0) this.market.guarded(tx.now, tx.draft.tradingPausedUntil);
    return this.shareTotals(tx.draft, liabilityRounding);
  }

  // ------------------------------------------------------------------ settlement

  /** Settles every due expiry that has a price (the rule of settlement.ts), oldest first. */
  settleDue(tx: Tx, mode: DueMode): void {
    for (const expiry of dueExpiries(tx.draft, tx.now)) {
      const lookup = lookupSettlementPrice(expiry, this.oracle, this.settings.params, this.settings.collateral, this.settings, tx.now);
      if (lookup.status === "pending") {
        if (mode === "strict") throw pendingError(expiry, lookup);
        continue;
      }
      tx.emit(settlementEvent(tx.draft, expiry, lookup, this.settings));
    }
  }

  settlementPriceOf(expiry: number): { price: number; priceUnits: bigint } {
    const now = this.now();
    if (now < expiry) throw new PoolError("NOT_EXPIRED", "expiry", `expires in ${expiry - now} s`);
    const recorded = this.state.settled.get(expiry);
    if (recorded) return { price: recorded.price, priceUnits: recorded.priceUnits };
    const lookup = lookupSettlementPrice(expiry, this.oracle, this.settings.params, this.settings.collateral, this.settings, now);
    if (lookup.status === "pending") throw pendingError(expiry, lookup);
    return { price: lookup.price, priceUnits: lookup.priceUnits };
  }

  settleExpiry(expiry: number): number {
    check(Number.isSafeInteger(expiry) && expiry > 0, "expiry", "must be integer unix seconds");
    const now = this.now();
    if (now < expiry) throw new PoolError("NOT_EXPIRED", "expiry", `expires in ${expiry - now} s`);
    const wasOpen = dueExpiries(this.state, now).includes(expiry);
    if (!wasOpen) throw new PoolError("NOTHING_TO_SETTLE", "expiry", this.state.settled.has(expiry) ? `expiry ${expiry} is already settled` : `no open series expire at ${expiry}`);
    this.commit("settle", (tx) => {
      if (!tx.draft.settled.has(expiry)) {
        const lookup = lookupSettlementPrice(expiry, this.oracle, this.settings.params, this.settings.collateral, this.settings, tx.now);
        throw pendingError(expiry, lookup as Extract<typeof lookup, { status: "pending" }>);
      }
    }, true);
    return this.state.settled.get(expiry)!.price;
  }

  adminSettle(expiry: number, price: number, reason: string): void {
    check(Number.isSafeInteger(expiry) && expiry > 0, "expiry", "must be integer unix seconds");
    check(typeof reason === "string" && reason.trim().length > 0 && reason.length <= 500, "reason", "must say why (1 to 500 characters)");
    const priceUnits = typeof price === "number" ? settlementUnits(price, this.settings.collateral, this.settings) : undefined;
    check(priceUnits !== undefined, "price", `must be a finite price of at least 10^-${this.settings.priceDecimals}`);
    const now = this.now();
    if (this.state.settled.has(expiry)) throw new PoolError("NOTHING_TO_SETTLE", "expiry", `expiry ${expiry} is already settled`);
    const p = this.settings.params;
    const lookup = lookupSettlementPrice(expiry, this.oracle, p, this.settings.collateral, this.settings, now);
    if (lookup.status === "priced") throw new PoolError("SETTLEMENT_PRICE_KNOWN", "expiry", `expiry ${expiry} has a ${lookup.source} price ${lookup.price}: settle() uses it`);
    if (now < expiry + p.maxSettlementDelaySeconds + p.settlementFallbackWindowSeconds) throw pendingError(expiry, lookup);
    const fixed: SettlementPrice = { price, priceUnits: priceUnits!, source: "admin", observedAt: now };
    this.commit("admin", (tx) => tx.emit(settlementEvent(tx.draft, expiry, fixed, this.settings, reason)), true);
  }

  // ------------------------------------------------------------------ trading and keeping

  quote(request: QuoteRequest): Quote {
    this.hooks?.beforeQuote?.(request, this.state);
    const now = this.now();
    const snap = this.market.guarded(now, this.state.tradingPausedUntil);
    return this.priceAt(this.state, request, snap, now);
  }

  private priceAt(state: PoolState, request: QuoteRequest, snap: OracleSnapshot, now: number): Quote {
    return priceQuote(this.quoteContext, state, request, { spot: snap.spot, volAt: (strike, years) => volAt(snap, strike, years) }, now);
  }

  trade(trader: string, request: TradeRequest): Quote {
    checkAccount(trader, "trader");
    const buy = request?.side === "buy";
    if (buy) check(typeof request.maxCost === "bigint" && request.maxCost >= 0n, "maxCost", "a buy needs maxCost ≥ 0 (bigint base units)");
    else check(typeof request?.minProceeds === "bigint" && request.minProceeds >= 0n, "minProceeds", "a sell needs minProceeds ≥ 0 (bigint base units)");
    // A deviating oracle is recorded as a pause (an event that stays, even though this trade is refused).
    this.recordDeviation();
    this.hooks?.beforeQuote?.(request, this.state);
    let q: Quote | undefined;
    this.commit("trade", (tx) => {
      q = this.priceAt(tx.draft, request, this.market.guarded(tx.now, tx.draft.tradingPausedUntil), tx.now);
      if (buy && q.total > request.maxCost!) throw new PoolError("SLIPPAGE", "maxCost", `costs ${q.total} > maxCost ${request.maxCost}`);
      if (!buy && q.total < request.minProceeds!) throw new PoolError("SLIPPAGE", "minProceeds", `pays ${q.total} < minProceeds ${request.minProceeds}`);
      if (!buy) {
        const held = tx.draft.positions.get(trader)?.get(seriesKey(q.series)) ?? 0n;
        if (held < q.size) throw new PoolError("INSUFFICIENT_POSITION", "size", `${trader} holds ${held} of this series`);
      }
      tx.emit({
        kind: "trade", trader, side: q.side, series: q.series, size: q.size, spot: q.spot, oracleVol: q.vol, vol: q.volUsed,
        premium: q.premium, fees: q.fees, protocolFee: q.protocolFee, paid: q.total, collateral: q.collateral,
      });
    }, true);
    return q!;
  }

  claim(account: string): bigint {
    checkAccount(account, "account");
    let assets = 0n;
    this.commit("claim", (tx) => {
      assets = tx.draft.claimable.get(account) ?? 0n;
      if (assets === 0n) throw new PoolError("NOTHING_TO_CLAIM", "account", `${account} has nothing to claim`);
      tx.emit({ kind: "claim", account, assets });
    });
    return assets;
  }

  /** Records a tradingPaused event when the latest print deviates from its time average (its own commit). */
  private recordDeviation(): void {
    const now = this.now();
    if (this.state.tradingPausedUntil > now) return;
    const d = this.market.deviation(this.market.latest(), now);
    // The pause alone: it stays even when the operation that saw the deviation is then refused.
    if (d) this.commit("observe", (tx) => tx.emit({ kind: "tradingPaused", ...d, pausedUntil: tx.now + this.settings.params.tradingPauseSeconds }), false, false);
  }

  observe(): number {
    this.recordDeviation();
    this.commit("observe", () => {}, true);
    return this.state.tradingPausedUntil;
  }

  tripBreaker(breaker: BreakerName, reason: string, pausedUntil: number): void {
    check(breaker === "liquidity" || breaker === "ivJump" || breaker === "settlement", "breaker", 'must be "liquidity", "ivJump" or "settlement"');
    check(typeof reason === "string" && reason.length <= 500, "reason", "must be a string of at most 500 characters");
    const now = this.now();
    const max = this.settings.params.maxPauseSeconds;
    check(Number.isSafeInteger(pausedUntil) && pausedUntil > now && pausedUntil <= now + max, "pausedUntil", `must be integer unix seconds in (now, now + ${max}] (seconds, not milliseconds)`);
    this.commit("breaker", (tx) => tx.emit({ kind: "circuitBreaker", breaker, reason, pausedUntil }));
  }

  liftPause(scope: "withdrawals" | "trading", reason: string): void {
    check(scope === "withdrawals" || scope === "trading", "scope", 'must be "withdrawals" or "trading"');
    check(typeof reason === "string" && reason.trim().length > 0 && reason.length <= 500, "reason", "must say why (1 to 500 characters)");
    this.commit("admin", (tx) => tx.emit({ kind: "pauseLifted", scope, reason }), true);
  }
}
