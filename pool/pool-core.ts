// The pool's engine behind the OptionPool facade: the ledger state, the one commit every operation goes through,
// valuation, settling what is due, and trading. LP operations live in lp.ts, settle/adminSettle in settle-ops.ts,
// the event store, replay, restart and snapshots in pool-log.ts.
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
import { applyEvent, PoolState, seriesKey } from "./ledger.js";
import { genesisHash, ledgerKeyBytes, sealEvent } from "./ledger-chain.js";
import { BookValuer, openBookOf, type OpenBook } from "./valuation.js";
import { hedgeIsOpen, hedgeValue } from "./hedge/accounting.js";
import { LpOperations } from "./lp.js";
import { MarketGuard } from "./market.js";
import type { OracleSnapshot, SpotVolOracle } from "./oracle.js";
import type { PoolParams } from "./params.js";
import type { PoolConfig, PoolOperation, PoolRiskHooks, PoolSettings, TradeRequest } from "./pool-types.js";
import type { SyncPricer } from "./pricer-types.js";
import { priceQuote, quoteMarketOf, type Quote, type QuoteContext, type QuoteRequest } from "./quote.js";
import { dueExpiries, lookupSettlementPrice, pendingError, settlementEvent } from "./settlement.js";
import type { ShareTotals } from "./shares.js";
import { maxBig, minBig, type Rounding } from "./units.js";
import { PoolLog } from "./pool-log.js";
import { SettlementOperations } from "./settle-ops.js";

/** Stages one event on the draft of the running commit. */
export type Emit = (body: PoolEventBody) => void;

/** The running commit, as an operation's builder sees it. */
export interface Tx {
  draft: PoolState;
  emit: Emit;
  /** Clock time of the operation (integer unix seconds): every event of it carries this time. */
  now: number;
}

/** How settleDue treats an expiry without a price: LP operations refuse ("strict"), the others leave it for later. */
type DueMode = "strict" | "lenient";

export class PoolCore {
  state = new PoolState();
  /** The record of every event (config.store, or one in memory): the commit appends to it before it installs. */
  readonly log: PoolLog;
  hooks: PoolRiskHooks | undefined;
  readonly pricer: SyncPricer;
  readonly oracle: SpotVolOracle;
  readonly clock: Clock;
  // The parameters' dependents: replaced whole by useParams (a paramsChanged event).
  settings: Readonly<PoolSettings>;
  market: MarketGuard;
  quoteContext: QuoteContext;
  valuer: BookValuer;
  readonly lp: LpOperations;
  /** The ledger key's bytes (event and snapshot MACs), when the pool has one. */
  readonly key: Uint8Array | undefined;
  /** The operation running now (undefined between operations). */
  busy: PoolOperation | undefined;
  private retainedFrom: number | undefined;
  readonly settlement: SettlementOperations;

  constructor(
    settings: Readonly<PoolSettings>,
    readonly config: PoolConfig,
  ) {
    this.settings = settings;
    this.pricer = config.pricer;
    this.oracle = config.oracle;
    this.clock = config.clock;
    this.hooks = config.riskHooks;
    this.key = config.ledgerKey === undefined ? undefined : ledgerKeyBytes(config.ledgerKey);
    this.market = new MarketGuard(config.oracle, settings.params);
    const protocolShareBps = BigInt(Math.round(settings.params.protocolFeeShare * 10_000));
    this.quoteContext = { ...settings, protocolShareBps, pricer: config.pricer };
    this.state.flowWindowSeconds = settings.params.ivImpactWindowSeconds;
    this.state.hash = genesisHash(settings);
    this.log = new PoolLog(this, this.state.hash);
    this.settlement = new SettlementOperations(this);
    this.lp = new LpOperations(this);
    this.valuer = new BookValuer(settings, config.pricer);
  }

  /** Puts `params` in force: after a paramsChanged event is installed or replayed, or a snapshot holding changes is restored. */
  useParams(params: PoolParams): void {
    this.settings = Object.freeze({ ...this.settings, params: Object.freeze({ ...params }) });
    this.market = new MarketGuard(this.oracle, this.settings.params);
    this.quoteContext = { ...this.settings, protocolShareBps: BigInt(Math.round(params.protocolFeeShare * 10_000)), pricer: this.pricer };
    this.state.flowWindowSeconds = params.ivImpactWindowSeconds;
    this.valuer = new BookValuer(this.settings, this.pricer);
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
      if (staged.length > 0) this.log.append(staged);
    } catch (e) {
      state.undo.rollback();
      throw e;
    }
    state.undo.commit();
    if (staged.length === 0) return [];
    this.retainOracle();
    this.log.afterCommit();
    return staged;
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
  retainOracle(): void {
    if (!this.oracle.retain) return;
    let earliest: number | undefined;
    for (const s of this.state.series.values()) if (earliest === undefined || s.expiry < earliest) earliest = s.expiry;
    for (const key of this.state.treasuryPending.keys()) if (earliest === undefined || Number(key) < earliest) earliest = Number(key);
    if (earliest !== this.retainedFrom) this.oracle.retain(this, (this.retainedFrom = earliest));
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
    if (state.series.size === 0 && !hedgeIsOpen(state.hedge)) return state.free + state.locked + state.hedge.margin;
    const now = this.now();
    const snap = this.market.navSnapshot(now);
    return state.free + state.locked - this.valuer.liability(state, snap, now, rounding, this.fixedPrice) + hedgeValue(state.hedge, snap.spot, this.settings, rounding);
  }

  /**
   * Liability at which LPs enter ("down") and exit ("up"): the option book marked both at the TWAP spot/vol and at
   * the latest ones, the LP getting the worse of the two (entries at the lower liability, exits at the higher).
   * Hit-and-run defence: an LP who deposits, trades at the latest prices and redeems at once would otherwise have
   * its own trade marked at the stale TWAP and take that gap from the other LPs; with the worse mark the attacker's
   * trade counts at no less than its latest value, so its profit is ≤ (1 − its share)·(value − cost) ≤ 0.
   */
  private lpLiability(state: PoolState, rounding: Rounding): bigint {
    if (state.series.size === 0 && !hedgeIsOpen(state.hedge)) return -state.hedge.margin;
    const now = this.now();
    // Net of the hedge (margin + unrealised P&L), each mark valuing options and hedge at the same spot.
    const net = (snap: OracleSnapshot) => this.valuer.liability(state, snap, now, rounding, this.fixedPrice) - hedgeValue(state.hedge, snap.spot, this.settings, rounding);
    const twap = net(this.market.navSnapshot(now));
    const p = this.settings.params;
    if (p.lpConservativeNav === 0 || p.navTwapWindowSeconds <= 0) return twap;
    const latest = net(this.market.latest());
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
    if (tx.draft.series.size > 0 || hedgeIsOpen(tx.draft.hedge)) this.market.guarded(tx.now, tx.draft.tradingPausedUntil);
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

  // ------------------------------------------------------------------ trading and keeping

  quote(request: QuoteRequest): Quote {
    this.hooks?.beforeQuote?.(request, this.state);
    const now = this.now();
    const snap = this.market.guarded(now, this.state.tradingPausedUntil);
    return this.priceAt(this.state, request, snap, now);
  }

  private priceAt(state: PoolState, request: QuoteRequest, snap: OracleSnapshot, now: number): Quote {
    return priceQuote(this.quoteContext, state, request, quoteMarketOf(snap, this.settings.params), now);
  }

  trade(trader: string, request: TradeRequest): Quote {
    checkAccount(trader, "trader");
    const buy = request?.side === "buy";
    if (buy) check(typeof request.maxCost === "bigint" && request.maxCost >= 0n, "maxCost", "a buy needs maxCost ≥ 0 (bigint base units)");
    else check(typeof request?.minProceeds === "bigint" && request.minProceeds >= 0n, "minProceeds", "a sell needs minProceeds ≥ 0 (bigint base units)");
    const ref = request.ref;
    check(ref === undefined || (typeof ref === "string" && /^[0-9a-f]{64}$/.test(ref)), "ref", "must be 64 lowercase hex digits (a book event's hash)");
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
        premium: q.premium, fees: q.fees, protocolFee: q.protocolFee, paid: q.total, collateral: q.collateral, ...(ref === undefined ? {} : { ref }),
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
