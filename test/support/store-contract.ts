// The EventStore contract as one suite, run against every store (test/store.test.ts): head, append (order, all or
// nothing), read and iterate (pages), snapshots, close — and, for a durable store, the same after reopening. Events
// come from the synthetic chained history of bench/store-events.ts. Reusable by any later store.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { syntheticEvents } from "../../bench/store-events.js";
import type { PoolEvent } from "../../pool/events.js";
import { StoreError, type StoreErrorCode } from "../../pool/store/errors.js";
import type { EventStore } from "../../pool/store/types.js";

/** How the contract suite gets stores: a fresh empty one, and (durable stores) the same one reopened after close. */
export interface StoreMaker {
  fresh(): EventStore<PoolEvent>;
  reopen?(closed: EventStore<PoolEvent>): EventStore<PoolEvent>;
}

/** The synthetic history's first `n` events. */
export function history(n: number): PoolEvent[] {
  return [...syntheticEvents(n)];
}

/** Runs `op`, expects a StoreError with `code`, and checks that the store's head and whole log did not change. */
export function expectRefused(store: EventStore<PoolEvent>, op: () => unknown, code: StoreErrorCode): StoreError {
  const head = store.head();
  const log = store.read(1, head.seq + 10);
  let caught: unknown;
  try {
    op();
  } catch (e) {
    caught = e;
  }
  expect(caught, "the call must be refused").toBeInstanceOf(StoreError);
  const e = caught as StoreError;
  expect(e.code, e.message).toBe(code);
  expect(store.head()).toEqual(head);
  expect(store.read(1, head.seq + 10)).toEqual(log);
  return e;
}

/** The EventStore contract against stores from `maker`. */
export function eventStoreContract(label: string, maker: StoreMaker): void {
  const events = history(300);
  describe(`EventStore contract: ${label}`, () => {
    it("starts empty: head seq 0 and hash '', no events, no snapshot", () => {
      const store = maker.fresh();
      expect(store.head()).toEqual({ seq: 0, hash: "" });
      expect(store.read(1, 10)).toEqual([]);
      expect([...store.iterate()]).toEqual([]);
      expect(store.latestSnapshot()).toBeUndefined();
      store.close();
    });

    it("keeps appended batches in order; read pages and iterate from any seq return them", () => {
      const store = maker.fresh();
      store.append(events.slice(0, 1));
      store.append([]);
      store.append(events.slice(1, 120));
      store.append(events.slice(120, 300));
      store.flush();
      expect(store.head()).toEqual({ seq: 300, hash: events[299]!.hash });
      expect(store.read(1, 300)).toEqual(events);
      expect(store.read(0, 5)).toEqual(events.slice(0, 5));
      expect(store.read(101, 50)).toEqual(events.slice(100, 150));
      expect(store.read(290, 50)).toEqual(events.slice(289));
      expect(store.read(301, 10)).toEqual([]);
      expect(store.read(5, 0)).toEqual([]);
      expect([...store.iterate()]).toEqual(events);
      expect([...store.iterate(257)]).toEqual(events.slice(256));
      store.close();
    });

    it("refuses an append that does not continue the log (gap, repeat, wrong start, bad hash), changing nothing", () => {
      const store = maker.fresh();
      expect(expectRefused(store, () => store.append(events.slice(1, 3)), "OUT_OF_ORDER").seq).toBe(2);
      store.append(events.slice(0, 10));
      expectRefused(store, () => store.append(events.slice(9, 12)), "OUT_OF_ORDER");
      expectRefused(store, () => store.append([events[11]!]), "OUT_OF_ORDER");
      expectRefused(store, () => store.append([{ ...events[10]!, hash: "zz" }]), "INVALID_INPUT");
      // All or nothing: the batch fails at its fourth event, after three good ones.
      const e = expectRefused(store, () => store.append([...events.slice(10, 13), events[12]!, events[13]!]), "OUT_OF_ORDER");
      expect(e.field).toBe("events[3].seq");
      expect(store.head().seq).toBe(10);
      store.append(events.slice(10, 20));
      expect(store.read(1, 100)).toEqual(events.slice(0, 20));
      store.close();
    });

    it("refuses bad page arguments naming the field", () => {
      const store = maker.fresh();
      expect(expectRefused(store, () => store.read(-1, 10), "INVALID_INPUT").field).toBe("fromSeq");
      expect(expectRefused(store, () => store.read(1.5, 10), "INVALID_INPUT").field).toBe("fromSeq");
      expect(expectRefused(store, () => store.read(1, -2), "INVALID_INPUT").field).toBe("limit");
      expect(expectRefused(store, () => [...store.iterate(Number.NaN)], "INVALID_INPUT").field).toBe("fromSeq");
      store.close();
    });

    it("keeps the snapshot with the highest seq, checked against the log's hash at its seq", () => {
      const store = maker.fresh();
      store.append(events.slice(0, 50));
      const at = (seq: number, extra: object = {}) => ({ seq, hash: events[seq - 1]!.hash, state: `{"seq":${seq}}`, ...extra });
      store.saveSnapshot(at(20));
      store.saveSnapshot(at(40, { mac: "ab".repeat(32) }));
      store.saveSnapshot(at(30));
      expect(store.latestSnapshot()).toEqual(at(40, { mac: "ab".repeat(32) }));
      expect(expectRefused(store, () => store.saveSnapshot(at(51)), "INVALID_SNAPSHOT").field).toBe("snapshot.seq"); // past the head
      expect(expectRefused(store, () => store.saveSnapshot({ ...at(45), hash: events[43]!.hash }), "INVALID_SNAPSHOT").seq).toBe(45);
      expect(expectRefused(store, () => store.saveSnapshot({ ...at(45), seq: 0 }), "INVALID_INPUT").field).toBe("snapshot.seq");
      expect(expectRefused(store, () => store.saveSnapshot({ ...at(45), state: 7 as unknown as string }), "INVALID_INPUT").field).toBe("snapshot.state");
      expect(expectRefused(store, () => store.saveSnapshot({ ...at(45), mac: "x" }), "INVALID_INPUT").field).toBe("snapshot.mac");
      expect(store.latestSnapshot()).toEqual(at(40, { mac: "ab".repeat(32) }));
      store.saveSnapshot(at(50));
      expect(store.latestSnapshot()).toEqual(at(50));
      store.close();
    });

    it("refuses every call once closed (close itself is idempotent)", () => {
      const store = maker.fresh();
      store.append(events.slice(0, 3));
      store.close();
      store.close();
      for (const call of [() => store.head(), () => store.append(events.slice(3, 4)), () => store.read(1, 1), () => [...store.iterate()], () => store.flush(), () => store.latestSnapshot()]) {
        expect(call).toThrowError(expect.objectContaining({ code: "CLOSED" }) as Error);
      }
    });

    it("matches a plain array under random appends (good and bad batches), reads and snapshots", () => {
      const step = fc.oneof(
        fc.record({ op: fc.constant("append" as const), size: fc.integer({ min: 0, max: 40 }), skew: fc.constantFrom(0, 0, 0, -1, 1) }),
        fc.record({ op: fc.constant("read" as const), from: fc.integer({ min: 0, max: 320 }), limit: fc.integer({ min: 0, max: 80 }) }),
        fc.record({ op: fc.constant("snapshot" as const), back: fc.nat(30) }),
      );
      fc.assert(
        fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
          const store = maker.fresh();
          let model = 0;
          let snapshot: number | undefined;
          for (const s of steps) {
            if (s.op === "append") {
              const start = model + s.skew;
              const batch = events.slice(Math.max(start, 0), Math.min(start + s.size, events.length));
              const ok = batch.length === 0 || batch[0]!.seq === model + 1;
              if (ok) store.append(batch), (model += batch.length);
              else expect(() => store.append(batch)).toThrow(StoreError);
            } else if (s.op === "read") {
              const first = Math.max(s.from, 1);
              expect(store.read(s.from, s.limit)).toEqual(events.slice(first - 1, Math.min(first - 1 + s.limit, model)));
            } else if (model - s.back >= 1) {
              const seq = model - s.back;
              store.saveSnapshot({ seq, hash: events[seq - 1]!.hash, state: String(seq) });
              snapshot = Math.max(snapshot ?? 0, seq);
            }
          }
          store.flush();
          expect(store.head().seq).toBe(model);
          expect(store.latestSnapshot()?.seq).toBe(snapshot);
          store.close();
        }),
        { numRuns: 40 },
      );
    });

    it.skipIf(maker.reopen === undefined)("holds the same log and snapshot after close and reopen", () => {
      const store = maker.fresh();
      store.append(events.slice(0, 100));
      store.saveSnapshot({ seq: 60, hash: events[59]!.hash, state: "{}" });
      store.append(events.slice(100, 150));
      store.close();
      const again = maker.reopen!(store);
      expect(again.head()).toEqual({ seq: 150, hash: events[149]!.hash });
      expect([...again.iterate()]).toEqual(events.slice(0, 150));
      expect(again.latestSnapshot()).toEqual({ seq: 60, hash: events[59]!.hash, state: "{}" });
      again.append(events.slice(150, 160));
      expect(again.head().seq).toBe(160);
      again.close();
    });
  });
}
