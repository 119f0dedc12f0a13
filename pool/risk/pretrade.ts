// Pre-trade risk check: before a buy or a redemption is committed, the draft state it would leave is stress
// tested and its Monte Carlo expected shortfall estimated; an operation that would push the stressed solvency
// below the floor, or the ES beyond the limit, is rejected (PoolError "RISK_LIMIT") and changes nothing.
// Sells to close only remove risk and are never blocked. The figures come from per-series values cached for the
// current market (scenario-book.ts): a check reprices only the series the operation opened. When a limit lies within
// the cached figures' distance to the full recompute, the full recompute decides, so the decision is always its own.
import { PoolError } from "../errors.js";
import { invalidSnapshotField } from "../oracle.js";
import type { PoolEvent } from "../events.js";
import type { PoolState } from "../ledger.js";
import type { OptionPool } from "../option-pool.js";
import type { PoolOperation } from "../pool-types.js";
import type { RiskPricer } from "./normals.js";
import { DEFAULT_STRESS_OPTIONS, defaultStressScenarios, stressTestSync, type StressOptions, type StressScenario } from "./stress.js";
import { prepareBook, totalsOfState } from "./valuation.js";
import { ScenarioBook, type ScenarioFigures } from "./scenario-book.js";
import { resolveVarOptions, valueAtRiskSync, type VarOptions } from "./var.js";

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
  /**
   * Keep each series' scenario and path values between checks (default true): a check then costs the series it
   * changes, not the book. Memory: 8 bytes × open series × (scenarios + 1 + paths), 32 MB for 2,000 series at the
   * defaults. false recomputes the whole book every check.
   */
  cacheScenarios: boolean;
}

export const DEFAULT_PRE_TRADE_LIMITS: Readonly<PreTradeLimits> = Object.freeze({
  minSolvency: 1,
  maxExpectedShortfall: 0.25,
  var: { horizonDays: 1, paths: 2000, seed: 7, blockPaths: 500 },
  scenarios: defaultStressScenarios(),
  stress: DEFAULT_STRESS_OPTIONS,
  cacheScenarios: true,
});

/** What the check measured on the last draft it saw. */
export interface PreTradeAssessment {
  operation: PoolOperation;
  solvency: number;
  expectedShortfall: number;
  expectedShortfallStdError: number;
  /** Name of the stress scenario with the lowest NAV. */
  worst: string;
  /** "cached": from the per-series cache; "full": the whole book repriced (no cache, or a limit within the cache's bound). */
  method: "cached" | "full";
}

/** Limits as given, frozen with their scenarios and options: the cached values are of these. */
function freezeLimits(limits: PreTradeLimits): Readonly<PreTradeLimits> {
  return Object.freeze({
    ...limits,
    var: Object.freeze({ ...limits.var }),
    scenarios: Object.freeze(limits.scenarios.map((s) => Object.freeze({ ...s }))) as StressScenario[],
    stress: Object.freeze({ ...limits.stress }),
  });
}

/** The check, for `pool.riskHooks.beforeCommit`. */
export class PreTradeCheck {
  /** The limits (frozen: the cached values are of these scenarios and options). */
  readonly limits: Readonly<PreTradeLimits>;
  /** The assessment of the last checked operation (accepted or not). */
  last: PreTradeAssessment | undefined;
  private readonly book: ScenarioBook | undefined;

  constructor(readonly pool: OptionPool, readonly pricer: RiskPricer, limits: Partial<PreTradeLimits> = {}) {
    this.limits = freezeLimits({ ...DEFAULT_PRE_TRADE_LIMITS, ...limits });
    const l = this.limits;
    // The per-series cache prices one option per series: a pool writing capped calls (two legs each) recomputes in full.
    if (l.cacheScenarios && pool.settings.optionTypes !== "both") this.book = new ScenarioBook(pool.settings, pricer, l.scenarios, l.stress, resolveVarOptions(l.var));
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
    const a = (this.last = this.assess(operation, draft));
    const field = operation === "trade" ? "size" : "shares";
    if (a.solvency < this.limits.minSolvency)
      throw new PoolError("RISK_LIMIT", field, `stressed solvency would be ${a.solvency.toFixed(4)} < ${this.limits.minSolvency} (worst: ${a.worst})`);
    if (a.expectedShortfall > this.limits.maxExpectedShortfall)
      throw new PoolError("RISK_LIMIT", field, `99% expected shortfall would be ${(a.expectedShortfall * 100).toFixed(2)}% > ${(this.limits.maxExpectedShortfall * 100).toFixed(2)}% of the share price`);
  }

  /** The draft's figures: cached when they decide as the full recompute would, else the full recompute's. */
  private assess(operation: PoolOperation, draft: PoolState): PreTradeAssessment {
    const snap = this.pool.oracle.latest();
    // An unusable print: the full recompute refuses it with the pool's own error.
    if (this.book && snap !== null && typeof snap === "object" && !invalidSnapshotField(snap)) {
      this.book.sync(draft, snap, this.pool.clock.now());
      const f = this.book.figures(draft);
      if (this.decides(f)) {
        return { operation, solvency: f.minSolvency, expectedShortfall: f.expectedShortfall, expectedShortfallStdError: f.expectedShortfallStdError, method: "cached", worst: f.worst.name };
      }
    }
    return this.full(operation, draft);
  }

  /** True when the full recompute's figures, within the cached ones' bounds, are on the same side of every limit. */
  private decides(f: ScenarioFigures): boolean {
    const [lo, hi] = f.minSolvencyRange;
    const min = this.limits.minSolvency;
    const max = this.limits.maxExpectedShortfall;
    return (hi < min || lo >= min) && Math.abs(f.expectedShortfall - max) > f.expectedShortfallBound;
  }

  /** The whole book repriced: the stress grid and the Monte Carlo run over every open series. */
  private full(operation: PoolOperation, draft: PoolState): PreTradeAssessment {
    const book = prepareBook(this.pool.bookOfState(draft), this.pool.settings, totalsOfState(draft));
    const stress = stressTestSync(book, this.pricer, this.limits.scenarios, this.limits.stress);
    const es = valueAtRiskSync(book, this.pricer, this.pool.oracle.latest().baseVol, this.limits.var);
    return { operation, solvency: stress.minSolvency, expectedShortfall: es.expectedShortfall, expectedShortfallStdError: es.expectedShortfallStdError, method: "full", worst: stress.worst.scenario.name };
  }
}
