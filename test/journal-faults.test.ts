// A failed append (issue 15, item 12): whatever fails — a short write then ENOSPC, an fsync EIO, even the truncate
// that undoes it — the natural retry (`journal.sync(pool)` again) never corrupts the file, and reopening recovers
// every acknowledged event (acknowledged = a sync that returned). On a real full tmpfs, and with faults injected
// through the journal's I/O seam (`io` option).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { OptionPool } from "../pool/index.js";
import { FileJournal, JournalError, openJournaledPool, type JournalErrorCode } from "../pool/journal/index.js";
import { faultyIO, mountTmpfs, operate, poolConfig, remount, unmount, type Fault } from "./support/journal.js";

let dir: string;
let pricer: Pricer;
let files = 0;
const freshPath = (): string => join(dir, `journal-${files++}.jsonl`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pool2peer-journal-faults-"));
  pricer = await createPricer();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `run` throws (undefined if nothing). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Checks `e` is a JournalError with `code` and returns it. */
function expectJournalError(e: unknown, code: JournalErrorCode): JournalError {
  expect(e, String(e)).toBeInstanceOf(JournalError);
  expect((e as JournalError).code).toBe(code);
  return e as JournalError;
}

/** Reopens `path` (plain node:fs) and checks its events are a prefix of `pool`'s holding the first `acknowledged`. */
function expectRecovered(path: string, pool: OptionPool, acknowledged: number): number {
  const { journal, events } = FileJournal.open(path);
  journal.close();
  expect(events.length).toBeGreaterThanOrEqual(acknowledged);
  expect(events).toEqual(pool.events.slice(0, events.length));
  return events.length;
}

describe("a failed append on a real full file system", () => {
  it("a 16 KiB tmpfs filled to ENOSPC: the failed sync and its retry leave the file as it was; reopening has every acknowledged event; once there is room the retry succeeds", () => {
    const mount = join(dir, "tmpfs-16k");
    mountTmpfs(mount, "16k");
    try {
      const path = join(mount, "pool.jsonl");
      const { pool, journal } = openJournaledPool(poolConfig(pricer), path);
      let acknowledged = 0;
      let onDisk = readFileSync(path);
      let failure: unknown;
      for (let step = 0; failure === undefined && step < 10_000; step++) {
        operate(pool, step);
        if (step % 2 === 1) continue; // batches of two operations
        failure = thrown(() => journal.sync(pool));
        if (failure !== undefined) break;
        acknowledged = journal.count;
        onDisk = readFileSync(path);
      }
      const afterFailure = readFileSync(path);
      const retry = thrown(() => journal.sync(pool)); // the natural retry, the disk still full
      const afterRetry = readFileSync(path);
      const countAfterRetry = journal.count;
      journal.close();
      const reopened = openJournaledPool(poolConfig(pricer), path);
      reopened.journal.close();
      expect(acknowledged).toBeGreaterThan(50);
      expect(reopened.pool.events.length).toBe(acknowledged);
      expect(reopened.pool.snapshot()).toEqual(OptionPool.replay(poolConfig(pricer), pool.events.slice(0, acknowledged)).snapshot());
      expect(afterFailure).toEqual(onDisk);
      expect(afterRetry).toEqual(onDisk);
      expect(countAfterRetry).toBe(acknowledged);
      expect((expectJournalError(failure, "WRITE_FAILED").cause as NodeJS.ErrnoException).code).toBe("ENOSPC");
      expect((expectJournalError(retry, "WRITE_FAILED").cause as NodeJS.ErrnoException).code).toBe("ENOSPC");
      // With room again, a journal reopened on the same file takes the rest of the pool's events.
      remount(mount, "size=256k");
      const again = FileJournal.open(path);
      expect(again.journal.sync(pool)).toBe(pool.events.length - acknowledged);
      again.journal.close();
      expect(openJournaledPool(poolConfig(pricer), path).pool.snapshot()).toEqual(pool.snapshot());
    } finally {
      unmount(mount);
    }
  });
});

const WRITE_FAILED: [string, Fault[], JournalErrorCode][] = [
  ["a short write, then ENOSPC", [{ op: "writeSync", short: true }, { op: "writeSync", errno: "ENOSPC" }], "WRITE_FAILED"],
  ["ENOSPC on the first write", [{ op: "writeSync", errno: "ENOSPC" }], "WRITE_FAILED"],
  ["fsync EIO after a complete write", [{ op: "fsyncSync", errno: "EIO" }], "WRITE_FAILED"],
];
const BROKEN: [string, Fault[], JournalErrorCode][] = [
  ["a short write, ENOSPC, then the truncate that undoes it fails (EIO)", [{ op: "writeSync", short: true }, { op: "writeSync", errno: "ENOSPC" }, { op: "ftruncateSync", errno: "EIO" }], "BROKEN"],
  ["fsync EIO, then the fsync after the truncate fails too", [{ op: "fsyncSync", errno: "EIO" }, { op: "fsyncSync", errno: "EIO" }], "BROKEN"],
];

describe("a failed append, faults injected through the io option", () => {
  it.each([...WRITE_FAILED, ...BROKEN])("%s: the natural retry, then a reopen, recover every acknowledged event", (_name, faults, code) => {
    const path = freshPath();
    const io = faultyIO([]);
    const { pool, journal } = openJournaledPool(poolConfig(pricer), path, { io });
    for (let step = 0; step < 6; step++) operate(pool, step);
    journal.sync(pool);
    const acknowledged = journal.count;
    const onDisk = readFileSync(path);
    for (let step = 6; step < 9; step++) operate(pool, step);
    io.pending.push(...faults);
    const failure = thrown(() => journal.sync(pool));
    const afterFailure = readFileSync(path);
    const countAfterFailure = journal.count;
    const retry = thrown(() => journal.sync(pool)); // the natural retry; the injected faults are spent
    const countAfterRetry = journal.count;
    journal.close();
    const recovered = expectRecovered(path, pool, acknowledged);
    expect(io.pending).toEqual([]); // every planned fault happened
    expectJournalError(failure, code);
    expect(countAfterFailure).toBe(acknowledged);
    if (code === "WRITE_FAILED") {
      expect(afterFailure).toEqual(onDisk);
      expect(retry).toBeUndefined();
      expect(countAfterRetry).toBe(pool.events.length);
      expect(recovered).toBe(pool.events.length);
      return;
    }
    // BROKEN: every write refused with the same error until reopened; the reopened journal takes the rest.
    expect(retry).toBe(failure);
    expect(countAfterRetry).toBe(acknowledged);
    const reopened = FileJournal.open(path);
    expect(thrown(() => reopened.journal.append([]))).toBeUndefined();
    reopened.journal.sync(pool); // picks up after whatever complete lines the failed write left
    reopened.journal.close();
    expect(expectRecovered(path, pool, pool.events.length)).toBe(pool.events.length);
  });

  it("property: under random faults in any order of syncs, retries and reopens, the journal reopens to a prefix of the pool's events holding every acknowledged one", () => {
    const plans = [[], ...[...WRITE_FAILED, ...BROKEN].map(([, faults]) => faults)];
    const step = fc.record({ operations: fc.integer({ min: 1, max: 3 }), plan: fc.integer({ min: 0, max: plans.length - 1 }) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        const path = freshPath();
        let io = faultyIO([]);
        let journal = FileJournal.open(path, { io }).journal;
        const pool = new OptionPool(poolConfig(pricer));
        let acknowledged = 0;
        let operations = 0;
        for (const { operations: n, plan } of steps) {
          for (let i = 0; i < n; i++) operate(pool, operations++);
          io.pending.splice(0, io.pending.length, ...plans[plan]!);
          try {
            journal.sync(pool);
            acknowledged = journal.count;
          } catch (e) {
            if (!(e instanceof JournalError) || (e.code !== "WRITE_FAILED" && e.code !== "BROKEN")) throw e;
            expect(io.pending).toEqual([]); // the plan ran whole
            if (e.code === "BROKEN") {
              journal.close();
              io = faultyIO([]);
              journal = FileJournal.open(path, { io }).journal;
            }
          }
          expect(io.pending).toEqual([]); // a plan with faults never lets a sync succeed
          expect(journal.count).toBeGreaterThanOrEqual(acknowledged);
        }
        journal.close();
        expectRecovered(path, pool, acknowledged);
      }),
      { numRuns: 40 },
    );
  });
});
