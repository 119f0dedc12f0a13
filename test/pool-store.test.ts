// Issue 16: the pool writes its events through an EventStore and resumes from it. A pool on SQLite reopens to the
// identical state and log (from a snapshot or from genesis) and lives on as if it never stopped; a store that refuses
// an append refuses the operation; a forged snapshot is refused or ignored, never trusted unsigned by default; a
// JSON-lines journal imported into SQLite reopens to the same pool.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { MemoryEventStore, OptionPool, POOL_LOG, PoolError, type PoolEvent } from "../pool/index.js";
import { exportJournal, importJournal, SqliteEventStore, genesisHash } from "../pool/store/index.js";
import { FlakyStore } from "./support/flaky-store.js";
import { expectRejected } from "./support/pool.js";
import { lifeConfig, live, resumeStep } from "./support/pool-driver.js";

const KEY = "an operator secret of at least thirty-two bytes!";
const SEED = 11;
let pricer: Pricer;
let dir: string;
beforeAll(async () => {
  pricer = await createPricer();
  dir = mkdtempSync(join(tmpdir(), "pool2peer-pool-store-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A pool that lived `steps` steps of the life on an in-memory store (the reference). */
function reference(steps: number, ledgerKey?: string): OptionPool {
  const { config, clock, oracle } = lifeConfig(pricer, ledgerKey ? { ledgerKey } : {});
  const pool = new OptionPool(config);
  live(pool, SEED, 0, steps, clock, oracle);
  return pool;
}

/** Opens `store` as the pool of the life, replays the prints, and lives on to step `to`. */
function reopenAndLive(store: MemoryEventStore<PoolEvent> | SqliteEventStore<PoolEvent>, to: number, extra: object = {}): OptionPool {
  const { config, clock, oracle } = lifeConfig(pricer, { store, ...extra });
  const pool = OptionPool.open(config, { snapshot: "verified" });
  live(pool, SEED, resumeStep(pool, SEED, clock, oracle), to, clock, oracle);
  return pool;
}

describe("a pool on SQLite", () => {
  it("reopens (from its snapshot, and from genesis) to the identical state and log, and lives on as if it never stopped", () => {
    const path = join(dir, "life.db");
    const first = new SqliteEventStore<PoolEvent>(path, POOL_LOG);
    const { config, clock, oracle } = lifeConfig(pricer, { store: first, ledgerKey: KEY, snapshotEvery: 100 });
    const pool = new OptionPool(config);
    live(pool, SEED, 0, 300, clock, oracle);
    expect(pool.snapshotError).toBeUndefined();
    const state = JSON.stringify(pool.snapshot());
    const hashes = pool.events.map((e) => e.hash);
    const snapshotSeq = first.latestSnapshot()!.seq;
    expect(snapshotSeq).toBeGreaterThan(100);
    first.close();

    for (const snapshot of ["verified", "ignore"] as const) {
      const store = new SqliteEventStore<PoolEvent>(path, { ...POOL_LOG, readOnly: true });
      const again = OptionPool.open(lifeConfig(pricer, { store, ledgerKey: KEY }).config, { snapshot });
      expect(JSON.stringify(again.snapshot()), snapshot).toBe(state);
      expect(again.events.map((e) => e.hash)).toEqual(hashes);
      store.close();
    }

    const store = new SqliteEventStore<PoolEvent>(path, POOL_LOG);
    const resumed = reopenAndLive(store, 450, { ledgerKey: KEY });
    const twin = reference(450, KEY);
    expect(resumed.seq).toBe(twin.seq);
    expect(JSON.stringify(resumed.snapshot())).toBe(JSON.stringify(twin.snapshot()));
    expect(store.head().hash).toBe(twin.eventsSince(twin.seq - 1)[0]!.hash);
    store.close();
  }, 120_000);

  it("imports a JSON-lines journal into SQLite and reopens it to the same pool", () => {
    const pool = reference(200);
    const memory = new MemoryEventStore<PoolEvent>();
    memory.append(pool.events);
    const jsonl = join(dir, "export.jsonl");
    exportJournal(memory, POOL_LOG, jsonl);
    const store = new SqliteEventStore<PoolEvent>(join(dir, "imported.db"), POOL_LOG);
    const imported = importJournal(jsonl, store, POOL_LOG, { genesis: genesisHash(pool.settings) });
    expect(imported.head.seq).toBe(pool.seq);
    const opened = OptionPool.open(lifeConfig(pricer, { store }).config);
    expect(JSON.stringify(opened.snapshot())).toBe(JSON.stringify(pool.snapshot()));
    store.close();
  }, 60_000);
});

describe("the commit and its store", () => {
  it("an append the store refuses refuses the operation (STORE_FAILED) and changes nothing; the next one goes through", () => {
    const store = new FlakyStore<PoolEvent>();
    const { config, clock, oracle } = lifeConfig(pricer, { store });
    const pool = new OptionPool(config);
    live(pool, SEED, 0, 40, clock, oracle);
    const expiry = pool.openSeries()[0]?.expiry ?? clock.now() + 14 * 86_400;
    store.failNext = "disk full";
    const e = expectRejected(pool, () => pool.deposit("lp-z", 1_000_000_000n), "STORE_FAILED", "store");
    expect(e.message).toContain("disk full");
    store.failNext = "disk full";
    expectRejected(pool, () => pool.trade("t-9", { type: "put", strike: 1900, expiry, size: 100n, side: "buy", maxCost: 10n ** 12n }), "STORE_FAILED", "store");
    expect(store.head().seq).toBe(pool.seq);
    pool.deposit("lp-z", 1_000_000_000n);
    expect(store.head().seq).toBe(pool.seq);
    expect(JSON.stringify(OptionPool.replay(lifeConfig(pricer).config, pool.events).snapshot())).toBe(JSON.stringify(pool.snapshot()));
  });

  it("a snapshot asked for from inside an operation (a risk hook) is refused: it would record a draft state", () => {
    const store = new MemoryEventStore<PoolEvent>();
    const { config, clock, oracle } = lifeConfig(pricer, { store, ledgerKey: KEY });
    const pool = new OptionPool(config);
    live(pool, SEED, 0, 20, clock, oracle);
    let inside: unknown;
    pool.riskHooks = { beforeCommit: () => { try { pool.saveSnapshot(); } catch (e) { inside = e; } } };
    pool.deposit("lp-hook", 1_000_000_000n);
    expect(inside).toBeInstanceOf(PoolError);
    expect((inside as PoolError).code).toBe("REENTRANT_CALL");
    expect(store.latestSnapshot()).toBeUndefined();
    pool.riskHooks = undefined;
    expect(pool.saveSnapshot()).toBe(pool.seq);
  });

  it("a new pool, a replay and a fork start from an empty store; open needs one", () => {
    const pool = reference(30);
    const full = new MemoryEventStore<PoolEvent>();
    full.append(pool.events);
    expect(() => new OptionPool(lifeConfig(pricer, { store: full }).config)).toThrow(/store.*holds \d+ events already: resume it with OptionPool.open/);
    expect(() => OptionPool.replay(lifeConfig(pricer, { store: full }).config, pool.events)).toThrow(/holds \d+ events already/);
    expect(() => OptionPool.open(lifeConfig(pricer).config)).toThrow(/INVALID_INPUT \(store\)/);
    expect(() => new OptionPool(lifeConfig(pricer, { store: {} as MemoryEventStore<PoolEvent> }).config)).toThrow(/must be an EventStore \(missing head, append/);
    expect(() => new OptionPool(lifeConfig(pricer, { snapshotEvery: 0 }).config)).toThrow(/snapshotEvery/);
    const fork = pool.fork();
    fork.deposit("lp-fork", 1_000_000n);
    expect(pool.store.head().seq).toBe(pool.seq);
    expect(fork.seq).toBe(pool.seq + 1);
  });
});

describe("snapshots an attacker with write access to the store plants", () => {
  /** The pool of 120 steps on a memory store with a snapshot, and a forged copy of that snapshot crediting "mallory" with shares. */
  function planted(ledgerKey?: string) {
    const store = new MemoryEventStore<PoolEvent>();
    const { config, clock, oracle } = lifeConfig(pricer, { store, ...(ledgerKey ? { ledgerKey } : {}) });
    const pool = new OptionPool(config);
    live(pool, SEED, 0, 120, clock, oracle);
    pool.saveSnapshot();
    const real = store.latestSnapshot()!;
    const state = JSON.parse(real.state) as { shares: Record<string, string>; totalSupply: string };
    state.shares["mallory"] = state.totalSupply; // half the pool
    state.totalSupply = String(BigInt(state.totalSupply) * 2n);
    return { pool, store, real, forged: JSON.stringify(state) };
  }

  it("with a ledger key: a snapshot with altered state, without its mac, or with another snapshot's mac is refused (TAMPERED)", () => {
    const { store, real, forged } = planted(KEY);
    const open = () => OptionPool.open(lifeConfig(pricer, { store, ledgerKey: KEY }).config);
    expect(JSON.stringify(open().snapshot())).toBe(real.state);
    store.saveSnapshot({ ...real, state: forged });
    expect(open).toThrow(/TAMPERED \(snapshot\): snapshot at seq \d+: mac does not match/);
    const { mac: _, ...unsigned } = real;
    store.saveSnapshot(unsigned);
    expect(open).toThrow(/TAMPERED \(snapshot\).*no mac/);
    store.saveSnapshot(real);
    expect(JSON.stringify(open().snapshot())).toBe(real.state);
  });

  it("without a key: a planted snapshot is ignored by default (the log is replayed); only { snapshot: 'trusted' } takes it", () => {
    const { pool, store, forged, real } = planted();
    store.saveSnapshot({ ...real, state: forged });
    const opened = OptionPool.open(lifeConfig(pricer, { store }).config);
    expect(opened.sharesOf("mallory")).toBe(0n);
    expect(JSON.stringify(opened.snapshot())).toBe(JSON.stringify(pool.snapshot()));
    const trusting = OptionPool.open(lifeConfig(pricer, { store }).config, { snapshot: "trusted" });
    expect(trusting.sharesOf("mallory")).toBeGreaterThan(0n); // what "trusted" means: documented, opt-in
  });

  it("the events after a snapshot are verified: a forged tail is refused by name", () => {
    const { pool, store } = planted(KEY);
    const { config, clock, oracle } = lifeConfig(pricer, { store, ledgerKey: KEY });
    const resumed = OptionPool.open(config);
    live(resumed, SEED, resumeStep(resumed, SEED, clock, oracle), 160, clock, oracle);
    const events = resumed.events;
    const cut = pool.seq + 3;
    const forgedTail = events.slice(cut - 1).map((e, i) => (i === 0 && e.kind === "deposit" ? { ...e, shares: e.shares * 2n } : e));
    if (forgedTail[0]!.kind !== "deposit") forgedTail[0] = { ...forgedTail[0]!, time: forgedTail[0]!.time + 1 } as PoolEvent;
    const copy = new MemoryEventStore<PoolEvent>();
    copy.append(events.slice(0, cut - 1));
    copy.saveSnapshot(store.latestSnapshot()!);
    copy.append(forgedTail);
    let caught: unknown;
    try {
      OptionPool.open(lifeConfig(pricer, { store: copy, ledgerKey: KEY }).config);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PoolError);
    expect((caught as PoolError).code).toBe("TAMPERED");
    expect((caught as PoolError).message).toContain(`seq ${cut}`);
  });
});
