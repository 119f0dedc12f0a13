// Batch planning for every executor (the single-thread pricer, the worker pool, the fleet): how a batch is cut into
// ranges, in which order it is checked, and how Monte Carlo blocks are grouped. "The same bits for any split" rests
// on the rules kept here: option ranges start at even elements, so each option sits in the same f64x2 lane as when
// the pricer prices the whole batch; validation walks the pricer's chunk grid, so the first error reported is the one
// createPricer() throws; Monte Carlo blocks are fixed-size and summed in block order whatever the grouping.
import { MC_BLOCK_PATHS } from "./kernel/montecarlo.js";

/** Options per kernel call of the pricer: 64 Ki options × 14 columns × 8 bytes = 7.3 MB of scratch. */
export const CHUNK_OPTIONS = 65_536;

/** A range of elements (options or blocks): [start, start + count). */
export interface Range {
  start: number;
  count: number;
}

/** `size` rounded up to even: the size of ranges that keep every option in its SIMD lane. */
export function evenSize(size: number): number {
  return size + (size & 1);
}

/** Consecutive ranges of `size` elements (the last one shorter) covering [first, first + count). */
export function ranges(count: number, size: number, first = 0): Range[] {
  const out: Range[] = [];
  const end = first + count;
  for (let start = first; start < end; start += size) out.push({ start, count: Math.min(size, end - start) });
  return out;
}

/**
 * Validation in the pricer's order: its chunks of CHUNK_OPTIONS one after the other, every column of a chunk before
 * the next chunk (`check(start, end)` checks the columns of [start, end) in kernel order). Returns `validateUpTo(end)`
 * that checks, in that order, every element before `end` not checked yet. `offset` places a slice starting at
 * element `offset` of a whole batch on the whole batch's grid.
 */
export function pricerOrderValidator(check: (start: number, end: number) => void, length: number, offset = 0): (end: number) => void {
  let validated = 0;
  return (end) => {
    while (validated < end) {
      const next = Math.min(length, validated + CHUNK_OPTIONS - ((validated + offset) % CHUNK_OPTIONS));
      check(validated, next);
      validated = next;
    }
  };
}

/** Checks all `length` elements in the pricer's order (see pricerOrderValidator). */
export function validateInPricerOrder(check: (start: number, end: number) => void, length: number, offset = 0): void {
  pricerOrderValidator(check, length, offset)(length);
}

/** Paths simulated by Monte Carlo blocks [0, block) of a run of `paths` paths (the last block may be partial). */
export function pathsBeforeBlock(paths: number, block: number): number {
  return Math.min(paths, block * MC_BLOCK_PATHS);
}
