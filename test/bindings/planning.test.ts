// Batch planning (bindings/planning.ts), the rules every executor splits by: ranges tile their span in order,
// even sizes keep even starts, and validation in pricer order walks the pricer's chunk grid for any slice offset.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHUNK_OPTIONS, evenSize, pathsBeforeBlock, pricerOrderValidator, ranges, validateInPricerOrder } from "../../bindings/planning.js";
import { MC_BLOCK_PATHS } from "../../bindings/kernel/montecarlo.js";

describe("batch planning", () => {
  it("ranges tile [first, first + count) in order, each of `size` but the last, with even starts for even sizes", () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.integer({ min: 1, max: 500 }), fc.nat(1000), (count, requested, first) => {
        const size = evenSize(requested);
        expect(size % 2).toBe(0);
        expect(size - requested).toBeLessThanOrEqual(1);
        const parts = ranges(count, size, 2 * first);
        let at = 2 * first;
        parts.forEach((part, k) => {
          expect(part.start).toBe(at);
          expect(part.start % 2).toBe(0);
          expect(part.count).toBe(k < parts.length - 1 ? size : count - k * size);
          at += part.count;
        });
        expect(at).toBe(2 * first + count);
      }),
    );
  });

  it("validation in pricer order checks the pricer's chunks of the whole batch, in order, for a slice at any offset", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 * CHUNK_OPTIONS }), fc.nat(3 * CHUNK_OPTIONS), (length, offset) => {
        const checked: [number, number][] = [];
        validateInPricerOrder((start, end) => checked.push([start, end]), length, offset);
        // The pricer's chunks of the whole batch, cut to the slice [offset, offset + length), in slice coordinates.
        const expected: [number, number][] = [];
        for (let chunk = Math.floor(offset / CHUNK_OPTIONS) * CHUNK_OPTIONS; chunk < offset + length; chunk += CHUNK_OPTIONS) {
          expected.push([Math.max(chunk, offset) - offset, Math.min(chunk + CHUNK_OPTIONS, offset + length) - offset]);
        }
        expect(checked).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("an incremental validator checks each element once, whole chunks up to the end asked for", () => {
    const checked: [number, number][] = [];
    const upTo = pricerOrderValidator((start, end) => checked.push([start, end]), 3 * CHUNK_OPTIONS + 5);
    upTo(10);
    upTo(CHUNK_OPTIONS);
    upTo(CHUNK_OPTIONS + 1);
    upTo(3 * CHUNK_OPTIONS + 5);
    expect(checked).toEqual([[0, CHUNK_OPTIONS], [CHUNK_OPTIONS, 2 * CHUNK_OPTIONS], [2 * CHUNK_OPTIONS, 3 * CHUNK_OPTIONS], [3 * CHUNK_OPTIONS, 3 * CHUNK_OPTIONS + 5]]);
  });

  it("paths before a block count whole blocks, and the last block's partial paths", () => {
    expect(pathsBeforeBlock(10_000, 0)).toBe(0);
    expect(pathsBeforeBlock(10_000, 2)).toBe(2 * MC_BLOCK_PATHS);
    expect(pathsBeforeBlock(10_000, 3)).toBe(10_000);
  });
});
