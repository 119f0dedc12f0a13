// Crash tests of a SqliteEventStore: a writer process appends the synthetic history (bench/store-events.ts) in commits
// whose sizes follow from the seq they start at (crash-plan.ts), printing "ack <seq>" once a commit has returned and
// "ack snap <seq>" once a snapshot is saved; the test SIGKILLs it at a random moment, restarts, and checks the file
// (checkAfterCrash). Because the plan is deterministic, the test knows where every commit ends, so it can tell a
// whole commit from a half-applied one.
import { expect } from "vitest";
import { SYNTHETIC_GENESIS, syntheticEvent } from "../../bench/store-events.js";
import type { PoolEvent } from "../../pool/events.js";
import { POOL_LOG, SqliteEventStore, verifyLog, type CommitMode } from "../../pool/store/index.js";
import { commitEnd } from "./crash-plan.js";

/** Hashes of the synthetic history by seq (index 0: the genesis hash), extended on demand. */
export class SyntheticChain {
  private hashes = [SYNTHETIC_GENESIS];

  hashAt(seq: number): string {
    while (this.hashes.length <= seq) this.hashes.push(syntheticEvent(this.hashes.length, this.hashes.at(-1)!).hash);
    return this.hashes[seq]!;
  }
}

/** What the writers acknowledged so far, over every run. */
export interface Acknowledged {
  /** The highest acknowledged seq (0: none). */
  seq: number;
  /** The highest seq of an acknowledged snapshot (0: none). */
  snapshot: number;
}

/** Folds one run's ack payloads ("1234", "snap 1234") into `acked`. */
export function addAcks(acked: Acknowledged, payloads: readonly string[]): Acknowledged {
  let { seq, snapshot } = acked;
  for (const p of payloads) {
    if (p.startsWith("snap ")) snapshot = Math.max(snapshot, Number(p.slice(5)));
    else seq = Math.max(seq, Number(p));
  }
  return { seq, snapshot };
}

/**
 * Restarts the store at `path` after a crash and checks it: the writer lock is free; SQLite's integrity check
 * passes; the log is contiguous from seq 1 with a valid chain from the genesis hash (verifyLog); every acknowledged
 * event is there and is the synthetic history's (the head's hash is the history's at that seq, which through the
 * chain fixes every event before it); the head is at a commit boundary — the last acknowledged commit's end or the
 * end of the one after it, never inside it; the latest snapshot is at least the last acknowledged one and on the chain.
 * Returns the head seq.
 */
export function checkAfterCrash(path: string, mode: CommitMode, acked: Acknowledged, chain: SyntheticChain): number {
  const store = new SqliteEventStore<PoolEvent>(path, { ...POOL_LOG, commit: mode });
  try {
    store.checkIntegrity();
    const head = verifyLog(store, POOL_LOG, { genesis: SYNTHETIC_GENESIS });
    expect(head.seq, "every acknowledged event is there").toBeGreaterThanOrEqual(acked.seq);
    expect(head.hash, `seq ${head.seq} is the synthetic history's`).toBe(chain.hashAt(head.seq));
    expect([acked.seq, commitEnd(acked.seq, mode)], `head ${head.seq} ends a commit`).toContain(head.seq);
    const snapshot = store.latestSnapshot();
    expect(snapshot?.seq ?? 0, "the acknowledged snapshot is there").toBeGreaterThanOrEqual(acked.snapshot);
    if (snapshot) {
      expect(snapshot.hash).toBe(chain.hashAt(snapshot.seq));
      expect(snapshot.state).toBe(JSON.stringify({ seq: snapshot.seq }));
    }
    return head.seq;
  } finally {
    store.close();
  }
}

/** The writer's source (bundled by bundleScript): `node writer.mjs <path> <mode>` appends until killed. */
export function crashWriterSource(modules: { store: string; events: string; crash: string }): string {
  return `
    import { POOL_LOG, SqliteEventStore } from ${modules.store};
    import { SYNTHETIC_GENESIS, syntheticEvents } from ${modules.events};
    import { commitPlan, snapshotAfter } from ${modules.crash};
    const [path, mode] = process.argv.slice(2);
    const store = new SqliteEventStore(path, { ...POOL_LOG, commit: mode });
    let head = store.head();
    if (head.seq === 0) head = { seq: 0, hash: SYNTHETIC_GENESIS };
    for (;;) {
      for (const size of commitPlan(head.seq, mode)) {
        const batch = [...syntheticEvents(size, head)];
        store.append(batch);
        head = { seq: batch.at(-1).seq, hash: batch.at(-1).hash };
      }
      store.flush();
      process.stdout.write("ack " + head.seq + "\\n");
      if (snapshotAfter(head.seq)) {
        store.saveSnapshot({ seq: head.seq, hash: head.hash, state: JSON.stringify({ seq: head.seq }) });
        process.stdout.write("ack snap " + head.seq + "\\n");
      }
    }
  `;
}
