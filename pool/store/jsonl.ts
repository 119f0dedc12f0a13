// The JSON-lines journal as an import and export format of a store (the journal's format: line n holds the event
// with seq n, in the codec's text, ended by "\n"). Import streams the file line by line and checks, before anything
// is stored, that line n holds seq n, that it decodes through the codec, and that its hash follows from the previous
// line's (ChainCheck); the first bad line stops the import with its line and seq. Node only.
import { closeSync, existsSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import type { EventHeader } from "../event-schema.js";
import { ChainCheck, type ChainStart } from "./chain.js";
import type { ChainCodec, EventCodec } from "./codec.js";
import { describe, StoreError } from "./errors.js";
import { fsyncDirectory } from "./files.js";
import { readLines, type Line } from "./lines.js";
import type { EventStore } from "./types.js";

/** Options of importJournal. */
export interface ImportOptions extends ChainStart {
  /** Events per append (one transaction of a SqliteEventStore; default 10,000). */
  batchEvents?: number;
}

/** What an import did. */
export interface ImportResult {
  /** Events appended to the store. */
  imported: number;
  /** Events of the journal the store held already (checked at the store's head). */
  present: number;
  /** The store's head after the import. */
  head: { seq: number; hash: string };
  /** Bytes of a torn last line (no newline, not JSON: a write cut short), skipped; 0 when none. */
  tornBytes: number;
}

/** The event of `line`, or undefined for a torn last line; CORRUPT naming the line and seq when it is not the next event. */
function decodeLine<E extends EventHeader>(path: string, codec: EventCodec<E>, line: Line): E | undefined {
  let event: E;
  try {
    event = codec.decode(line.text, `line ${line.number}`);
  } catch (e) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line.text);
    } catch {
      if (!line.ended) return undefined;
      throw new StoreError("CORRUPT", path, `line ${line.number} (the line after seq ${line.number - 1}) is not JSON`, { line: line.number, seq: line.number, cause: e });
    }
    const seq = (parsed as { seq?: unknown } | null)?.seq;
    const which = typeof seq === "number" ? `(seq ${seq})` : `(the line after seq ${line.number - 1})`;
    throw new StoreError("CORRUPT", path, `line ${line.number} ${which} is not a ${codec.name} event: ${describe(e)}`, {
      line: line.number, seq: typeof seq === "number" ? seq : line.number, cause: e,
    });
  }
  if (event.seq !== line.number) {
    throw new StoreError("CORRUPT", path, `line ${line.number} holds seq ${event.seq}; expected seq ${line.number}`, { line: line.number, seq: event.seq });
  }
  return event;
}

/**
 * Streams the journal at `path` into `store`, in batches of `batchEvents` appends. Each line is checked (see above)
 * before its batch is stored; lines the store holds already are checked by the chain and at the store's head (the
 * journal must be the store's history: OUT_OF_ORDER otherwise), so an interrupted import resumes where it stopped.
 * A bad line throws after the good lines before it are stored: the store then holds a valid prefix of the log.
 * @example
 * const store = new SqliteEventStore("pool.db", POOL_LOG);
 * importJournal("pool.jsonl", store, POOL_LOG, { genesis: genesisHash(pool.settings) });
 */
export function importJournal<E extends EventHeader>(path: string, store: EventStore<E>, codec: ChainCodec<E>, options: ImportOptions = {}): ImportResult {
  const batchEvents = options.batchEvents ?? 10_000;
  if (!Number.isSafeInteger(batchEvents) || batchEvents < 1) throw new StoreError("INVALID_INPUT", path, "batchEvents must be an integer ≥ 1", { field: "batchEvents" });
  const check = new ChainCheck<E>(path, (e) => codec.canonical(e), options);
  const start = store.head();
  let batch: E[] = [];
  let imported = 0;
  let tornBytes = 0;
  const flushBatch = () => {
    store.append(batch);
    store.flush();
    imported += batch.length;
    batch = [];
  };
  try {
    for (const line of readLines(path)) {
      const event = decodeLine(path, codec, line);
      if (event === undefined) {
        tornBytes = line.bytes;
        break;
      }
      check.next(event, line.number);
      if (event.seq === start.seq && event.hash !== start.hash) throw notThisHistory(path, start.seq);
      if (event.seq <= start.seq) continue;
      batch.push(event);
      if (batch.length >= batchEvents) flushBatch();
    }
  } catch (e) {
    if (batch.length > 0) flushBatch(); // the lines before the bad one are good: keep them
    throw e;
  }
  if (batch.length > 0) flushBatch();
  if (check.seq < start.seq && check.seq > 0 && store.read(check.seq, 1)[0]?.hash !== check.hash) throw notThisHistory(path, check.seq);
  return { imported, present: Math.min(check.seq, start.seq), head: store.head(), tornBytes };
}

function notThisHistory(path: string, seq: number): StoreError {
  return new StoreError("OUT_OF_ORDER", path, `the journal's event at seq ${seq} is not the store's: the journal is not this store's history`, { seq, line: seq });
}

/**
 * Writes every event of `store` to a new journal at `path` (the codec's text, one line each), a page at a time:
 * into `<path>.partial`, fsynced, then renamed to `path` and the directory fsynced, so `path` is whole or absent.
 * Refuses an existing `path` (INVALID_INPUT). Returns the events and bytes written.
 */
export function exportJournal<E extends EventHeader>(store: EventStore<E>, codec: EventCodec<E>, path: string): { events: number; bytes: number } {
  if (existsSync(path)) throw new StoreError("INVALID_INPUT", path, "the file exists: export writes a new journal", { field: "path" });
  const partial = `${path}.partial`;
  const fd = openSync(partial, "wx");
  let events = 0;
  let bytes = 0;
  try {
    let chunk: string[] = [];
    let chunkChars = 0;
    const write = () => {
      bytes += writeAll(fd, Buffer.from(chunk.join(""), "utf8"));
      chunk = [];
      chunkChars = 0;
    };
    for (const event of store.iterate(1)) {
      const text = `${codec.encode(event)}\n`;
      chunk.push(text);
      chunkChars += text.length;
      events++;
      if (chunkChars >= 1 << 20) write();
    }
    write();
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(partial);
    throw e;
  }
  closeSync(fd);
  renameSync(partial, path);
  fsyncDirectory(path);
  return { events, bytes };
}

function writeAll(fd: number, bytes: Buffer): number {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
  return bytes.length;
}
