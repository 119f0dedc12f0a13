// The contract between the pool and whoever configures it or plugs into it: its configuration and settings, the
// risk hooks pool/risk implements, the operation names the commit and the hooks share, and what operations take and
// return. Types only, plus the check that turns a PoolConfig into frozen PoolSettings: pool-core, option-pool and
// pool/risk all import from here, so the accounting layer and the risk layer meet at one declared seam.
import { checkAccount } from "./accounts.js";
import type { Clock } from "./clock.js";
import type { CollateralKind, Scales } from "./collateral.js";
import { check } from "./errors.js";
import type { OptionTypes } from "./option-types.js";
import type { PoolEvent, PoolEventBody } from "./events.js";
import type { PoolState } from "./ledger.js";
import type { LedgerKey } from "./ledger-chain.js";
import type { SpotVolOracle } from "./oracle.js";
import { resolveParams, type PoolParams } from "./params.js";
import type { SnapshotUse } from "./pool-persistence.js";
import type { SyncPricer } from "./pricer-types.js";
import type { QuoteRequest } from "./quote.js";
import type { StressReport, StressScenario } from "./risk/stress.js";
import type { EventStore } from "./store/types.js";
import type { VerifyLevel } from "./verify.js";

/** The operations of a pool, as the commit and the risk hooks name them. */
export type PoolOperation =
  | "deposit" | "mint" | "donate" | "redeem" | "withdraw" | "queue" | "cancelWithdrawal"
  | "trade" | "settle" | "claim" | "observe" | "breaker" | "admin" | "hedge";

/**
 * Risk hooks (pool/risk plugs in here; all optional). A hook refuses by throwing a PoolError, and the operation
 * then appends nothing and changes nothing. Hooks run inside an operation: calling a pool operation from one is
 * refused (REENTRANT_CALL); views (nav, openBook, bookOfState, events) are fine.
 */
export interface PoolRiskHooks {
  /** Before a quote (and a trade) is priced, e.g. to refuse stale net greeks; `state` is the ledger as it stands (read only). */
  beforeQuote?(request: QuoteRequest, state: Readonly<PoolState>): void;
  /** Inside a commit, after the operation's events are staged: may stage more (circuit-breaker trips) with `emit`. */
  onStaged?(draft: PoolState, staged: readonly PoolEvent[], emit: (body: PoolEventBody) => void): void;
  /** With the draft state and every staged event of an operation (and separately of the queue payments it makes), before it is installed. */
  beforeCommit?(operation: PoolOperation, draft: PoolState, events: readonly PoolEvent[]): void;
  /** Stress test of the current book, installed by `attachRisk` (pool/risk); `pool.stressTest()` delegates to it. */
  stressTest?(scenarios?: readonly StressScenario[]): Promise<StressReport>;
}

/** The serialisable settings of a pool (everything but the pricer, oracle, clock and ledger key). */
export interface PoolSettings extends Scales {
  /** "quote": the pool holds the quote asset and writes puts; "base": holds the base asset and writes calls. */
  collateral: CollateralKind;
  /** "one": the collateral's option type only; "both": a quote pool also writes calls under the cap rule (docs/calls-and-puts.md). */
  optionTypes: OptionTypes;
  /** The cap rule of calls on quote collateral: a call pays at most callCapPpm / 10^6 × its strike per contract, and locks that. */
  callCapPpm: number;
  /** ERC-4626 decimal offset: 10^shareOffset virtual shares; shares have decimals + shareOffset decimals. */
  shareOffset: number;
  /** Account credited with the protocol fee share at each settlement. */
  treasury: string;
  params: PoolParams;
}

/** Configuration of a pool. Defaults: sizeDecimals 2, priceDecimals 8, shareOffset 6, treasury "treasury". */
export interface PoolConfig {
  collateral: CollateralKind;
  /**
   * Which option types the pool writes: "one" (default) the collateral's (puts on quote, calls on base); "both" (quote
   * pools only) puts and calls, a call locking and paying at most callCapPpm / 10^6 × strike per contract (a call spread).
   */
  optionTypes?: OptionTypes;
  /** The call cap of a "both" pool, ppm of the strike, an integer in [1, 10^8]. Default 1,000,000 (a call pays at most its strike). */
  callCapPpm?: number;
  /** Decimals of the collateral asset (6 for USDC, 18 for ETH...): every amount is in these base units. */
  decimals: number;
  /** Size units per contract as a power of ten (default 2: `size: 150n` is 1.5 contracts). */
  sizeDecimals?: number;
  /** Decimals of strikes and settlement prices in the ledger (default 8: `strikeUnits` = strike × 10^8). */
  priceDecimals?: number;
  shareOffset?: number;
  treasury?: string;
  params?: Partial<PoolParams>;
  pricer: SyncPricer;
  oracle: SpotVolOracle;
  clock: Clock;
  /** Risk hooks (pre-trade check, greeks staleness, breakers); can also be set later on `pool.riskHooks`. */
  riskHooks?: PoolRiskHooks;
  /**
   * The operator's secret (≥ 32 bytes) for event MACs: every event then carries an HMAC of its hash, and replay
   * refuses a log without valid MACs, so a forger without the key cannot rewrite it (docs/pool-safety.md).
   */
  ledgerKey?: LedgerKey;
  /**
   * Where the events go (pool/store: SqliteEventStore for a durable pool, "pool2peer/store"). Every operation
   * appends its events here before it is installed; a refused append refuses the operation (STORE_FAILED). Default:
   * a MemoryEventStore (the whole log in memory). A new pool, replay or fork needs an empty store; resume a
   * non-empty one with OptionPool.open.
   */
  store?: EventStore<PoolEvent>;
  /** Stores a snapshot of the state every this many events (default: never automatically; see saveSnapshot()). */
  snapshotEvery?: number;
}

/** Options of OptionPool.open. */
export interface OpenOptions extends ReplayOptions {
  /** Which stored snapshot the pool may start from (default "verified": one MAC'ed under the ledger key). */
  snapshot?: SnapshotUse;
}

/** Options of a replay. */
export interface ReplayOptions {
  /** "full" (default) re-derives every amount, repricing trades with the config's pricer and parameters; "ledger" skips the repricing. */
  verify?: VerifyLevel;
}

/** A trade: a quote request plus the slippage bound of its side. */
export interface TradeRequest extends QuoteRequest {
  /** Buys: the most the trader will pay in total (collateral base units). */
  maxCost?: bigint;
  /** Sells: the least the trader will accept (collateral base units). */
  minProceeds?: bigint;
  /** Set by PeerBook for an order's pool part: the hash of its poolOrder book event, recorded in the trade event. */
  ref?: string;
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

function checkInteger(value: unknown, field: string, min: number, max: number): number {
  check(Number.isInteger(value) && (value as number) >= min && (value as number) <= max, field, `must be an integer in [${min}, ${max}]`);
  return value as number;
}

/** The settings of `config`, checked (PoolError naming the field) and frozen. */
export function settingsOf(config: PoolConfig): Readonly<PoolSettings> {
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
  const optionTypes = config.optionTypes ?? "one";
  check(optionTypes === "one" || optionTypes === "both", "optionTypes", 'must be "one" or "both"');
  check(optionTypes === "one" || config.collateral === "quote", "optionTypes", 'a base-collateral pool writes calls only ("both" needs quote collateral: a put paid in base is unbounded)');
  const callCapPpm = checkInteger(config.callCapPpm ?? 1_000_000, "callCapPpm", 1, 100_000_000);
  const params = Object.freeze(resolveParams(config.params));
  return Object.freeze({ collateral: config.collateral, optionTypes, callCapPpm, decimals, sizeDecimals, priceDecimals, shareOffset, treasury, params });
}
