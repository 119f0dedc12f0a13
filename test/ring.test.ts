// The ring behind the oracle's record against a plain array: the same elements in the same order after any sequence
// of appends, drops at either end and reads, through growth (×2 when full) and shrinking (÷2 when a quarter full).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Ring } from "../pool/ring.js";

type Op = { kind: "push"; count: number } | { kind: "pop"; count: number } | { kind: "dropOldest"; fraction: number } | { kind: "search"; fraction: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("push" as const), count: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant("pop" as const), count: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ kind: fc.constant("dropOldest" as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant("search" as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

describe("Ring", () => {
  it("holds what an array holds, oldest first, for numbers and objects", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80, size: "max" }), (ops) => {
        const numbers = new Ring<number>((c) => new Float64Array(c));
        const objects = new Ring<{ n: number }>((c) => new Array<{ n: number }>(c));
        const model: number[] = [];
        let next = 0;
        for (const op of ops) {
          if (op.kind === "push") {
            for (let i = 0; i < op.count; i++, next++) {
              numbers.push(next);
              objects.push({ n: next });
              model.push(next);
            }
          } else if (op.kind === "pop") {
            for (let i = 0; i < op.count && model.length > 0; i++) {
              numbers.pop();
              objects.pop();
              model.pop();
            }
          } else if (op.kind === "dropOldest") {
            const n = Math.floor(op.fraction * model.length);
            numbers.dropOldest(n);
            objects.dropOldest(n);
            model.splice(0, n);
          } else {
            // Elements increase with position, so "below a threshold" holds on a prefix.
            const threshold = next * op.fraction;
            const from = Math.floor(op.fraction * model.length / 2);
            const expected = Math.max(from, model.findIndex((x) => x >= threshold) === -1 ? model.length : model.findIndex((x) => x >= threshold));
            expect(numbers.search((x) => x < threshold, from)).toBe(expected);
          }
          expect(numbers.length).toBe(model.length);
          expect(Array.from({ length: numbers.length }, (_, i) => numbers.at(i))).toEqual(model);
          expect(Array.from({ length: objects.length }, (_, i) => objects.at(i).n)).toEqual(model);
          if (model.length > 0) expect(numbers.last()).toBe(model[model.length - 1]);
        }
      }),
      { numRuns: 300, seed: 20260119 },
    );
  });
});
