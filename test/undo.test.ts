// UndoLog (pool/undo.ts) over random mutations of an object, a Map and an array (fast-check): rolling back to a
// savepoint restores exactly the state taken at that savepoint — the same values, the same Map keys holding the very
// same objects, the same array — and rolling back the whole transaction restores the state at begin(); commit keeps
// everything; outside a transaction nothing is recorded. Map order is not part of the promise (a restored key goes
// to the end), so Maps are compared as sorted entries.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UndoLog } from "../pool/undo.js";

interface Model {
  fields: { count: number; name: string; total: bigint };
  map: Map<string, { v: number }>;
  list: number[];
}

/** A picture of the state: values by content, Map values also by identity. */
function picture(m: Model) {
  return {
    fields: { ...m.fields },
    entries: [...m.map].sort(([a], [b]) => (a < b ? -1 : 1)),
    list: [...m.list],
  };
}

function expectPicture(m: Model, p: ReturnType<typeof picture>): void {
  expect(m.fields).toEqual(p.fields);
  const now = [...m.map].sort(([a], [b]) => (a < b ? -1 : 1));
  expect(now.map(([k]) => k)).toEqual(p.entries.map(([k]) => k));
  now.forEach(([, v], i) => expect(v).toBe(p.entries[i]![1])); // the very objects, not copies
  expect(m.list).toEqual(p.list);
}

const mutation = fc.oneof(
  fc.record({ op: fc.constant("set" as const), field: fc.constantFrom("count" as const, "name" as const, "total" as const), n: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ op: fc.constant("mapSet" as const), key: fc.constantFrom("a", "b", "c", "d"), n: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ op: fc.constant("mapDelete" as const), key: fc.constantFrom("a", "b", "c", "d") }),
  fc.record({ op: fc.constant("push" as const), n: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ op: fc.constant("splice" as const), at: fc.nat(6), remove: fc.nat(3), items: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }) }),
  fc.record({ op: fc.constant("savepoint" as const) }),
  fc.record({ op: fc.constant("rollbackTo" as const), pick: fc.nat(10) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(undo: UndoLog, m: Model, x: Exclude<Mutation, { op: "savepoint" | "rollbackTo" }>): void {
  if (x.op === "set") {
    if (x.field === "count") undo.set(m.fields, "count", x.n);
    else if (x.field === "name") undo.set(m.fields, "name", `n${x.n}`);
    else undo.set(m.fields, "total", BigInt(x.n));
  } else if (x.op === "mapSet") undo.mapSet(m.map, x.key, { v: x.n });
  else if (x.op === "mapDelete") undo.mapDelete(m.map, x.key);
  else if (x.op === "push") undo.push(m.list, x.n);
  else undo.splice(m.list, Math.min(x.at, m.list.length), x.remove, ...x.items);
}

describe("UndoLog", () => {
  it("rollbackTo(savepoint) restores that savepoint's state, rollback() the state at begin(), commit() keeps all (500 runs)", () => {
    const transaction = fc.record({ steps: fc.array(mutation, { maxLength: 40 }), end: fc.constantFrom("commit" as const, "rollback" as const) });
    fc.assert(
      fc.property(fc.array(transaction, { minLength: 1, maxLength: 5 }), fc.array(mutation, { maxLength: 10 }), (transactions, outside) => {
        const undo = new UndoLog();
        const m: Model = { fields: { count: 0, name: "", total: 0n }, map: new Map([["a", { v: 1 }]]), list: [1, 2, 3] };
        for (const { steps, end } of transactions) {
          const atBegin = picture(m);
          undo.begin();
          expect(undo.active).toBe(true);
          const savepoints: { at: number; state: ReturnType<typeof picture> }[] = [];
          for (const x of steps) {
            if (x.op === "savepoint") savepoints.push({ at: undo.savepoint(), state: picture(m) });
            else if (x.op === "rollbackTo") {
              if (savepoints.length === 0) continue;
              const k = x.pick % savepoints.length;
              undo.rollbackTo(savepoints[k]!.at);
              expectPicture(m, savepoints[k]!.state);
              savepoints.length = k + 1; // later savepoints are gone with what they marked
            } else mutate(undo, m, x);
          }
          const atEnd = picture(m);
          if (end === "commit") {
            undo.commit();
            expectPicture(m, atEnd);
          } else {
            undo.rollback();
            expectPicture(m, atBegin);
          }
          expect(undo.active).toBe(false);
        }
        // Outside a transaction nothing is recorded: a later empty transaction rolls back to the changed state.
        for (const x of outside) if (x.op !== "savepoint" && x.op !== "rollbackTo") mutate(undo, m, x);
        const changed = picture(m);
        undo.begin();
        undo.rollback();
        expectPicture(m, changed);
      }),
      { numRuns: 500, seed: 16 },
    );
  });

  it("transactions do not nest", () => {
    const undo = new UndoLog();
    undo.begin();
    expect(() => undo.begin()).toThrow(/already open/);
  });
});
