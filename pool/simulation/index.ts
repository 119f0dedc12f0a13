// Scenario simulation of a pool and its HTML report.
export { checkScenarioConfig, runScenario, type ScenarioConfig, type ScenarioDay, type ScenarioResult } from "./scenario.js";
export { DEFAULT_SCENARIO } from "./default-scenario.js";
export { heatMap, histogram, lineChart, renderReport } from "./report.js";
