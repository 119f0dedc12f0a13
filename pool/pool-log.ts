// The pool's log: its event store (pool/store/types.ts) seen from the commit. The commit appends each operation's
// events here before it installs them; a replay, a fork or a restart (OptionPool.open) rebuilds the state from a log,
// verifying every event (schema, chain, MAC, re-derived amounts, conservation: verify.ts) before applying it; and
// snapshots let a restart skip the verified prefix (pool-persistence.ts says when a snapshot may be trusted).
import { PoolError, check } from "./errors.js";
import type { PoolEvent } from "./events.js";
import { canonicalEvent, checkedEvent } from "./events.js";
import { applyEvent, PoolState } from "./ledger.js";
import { chainCheckedAfter, checkChain } from "./ledger-chain.js";
import type { PoolCore } from "./pool-core.js";
import { appendTo, checkStore, requireEmptyStore, snapshotRecord, snapshotState, storeFailure, type SnapshotUse } from "./pool-persistence.js";
import { MemoryEventStore } from "./store/memory-store.js";
import type { ChainCheckingReads, EventStore } from "./store/types.js";
import { checkConservation, verifyEvent, type VerifyContext, type VerifyLevel } from "./verify.js";
import { paramsInForce } from "./params-change.js";

/** Events per page when the pool copies its log between stores. */
const PAGE = 1024;

export class PoolLog {
  /** config.store, or an in-memory one. */
  readonly store: EventStore<PoolEvent>;
  /** The last failure of an automatic snapshot (config.snapshotEvery), cleared by the next success. */
  snapshotError: PoolError | undefined;
  private lastSnapshotSeq = 0;
  private readonly snapshotEvery: number | undefined;

  constructor(private readonly core: PoolCore, private readonly genesis: string) {
    const { store, snapshotEvery } = core.config;
    if (store !== undefined) checkStore(store);
    if (snapshotEvery !== undefined)
      check(Number.isSafeInteger(snapshotEvery) && snapshotEvery >= 1, "snapshotEvery", "must be an integer ≥ 1 (events between automatic snapshots)");
    this.store = store ?? new MemoryEventStore<PoolEvent>();
    this.snapshotEvery = snapshotEvery;
  }

  /** Appends one commit's events (all or nothing); a refusal is a PoolError STORE_FAILED. */
  append(events: readonly PoolEvent[]): void {
    appendTo(this.store, events, "events");
  }

  /** Refuses a store that already holds a log (a new pool, a replay or a fork starts from genesis). */
  requireEmpty(): void {
    requireEmptyStore(this.store, "events", "OptionPool.open(config)");
  }

  /** Stores a snapshot of the state as it stands (between operations only); returns its seq. */
  saveSnapshot(): number {
    if (this.core.busy) throw new PoolError("REENTRANT_CALL", "operation", `saveSnapshot was called while ${this.core.busy} is running`);
    const record = snapshotRecord(this.core.state, this.genesis, this.core.key);
    try {
      this.store.saveSnapshot(record);
    } catch (e) {
      throw storeFailure(e, `saving the snapshot at seq ${record.seq}`);
    }
    this.lastSnapshotSeq = record.seq;
    return record.seq;
  }

  /** After an installed commit: the snapshot due every snapshotEvery events. The operation stands, so a failure is kept, not thrown. */
  afterCommit(): void {
    const every = this.snapshotEvery;
    const seq = this.core.state.seq;
    if (every === undefined || seq - this.lastSnapshotSeq < every) return;
    const busy = this.core.busy;
    this.core.busy = undefined;
    try {
      this.saveSnapshot();
      this.snapshotError = undefined;
    } catch (e) {
      this.snapshotError = storeFailure(e, "the automatic snapshot");
      this.lastSnapshotSeq = seq; // retried after the next snapshotEvery events, not on every operation
    } finally {
      this.core.busy = busy;
    }
  }

  /** Takes `other`'s state and a copy of its log (fork); the impact window is this pool's. */
  adopt(other: PoolCore): void {
    this.requireEmpty();
    this.core.state = PoolState.fromSnapshot(other.state.snapshot(), this.core.settings.params.ivImpactWindowSeconds);
    for (let from = 1; from <= other.state.seq; from += PAGE) this.append(other.log.store.read(from, PAGE));
    this.core.retainOracle();
  }

  /** Rebuilds the state from `events`, verifying each before applying it, then stores them (in pages). */
  replay(events: Iterable<PoolEvent>, level: VerifyLevel): void {
    this.requireEmpty();
    const verified = this.verifyAll(events, level, "events", true);
    for (let i = 0; i < verified.length; i += PAGE) this.append(verified.slice(i, i + PAGE));
    this.core.retainOracle();
  }

  /** Resumes from the store: a snapshot when `use` allows (pool-persistence.ts), then the verified tail of the log. */
  resume(level: VerifyLevel, use: SnapshotUse): void {
    const core = this.core;
    const restored = snapshotState(this.store, use, this.genesis, core.key, core.settings.params.ivImpactWindowSeconds);
    if (restored) {
      core.state = restored;
      this.lastSnapshotSeq = restored.seq;
      if (restored.params !== undefined) core.useParams(paramsInForce(core.config.params, restored.params));
    }
    let tail: Iterable<PoolEvent>;
    try {
      const checked = (this.store as Partial<ChainCheckingReads<PoolEvent>>).iterateChecked;
      tail = typeof checked === "function"
        ? checked.call(this.store, core.state.seq + 1, core.state.hash, core.key)
        : this.store.iterate(core.state.seq + 1);
    } catch (e) {
      throw storeFailure(e, "reading the log");
    }
    this.verifyAll(tail, level, "store", false);
    const head = this.store.head();
    if (head.seq !== core.state.seq) throw new PoolError("REPLAY_MISMATCH", "store", `the log ends at seq ${core.state.seq}, its head says ${head.seq}`);
    core.retainOracle();
  }

  /** Verifies and applies each event in order; keeps them (for a later append) when `keep`. */
  private verifyAll(events: Iterable<PoolEvent>, level: VerifyLevel, source: string, keep: boolean): PoolEvent[] {
    const ctx: VerifyContext = { quote: this.core.quoteContext as VerifyContext["quote"], level };
    const kept: PoolEvent[] = [];
    let i = 0;
    const position = () => `${source}[${i}]`;
    try {
      for (const raw of events) {
        const e = checkedEvent(raw, position);
        i++;
        this.verifyOne(ctx, e);
        if (keep) kept.push(e);
      }
    } catch (e) {
      if (e instanceof PoolError) throw e;
      throw storeFailure(e, "reading the log");
    }
    return kept;
  }

  private verifyOne(ctx: VerifyContext, e: PoolEvent): void {
    const state = this.core.state;
    try {
      if (e.seq !== state.seq + 1) throw new PoolError("REPLAY_MISMATCH", "seq", `expected seq ${state.seq + 1}, got ${e.seq}`);
      if (!chainCheckedAfter(e, state.hash)) checkChain(state.hash, e, canonicalEvent(e), this.core.key);
      verifyEvent(ctx, state, e);
      applyEvent(state, e);
      checkConservation(state, e);
      if (e.kind === "paramsChanged") {
        // Every later event is re-derived under the parameters this one put in force.
        this.core.useParams(paramsInForce(this.core.config.params, state.params));
        ctx.quote = this.core.quoteContext as VerifyContext["quote"];
      }
    } catch (err) {
      if (err instanceof PoolError && !/\bseq \d+/.test(err.message)) throw new PoolError(err.code, err.field, `seq ${e.seq}: ${err.message}`, { cause: err });
      throw err;
    }
  }
}
