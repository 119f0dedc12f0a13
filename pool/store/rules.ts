// The rules every EventStore enforces, written once for MemoryEventStore and SqliteEventStore: what an append must
// continue, what a page request and a snapshot must look like. Each failure is a StoreError naming the field.
import type { EventHeader } from "../event-schema.js";
import type { EventCodec } from "./codec.js";
import { describe, StoreError } from "./errors.js";
import type { StoredSnapshot } from "./types.js";

const HEX64 = /^[0-9a-f]{64}$/;

/** The head of an empty log. */
export const EMPTY_HEAD: Readonly<{ seq: number; hash: string }> = Object.freeze({ seq: 0, hash: "" });

/**
 * Checks that `event` (element `index` of an append) comes right after seq `previous`: an object with seq
 * previous + 1 and a 64-hex-digit hash. OUT_OF_ORDER naming the seq, or INVALID_INPUT naming the field.
 */
export function checkNext(store: string, previous: number, event: EventHeader, index: number): void {
  const where = `events[${index}]`;
  if (typeof event !== "object" || event === null) throw new StoreError("INVALID_INPUT", store, `${where} is not an event`, { field: where });
  if (event.seq !== previous + 1) {
    const seq = Number.isSafeInteger(event.seq) ? event.seq : undefined;
    throw new StoreError("OUT_OF_ORDER", store, `${where} has seq ${String(event.seq)}; expected seq ${previous + 1} after seq ${previous}`, {
      seq, field: `${where}.seq`,
    });
  }
  if (typeof event.hash !== "string" || !HEX64.test(event.hash)) {
    throw new StoreError("INVALID_INPUT", store, `${where} (seq ${event.seq}): hash must be 64 lowercase hex digits`, { seq: event.seq, field: `${where}.hash` });
  }
}

/** Checks a page request: `fromSeq` an integer ≥ 0 (0 and 1 both mean the first event), `limit` an integer ≥ 0. */
export function checkPage(store: string, fromSeq: number, limit: number): void {
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 0) throw new StoreError("INVALID_INPUT", store, `fromSeq must be an integer ≥ 0, got ${String(fromSeq)}`, { field: "fromSeq" });
  if (!Number.isSafeInteger(limit) || limit < 0) throw new StoreError("INVALID_INPUT", store, `limit must be an integer ≥ 0, got ${String(limit)}`, { field: "limit" });
}

/**
 * Checks a snapshot against the log: a seq in 1..head, the hash the log has at that seq (`hashAt`), a string state
 * and an optional 64-hex-digit MAC. INVALID_INPUT naming the field, or INVALID_SNAPSHOT when it is not on the chain.
 */
export function checkSnapshot(store: string, s: StoredSnapshot, headSeq: number, hashAt: (seq: number) => string | undefined): void {
  const bad = (field: string, problem: string) => new StoreError("INVALID_INPUT", store, `snapshot.${field} ${problem}`, { field: `snapshot.${field}` });
  if (typeof s !== "object" || s === null) throw new StoreError("INVALID_INPUT", store, "snapshot must be an object", { field: "snapshot" });
  if (!Number.isSafeInteger(s.seq) || s.seq < 1) throw bad("seq", `must be an integer ≥ 1, got ${String(s.seq)}`);
  if (typeof s.hash !== "string" || !HEX64.test(s.hash)) throw bad("hash", "must be 64 lowercase hex digits");
  if (typeof s.state !== "string") throw bad("state", "must be a string (the state as JSON text)");
  if (s.mac !== undefined && (typeof s.mac !== "string" || !HEX64.test(s.mac))) throw bad("mac", "must be 64 lowercase hex digits");
  if (s.seq > headSeq) throw new StoreError("INVALID_SNAPSHOT", store, `snapshot at seq ${s.seq} is past the log's head (seq ${headSeq})`, { seq: s.seq, field: "snapshot.seq" });
  if (hashAt(s.seq) !== s.hash) {
    throw new StoreError("INVALID_SNAPSHOT", store, `snapshot at seq ${s.seq}: its hash is not the log's hash at seq ${s.seq}`, { seq: s.seq, field: "snapshot.hash" });
  }
}

/** A copy of a snapshot with exactly its fields (no `mac` key when it has none). */
export function copySnapshot(s: StoredSnapshot): StoredSnapshot {
  return s.mac === undefined ? { seq: s.seq, hash: s.hash, state: s.state } : { seq: s.seq, hash: s.hash, state: s.state, mac: s.mac };
}

/** Every event from `fromSeq` on, read `pageSize` at a time through `read` (the store's page read), oldest first. */
export function* pages<E>(store: string, fromSeq: number, pageSize: number, read: (fromSeq: number, limit: number) => E[]): IterableIterator<E> {
  checkPage(store, fromSeq, 0);
  for (let seq = Math.max(fromSeq, 1); ; ) {
    const page = read(seq, pageSize);
    yield* page;
    if (page.length < pageSize) return;
    seq += page.length;
  }
}

/** Decodes a stored row [seq, hash, text] of a log, checking that the event it holds is the one its columns name. */
export function decodeStoredRow<E extends EventHeader>(codec: EventCodec<E>, where: string, seq: number, hash: string, text: string): E {
  let event: E;
  try {
    event = codec.decode(text, `seq ${seq}`);
  } catch (e) {
    throw new StoreError("CORRUPT", where, `the row of seq ${seq} is not a ${codec.name} event: ${describe(e)}`, { seq, cause: e });
  }
  if (event.seq !== seq) throw new StoreError("CORRUPT", where, `the row of seq ${seq} holds seq ${event.seq}`, { seq });
  if (event.hash !== hash) throw new StoreError("CORRUPT", where, `the row of seq ${seq}: its hash column differs from the event's hash`, { seq });
  return event;
}
