// A long pool log on SQLite is replayed on two threads (pool/store/checked-reader.ts): a reader thread decodes and
// chain-checks pages while the main thread re-derives and applies them. The replay must reach the identical state,
// and a log tampered with anywhere — a row's content, its MAC, a row that does not decode — must be refused with
// exactly the error the one-thread replay (the same log in a MemoryEventStore, or read without the reader) gives.
import Database from "better-sqlite3";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { ManualClock, ManualOracle, OptionPool, POOL_LOG, PoolError, type PoolConfig, type PoolEvent } from "../pool/index.js";
import { canonicalEvent } from "../pool/events.js";
import { chainCheckedAfter, seal } from "../pool/ledger-chain.js";
import { CHECKED_READ_FROM_EVENTS } from "../pool/store/checked-reader.js";
import { SqliteEventStore } from "../pool/store/index.js";

const KEY = "an operator secret of at least thirty-two bytes!";
const T0 = 1_767_225_600;
const WEEK = 7 * 86_400;
const EVENTS = CHECKED_READ_FROM_EVENTS + 1_500;
let pricer: Pricer;
let dir: string;
let path: string;
let state: string;

function config(store: PoolConfig["store"]): PoolConfig {
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
  return { collateral: "quote", decimals: 6, pricer, oracle, clock, params: { maxUtilization: 0.95 }, ledgerKey: KEY, store };
}

/** A log of EVENTS events (trades in pairs on weekly series, prints every ten, a deposit every thousand) at `path`. */
function build(): string {
  const store = new SqliteEventStore<PoolEvent>(path, { ...POOL_LOG, commit: "group" });
  const c = config(store);
  const pool = new OptionPool(c);
  pool.deposit("lp", 10n ** 18n);
  let t = T0;
  for (let i = 0; pool.seq < EVENTS; i++) {
    if (i % 10 === 0) {
      t += 10;
      (c.clock as ManualClock).set(t);
      (c.oracle as ManualOracle).push({ timestamp: t, spot: 2000 * Math.exp(0.002 * Math.sin(i / 37)) });
    }
    const k = Math.floor(i / 2);
    const request = { type: "put" as const, strike: 1600 + 100 * (k % 9), expiry: T0 + (Math.floor((t - T0) / WEEK) + 2) * WEEK, size: 10n };
    if (i % 1000 === 999) pool.deposit(`lp${i % 7}`, 10n ** 9n);
    else if (i % 2 === 0) pool.trade(`trader${k % 50}`, { ...request, side: "buy", maxCost: 10n ** 15n });
    else pool.trade(`trader${k % 50}`, { ...request, side: "sell", minProceeds: 0n });
    if (pool.seq % 1000 === 0) pool.flush();
  }
  pool.flush();
  const text = JSON.stringify(pool.snapshot(), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  store.close();
  return text;
}

beforeAll(async () => {
  pricer = await createPricer();
  dir = mkdtempSync(join(tmpdir(), "pool2peer-replay-reader-"));
  path = join(dir, "log.db");
  state = build();
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the log with `change` applied to it through SQL. */
function tampered(name: string, change: (db: Database.Database) => void): string {
  const copy = join(dir, name);
  copyFileSync(path, copy);
  const db = new Database(copy);
  change(db);
  db.close();
  return copy;
}

/** The error of OptionPool.open over `store` (a full verifying replay), or undefined. */
function openError(store: PoolConfig["store"]): PoolError | undefined {
  try {
    OptionPool.open(config(store), { snapshot: "ignore" });
  } catch (e) {
    expect(e).toBeInstanceOf(PoolError);
    return e as PoolError;
  }
  return undefined;
}

/** The store at `at` without its reader thread (no iterateChecked): the replay reads it on one thread. */
function oneThread(store: SqliteEventStore<PoolEvent>): PoolConfig["store"] {
  return new Proxy(store, {
    get: (target, key) => {
      if (key === "iterateChecked") return undefined;
      const value = Reflect.get(target, key) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The replay's error on the log at `at`, on two threads and on one: the same, and not undefined. */
function sameRefusal(at: string): PoolError {
  const errors = [false, true].map((single) => {
    const store = new SqliteEventStore<PoolEvent>(at, POOL_LOG);
    try {
      return openError(single ? oneThread(store) : store);
    } finally {
      store.close();
    }
  });
  const [two, one] = errors.map((e) => e && { code: e.code, field: e.field, message: e.message });
  expect(two).toBeDefined();
  expect(two).toEqual(one);
  return errors[0]!;
}

/** The event text of row `seq` changed by `edit`. */
function editRow(db: Database.Database, seq: number, edit: (event: Record<string, unknown>) => void): void {
  const text = db.prepare("SELECT event FROM events WHERE seq = ?").pluck().get(seq) as string;
  const event = JSON.parse(text) as Record<string, unknown>;
  edit(event);
  db.prepare("UPDATE events SET event = ? WHERE seq = ?").run(JSON.stringify(event), seq);
}

/** A trade's seq near `seq` in the log (a deposit every thousand events). */
function tradeNear(db: Database.Database, seq: number): number {
  for (let s = seq; ; s++) if ((JSON.parse(db.prepare("SELECT event FROM events WHERE seq = ?").pluck().get(s) as string) as { kind: string }).kind === "trade") return s;
}

describe("a replay of a long SQLite log on two threads", () => {
  it("reads it through the reader thread, each event chain-checked there, and reaches the identical state", () => {
    const store = new SqliteEventStore<PoolEvent>(path, POOL_LOG);
    try {
      const pool = OptionPool.open(config(store), { snapshot: "ignore" });
      expect(JSON.stringify(pool.snapshot(), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).toBe(state);
      let previous = store.read(1, 1)[0]!.hash;
      let checked = 0;
      for (const e of store.iterateChecked(2, previous, new TextEncoder().encode(KEY))) {
        if (chainCheckedAfter(e, previous)) checked++;
        previous = e.hash;
      }
      expect(checked).toBe(EVENTS - 1);
    } finally {
      store.close();
    }
  });

  it("refuses a changed event anywhere (first page, middle, last page) with the one-thread replay's TAMPERED", () => {
    for (const at of [3, 15_500, EVENTS - 2]) {
      let seq = 0;
      const copy = tampered(`content-${at}.db`, (db) => {
        seq = tradeNear(db, at);
        editRow(db, seq, (e) => (e.trader = e.trader === "trader1" ? "trader2" : "trader1"));
      });
      const error = sameRefusal(copy);
      expect(error.code).toBe("TAMPERED");
      expect(error.field).toBe("hash");
      expect(error.message).toContain(`seq ${seq}:`);
    }
  });

  it("refuses a MAC that is not the event's (TAMPERED mac), as the one-thread replay does", () => {
    const copy = tampered("mac.db", (db) => editRow(db, 18_000, (e) => (e.mac = "0".repeat(64))));
    const error = sameRefusal(copy);
    expect(error.code).toBe("TAMPERED");
    expect(error.field).toBe("mac");
    expect(error.message).toContain("seq 18000:");
  });

  it("refuses a row that does not decode (STORE_FAILED, CORRUPT) before the changed event of its page, as one thread does", () => {
    const copy = tampered("corrupt.db", (db) => {
      editRow(db, tradeNear(db, 15_500), (e) => (e.trader = "mallory"));
      db.prepare("UPDATE events SET event = '{' WHERE seq = 15600").run();
    });
    const error = sameRefusal(copy);
    expect(error.code).toBe("STORE_FAILED");
    expect(error.message).toMatch(/CORRUPT.*seq 15600/);
  });

  it("re-derives the amounts of the events the reader thread checked: a trade re-MAC'ed under the key with a wrong premium is refused", () => {
    // What the chain cannot catch (an insider with the key rewrites the tail): the re-derivation on the main thread does.
    const copy = tampered("rederive.db", (db) => {
      const seq = tradeNear(db, 16_000);
      const rows = db.prepare("SELECT seq, event FROM events WHERE seq >= ? ORDER BY seq").all(seq) as { seq: number; event: string }[];
      let previous = db.prepare("SELECT hash FROM events WHERE seq = ?").pluck().get(seq - 1) as string;
      const update = db.prepare("UPDATE events SET hash = ?, event = ? WHERE seq = ?");
      const key = new TextEncoder().encode(KEY);
      for (const row of rows) {
        const event = POOL_LOG.decode(row.event, "row");
        if (row.seq === seq && event.kind === "trade") event.premium += 1n;
        const sealed = sealAfter(event, previous, key);
        update.run(sealed.hash, POOL_LOG.encode(sealed), row.seq);
        previous = sealed.hash;
      }
    });
    const error = sameRefusal(copy);
    expect(error.code).toBe("REPLAY_MISMATCH");
    expect(error.field).toBe("premium");
  });
});

/** `event` with a new hash after `previous` and a new MAC under `key` (what only the key's holder can do). */
function sealAfter(event: PoolEvent, previous: string, key: Uint8Array): PoolEvent {
  const { hash: _h, mac: _m, ...unsealed } = event;
  return seal(unsealed, canonicalEvent(unsealed as PoolEvent), previous, key) as PoolEvent;
}
