// JSON-lines import and export: a synthetic journal round-trips through two SQLite stores byte for byte; a real pool's
// journal imports and replays to the identical state; a bad line (not JSON, not an event, out of place, a changed
// field under an unchanged hash) stops the import naming its line and seq, keeping the good lines before it; a torn
// last line is skipped; an interrupted import resumes; a journal of another history is refused.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYNTHETIC_GENESIS, syntheticEvents, writeSyntheticJournal } from "../bench/store-events.js";
import { createPricer } from "../bindings/index.js";
import { eventToJSON, type PoolEvent } from "../pool/events.js";
import { chainHash } from "../pool/ledger-chain.js";
import { OptionPool } from "../pool/index.js";
import { exportJournal, genesisHash, importJournal, MemoryEventStore, POOL_LOG, SqliteEventStore, StoreError, type StoreErrorCode } from "../pool/store/index.js";
import { DAY, makePool, T0, USDC } from "./support/pool.js";

const ROUND_TRIP_EVENTS = 50_000;
let dir: string;
let files = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pool2peer-store-jsonl-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const newPath = (ext: string) => join(dir, `f${++files}.${ext}`);
const sqlite = (path = newPath("db")) => new SqliteEventStore<PoolEvent>(path, POOL_LOG);

/** A journal of the first `n` synthetic events with `edit` applied to its lines (1-based line numbers). */
function journal(n: number, edit: (lines: string[]) => void = () => {}): string {
  const lines = [...syntheticEvents(n)].map(eventToJSON);
  edit(lines);
  const path = newPath("jsonl");
  writeFileSync(path, lines.map((l) => `${l}\n`).join(""));
  return path;
}

/** Imports `path` into a new store, expects a StoreError `code` at `line`, and returns the store's head seq after it. */
function expectBadLine(path: string, code: StoreErrorCode, line: number, seq: number, genesis = SYNTHETIC_GENESIS): number {
  const store = sqlite();
  let caught: unknown;
  try {
    importJournal(path, store, POOL_LOG, { genesis, batchEvents: 7 });
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(StoreError);
  const e = caught as StoreError;
  expect([e.code, e.line, e.seq], e.message).toEqual([code, line, seq]);
  expect(e.message).toContain(`line ${line}`);
  const head = store.head().seq;
  store.close();
  return head;
}

describe("importJournal / exportJournal", () => {
  it(`round-trips a ${ROUND_TRIP_EVENTS.toLocaleString("en")}-event journal through two stores, the exports byte-identical`, () => {
    const source = newPath("jsonl");
    const written = writeSyntheticJournal(source, ROUND_TRIP_EVENTS);
    const first = sqlite();
    const result = importJournal(source, first, POOL_LOG, { genesis: SYNTHETIC_GENESIS });
    expect(result).toEqual({ imported: ROUND_TRIP_EVENTS, present: 0, head: { seq: written.seq, hash: written.hash }, tornBytes: 0 });
    const exported = newPath("jsonl");
    expect(exportJournal(first, POOL_LOG, exported).events).toBe(ROUND_TRIP_EVENTS);
    const second = sqlite();
    importJournal(exported, second, POOL_LOG, { genesis: SYNTHETIC_GENESIS });
    const again = newPath("jsonl");
    exportJournal(second, POOL_LOG, again);
    expect(readFileSync(again).equals(readFileSync(exported))).toBe(true);
    // Same events as the source, line by line (the key order of the text may differ).
    const sourceLines = readFileSync(source, "utf8").split("\n");
    const exportedLines = readFileSync(exported, "utf8").split("\n");
    for (let i = 0; i < ROUND_TRIP_EVENTS; i += 997) expect(POOL_LOG.decode(exportedLines[i]!, "x")).toEqual(POOL_LOG.decode(sourceLines[i]!, "y"));
    expect(() => exportJournal(first, POOL_LOG, exported)).toThrowError(expect.objectContaining({ code: "INVALID_INPUT", field: "path" }) as Error);
    first.close();
    second.close();
  }, 300_000);

  it("imports a real pool's journal, which replays to the identical state", async () => {
    const f = makePool(await createPricer());
    f.pool.deposit("alice", 5_000_000n * USDC);
    const series = (i: number) => ({ type: "put" as const, strike: 1700 + 50 * (i % 6), expiry: T0 + DAY * (7 + (i % 3) * 7) });
    for (let i = 0; i < 40; i++) {
      f.pool.trade(`t${i % 4}`, { ...series(i), size: 100n + BigInt(i), side: "buy", maxCost: 10n ** 15n });
      if (i % 5 === 4) f.pool.trade(`t${i % 4}`, { ...series(i), size: 50n, side: "sell", minProceeds: 0n });
      if (i % 9 === 0) f.pool.redeem("alice", f.pool.sharesOf("alice") / 50n);
    }
    const path = newPath("jsonl");
    writeFileSync(path, f.pool.events.map((e) => `${eventToJSON(e)}\n`).join(""));
    const store = sqlite();
    const result = importJournal(path, store, POOL_LOG, { genesis: genesisHash(f.pool.settings) });
    expect(result.imported).toBe(f.pool.events.length);
    const replayed = OptionPool.replay(f.config, [...store.iterate()]);
    expect(replayed.snapshot()).toEqual(f.pool.snapshot());
    store.close();
  });

  it("stops at the first bad line naming its line and seq, keeping the good lines before it", () => {
    expect(expectBadLine(journal(50, (l) => (l[19] = l[19]!.slice(0, 30))), "CORRUPT", 20, 20)).toBe(19);
    expect(expectBadLine(journal(50, (l) => (l[19] = l[19]!.replace(/"seq":20/, '"seq":20,"extra":1'))), "CORRUPT", 20, 20)).toBe(19);
    expect(expectBadLine(journal(50, (l) => ([l[19], l[20]] = [l[20]!, l[19]!])), "CORRUPT", 20, 21)).toBe(19);
    expect(expectBadLine(journal(50, (l) => (l[24] = "")), "CORRUPT", 25, 25)).toBe(24);
    // A changed amount under the unchanged hash: the chain check finds it.
    const tampered = journal(50, (l) => (l[32] = l[32]!.replace(/"size":"(\d+)"/, (_m, s: string) => `"size":"${BigInt(s) + 1n}"`)));
    expect(readFileSync(tampered, "utf8")).not.toBe(readFileSync(journal(50), "utf8"));
    expect(expectBadLine(tampered, "TAMPERED", 33, 33)).toBe(32);
  });

  it("checks the first event against the genesis hash when given (only then)", () => {
    const path = journal(20, (l) => (l[0] = l[0]!.replace(/"time":(\d+)/, (_m, t: string) => `"time":${Number(t) + 1}`)));
    expect(readFileSync(path, "utf8")).not.toBe(readFileSync(journal(20), "utf8"));
    expect(expectBadLine(path, "TAMPERED", 1, 1)).toBe(0);
    expect(expectBadLine(journal(5), "TAMPERED", 1, 1, genesisHash({ collateral: "base", decimals: 18, sizeDecimals: 2, priceDecimals: 2, shareOffset: 6, treasury: "treasury" }))).toBe(0);
    const store = sqlite();
    expect(importJournal(path, store, POOL_LOG).imported).toBe(20); // links checked from the second event on
    store.close();
  });

  it("skips a torn last line and keeps a complete last line without its newline", () => {
    const path = journal(30);
    appendFileSync(path, '{"kind":"deposit","owner":"lp1","ass');
    const store = sqlite();
    expect(importJournal(path, store, POOL_LOG, { genesis: SYNTHETIC_GENESIS })).toMatchObject({ imported: 30, tornBytes: 36 });
    store.close();
    const complete = journal(31, (l) => l.splice(30));
    appendFileSync(complete, eventToJSON([...syntheticEvents(31)][30]!));
    const other = new MemoryEventStore<PoolEvent>();
    expect(importJournal(complete, other, POOL_LOG, { genesis: SYNTHETIC_GENESIS })).toMatchObject({ imported: 31, tornBytes: 0 });
  });

  it("resumes an interrupted import, and refuses a journal that is not the store's history", () => {
    const store = sqlite();
    importJournal(journal(30), store, POOL_LOG, { genesis: SYNTHETIC_GENESIS });
    expect(importJournal(journal(80), store, POOL_LOG, { genesis: SYNTHETIC_GENESIS, batchEvents: 9 })).toMatchObject({ imported: 50, present: 30, head: { seq: 80 } });
    expect(importJournal(journal(40), store, POOL_LOG)).toMatchObject({ imported: 0, present: 40 });
    // Another history: the same events from seq 1, one changed and the chain recomputed from there on.
    const other = [...syntheticEvents(10)];
    const changed = { ...other[9]!, time: other[9]!.time + 1 };
    changed.hash = chainHash(other[8]!.hash, changed);
    const path = newPath("jsonl");
    writeFileSync(path, [...other.slice(0, 9), changed].map((e) => `${eventToJSON(e)}\n`).join(""));
    expect(() => importJournal(path, store, POOL_LOG)).toThrowError(expect.objectContaining({ code: "OUT_OF_ORDER", seq: 10 }) as Error);
    expect(store.head().seq).toBe(80);
    store.close();
  });
});
