// Pre-trade risk check: before a buy or a redemption is committed, the draft state it would leave is stress
// tested and its Monte Carlo expected shortfall estimated; an operation that would push the stressed solvency
// below the floor, or the ES beyond the limit, is rejected (PoolError "RISK_LIMIT") and changes nothing.
// Sells to close only remove risk and are never blocked.
import { PoolError } from "../errors.js";
import type { PoolEvent } from "../events.js";
import type { PoolState } from "../ledger.js";
import type { OptionPool } from "../option-pool.js";
import type { PoolOperation } from "../pool-types.js";
import type { RiskPricer } from "./normals.js";
import { DEFAULT_STRESS_OPTIONS, defaultStressScenarios, stressTestSync, type StressOptions, type StressScenario } from "./stress.js";
import { prepareBook } from "./valuation.js";
import { valueAtRiskSync, type VarOptions } from "./var.js";

/** Limits of the pre-trade check. */
export interface PreTradeLimits {
  /** Lowest stressed solvency ((free + locked) / worst-case payout over the grid) allowed. Default 1. */
  minSolvency: number;
  /** Largest 99 % expected shortfall of the share price (relative loss) allowed. Default 0.25. */
  maxExpectedShortfall: number;
  /** Monte Carlo run of the check: default 1 day, 2,000 paths, seed 7 (a few ms per check). */
  var: Partial<VarOptions>;
  scenarios: StressScenario[];
  stress: StressOptions;
}

export const DEFAULT_PRE_TRADE_LIMITS: Readonly<PreTradeLimits> = Object.freeze({
  minSolvency: 1,
  maxExpectedShortfall: 0.25,
  var: { horizonDays: 1, paths: 2000, seed: 7, blockPaths: 500 },
  scenarios: defaultStressScenarios(),
  stress: DEFAULT_STRESS_OPTIONS,
});

/** What the check measured on the last draft it saw. */
export interface PreTradeAssessment {
  operation: PoolOperation;
  solvency: number;
  expectedShortfall: number;
  expectedShortfallStdError: number;
}

/** The check, for `pool.riskHooks.beforeCommit`. */
export class PreTradeCheck {
  readonly limits: PreTradeLimits;
  /** The assessment of the last checked operation (accepted or not). */
  last: PreTradeAssessment | undefined;

  constructor(readonly pool: OptionPool, readonly pricer: RiskPricer, limits: Partial<PreTradeLimits> = {}) {
    this.limits = { ...DEFAULT_PRE_TRADE_LIMITS, ...limits };
  }

  /**
   * True for the events checked: LP exits (direct redemptions, withdrawals and queue payments, whichever operation
   * makes them) and buys (risk-adding). Sells to close and deposits only remove risk.
   */
  applies(events: readonly PoolEvent[]): boolean {
    return events.some((e) => e.kind === "redeem" || e.kind === "withdrawalPaid" || (e.kind === "trade" && e.side === "buy"));
  }

  /** Measures the draft; throws PoolError("RISK_LIMIT") naming the breached limit. */
  check(operation: PoolOperation, draft: PoolState, events: readonly PoolEvent[]): void {
    if (!this.applies(events)) return;
    const book = prepareBook(this.pool.bookOfState(draft), this.pool.settings, draft);
    const stress = stressTestSync(book, this.pricer, this.limits.scenarios, this.limits.stress);
    const es = valueAtRiskSync(book, this.pricer, this.pool.oracle.latest().baseVol, this.limits.var);
    this.last = { operation, solvency: stress.minSolvency, expectedShortfall: es.expectedShortfall, expectedShortfallStdError: es.expectedShortfallStdError };
    if (stress.minSolvency < this.limits.minSolvency)
      throw new PoolError("RISK_LIMIT", operation === "trade" ? "size" : "shares", `stressed solvency would be ${stress.minSolvency.toFixed(4)} < ${this.limits.minSolvency} (worst: ${stress.worst.scenario.name})`);
    if (es.expectedShortfall > this.limits.maxExpectedShortfall)
      throw new PoolError("RISK_LIMIT", operation === "trade" ? "size" : "shares", `99% expected shortfall would be ${(es.expectedShortfall * 100).toFixed(2)}% > ${(this.limits.maxExpectedShortfall * 100).toFixed(2)}% of the share price`);
  }
}
