// Monte Carlo across workers: the spec is normalised (and validated) on the calling thread, its fixed-size path
// blocks are handed out in contiguous ranges, and the per-block accumulators are summed in block order by
// combineMonteCarloBlocks, so the result is bit-identical to the single-thread pricer for any worker count.
import { MC_BLOCK_ACCUMULATORS, MC_BLOCK_PATHS, monteCarloBlockCount, type NormalizedMonteCarloSpec } from "../bindings/montecarlo.js";
import { unwrapReply } from "./chunking.js";
import type { Task } from "./scheduler.js";

/** Block ranges per worker: enough tasks (8 per worker) to balance load and report progress, at most 64 blocks each. */
export function monteCarloBlocksPerTask(totalBlocks: number, workers: number): number {
  return Math.max(1, Math.min(64, Math.ceil(totalBlocks / (workers * 8))));
}

/** Tasks filling `blocks` (MC_BLOCK_ACCUMULATORS per block, in block order); progress is counted in paths. */
export function planMonteCarloJob(spec: NormalizedMonteCarloSpec, workers: number): { tasks: Task[]; blocks: Float64Array } {
  const total = monteCarloBlockCount(spec);
  const blocks = new Float64Array(total * MC_BLOCK_ACCUMULATORS);
  const perTask = monteCarloBlocksPerTask(total, workers);
  const tasks: Task[] = [];
  for (let first = 0; first < total; first += perTask) {
    const count = Math.min(perTask, total - first);
    tasks.push({
      units: Math.min(spec.paths, (first + count) * MC_BLOCK_PATHS) - first * MC_BLOCK_PATHS,
      async run(api) {
        const accumulators = unwrapReply(await api.monteCarloBlocks(spec, first, count));
        blocks.set(accumulators, first * MC_BLOCK_ACCUMULATORS);
      },
    });
  }
  return { tasks, blocks };
}
