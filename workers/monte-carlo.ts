// Monte Carlo across workers: the spec is normalised (and validated) on the calling thread, its fixed-size path
// blocks are handed out in contiguous ranges, and the per-block accumulators are summed in block order by
// combineMonteCarloBlocks, so the result is bit-identical to the single-thread pricer for any worker count.
import { MC_BLOCK_ACCUMULATORS, monteCarloBlockCount, type NormalizedMonteCarloSpec } from "../bindings/montecarlo.js";
import { pathsBeforeBlock, ranges } from "../bindings/planning.js";
import { PricingInputError } from "../bindings/errors.js";
import { unwrapReply } from "./chunking.js";
import type { Task } from "./scheduler.js";

/** Block ranges per worker: enough tasks (8 per worker) to balance load and report progress, at most 64 blocks each. */
export function monteCarloBlocksPerTask(totalBlocks: number, workers: number): number {
  return Math.max(1, Math.min(64, Math.ceil(totalBlocks / (workers * 8))));
}

/**
 * Tasks filling `blocks` with the accumulators of blocks [firstBlock, firstBlock + blockCount) (default: all),
 * MC_BLOCK_ACCUMULATORS per block in block order; progress is counted in paths.
 */
export function planMonteCarloJob(
  spec: NormalizedMonteCarloSpec,
  workers: number,
  firstBlock = 0,
  blockCount = monteCarloBlockCount(spec) - firstBlock,
): { tasks: Task[]; blocks: Float64Array; paths: number } {
  const end = firstBlock + blockCount;
  const blocks = new Float64Array(blockCount * MC_BLOCK_ACCUMULATORS);
  const perTask = monteCarloBlocksPerTask(blockCount, workers);
  const pathsBefore = (block: number) => pathsBeforeBlock(spec.paths, block);
  const tasks = ranges(blockCount, perTask, firstBlock).map(({ start: first, count }): Task => ({
    units: pathsBefore(first + count) - pathsBefore(first),
    async run({ api }) {
      const accumulators = unwrapReply(await api.monteCarloBlocks(spec, first, count));
      blocks.set(accumulators, (first - firstBlock) * MC_BLOCK_ACCUMULATORS);
    },
  }));
  return { tasks, blocks, paths: pathsBefore(end) - pathsBefore(firstBlock) };
}

/** Throws PricingInputError unless [firstBlock, firstBlock + blockCount) is a non-empty range of the spec's blocks. */
export function checkBlockRange(spec: NormalizedMonteCarloSpec, firstBlock: number, blockCount: number): void {
  const total = monteCarloBlockCount(spec);
  if (!Number.isInteger(firstBlock) || firstBlock < 0 || firstBlock >= total) {
    throw new PricingInputError("firstBlock", undefined, `must be an integer in [0, ${total}), got ${firstBlock}`);
  }
  if (!Number.isInteger(blockCount) || blockCount < 1 || firstBlock + blockCount > total) {
    throw new PricingInputError("blockCount", undefined, `must be an integer in [1, ${total - firstBlock}], got ${blockCount}`);
  }
}
