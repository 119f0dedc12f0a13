// Durable journal of a pool's events for Node services: one JSON line per event (bigints as strings, as in
// eventsToJSON), appended in batches, each batch written then fsync'ed before `append` returns — an event is
// acknowledged only once it is on disk. Reopening reads the lines back (a torn last line from a crash mid-write
// is cut off: it was never acknowledged) and the pool is rebuilt by replay.
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { eventsFromJSON, eventsToJSON, type PoolEvent } from "../events.js";
import { OptionPool, type PoolConfig } from "../option-pool.js";

/** An append-only JSON-lines file of pool events. */
export class FileJournal {
  private fd: number;
  private written: number;

  private constructor(readonly path: string, fd: number, count: number) {
    this.fd = fd;
    this.written = count;
  }

  /**
   * Opens (or creates) the journal at `path` and reads its events. A trailing partial line (no newline) is
   * truncated away. Throws a SyntaxError for a complete line that is not an event.
   */
  static open(path: string): { journal: FileJournal; events: PoolEvent[] } {
    const fd = openSync(path, "a+");
    try {
      const text = readFileSync(path, "utf8");
      const end = text.lastIndexOf("\n") + 1;
      if (end < text.length) {
        ftruncateSync(fd, Buffer.byteLength(text.slice(0, end), "utf8"));
        fsyncSync(fd);
      }
      const lines = text.slice(0, end).split("\n").filter((l) => l.length > 0);
      const events = lines.length > 0 ? eventsFromJSON(`[${lines.join(",")}]`) : [];
      return { journal: new FileJournal(path, fd, events.length), events };
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Events in the journal. */
  get count(): number {
    return this.written;
  }

  /** Appends `events` (one write, one fsync); returns when they are durable. */
  append(events: readonly PoolEvent[]): void {
    if (events.length === 0) return;
    if (this.fd < 0) throw new Error(`journal ${this.path} is closed`);
    const text = events.map((e) => eventsToJSON([e]).slice(1, -1)).join("\n") + "\n";
    const bytes = Buffer.from(text, "utf8");
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    fsyncSync(this.fd);
    this.written += events.length;
  }

  /** Appends the pool's events not yet in the journal (one fsync'ed batch); returns how many. */
  sync(pool: OptionPool): number {
    const all = pool.events;
    if (all.length < this.written) throw new Error(`journal ${this.path} has ${this.written} events, the pool ${all.length}`);
    const fresh = all.slice(this.written);
    this.append(fresh);
    return fresh.length;
  }

  /** Size of the file in bytes. */
  get bytes(): number {
    return fstatSync(this.fd).size;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * Opens the journal at `path` and rebuilds the pool from it by replay (OptionPool.replay: a log that does not
 * fit is refused with PoolError "REPLAY_MISMATCH"). New operations on the pool are made durable with
 * `journal.sync(pool)`.
 */
export function openJournaledPool(config: PoolConfig, path: string): { pool: OptionPool; journal: FileJournal } {
  const { journal, events } = FileJournal.open(path);
  try {
    return { pool: OptionPool.replay(config, events), journal };
  } catch (e) {
    journal.close();
    throw e;
  }
}
