// MarginLedger: margin accounts (cash + positions in many series), portfolio margin from a preset, and liquidation by
// Dutch auction (auction.ts) with an insurance fund and socialised loss. Every change is a MarginEvent, verified and
// applied by the same code live and in replay (verify.ts, state.ts), chained and optionally MAC'ed like the pool's log.
// Threat model, each defence tested in test/margin-liquidation.test.ts:
//   - a stale oracle never starts an auction, opens risk or releases cash (STALE_ORACLE), but cannot block a running
//     auction: its price schedule was fixed at the start, and a liquidator's own margin is checked at the last price;
//   - front-running: the discount at any second is fixed by the schedule (zero at the start by default), a fill takes
//     at most what restores the initial margin, the account never liquidates itself, the penalty goes to the fund;
//   - dust: sizes are taken rounded up and a dust remainder is taken whole, so every fill makes progress;
//   - an auction that never clears: the price reaches the floor after durationSeconds, where any account (the pool's
//     included) takes the rest; a deficit left when everything is taken is covered by the fund, then socialised;
//   - a withdrawal ahead of socialised loss: withdrawals pause while an insolvent auction is open, and a withdrawal
//     first checks that no account is insolvent at the current price.
import type { Clock } from "../clock.js";
import { PoolError, check } from "../errors.js";
import { checkAccount } from "../accounts.js";
import { checkChain, hashAfter, ledgerKeyBytes, seal, type LedgerKey } from "../ledger-chain.js";
import type { SpotVolOracle } from "../oracle.js";
import type { SyncPricer } from "../pricer-types.js";
import { mulDiv, pow10 } from "../units.js";
import { checkSeries, type MarginPosition, type MarginScales, type MarginSeries } from "./account.js";
import { auctionPrice, chooseFill, fillAmounts, PPB, remainingInitial, resolveLiquidation, takeSizes, type LiquidationParams } from "./auction.js";
import { MarginCalculator, type MarginFigures } from "./calculator.js";
import type { EsPricer } from "./es.js";
import { canonicalMarginEvent, decodeMarginEvent, marginEventsFromJSON, type AuctionTerms, type MarginEvent, type MarginEventBody } from "./events.js";
import { marketOf, type MarginMarket } from "./portfolio.js";
import type { MarginPreset } from "./scenarios.js";
import { marginSettlement, poolPriceUnits, strikeUnitsOf, type PoolSettlementSource } from "./settlement.js";
import { MarginState, socialCharges, type AuctionState } from "./state.js";
import { checkMarginAfter, verifyMarginEvent } from "./verify.js";

/** Configuration of a margin ledger. */
export interface MarginLedgerConfig {
  pricer: SyncPricer | EsPricer;
  oracle: SpotVolOracle;
  clock: Clock;
  scales: MarginScales;
  /** Default derive33(). */
  preset?: MarginPreset;
  /** initial = maintenance × initialFactor. Default 1.25. */
  initialFactor?: number;
  /** Rate for pricing (continuously compounded, per year). Default 0. */
  rate?: number;
  liquidation?: Partial<LiquidationParams>;
  /** ≥ 32 bytes of the operator's secret: every event is MAC'ed, replay refuses a log without valid MACs. */
  ledgerKey?: LedgerKey;
}

/** A trade between two margin accounts. */
export interface MarginTrade {
  series: MarginSeries;
  /** Size units, > 0. */
  size: bigint;
  /** Quote base units per whole contract, ≥ 0. */
  price: bigint;
}

/** Margin figures of an account with its cash. */
export interface AccountMargin extends MarginFigures {
  cash: bigint;
}

/** The hash before the first margin event: binds the chain to the margin log and its scales. */
export function marginGenesisHash(scales: MarginScales): string {
  return hashAfter("", JSON.stringify(["pool2peer margin ledger v1", scales.decimals, scales.sizeDecimals]));
}

/** Margin accounts with portfolio margin and liquidation (see the file header). */
export class MarginLedger {
  readonly scales: MarginScales;
  readonly liquidation: LiquidationParams;
  readonly calculator: MarginCalculator;
  private state: MarginState;
  private readonly log: MarginEvent[] = [];
  private readonly key: Uint8Array | undefined;
  private busy = false;
  /** Inside atomically(): margin operations apply as usual and are undone together if the unit fails. */
  private unit = false;

  constructor(readonly config: MarginLedgerConfig) {
    this.scales = config.scales;
    check(Number.isInteger(config.scales.decimals) && config.scales.decimals >= 0 && config.scales.decimals <= 30, "scales.decimals", "must be an integer in [0, 30]");
    check(Number.isInteger(config.scales.sizeDecimals) && config.scales.sizeDecimals >= 0 && config.scales.sizeDecimals <= 18, "scales.sizeDecimals", "must be an integer in [0, 18]");
    this.liquidation = resolveLiquidation(config.liquidation ?? {}, config.scales.decimals);
    this.calculator = new MarginCalculator(config.pricer, { scales: config.scales, ...(config.preset ? { preset: config.preset } : {}), ...(config.initialFactor ? { initialFactor: config.initialFactor } : {}) });
    this.key = config.ledgerKey === undefined ? undefined : ledgerKeyBytes(config.ledgerKey);
    this.state = new MarginState(marginGenesisHash(config.scales));
  }

  /** Rebuilds a ledger from its events, verifying each (schema, chain, MACs, re-derived amounts, conservation). */
  static replay(config: MarginLedgerConfig, events: readonly MarginEvent[]): MarginLedger {
    const ledger = new MarginLedger(config);
    events.forEach((raw, i) => {
      const e = decodeMarginEvent(raw, `events[${i}]`, false);
      const s = ledger.state;
      if (e.seq !== s.seq + 1) throw new PoolError("REPLAY_MISMATCH", "seq", `margin: expected seq ${s.seq + 1}, got ${e.seq}`);
      checkChain(s.hash, e, canonicalMarginEvent(e), ledger.key);
      ledger.applyChecked(s, e);
      ledger.log.push(e);
    });
    return ledger;
  }

  /** MarginLedger.replay over marginEventsToJSON text. */
  static fromJSON(config: MarginLedgerConfig, text: string): MarginLedger {
    return MarginLedger.replay(config, marginEventsFromJSON(text));
  }

  // ------------------------------------------------------------ views

  get events(): readonly MarginEvent[] {
    return this.log.slice();
  }

  /** Insurance fund, quote base units. */
  get insuranceFund(): bigint {
    return this.state.fund;
  }

  /** Cumulative bad debt covered by the fund and socialised (quote base units). */
  get badDebt(): { covered: bigint; socialised: bigint } {
    return { covered: this.state.covered, socialised: this.state.socialised };
  }

  /** Paid in − paid out (= Σ cash + fund). */
  get held(): bigint {
    return this.state.paidIn - this.state.paidOut;
  }

  cashOf(account: string): bigint {
    return this.state.accounts.get(account)?.cash ?? 0n;
  }

  positionsOf(account: string): MarginPosition[] {
    return this.state.accounts.get(account)?.list() ?? [];
  }

  /** Names of accounts that hold positions or cash. */
  get accountNames(): string[] {
    return [...this.state.accounts.keys()].sort();
  }

  /** The running auction of `account` (copy), or undefined. */
  auction(account: string): (AuctionState & { price: bigint }) | undefined {
    const a = this.state.auctions.get(account);
    return a && { ...a, positions: a.positions.map((p) => ({ ...p })), price: auctionPrice(a.terms, this.config.clock.now() - a.startTime) };
  }

  /** Margin figures of `account` at the oracle's latest price (whatever its age) and its cash. */
  marginOf(account: string, extra: readonly MarginPosition[] = []): AccountMargin {
    return { cash: this.cashOf(account), ...this.figuresAt(account, this.market(false), extra) };
  }

  /** The market at the oracle's latest observation; with `fresh`, STALE_ORACLE when it is older than maxPriceAgeSeconds. */
  market(fresh: boolean): MarginMarket {
    const snapshot = this.config.oracle.latest();
    const now = this.config.clock.now();
    if (fresh && now - snapshot.timestamp > this.liquidation.maxPriceAgeSeconds)
      throw new PoolError("STALE_ORACLE", "oracle", `the price is ${now - snapshot.timestamp} s old (at most ${this.liquidation.maxPriceAgeSeconds})`);
    return marketOf(snapshot, now, this.config.rate ?? 0);
  }

  // ------------------------------------------------------------ operations

  /** Adds `assets` (quote base units, > 0) to `account`'s cash. */
  deposit(account: string, assets: bigint): void {
    checkAccount(account, "account");
    check(typeof assets === "bigint" && assets > 0n, "assets", "must be a bigint > 0");
    this.commit((_s, emit) => emit({ kind: "deposit", account, assets }));
  }

  /** Pays out `assets` if the cash left covers the initial margin at a fresh price and no bad debt is pending. */
  withdraw(account: string, assets: bigint): void {
    checkAccount(account, "account");
    check(typeof assets === "bigint" && assets > 0n, "assets", "must be a bigint > 0");
    const m = this.market(true);
    if (this.state.auctions.has(account)) throw new PoolError("INSUFFICIENT_COLLATERAL", "account", `${account} is under auction`);
    if ([...this.state.auctions.values()].some((a) => a.insolvent) || this.insolventAccount(m) !== undefined)
      throw new PoolError("WITHDRAWALS_PAUSED", "assets", "bad debt is pending: withdrawals wait until it is settled");
    const cash = this.cashOf(account);
    if (assets > cash) throw new PoolError("INSUFFICIENT_COLLATERAL", "assets", `${account} holds ${cash}`);
    const { initial } = this.figuresAt(account, m);
    if (cash - assets < initial) throw new PoolError("INSUFFICIENT_COLLATERAL", "assets", `leaves ${cash - assets}, initial margin is ${initial}`);
    this.commit((_s, emit) => emit({ kind: "withdraw", account, assets, initial }));
  }

  /** Moves `assets` of `account`'s free cash (above its initial margin) into the insurance fund. */
  fundInsurance(account: string, assets: bigint): void {
    checkAccount(account, "account");
    check(typeof assets === "bigint" && assets > 0n, "assets", "must be a bigint > 0");
    const { initial } = this.figuresAt(account, this.market(true));
    if (this.cashOf(account) - assets < initial) throw new PoolError("INSUFFICIENT_COLLATERAL", "assets", "leaves less than the initial margin");
    this.commit((_s, emit) => emit({ kind: "fund", account, assets }));
  }

  /**
   * `buyer` buys `size` of `series` from `seller` at `price`; each side must hold its initial margin afterwards, or
   * have reduced its maintenance margin by the trade. Returns the premium paid (quote base units).
   */
  trade(buyer: string, seller: string, t: MarginTrade): bigint {
    checkAccount(buyer, "buyer");
    checkAccount(seller, "seller");
    check(buyer !== seller, "seller", "an account never trades with itself");
    checkSeries(t?.series, "series");
    check(typeof t.size === "bigint" && t.size > 0n, "size", "must be a bigint > 0");
    check(typeof t.price === "bigint" && t.price >= 0n, "price", "must be a bigint ≥ 0");
    const series = { type: t.series.type, strike: t.series.strike, expiry: t.series.expiry };
    strikeUnitsOf(series, this.scales);
    const m = this.market(true);
    if (m.now >= series.expiry) throw new PoolError("EXPIRED", "series.expiry", `expired ${m.now - series.expiry} s ago`);
    for (const a of [buyer, seller]) if (this.state.auctions.has(a)) throw new PoolError("INSUFFICIENT_COLLATERAL", a === buyer ? "buyer" : "seller", `${a} is under auction`);
    const amount = mulDiv(t.price, t.size, pow10(this.scales.sizeDecimals), "up");
    this.checkCarries(buyer, m, [{ series, size: t.size }], -amount, "buyer");
    this.checkCarries(seller, m, [{ series, size: -t.size }], amount, "seller");
    this.commit((_s, emit) => emit({ kind: "trade", buyer, seller, series, size: t.size, price: t.price, amount }));
    return amount;
  }

  /**
   * Whether `account` can carry `extra` positions with `cashDelta` more cash (signed) at a fresh price: its cash
   * then covers the initial margin, or the change lowers its maintenance margin. Throws INSUFFICIENT_COLLATERAL naming `field`.
   */
  checkCarries(account: string, m: MarginMarket, extra: readonly MarginPosition[], cashDelta: bigint, field: string): void {
    const cash = this.cashOf(account) + cashDelta;
    const after = this.figuresAt(account, m, extra);
    if (cash >= after.initial) return;
    if (after.maintenance < this.figuresAt(account, m).maintenance && cash >= 0n) return;
    throw new PoolError("INSUFFICIENT_COLLATERAL", field, `${account} would hold ${cash}, initial margin ${after.initial}`);
  }

  /** Starts the auction of an account below its maintenance margin at a fresh price. Returns its terms. */
  startAuction(account: string): AuctionTerms {
    checkAccount(account, "account");
    if (this.state.auctions.has(account)) throw new PoolError("INVALID_INPUT", "account", `${account} is already under auction`);
    const m = this.market(true);
    const cash = this.cashOf(account);
    const f = this.figuresAt(account, m);
    if (cash >= f.maintenance) throw new PoolError("INVALID_INPUT", "account", `${account} holds ${cash}, maintenance margin ${f.maintenance}: not liquidatable`);
    const p = this.liquidation;
    const terms: AuctionTerms = {
      mark: f.mark, maintenance: f.maintenance, initial: f.initial, spot: m.spot,
      startDiscountPpm: p.startDiscountPpm, floorDiscountPpm: p.floorDiscountPpm, durationSeconds: p.durationSeconds, penaltyPpm: p.penaltyPpm,
    };
    this.commit((_s, emit) => emit({ kind: "auction", account, cash, ...terms }));
    return terms;
  }

  /**
   * `liquidator` takes up to `fractionPpb` (default: all it may) of `account`'s auctioned portfolio at the current
   * auction price, if its own margin holds afterwards (at the oracle's latest price, whatever its age). The auction
   * closes when the account is back at its initial margin or empty (deficit covered by the fund, then socialised).
   */
  bid(liquidator: string, account: string, fractionPpb?: bigint): Extract<MarginEventBody, { kind: "bid" }> {
    checkAccount(liquidator, "liquidator");
    const a = this.state.auctions.get(account);
    if (!a) throw new PoolError("INVALID_INPUT", "account", `${account} is not under auction`);
    if (liquidator === account) throw new PoolError("INVALID_INPUT", "liquidator", "an account never liquidates itself");
    if (this.state.auctions.has(liquidator)) throw new PoolError("INSUFFICIENT_COLLATERAL", "liquidator", `${liquidator} is itself under auction`);
    if (fractionPpb !== undefined) check(typeof fractionPpb === "bigint" && fractionPpb > 0n, "fractionPpb", "must be a bigint > 0");
    const now = this.config.clock.now();
    const price = auctionPrice(a.terms, now - a.startTime);
    const x = chooseFill(a.terms, a.positions, this.cashOf(account), a.filledPpb, price, this.liquidation.dustUnits, fractionPpb);
    if (x === 0n) throw new PoolError("INVALID_INPUT", "account", `${account} is back at its initial margin`);
    const filledPpb = a.filledPpb + x;
    const take = takeSizes(a.positions, a.filledPpb, filledPpb);
    const { amount, penalty } = fillAmounts(a.terms, price, x);
    const m = this.market(false);
    const lf = this.figuresAt(liquidator, m, take);
    if (this.cashOf(liquidator) - amount < lf.initial)
      throw new PoolError("INSUFFICIENT_COLLATERAL", "liquidator", `${liquidator} would hold ${this.cashOf(liquidator) - amount}, initial margin ${lf.initial}`);
    const body = { kind: "bid" as const, account, liquidator, fractionPpb: x, filledPpb, price, amount, penalty, take, liquidatorInitial: lf.initial };
    this.commit((s, emit) => {
      emit(body);
      this.stageClose(s, account, emit);
    });
    return body;
  }

  /**
   * Runs `fn` as one unit with another record (the peer book's store in margin mode): the margin operations inside it
   * apply as usual, and when `fn` throws every one of them is undone before the error propagates, so the margin ledger
   * never keeps trades whose book events were refused. Exact because each commit installs a new state and never
   * mutates the one it replaced. Not nestable (REENTRANT_CALL), and not callable from inside a margin operation.
   */
  atomically<T>(fn: () => T): T {
    if (this.busy || this.unit) throw new PoolError("REENTRANT_CALL", "operation", "a margin unit was started inside another margin operation");
    const state = this.state;
    const length = this.log.length;
    this.unit = true;
    try {
      return fn();
    } catch (e) {
      this.state = state;
      this.log.length = length;
      throw e;
    } finally {
      this.unit = false;
    }
  }

  // ------------------------------------------------------------ internals

  /** After a fill: close when restored; when emptied, cover a deficit from the fund, socialise the rest, close. */
  private stageClose(s: MarginState, account: string, emit: (b: MarginEventBody) => void): void {
    const a = s.auctions.get(account)!;
    const cash = () => s.accounts.get(account)!.cash;
    if (a.filledPpb < PPB) {
      if (cash() >= remainingInitial(a.terms, a.filledPpb)) emit({ kind: "close", account, reason: "restored" });
      return;
    }
    this.stageDeficit(s, account, emit);
    emit({ kind: "close", account, reason: "emptied" });
  }

  /** An account without positions left below zero: the fund covers what it can, the rest is socialised. */
  private stageDeficit(s: MarginState, account: string, emit: (b: MarginEventBody) => void): void {
    const cash = () => s.accounts.get(account)!.cash;
    if (cash() < 0n && s.fund > 0n) emit({ kind: "cover", account, amount: -cash() < s.fund ? -cash() : s.fund });
    if (cash() < 0n) emit({ kind: "socialise", account, amount: -cash(), charges: socialCharges(s, account, -cash()) });
  }

  /**
   * Settles every position expiring at `expiry` at `priceUnits` (quote base units per base, e.g. the pool's
   * settlementPrice(expiry).priceUnits): intrinsic value from shorts to longs, dust to the fund, deficits covered by
   * the fund, then socialised. Returns the payouts.
   */
  settle(expiry: number, priceUnits: bigint): { account: string; amount: bigint }[] {
    check(Number.isSafeInteger(expiry), "expiry", "must be integer unix seconds");
    check(typeof priceUnits === "bigint" && priceUnits > 0n, "priceUnits", "must be a bigint > 0");
    const now = this.config.clock.now();
    if (now < expiry) throw new PoolError("NOT_EXPIRED", "expiry", `expires in ${expiry - now} s`);
    if (this.state.auctions.size > 0) throw new PoolError("SETTLEMENT_PENDING", "expiry", "settlement waits for running auctions");
    const { payouts, dust } = marginSettlement(this.state, expiry, priceUnits, this.scales);
    if (payouts.length === 0) throw new PoolError("NOTHING_TO_SETTLE", "expiry", `no margin positions expire at ${expiry}`);
    this.commit((s, emit) => {
      emit({ kind: "settle", expiry, priceUnits, payouts, dust });
      for (const p of payouts) if (s.accounts.get(p.account)!.positions.size === 0) this.stageDeficit(s, p.account, emit);
    });
    return payouts;
  }

  /**
   * Settles `expiry` at `pool`'s settlement price (OptionPool.settlementPrice: the recorded price once the pool has
   * settled the expiry, else its rule's), so margin accounts settle at the same price as the pool and its peer book.
   * Refuses what the pool refuses (NOT_EXPIRED, SETTLEMENT_PENDING): no margin settlement at a price of its own.
   */
  settleAtPool(pool: PoolSettlementSource, expiry: number): { account: string; amount: bigint }[] {
    return this.settle(expiry, poolPriceUnits(pool, expiry, this.scales));
  }

  private figuresAt(account: string, m: MarginMarket, extra: readonly MarginPosition[] = []): MarginFigures {
    const positions = this.positionsOf(account);
    return this.calculator.figures(extra.length ? [...positions, ...extra] : positions, m);
  }

  /** The first account (name order) whose cash + mark is below zero, or undefined. */
  private insolventAccount(m: MarginMarket): string | undefined {
    for (const name of this.accountNames) {
      const acc = this.state.accounts.get(name)!;
      if (!acc.hasShort) continue;
      if (acc.cash + this.calculator.figures(acc.list(), m).mark < 0n) return name;
    }
    return undefined;
  }

  private applyChecked(s: MarginState, e: MarginEvent): void {
    verifyMarginEvent(s, e, this.scales, this.liquidation);
    s.apply(e);
    checkMarginAfter(s, e);
  }

  /** Runs an operation on a draft of the state; events are sealed, verified and applied as emitted; kept whole or not at all. */
  private commit(build: (draft: MarginState, emit: (body: MarginEventBody) => void) => void): void {
    if (this.busy) throw new PoolError("REENTRANT_CALL", "operation", "a margin operation was called while another is running");
    this.busy = true;
    try {
      const draft = this.state.clone();
      const staged: MarginEvent[] = [];
      const time = this.config.clock.now();
      build(draft, (body) => {
        const unsealed = { ...body, seq: draft.seq + 1, time } as MarginEventBody & { seq: number; time: number };
        const e = seal(unsealed, canonicalMarginEvent(unsealed), draft.hash, this.key) as MarginEvent;
        this.applyChecked(draft, e);
        staged.push(e);
      });
      this.state = draft;
      this.log.push(...staged);
    } catch (e) {
      if (e instanceof PoolError) throw e;
      throw new PoolError("INTERNAL_ERROR", "operation", `margin operation failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      this.busy = false;
    }
  }
}
