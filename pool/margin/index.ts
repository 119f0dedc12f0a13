// Public surface of portfolio margin (pool/margin): accounts, scenario presets, the calculator, the Monte Carlo ES.
export { MarginAccount, marginSeriesKey, type MarginPosition, type MarginScales, type MarginSeries } from "./account.js";
export { marketOf, type MarginMarket } from "./portfolio.js";
export { poolPriceUnits, type PoolSettlementSource } from "./settlement.js";
export {
  checkPreset, deribit35, derive33, MARGIN_PRESETS, monteCarloEs, scenarioVol, span16,
  type MarginPreset, type MarginPresetName, type MarginScenario, type MonteCarloPreset, type ScenarioPreset,
} from "./scenarios.js";
export { MarginCalculator, type MarginConfig, type MarginFigures, type ScenarioCosts } from "./calculator.js";
export { esCosts, type EsPricer } from "./es.js";
export { auctionPrice, chooseFill, discountPpm, maxFill, PPB, PPM, takeSizes, type LiquidationParams } from "./auction.js";
export {
  decodeMarginEvent, MARGIN_EVENT_SCHEMA, marginEventsFromJSON, marginEventsToJSON,
  type AuctionTerms, type MarginEvent, type MarginEventBody, type SeriesSize,
} from "./events.js";
export { MarginState, socialCharges, type AuctionState } from "./state.js";
export { MarginLedger, marginGenesisHash, type AccountMargin, type MarginLedgerConfig, type MarginTrade } from "./ledger.js";
export { simulateCrashes, type CrashOptions, type CrashReport } from "./crash.js";
