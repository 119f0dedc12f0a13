// What the replay's reader thread (replay-worker.ts) and the main thread (checked-reader.ts) share: the job, the
// messages, and the slots of the control array (an Int32Array over a SharedArrayBuffer) they wait on.
import type { PoolEvent } from "../events.js";

/** Slots of the control array: pages posted (and the final message), pages taken, and the main thread's stop. */
export const POSTED = 0;
export const CONSUMED = 1;
export const STOP = 2;
/** Pages the reader may post ahead of the main thread (memory stays a few pages, whatever the log's length). */
export const AHEAD = 16;

/** The reader's job: the log at `path`, seqs `fromSeq`..`until`, chained after `previous`, MACs under `key`. */
export interface ReaderJob {
  path: string;
  fromSeq: number;
  until: number;
  previous: string;
  key: Uint8Array | undefined;
  pageSize: number;
  control: SharedArrayBuffer;
}

/** A page (its first `checked` events chain-checked), or the end: the main thread reads on from seq `next` itself. */
export type ReaderMessage = { events: PoolEvent[]; checked: number } | { next: number };
