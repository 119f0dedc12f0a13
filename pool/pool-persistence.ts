// The pool's side of its event store (pool/store/types.ts): what a store failure means to an operation, what a
// snapshot holds, and which snapshot a restart may start from. A snapshot is a shortcut, not a source of truth: the
// log is. So a restart takes a snapshot only when it can prove it is the pool's own state at that seq — a MAC under
// the ledger key over the log's genesis, the seq, the chain head and the state text — or when the caller says it
// trusts the store (no key); otherwise it replays the whole log, verifying every event.
import { PoolError, check } from "./errors.js";
import type { EventHeader } from "./event-schema.js";
import type { PoolEvent } from "./events.js";
import { PoolState } from "./ledger.js";
import { snapshotMac, snapshotMacMatches } from "./ledger-chain.js";
import { StoreError } from "./store/errors.js";
import type { EventStore, StoredSnapshot } from "./store/types.js";

/**
 * Which stored snapshot OptionPool.open may start from:
 * - `"verified"` (default): the latest one when its MAC verifies under the ledger key; a pool without a key replays
 *   the whole log (a snapshot nobody signed proves nothing); a snapshot with a missing or wrong MAC is refused
 *   (TAMPERED) when the pool has a key;
 * - `"trusted"`: also an unsigned snapshot, for a pool without a key whose store only the operator can write;
 * - `"ignore"`: none (replays and verifies the whole log).
 */
export type SnapshotUse = "verified" | "trusted" | "ignore";

/** A store's failure as the pool reports it (the operation is not installed). */
export function storeFailure(e: unknown, what: string): PoolError {
  if (e instanceof PoolError) return e;
  const detail = e instanceof StoreError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
  return new PoolError("STORE_FAILED", "store", `${what} failed: ${detail}`, { cause: e });
}

/** Checks that `store` looks like an EventStore (PoolError naming `store`). */
export function checkStore<E extends EventHeader>(store: unknown): asserts store is EventStore<E> {
  const s = store as Partial<EventStore<E>> | undefined;
  const methods = ["head", "append", "flush", "read", "iterate", "saveSnapshot", "latestSnapshot"] as const;
  const missing = methods.filter((m) => typeof s?.[m] !== "function");
  if (missing.length > 0) throw new PoolError("INVALID_INPUT", "store", `must be an EventStore (missing ${missing.join(", ")})`);
}

/** Appends one commit's events (all or nothing); a refusal is a PoolError STORE_FAILED naming `what` and the seqs. */
export function appendTo<E extends EventHeader>(store: EventStore<E>, events: readonly E[], what: string): void {
  try {
    store.append(events);
  } catch (e) {
    throw storeFailure(e, `appending ${what} ${events[0]!.seq}..${events[events.length - 1]!.seq}`);
  }
}

/** Refuses a store that already holds a log where a new one must start (a new pool or book, a replay, a fork). */
export function requireEmptyStore(store: EventStore<EventHeader>, what: string, resume: string): void {
  const head = store.head();
  if (head.seq !== 0) throw new PoolError("INVALID_INPUT", "store", `holds ${head.seq} ${what} already: resume it with ${resume}`);
}

/** Events with seq > `afterSeq` up to `head`, at most `limit` of them (argument checks name the field). */
export function readAfter<E extends EventHeader>(store: EventStore<E>, afterSeq: number, limit: number, head: number, what: string): E[] {
  check(Number.isSafeInteger(afterSeq) && afterSeq >= 0, "afterSeq", "must be an integer seq ≥ 0");
  check(Number.isSafeInteger(limit) && limit >= 0, "limit", "must be an integer ≥ 0");
  const count = Math.min(limit, head - afterSeq);
  if (count <= 0) return [];
  try {
    return store.read(afterSeq + 1, count);
  } catch (e) {
    throw storeFailure(e, `reading ${what} ${afterSeq + 1}..${afterSeq + count}`);
  }
}

/** The snapshot record of `state` (the pool's or the book's state after its last event), MAC'ed when there is a key. */
export function snapshotRecord(state: { seq: number; hash: string; snapshot(): unknown }, genesis: string, key: Uint8Array | undefined): StoredSnapshot {
  const text = JSON.stringify(state.snapshot());
  const record: StoredSnapshot = { seq: state.seq, hash: state.hash, state: text };
  if (key) record.mac = snapshotMac(key, genesis, state.seq, state.hash, text);
  return record;
}

/**
 * The state to resume from: the store's latest snapshot when `use` allows it (see SnapshotUse), else undefined (a
 * replay from genesis). Checks that the snapshot's state is at the seq and hash it claims and that the log holds
 * that hash at that seq.
 */
export function snapshotState(
  store: EventStore<PoolEvent>, use: SnapshotUse, genesis: string, key: Uint8Array | undefined, flowWindowSeconds: number,
): PoolState | undefined {
  return restoreSnapshot(store, use, genesis, key, (json) => PoolState.fromSnapshot(json, flowWindowSeconds));
}

/**
 * The state `restore` rebuilds from `store`'s latest snapshot when `use` allows it (see SnapshotUse; the MAC is over
 * the log's `genesis`, so one log's snapshot is refused as another's), else undefined. TAMPERED when the MAC, the
 * log's hash at the snapshot's seq or the state's own seq and hash disagree; INVALID_EVENT when the state does not parse.
 */
export function restoreSnapshot<E extends EventHeader, S extends { seq: number; hash: string }>(
  store: EventStore<E>, use: SnapshotUse, genesis: string, key: Uint8Array | undefined, restore: (json: Record<string, unknown>) => S,
): S | undefined {
  if (use === "ignore") return undefined;
  let snap: StoredSnapshot | undefined;
  try {
    snap = store.latestSnapshot();
  } catch (e) {
    throw storeFailure(e, "reading the latest snapshot");
  }
  if (!snap) return undefined;
  const where = `snapshot at seq ${snap.seq}`;
  if (key) {
    if (!snapshotMacMatches(snap.mac, key, genesis, snap.seq, snap.hash, snap.state))
      throw new PoolError("TAMPERED", "snapshot", `${where}: ${snap.mac === undefined ? "no mac, and the log has a ledger key" : "mac does not match the ledger key"}`);
  } else if (use === "verified") return undefined;
  const logged = store.read(snap.seq, 1)[0];
  if (logged?.hash !== snap.hash) throw new PoolError("TAMPERED", "snapshot", `${where}: its hash is not the log's at that seq`);
  let state: S;
  try {
    state = restore(JSON.parse(snap.state) as Record<string, unknown>);
  } catch (e) {
    if (e instanceof PoolError && e.code === "TAMPERED") throw e;
    throw new PoolError("INVALID_EVENT", "snapshot", `${where}: the state does not parse (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  if (state.seq !== snap.seq || state.hash !== snap.hash) throw new PoolError("TAMPERED", "snapshot", `${where}: the state is at seq ${state.seq}, not at the snapshot's`);
  return state;
}
