// Reading a journal (issue 15, item 14): a bad line in the middle is reported by line number and seq; a complete
// last event without its newline is kept, a torn one cut (by a writer) or skipped (by a reader); a journal on a
// read-only file system opens with { readOnly: true }; reading is line by line, so a file past V8's 512 MiB string
// limit opens; readJournal streams the same events. (2,000,000 events, ~750 MiB: `pool2peer bench --suite
// journal`, too slow for this suite on 2 shared cores.)
import * as fs from "node:fs";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { eventsToJSON, OptionPool, type PoolEvent } from "../pool/index.js";
import { FileJournal, JournalError, openJournaledPool, readJournal } from "../pool/journal/index.js";
import { tradeEvent, writeEventCopies } from "../bench/journal.js";
import { mountTmpfs, operate, poolConfig, remount, unmount } from "./support/journal.js";

let dir: string;
let pricer: Pricer;
let files = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pool2peer-journal-reading-"));
  pricer = await createPricer();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A journal of `steps` pool operations at a fresh path (or `path`); returns the path and the pool. */
function writeJournal(steps: number, path = join(dir, `journal-${files++}.jsonl`)): { path: string; pool: OptionPool } {
  const { pool, journal } = openJournaledPool(poolConfig(pricer), path);
  for (let step = 0; step < steps; step++) operate(pool, step);
  journal.sync(pool);
  journal.close();
  return { path, pool };
}

async function collect(events: AsyncIterable<PoolEvent>): Promise<PoolEvent[]> {
  const all: PoolEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** The JournalError of `run` (sync or async). */
async function journalError(run: () => unknown): Promise<JournalError> {
  try {
    await run();
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(JournalError);
    return e as JournalError;
  }
  throw new Error("expected a JournalError, nothing was thrown");
}

const lineOf = (event: PoolEvent): string => eventsToJSON([event]).slice(1, -1);

describe("corruption in the middle of a journal", () => {
  const cases: [string, (line: string) => string, number | undefined, RegExp][] = [
    ["a line cut short", (line) => line.slice(0, 25), undefined, /line 3 \(the line after seq 2\) is not JSON/],
    ["a line with another seq", (line) => line.replace(/"seq":3,/, '"seq":9,'), 9, /line 3 holds seq 9; expected seq 3 after seq 2/],
    ["a line whose seq is a string", (line) => line.replace(/"seq":3,/, '"seq":"3",'), undefined, /line 3 has seq "3", not a number/],
    ["an empty line", () => "", undefined, /line 3 \(the line after seq 2\) is not JSON/],
    ["a line of binary zeros", (line) => "\0".repeat(line.length), undefined, /line 3 \(the line after seq 2\) is not JSON/],
    ["a line that is JSON but not an event", (line) => line.replace('"kind":"deposit"', '"kind":"gift"'), 3, /line 3 \(seq 3\) is not an event: .*"gift" is not an event kind/],
  ];
  it.each(cases)("%s is reported by line number and seq by every reader, and the file is left as it was", async (_name, corrupt, badSeq, message) => {
    const { path } = writeJournal(6);
    const original = readFileSync(path, "utf8");
    const lines = original.split("\n");
    lines[2] = corrupt(lines[2]!);
    writeFileSync(path, lines.join("\n"));
    const before = readFileSync(path);
    const streamed: number[] = [];
    const stream = async (): Promise<void> => {
      for await (const event of readJournal(path)) streamed.push(event.seq);
    };
    for (const read of [() => FileJournal.open(path), () => FileJournal.open(path, { readOnly: true }), stream]) {
      const error = await journalError(read);
      expect(error.code).toBe("CORRUPT");
      expect(error.line).toBe(3);
      expect(error.seq).toBe(badSeq ?? 2);
      expect(error.message).toMatch(message);
    }
    expect(streamed).toEqual([1, 2]); // the events before the bad line
    expect(readFileSync(path)).toEqual(before);
    writeFileSync(path, original);
    FileJournal.open(path).journal.close(); // the failed writer open released its lock
  });

  it("a complete last line that is not the next event is corrupt too, not cut as if torn", async () => {
    const { path, pool } = writeJournal(4);
    appendFileSync(path, `${lineOf({ ...pool.events[0]!, seq: 9 })}\n`);
    const error = await journalError(() => FileJournal.open(path));
    expect([error.code, error.line, error.seq]).toEqual(["CORRUPT", 5, 9]);
  });
});

describe("the end of a journal", () => {
  it("keeps a complete last event without its newline, and the next append writes the newline first", async () => {
    const { path, pool } = writeJournal(5);
    const text = readFileSync(path, "utf8");
    writeFileSync(path, text.slice(0, -1));
    const reader = FileJournal.open(path, { readOnly: true });
    reader.journal.close();
    expect(reader.events).toEqual(pool.events);
    expect(await collect(readJournal(path))).toEqual(pool.events);
    const writer = openJournaledPool(poolConfig(pricer), path);
    expect(writer.pool.events).toEqual(pool.events);
    expect(readFileSync(path, "utf8")).toBe(text.slice(0, -1)); // nothing cut
    operate(writer.pool, 5);
    writer.journal.sync(writer.pool);
    writer.journal.close();
    expect(readFileSync(path, "utf8")).toBe(text + lineOf(writer.pool.events.at(-1)!) + "\n");
  });

  it("skips a torn last line when reading, and cuts it when opening for writing", async () => {
    const { path, pool } = writeJournal(5);
    const text = readFileSync(path, "utf8");
    appendFileSync(path, '{"kind":"deposit","owner":"x","assets":"1'); // a write cut short by a crash
    expect(FileJournal.open(path, { readOnly: true }).events).toEqual(pool.events);
    expect(await collect(readJournal(path))).toEqual(pool.events);
    expect(readFileSync(path, "utf8")).not.toBe(text); // readers change nothing
    FileJournal.open(path).journal.close();
    expect(readFileSync(path, "utf8")).toBe(text);
  });
});

describe("a journal on a read-only file system", () => {
  it("opens with { readOnly: true } (torn tail and all); a writer open and every write are refused with READ_ONLY", async () => {
    const mount = join(dir, "tmpfs-ro");
    mountTmpfs(mount, "1m");
    try {
      const { path, pool } = writeJournal(8, join(mount, "pool.jsonl"));
      appendFileSync(path, '{"kind":"trade","trader":"t1","si');
      remount(mount, "ro");
      const writer = await journalError(() => FileJournal.open(path));
      expect(writer.code).toBe("READ_ONLY");
      expect(writer.message).toMatch(/EROFS.*open it with \{ readOnly: true \}/);
      const { pool: replayed, journal } = openJournaledPool(poolConfig(pricer), path, { readOnly: true });
      expect(replayed.snapshot()).toEqual(pool.snapshot());
      expect(journal.readOnly).toBe(true);
      operate(replayed, 8);
      expect((await journalError(() => journal.sync(replayed))).code).toBe("READ_ONLY");
      expect((await journalError(() => journal.append(replayed.events.slice(-1)))).code).toBe("READ_ONLY");
      journal.close();
      expect(await collect(readJournal(path))).toEqual(pool.events);
    } finally {
      unmount(mount);
    }
  });
});

describe("reading line by line", () => {
  it("reads in chunks of at most 1 MiB, with lines across chunk boundaries, 50,000 events", async () => {
    const trade = await tradeEvent();
    const path = join(dir, "chunks.jsonl");
    const count = 50_000;
    const size = writeEventCopies(path, trade, count);
    const reads: number[] = [];
    const io = { ...fs, readSync: (fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => (reads.push(length), fs.readSync(fd, buffer, offset, length, position)) };
    const { journal, events } = FileJournal.open(path, { io });
    expect(Math.max(...reads)).toBeLessThanOrEqual(2 ** 20);
    expect(reads.length).toBeGreaterThan(size / 2 ** 20);
    expect(events.length).toBe(count);
    expect(events.findIndex((event, i) => event.seq !== i + 1)).toBe(-1);
    expect(events[count - 1]).toEqual({ ...trade, seq: count });
    journal.append([{ ...trade, seq: count + 1 }]);
    journal.close();
    const seqs: number[] = [];
    for await (const event of readJournal(path)) seqs.push(event.seq);
    expect(seqs).toEqual(Array.from({ length: count + 1 }, (_, i) => i + 1));
  });

  it("a file larger than the longest string: a 600 MiB zero-filled tail (a crash after the file grew, before its data landed) is skipped or cut; as a complete line it is CORRUPT", async () => {
    const { path, pool } = writeJournal(5);
    const size = statSync(path).size;
    truncateSync(path, size + 600 * 2 ** 20); // a sparse file: zeros, no disk space
    expect(statSync(path).size).toBeGreaterThan(2 ** 29); // readFileSync(path, "utf8") throws ERR_STRING_TOO_LONG
    expect(FileJournal.open(path, { readOnly: true }).events).toEqual(pool.events);
    expect(await collect(readJournal(path))).toEqual(pool.events);
    const writer = FileJournal.open(path);
    writer.journal.close();
    expect(writer.events).toEqual(pool.events);
    expect(statSync(path).size).toBe(size);
    truncateSync(path, size + 600 * 2 ** 20);
    appendFileSync(path, "\n");
    const error = await journalError(() => FileJournal.open(path));
    expect([error.code, error.line, error.seq]).toEqual(["CORRUPT", 6, 5]);
    expect(error.message).toMatch(/line 6 \(the line after seq 5\) is 629145600 bytes, longer than the longest string/);
  });
});
