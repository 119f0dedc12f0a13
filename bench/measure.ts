// Runs batch-processing tasks under tinybench and turns their latency into per-unit figures.
import { Bench } from "tinybench";
import type { BenchRow } from "./types.js";

/** A task that processes `units` units of work (options, path steps...) per call. */
export interface BatchTask {
  suite: string;
  name: string;
  /** Units of work done by one call of `run`. */
  units: number;
  unit: string;
  run: () => void;
  note?: string;
  /** Row the suite's ratios are computed against. */
  baseline?: string;
}

/** Sampling budget of one task. */
export interface SamplingBudget {
  /** Measured time per task, ms. */
  timeMs: number;
  /** Warm-up time per task, ms. */
  warmupMs: number;
  /** Minimum measured calls (tinybench keeps going until both time and calls are met). */
  minIterations: number;
  /** Rounds over all tasks; a task's figure is its best round (other processes' bursts hit rounds unevenly). */
  rounds: number;
}

/** Quick (smoke) and full sampling budgets. */
export function samplingBudget(quick: boolean): SamplingBudget {
  return quick
    ? { timeMs: 120, warmupMs: 40, minIterations: 3, rounds: 1 }
    : { timeMs: 600, warmupMs: 200, minIterations: 5, rounds: 3 };
}

/**
 * Measures `task` with tinybench and reports the median latency per call divided by `units`
 * (the median resists the noise of a machine shared with other processes better than the mean).
 */
export async function measureBatch(task: BatchTask, budget: Omit<SamplingBudget, "rounds">): Promise<BenchRow> {
  const bench = new Bench({
    name: `${task.suite}: ${task.name}`,
    time: budget.timeMs,
    iterations: budget.minIterations,
    warmupTime: budget.warmupMs,
    warmupIterations: 2,
    throws: true,
  });
  bench.add(task.name, task.run, { async: false });
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== "completed") throw new Error(`benchmark task ${task.suite}/${task.name} did not complete (${result.state})`);
  const msPerCall = result.latency.p50;
  const nsPerOp = (msPerCall * 1e6) / task.units;
  const row: BenchRow = { suite: task.suite, name: task.name, opsPerSecond: 1e9 / nsPerOp, nsPerOp, unit: task.unit };
  if (task.note !== undefined) row.note = task.note;
  if (task.baseline !== undefined) row.baseline = task.baseline;
  return row;
}

/**
 * Measures every task `budget.rounds` times, interleaved (round 1 of all tasks, then round 2...), and
 * keeps each task's fastest round: on a machine shared with other work, a burst of load slows whichever
 * task is running, and the best round is the closest to the task's own cost.
 */
export async function measureBatches(
  tasks: readonly BatchTask[],
  budget: SamplingBudget,
  log: (line: string) => void = () => {},
): Promise<BenchRow[]> {
  const best: (BenchRow | undefined)[] = tasks.map(() => undefined);
  for (let round = 0; round < budget.rounds; round++) {
    for (const [k, task] of tasks.entries()) {
      log(`  ${task.suite}: ${task.name} (${task.units} ${task.unit}s per call${budget.rounds > 1 ? `, round ${round + 1}/${budget.rounds}` : ""})`);
      const row = await measureBatch(task, budget);
      if (best[k] === undefined || row.nsPerOp < best[k]!.nsPerOp) best[k] = row;
    }
  }
  return best.map((row) => row!);
}
