// Scenario simulation of a pool (with peer traders and an attacker) and its HTML report.
export { runScenario, type DefenceEvent, type LpResult, type ScenarioDay, type ScenarioResult } from "./scenario.js";
export { checkScenarioConfig, type AttackConfig, type AttackerConfig, type HitAndRunAttack, type MakersConfig, type OracleSpikeAttack, type PeersConfig, type ScenarioConfig, type SplitTradeAttack, type TakersConfig } from "./config.js";
export { runAttack, type AttackContext, type AttackResult } from "./attacks.js";
export { PeerDesk, emptyVolume, type PeerVolume } from "./peers.js";
export { DEFAULT_SCENARIO } from "./default-scenario.js";
export { attackerSection, defenceSection, heatMap, histogram, lineChart, lpSection, renderReport, volumeSection } from "./report.js";
export { crashScenario, DEFAULT_HEDGE, expectedAbsShifted, maxDrawdown, pathHedgeTurnover, runHedgeTwins, type HedgeTwins, type TwinFigures } from "./hedge-twins.js";
export type { HedgeRun } from "./hedge-day.js";
export type { ScenarioHedgeConfig } from "./config.js";
