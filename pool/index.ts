// Public surface of the pool accounting layer: chosen, each name a promise to users. Ledger internals (applyEvent,
// the unit arithmetic, the oracle's TWAP pieces, the fee curve's parts) stay importable by path for tests, not here.
export {
  OptionPool,
  formatUnits,
  type AsyncPricer,
  type OpenBook,
  type PoolConfig,
  type PoolRiskHooks,
  type PoolSettings,
  type Quote,
  type QuoteRequest,
  type RedeemResult,
  type SyncPricer,
  type TradeRequest,
} from "./option-pool.js";
export { PoolError, type PoolErrorCode } from "./errors.js";
export { eventsFromJSON, eventsToJSON, type PoolEvent, type PoolEventBody, type PoolEventKind, type SeriesRef, type SettlementPayout } from "./events.js";
export { seriesKey, type PoolState, type FlowTotals, type RecentTrade, type QueuedWithdrawal, type SeriesState } from "./ledger.js";
export { DEFAULT_POOL_PARAMS, resolveParams, type FeeParams, type LimitParams, type MarketParams, type PoolParams } from "./params.js";
export { feeBreakdown, hedgeTurnover, type FeeBreakdown, type FeeInputs, type HedgeTurnover } from "./fees.js";
export {
  ManualOracle,
  MIN_VOL,
  spotMove,
  timeWeightedSpot,
  timeWeightedVol,
  volAt,
  type FieldExtremes,
  type OracleField,
  type OracleSnapshot,
  type SpotVolOracle,
} from "./oracle.js";
export { ManualClock, SECONDS_PER_YEAR, systemClock, yearsBetween, type Clock } from "./clock.js";
export { collateralFor, optionTypeOf, payoutFor, type CollateralKind, type Scales } from "./collateral.js";
export { DEFAULT_CALL_CAP, callCapUnits, capRuleOf, lockFor, payoutOf, type CallCap, type OptionTypes, type TypeRule } from "./option-types.js";
export {
  convertToAssets,
  convertToShares,
  previewDeposit,
  previewMint,
  previewRedeem,
  previewWithdraw,
  redeemableShares,
  type ShareTotals,
} from "./shares.js";
export { contracts, formatAmount, parseAmount, type DisplayRounding, type FormatAmountOptions } from "./amounts.js";
export { runPoolDemo, type DemoDay, type DemoSummary, type DemoOptions } from "./demo.js";
export { PeerBook, type PeerBookOptions, type BookState, bookEventsFromJSON, bookEventsToJSON, type BookEvent, type BookEventBody, type BookOrder, type BookPayout, type BookSide, type FillReport, type PeerFill, type PeerSeries, type RestingOrder, type SeriesSpec } from "./book/index.js";
export * from "./risk/index.js";
// The event store's browser-safe parts; SqliteEventStore and the journal import/export are in "pool2peer/store".
export type { EventStore, StoredSnapshot } from "./store/types.js";
export type { SurfaceRefusal, SurfaceRefusals } from "./surface-guard.js";
export { BOOK_LOG, POOL_LOG, type ChainCodec, type EventCodec } from "./store/codec.js";
export { StoreError, type StoreErrorCode } from "./store/errors.js";
export { MemoryEventStore, type MemoryStoreOptions } from "./store/memory-store.js";
export { ChainCheck, verifyLog, type ChainStart } from "./store/chain.js";
export * from "./hedge/index.js";
