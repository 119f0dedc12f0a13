// The event stores: the shared EventStore contract on MemoryEventStore (objects, and text through the codec) and
// SqliteEventStore (commit per append, and group commit), then what only the SQLite file has: a real rollback of a
// batch that fails midway, one writer (in this process and from another), read-only opening beside a writer, group
// commit's visibility, corrupt rows named by seq, a database of another log, snapshot pruning, the book's log.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalBookEvent, type BookEvent, type BookEventBody } from "../pool/book/events.js";
import type { PoolEvent } from "../pool/events.js";
import { seal } from "../pool/ledger-chain.js";
import { BOOK_LOG, MemoryEventStore, POOL_LOG, SqliteEventStore, StoreError, type SqliteStoreOptions } from "../pool/store/index.js";
import { bundleScript, projectModule, runChild } from "./support/child.js";
import { eventStoreContract, expectRefused, history } from "./support/store-contract.js";

let dir: string;
let files = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pool2peer-store-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const newPath = () => join(dir, `store-${++files}.db`);
const sqlite = (path: string, options: Partial<SqliteStoreOptions<PoolEvent>> = {}) => new SqliteEventStore<PoolEvent>(path, { ...POOL_LOG, ...options });
const events = history(200);

eventStoreContract("MemoryEventStore (objects)", { fresh: () => new MemoryEventStore<PoolEvent>({ pageSize: 7 }) });
eventStoreContract("MemoryEventStore (text through POOL_LOG)", { fresh: () => new MemoryEventStore({ codec: POOL_LOG, pageSize: 7 }) });
eventStoreContract("SqliteEventStore (commit each)", {
  fresh: () => sqlite(newPath(), { pageSize: 7 }),
  reopen: (closed) => sqlite((closed as SqliteEventStore<PoolEvent>).path),
});
eventStoreContract("SqliteEventStore (group commit)", {
  fresh: () => sqlite(newPath(), { commit: "group", pageSize: 7 }),
  reopen: (closed) => sqlite((closed as SqliteEventStore<PoolEvent>).path, { commit: "group" }),
});

describe("SqliteEventStore", () => {
  it("rolls back a batch whose encoding fails at its third event: the rows written before it are gone", () => {
    const path = newPath();
    const store = new SqliteEventStore<PoolEvent>(path, {
      ...POOL_LOG,
      encode: (e) => {
        if (e.seq === 13) throw new Error("cannot encode seq 13");
        return POOL_LOG.encode(e);
      },
    });
    store.append(events.slice(0, 10));
    const e = expectRefused(store, () => store.append(events.slice(10, 15)), "WRITE_FAILED");
    expect(e.message).toMatch(/rolled back: cannot encode seq 13/);
    store.close();
    const again = sqlite(path);
    expect(again.head()).toEqual({ seq: 10, hash: events[9]!.hash });
    expect(again.read(1, 100)).toEqual(events.slice(0, 10));
    again.close();
  });

  it("admits one writer: a second, in this process or another, is refused LOCKED until the first closes", async () => {
    const path = newPath();
    const first = sqlite(path);
    first.append(events.slice(0, 5));
    expect(() => sqlite(path)).toThrowError(expect.objectContaining({ code: "LOCKED" }) as Error);
    const script = await bundleScript("store-second-writer", `
      import { POOL_LOG, SqliteEventStore } from ${projectModule("pool/store/index.ts")};
      try { new SqliteEventStore(process.argv[2], POOL_LOG).close(); console.log("ack opened"); }
      catch (e) { console.log("ack " + e.code + " " + e.message); }
    `);
    const held = await runChild(script, [path]);
    expect(held.acks[0], held.stderr).toMatch(/^LOCKED .*another writer holds the store/);
    first.close();
    const free = await runChild(script, [path]);
    expect(free.acks, free.stderr).toEqual(["opened"]);
    const second = sqlite(path);
    expect(second.head().seq).toBe(5);
    second.close();
    rmSync(script);
  });

  it("opens read-only beside a running writer: sees each commit, refuses writes, takes no lock", () => {
    const path = newPath();
    const writer = sqlite(path);
    writer.append(events.slice(0, 20));
    const reader = sqlite(path, { readOnly: true });
    expect(reader.head()).toEqual({ seq: 20, hash: events[19]!.hash });
    writer.append(events.slice(20, 30));
    expect(reader.head().seq).toBe(30);
    expect([...reader.iterate(15)]).toEqual(events.slice(14, 30));
    expectRefused(reader, () => reader.append(events.slice(30, 31)), "READ_ONLY");
    expectRefused(reader, () => reader.saveSnapshot({ seq: 1, hash: events[0]!.hash, state: "{}" }), "READ_ONLY");
    writer.close();
    const secondWriter = sqlite(path); // the reader holds no writer lock
    secondWriter.close();
    reader.close();
    expect(() => sqlite(join(dir, "absent.db"), { readOnly: true })).toThrowError(expect.objectContaining({ code: "INVALID_INPUT", field: "path" }) as Error);
  });

  it("group commit: appends are visible at once to the writer, durable (and visible to readers) at flush or close", () => {
    const path = newPath();
    const writer = sqlite(path, { commit: "group", pageSize: 16 });
    writer.append(events.slice(0, 40));
    writer.flush();
    writer.append(events.slice(40, 50));
    writer.append(events.slice(50, 60));
    expect(writer.head()).toEqual({ seq: 60, hash: events[59]!.hash });
    expect(writer.read(35, 20)).toEqual(events.slice(34, 54)); // across the flushed and pending parts
    expect([...writer.iterate()]).toEqual(events.slice(0, 60));
    const reader = sqlite(path, { readOnly: true });
    expect(reader.head().seq).toBe(40);
    writer.saveSnapshot({ seq: 55, hash: events[54]!.hash, state: "{}" }); // writes the pending events with it
    expect(reader.head().seq).toBe(60);
    writer.append(events.slice(60, 70));
    writer.close();
    expect(reader.head().seq).toBe(70);
    expect(reader.latestSnapshot()?.seq).toBe(55);
    reader.close();
  });

  it("refuses a write the database cannot take (another connection holds its write lock): WRITE_FAILED, then retried", () => {
    const path = newPath();
    const each = sqlite(path);
    each.append(events.slice(0, 10));
    const foreign = new Database(path, { timeout: 0 });
    foreign.exec("BEGIN IMMEDIATE"); // e.g. an operator's sqlite3 shell: outside the store's own writer lock
    const e = expectRefused(each, () => each.append(events.slice(10, 20)), "WRITE_FAILED");
    expect(e.message).toMatch(/rolled back: database is locked/);
    foreign.exec("ROLLBACK");
    each.append(events.slice(10, 20));
    each.close();
    const group = sqlite(path, { commit: "group" });
    group.append(events.slice(20, 30));
    foreign.exec("BEGIN IMMEDIATE");
    expect(() => group.flush()).toThrowError(expect.objectContaining({ code: "WRITE_FAILED" }) as Error);
    expect(group.head().seq).toBe(30); // still kept for the next flush
    foreign.exec("ROLLBACK");
    foreign.close();
    group.flush();
    group.close();
    const again = sqlite(path, { readOnly: true });
    expect([...again.iterate()]).toEqual(events.slice(0, 30));
    again.close();
  }, 60_000);

  it("reports a corrupt row by its seq: bad text, a hash column that differs, a missing row, a snapshot off the chain", () => {
    const path = newPath();
    const store = sqlite(path);
    store.append(events.slice(0, 30));
    store.saveSnapshot({ seq: 25, hash: events[24]!.hash, state: "{}" });
    store.close();
    const raw = new Database(path);
    raw.prepare("UPDATE events SET event = '{\"kind\":\"deposit\"' WHERE seq = 7").run();
    raw.prepare("UPDATE events SET hash = ? WHERE seq = 12").run("0".repeat(64));
    raw.prepare("DELETE FROM events WHERE seq = 20").run();
    raw.prepare("UPDATE snapshots SET hash = ? WHERE seq = 25").run("1".repeat(64));
    raw.close();
    const again = sqlite(path, { readOnly: true });
    const corrupt = (op: () => unknown, seq: number) => expect(op).toThrowError(expect.objectContaining({ code: "CORRUPT", seq }) as Error);
    corrupt(() => again.read(1, 10), 7);
    expect(again.read(8, 4)).toEqual(events.slice(7, 11));
    corrupt(() => again.read(10, 5), 12);
    corrupt(() => again.read(15, 10), 20);
    corrupt(() => again.latestSnapshot(), 25);
    again.checkIntegrity(); // the file itself is sound: the damage is to the log's rules
    again.close();
  });

  it("refuses a database of another log, a SQLite file of another application and a file that is not SQLite", () => {
    const book = newPath();
    new SqliteEventStore<BookEvent>(book, BOOK_LOG).close();
    expect(() => sqlite(book)).toThrowError(expect.objectContaining({ code: "WRONG_LOG", message: expect.stringMatching(/"book" log, not the "pool" log/) as string }) as Error);
    const other = newPath();
    const raw = new Database(other);
    raw.exec("CREATE TABLE t (x)");
    raw.close();
    expect(() => sqlite(other)).toThrowError(expect.objectContaining({ code: "WRONG_LOG" }) as Error);
    const text = newPath();
    writeFileSync(text, "not a database, just some text that is long enough to have a header ".repeat(20));
    expect(() => sqlite(text)).toThrowError(expect.objectContaining({ code: "WRONG_LOG" }) as Error);
    expect(() => sqlite(text, { readOnly: true })).toThrowError(expect.objectContaining({ code: "WRONG_LOG" }) as Error);
    expect(() => sqlite(newPath(), { name: "Pool!" })).toThrowError(expect.objectContaining({ code: "INVALID_INPUT", field: "name" }) as Error);
  });

  it("keeps the newest keepSnapshots snapshots", () => {
    const path = newPath();
    const store = sqlite(path, { keepSnapshots: 2 });
    store.append(events.slice(0, 50));
    for (const seq of [10, 20, 30, 40, 50]) store.saveSnapshot({ seq, hash: events[seq - 1]!.hash, state: String(seq) });
    store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare("SELECT seq FROM snapshots ORDER BY seq").pluck().all()).toEqual([40, 50]);
    raw.close();
  });

  it("stores the peer book's log through BOOK_LOG (schema-checked on read)", () => {
    const series = { type: "put" as const, strike: 1900, strikeUnits: 190_000n, expiry: 1_767_830_400 };
    const bodies: BookEventBody[] = [
      { kind: "list", series },
      { kind: "place", id: 1, owner: "maker", side: "sell", series, price: 25_000_000n, size: 100n, escrow: 1_900_000_000n },
      { kind: "cancel", id: 1, owner: "maker", refund: 1_900_000_000n, reason: "cancel" },
      { kind: "claim", account: "maker", assets: 5n },
    ];
    let previous = "a".repeat(64);
    const book = bodies.map((body, i) => {
      const unsealed = { ...body, seq: i + 1, time: 1_767_225_600 + i };
      const event = seal(unsealed, canonicalBookEvent(unsealed), previous, undefined) as BookEvent;
      previous = event.hash;
      return event;
    });
    const path = newPath();
    const store = new SqliteEventStore<BookEvent>(path, BOOK_LOG);
    store.append(book);
    store.close();
    const again = new SqliteEventStore<BookEvent>(path, { ...BOOK_LOG, readOnly: true });
    expect(again.read(1, 10)).toEqual(book);
    again.close();
  });

  it("refuses bad options naming the field", () => {
    for (const [options, field] of [[{ commit: "later" }, "commit"], [{ pageSize: 0 }, "pageSize"], [{ keepSnapshots: 0 }, "keepSnapshots"]] as const) {
      let caught: unknown;
      try {
        sqlite(newPath(), options as Partial<SqliteStoreOptions<PoolEvent>>);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(StoreError);
      expect((caught as StoreError).field).toBe(field);
    }
  });
});
