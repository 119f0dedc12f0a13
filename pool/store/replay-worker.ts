// The reader thread of a replay (checked-reader.ts starts it): reads the pool's log from its own read-only
// connection, a page at a time, decodes each row (schema, seq and hash columns: the store's read) and checks the
// hash chain and the MACs, and posts each page with the count of its leading events that passed, while the main
// thread re-derives and applies the pages before. It stops at the first failure of any kind, saying where; the main
// thread then reads from there itself, so every failure is found, and reported, by the code that finds it today.
import { workerData, type MessagePort } from "node:worker_threads";
import { canonicalEvent, type PoolEvent } from "../events.js";
import { checkChain } from "../ledger-chain.js";
import { POOL_LOG } from "./codec.js";
import { AHEAD, CONSUMED, POSTED, STOP, type ReaderJob, type ReaderMessage } from "./checked-reader-protocol.js";
import { SqliteEventStore } from "./sqlite-store.js";

const job = workerData as ReaderJob & { port: MessagePort };
const control = new Int32Array(job.control);

function post(message: ReaderMessage): void {
  job.port.postMessage(message);
  Atomics.add(control, POSTED, 1);
  Atomics.notify(control, POSTED);
}

/** Waits until the main thread has taken all but AHEAD - 1 of the pages posted; false when it asks to stop. */
function roomToPost(): boolean {
  for (;;) {
    if (Atomics.load(control, STOP) !== 0) return false;
    const consumed = Atomics.load(control, CONSUMED);
    if (Atomics.load(control, POSTED) - consumed < AHEAD) return true;
    Atomics.wait(control, CONSUMED, consumed, 100);
  }
}

/** The count of leading events of `page` whose hash follows the one before (and whose MAC matches). */
function chained(page: readonly PoolEvent[], previous: string): number {
  for (let i = 0; i < page.length; i++) {
    try {
      checkChain(previous, page[i]!, canonicalEvent(page[i]!), job.key);
    } catch {
      return i;
    }
    previous = page[i]!.hash;
  }
  return page.length;
}

/** Posts checked pages from job.fromSeq to job.until; returns the seq the main thread reads on from. */
function run(): number {
  let next = job.fromSeq;
  let previous = job.previous;
  let store: SqliteEventStore<PoolEvent> | undefined;
  try {
    store = new SqliteEventStore<PoolEvent>(job.path, { ...POOL_LOG, readOnly: true, pageSize: job.pageSize });
    while (next <= job.until && roomToPost()) {
      const page = store.read(next, job.pageSize);
      if (page.length === 0) break;
      const checked = chained(page, previous);
      post({ events: page, checked });
      next += page.length;
      if (checked < page.length) break;
      previous = page[page.length - 1]!.hash;
    }
  } catch {
    // A page that does not read: the main thread reads it again from `next` and reports what is wrong with it.
  } finally {
    store?.close();
  }
  return next;
}

post({ next: run() });
