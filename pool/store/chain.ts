// Checking a log's shape as it streams by: seqs 1, 2, 3 ... without gaps, and each event's hash following from the
// previous one's through the chain's hashing (ledger-chain.ts hashAfter over the codec's canonical form). It checks
// links only: whether the events are a valid history of the pool (amounts, rules, MACs) is the verifying replay's
// job. Browser-safe.
import type { EventHeader } from "../event-schema.js";
import { hashAfter } from "../ledger-chain.js";
import type { ChainCodec } from "./codec.js";
import { StoreError } from "./errors.js";
import type { EventStore } from "./types.js";

/** Where a chain check starts: the genesis hash when known (see ledger-chain.ts genesisHash). */
export interface ChainStart {
  /**
   * Hash before the first event (genesisHash(pool.settings) for a pool log, genesisHash(pool.settings, "book") for its
   * book). Without it the first event's own hash is taken as given and the links are checked from the second on.
   */
  genesis?: string;
}

/** Follows a log event by event, from its first event. */
export class ChainCheck<E extends EventHeader> {
  /** Seq and hash of the last event checked (seq 0 before any; hash "" when no genesis was given). */
  seq = 0;
  hash: string;

  constructor(
    private readonly store: string,
    private readonly canonical: (event: E) => string,
    start: ChainStart = {},
  ) {
    this.hash = start.genesis ?? "";
    if (start.genesis !== undefined && !/^[0-9a-f]{64}$/.test(start.genesis)) {
      throw new StoreError("INVALID_INPUT", store, "genesis must be 64 lowercase hex digits", { field: "genesis" });
    }
  }

  /**
   * Checks that `event` comes next: seq one more than the last, hash after the last hash. OUT_OF_ORDER or TAMPERED
   * naming the seq (and `line`, for a journal).
   */
  next(event: E, line?: number): void {
    const at = line === undefined ? "" : `line ${line}: `;
    if (event.seq !== this.seq + 1) {
      throw new StoreError("OUT_OF_ORDER", this.store, `${at}seq ${event.seq} follows seq ${this.seq}; expected seq ${this.seq + 1}`, { seq: event.seq, line });
    }
    if ((this.seq > 0 || this.hash !== "") && event.hash !== hashAfter(this.hash, this.canonical(event))) {
      const after = this.seq === 0 ? "the genesis hash" : `seq ${this.seq}`;
      throw new StoreError("TAMPERED", this.store, `${at}the hash of seq ${event.seq} does not follow from ${after} and this event's content`, { seq: event.seq, line });
    }
    this.seq = event.seq;
    this.hash = event.hash;
  }
}

/**
 * Reads the whole log of `store` a page at a time and checks its chain (see ChainCheck); returns its head. The store's
 * own read checks (CORRUPT rows) apply on the way.
 * @example
 * verifyLog(store, POOL_LOG, { genesis: genesisHash(pool.settings) }) // → { seq: 1234, hash: "9f…" }
 */
export function verifyLog<E extends EventHeader>(store: EventStore<E>, codec: ChainCodec<E>, start: ChainStart = {}, name = codec.name): { seq: number; hash: string } {
  const check = new ChainCheck<E>(name, (e) => codec.canonical(e), start);
  for (const event of store.iterate(1)) check.next(event);
  const head = store.head();
  if (head.seq !== check.seq || head.hash !== check.hash) {
    throw new StoreError("CORRUPT", name, `the log ends at seq ${check.seq} but the store's head is seq ${head.seq}`, { seq: check.seq });
  }
  return head;
}
