// A replay's read of a SQLite log on two threads: a reader thread (replay-worker.ts) reads, decodes and chain-checks
// pages from its own read-only connection (WAL: it reads beside the main one) while the main thread re-derives and
// applies the pages before. The main thread yields the same events in the same order as the store's iterate(); those
// the reader checked are marked, after the hash the reader checked them after (ledger-chain.ts markChainChecked), and
// the replay does not hash them again unless that is not the hash it holds. The reader stops at the first failure of
// any kind, and the main thread reads on from there through the store itself: a row that does not decode, a broken
// chain or a wrong MAC is found and reported by the same code, with the same error, as in a replay on one thread.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { markDecoded, type PoolEvent } from "../events.js";
import { markChainChecked } from "../ledger-chain.js";
import { CONSUMED, POSTED, STOP, type ReaderJob, type ReaderMessage } from "./checked-reader-protocol.js";

/** Events from which a replay reads on two threads (below, starting the thread costs more than it saves). */
export const CHECKED_READ_FROM_EVENTS = 20_000;

/** How long the main thread waits for a page before it reads on by itself (a reader thread that died). */
const PATIENCE_MS = 60_000;

/**
 * The reader thread's script: the compiled replay-worker.js beside this file (dist/pool/store/); run from the
 * TypeScript sources (the tests), the build's (Node 20 runs no TypeScript in a worker). Undefined when there is none.
 */
function readerScript(): URL | undefined {
  const candidates = [new URL("./replay-worker.js", import.meta.url), new URL("../../dist/pool/store/replay-worker.js", import.meta.url)];
  return candidates.find((url) => existsSync(fileURLToPath(url)));
}

/** The next message of the reader thread, waiting for it; undefined after PATIENCE_MS without one. */
function nextMessage(port: MessagePort, control: Int32Array, received: number): ReaderMessage | undefined {
  const deadline = performance.now() + PATIENCE_MS;
  for (;;) {
    const m = receiveMessageOnPort(port);
    if (m) return m.message as ReaderMessage;
    // Posted before counted: a count above `received` means the message is already in the port.
    if (Atomics.load(control, POSTED) > received) continue;
    const left = deadline - performance.now();
    if (left <= 0) return undefined;
    Atomics.wait(control, POSTED, received, Math.min(left, 1000));
  }
}

/**
 * Every event of the log from `fromSeq` on, as `iterate(fromSeq)` yields them: seqs fromSeq..until through a reader
 * thread (chain and MACs checked there, after `previous`, under `key`), then the rest through `iterate`.
 */
export function* checkedEvents(
  job: Omit<ReaderJob, "control">, iterate: (fromSeq: number) => IterableIterator<PoolEvent>,
): IterableIterator<PoolEvent> {
  const script = readerScript();
  let next = job.fromSeq;
  if (script !== undefined && job.until - job.fromSeq + 1 >= CHECKED_READ_FROM_EVENTS) {
    const control = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(script, { workerData: { ...job, control: control.buffer, port: port2 }, transferList: [port2] });
    worker.unref();
    worker.on("error", () => {}); // a reader that fails is read around: the main thread reads on by itself
    let previous = job.previous;
    try {
      for (let received = 0; ; ) {
        const m = nextMessage(port1, control, received);
        if (m === undefined) break;
        received++;
        if ("next" in m) {
          next = m.next;
          break;
        }
        Atomics.add(control, CONSUMED, 1);
        Atomics.notify(control, CONSUMED);
        const { events, checked } = m;
        for (let i = 0; i < events.length; i++) {
          const e = events[i]!;
          markDecoded(e);
          if (i < checked) markChainChecked(e, previous);
          previous = e.hash;
          next = e.seq + 1;
          yield e;
        }
      }
    } finally {
      Atomics.store(control, STOP, 1);
      Atomics.notify(control, CONSUMED);
      port1.close();
      void worker.terminate();
    }
  }
  yield* iterate(next);
}
