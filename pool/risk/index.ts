// Public surface of pool risk: net greeks, stress grid, Monte Carlo VaR / ES, pre-trade check, circuit breakers.
import type { OptionPool } from "../option-pool.js";
import { CircuitBreakers, type CircuitBreakerOptions } from "./breakers.js";
import { GreeksMonitor, type GreeksMonitorOptions } from "./greeks.js";
import type { RiskPricer } from "./normals.js";
import { PreTradeCheck, type PreTradeLimits } from "./pretrade.js";
import { defaultStressScenarios, stressTest, type StressReport, type StressScenario } from "./stress.js";
import { prepareBook, type AnyPricer } from "./valuation.js";
import { valueAtRisk, type VarOptions, type VarResult } from "./var.js";

export { CircuitBreakers, DEFAULT_CIRCUIT_BREAKER_OPTIONS, type CircuitBreakerOptions } from "./breakers.js";
export { aggregateGreeks, DEFAULT_GREEKS_MONITOR_OPTIONS, GreeksMonitor, type GreekTotals, type GreeksMonitorOptions, type NetGreeks } from "./greeks.js";
export type { RiskPricer } from "./normals.js";
export { DEFAULT_PRE_TRADE_LIMITS, PreTradeCheck, type PreTradeAssessment, type PreTradeLimits } from "./pretrade.js";
export {
  DEFAULT_STRESS_OPTIONS, defaultStressScenarios, shockedVol, stressTest, stressTestSync, surfaceMovedVol, surfaceStressScenarios,
  type StressOptions, type StressReport, type StressResult, type StressScenario,
} from "./stress.js";
export { hedgeValueAt, prepareBook, sharePriceOf, totalsOfState, type AnyPricer, type HedgePosition, type LedgerTotals, type PreparedBook } from "./valuation.js";
export { DEFAULT_VAR_OPTIONS, valueAtRisk, valueAtRiskSync, type VarOptions, type VarResult } from "./var.js";

/** Stress test of a pool's current book (default grid of 23 scenarios) with any pricer. */
export function stressTestPool(pool: OptionPool, pricer: AnyPricer, scenarios: readonly StressScenario[] = defaultStressScenarios()): Promise<StressReport> {
  return stressTest(prepareBook(pool.openBook(), pool.settings, pool), pricer, scenarios);
}

/** Monte Carlo VaR / ES of a pool's share price (spot moves at the oracle's base vol) with any pricer. */
export function valueAtRiskPool(pool: OptionPool, pricer: AnyPricer, options: Partial<VarOptions> = {}, onProgress?: (done: number, total: number) => void): Promise<VarResult> {
  return valueAtRisk(prepareBook(pool.openBook(), pool.settings, pool), pricer, pool.oracle.latest().baseVol, options, onProgress);
}

/** What attachRisk wires into a pool: the risk engine of that pool. */
export interface PoolRisk {
  greeks: GreeksMonitor;
  preTrade: PreTradeCheck | undefined;
  breakers: CircuitBreakers;
  /** Stress test of the pool's current book (default: the 23-scenario grid) on the risk pricer. `pool.stressTest()` calls this. */
  stressTest(scenarios?: readonly StressScenario[]): Promise<StressReport>;
  /** Monte Carlo VaR / ES of the pool's share price now (defaults: DEFAULT_VAR_OPTIONS) on the risk pricer. */
  valueAtRisk(options?: Partial<VarOptions>, onProgress?: (done: number, total: number) => void): Promise<VarResult>;
}

/**
 * Wires risk into a pool's hooks: quotes and trades refresh the net greeks when needed (sync pricer, or refuse
 * stale ones with `autoRefresh: false`), buys and redemptions pass the pre-trade check (unless `preTrade: false`),
 * and `pool.stressTest(scenarios?)` runs on `riskPricer` (default `pricer`; e.g. a worker pool).
 * @example
 * const risk = attachRisk(pool, { pricer, riskPricer: workers });
 * const grid = await pool.stressTest();              // same as risk.stressTest()
 * const v = await risk.valueAtRisk({ paths: 100_000 });
 */
export function attachRisk(
  pool: OptionPool,
  options: {
    pricer: RiskPricer;
    /** Pricer of stressTest / valueAtRisk (createPricingPool() for big runs). Default: `pricer`. */
    riskPricer?: AnyPricer;
    autoRefreshGreeks?: boolean;
    greeks?: Partial<GreeksMonitorOptions>;
    preTrade?: Partial<PreTradeLimits> | false;
    breakers?: Partial<CircuitBreakerOptions>;
  },
): PoolRisk {
  const greeks = new GreeksMonitor(pool, options.greeks);
  const preTrade = options.preTrade === false ? undefined : new PreTradeCheck(pool, options.pricer, options.preTrade);
  const breakers = new CircuitBreakers(pool, options.breakers);
  const auto = options.autoRefreshGreeks ?? true;
  const riskPricer = options.riskPricer ?? options.pricer;
  const stressTest = (scenarios?: readonly StressScenario[]) => stressTestPool(pool, riskPricer, scenarios);
  pool.riskHooks = {
    beforeQuote(_request, state) {
      if (auto) greeks.refreshIfNeeded(options.pricer, state);
      greeks.assertUsableForQuote();
    },
    onStaged: breakers.onStaged,
    beforeCommit: preTrade ? (operation, draft, events) => preTrade.check(operation, draft, events) : undefined,
    stressTest,
  };
  return {
    greeks, preTrade, breakers, stressTest,
    valueAtRisk: (varOptions, onProgress) => valueAtRiskPool(pool, riskPricer, varOptions, onProgress),
  };
}
