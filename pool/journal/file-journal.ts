// Durable journal of a pool's events for Node services (format: lines.ts; guarantees: docs/journal.md). An append
// writes its batch at the end of the last acknowledged event, then fsyncs; an event is acknowledged only once
// `append` (or `sync`) returns. A failed append puts the file back as it was (truncate to the acknowledged end,
// fsync) so that a retry starts clean; if even that fails, the journal refuses every write until reopened, and
// reopening recovers every acknowledged event (a torn last line is cut, as after a crash). One writer at a time
// (writer-lock.ts); readers open with `{ readOnly: true }`, which neither locks nor changes the file.
import { asyncDispose } from "../../bindings/global-types.js";
import { constants } from "node:fs";
import { eventToJSON, type PoolEvent } from "../events.js";
import { OptionPool, type PoolConfig } from "../option-pool.js";
import { describe, JournalError } from "./errors.js";
import { fsyncDirectory, nodeIO, readJournalSync, writeFully, type JournalContent, type JournalIO } from "./io.js";
import { sameEvent } from "./lines.js";
import { WriterLock } from "./writer-lock.js";

/** How to open a journal. */
export interface JournalOptions {
  /**
   * Read only: no writer lock, no change to the file (a torn last line is skipped, not cut), every write refused
   * with JournalError READ_ONLY. For a journal on a read-only file system, or one that another process writes.
   */
  readOnly?: boolean;
  /** The file operations to use (default node:fs): wrap them to meter, trace or inject faults. */
  io?: JournalIO;
}

/** Errno codes of a file system or file that refuses writing. */
const NOT_WRITABLE = new Set(["EROFS", "EACCES", "EPERM"]);

/** An append-only JSON-lines file of pool events: line n holds the event with seq n. */
export class FileJournal {
  private fd: number;
  /** Bytes up to the end of the last acknowledged event: where the next append writes. */
  private end: number;
  private lastSeq: number;
  /** The last acknowledged event, to recognise the pool it came from. */
  private lastEvent: PoolEvent | undefined;
  /** The last event was kept without its newline (a file cut right after it): the next append writes it first. */
  private newlineOwed: boolean;
  /** Set when a failed append could not be undone: every write throws it until the journal is reopened. */
  private failure: JournalError | undefined;

  private constructor(
    readonly path: string,
    /** True when opened with `{ readOnly: true }`. */
    readonly readOnly: boolean,
    private readonly io: JournalIO,
    fd: number,
    content: JournalContent,
    private lock: WriterLock | undefined,
  ) {
    this.fd = fd;
    this.end = content.end;
    this.lastSeq = content.events.length;
    this.lastEvent = content.events.at(-1);
    this.newlineOwed = content.event !== undefined;
  }

  /**
   * Opens (or creates) the journal at `path` and reads its events line by line. For writing (the default) it
   * takes the writer lock (JournalError LOCKED if another writer holds it), and cuts a torn last line (a write a
   * crash cut short, never acknowledged); a complete last event without its newline is kept. Throws JournalError
   * CORRUPT naming the line and seq of a complete line that is not the next event, and READ_ONLY when the file
   * cannot be written (open it with `{ readOnly: true }` to read it).
   * @example
   * const { journal, events } = FileJournal.open("pool.jsonl", { readOnly: true });
   */
  static open(path: string, options: JournalOptions = {}): { journal: FileJournal; events: PoolEvent[] } {
    const io = options.io ?? nodeIO;
    if (options.readOnly === true) {
      const fd = io.openSync(path, constants.O_RDONLY);
      return FileJournal.read(path, true, io, fd, undefined);
    }
    const lock = lockForWriting(path);
    let fd: number;
    try {
      fd = openForWriting(io, path);
    } catch (e) {
      lock.release();
      throw notWritable(path, e) ?? e;
    }
    return FileJournal.read(path, false, io, fd, lock);
  }

  private static read(path: string, readOnly: boolean, io: JournalIO, fd: number, lock: WriterLock | undefined): { journal: FileJournal; events: PoolEvent[] } {
    try {
      const content = readJournalSync(io, fd, path);
      if (!readOnly && content.tornBytes > 0) {
        io.ftruncateSync(fd, content.end);
        io.fsyncSync(fd);
      }
      return { journal: new FileJournal(path, readOnly, io, fd, content, lock), events: content.events };
    } catch (e) {
      io.closeSync(fd);
      lock?.release();
      throw e;
    }
  }

  /** Events in the journal: the seq of the last acknowledged one. */
  get count(): number {
    return this.lastSeq;
  }

  /**
   * Appends `events`, which must continue the journal's seq (JournalError OUT_OF_ORDER otherwise, nothing
   * written): one write, one fsync; they are acknowledged (durable) when it returns. On failure it throws
   * WRITE_FAILED with the file back at its last acknowledged event (so the same call may be retried), or BROKEN
   * when the file could not be put back: then every write is refused until the journal is reopened.
   */
  append(events: readonly PoolEvent[]): void {
    this.checkWritable();
    if (events.length === 0) return;
    this.checkContinues(events);
    const bytes = Buffer.from(`${this.newlineOwed ? "\n" : ""}${events.map(eventToJSON).join("\n")}\n`, "utf8");
    try {
      writeFully(this.io, this.fd, bytes, this.end);
      this.io.fsyncSync(this.fd);
    } catch (e) {
      throw this.rollBack(e, events);
    }
    this.end += bytes.length;
    this.lastSeq += events.length;
    this.lastEvent = events.at(-1);
    this.newlineOwed = false;
  }

  /**
   * Appends the pool's events not yet in the journal (one fsync'ed batch; see `append`) and returns how many; cost
   * O(new events). Throws OUT_OF_ORDER when the pool's history is not the journal's (fewer events, or a different
   * event at the journal's last seq).
   */
  sync(pool: OptionPool): number {
    this.checkWritable();
    // From the journal's last event on, to check the pool has it too.
    const tail = pool.eventsSince(Math.max(0, this.lastSeq - 1));
    if (pool.seq < this.lastSeq || (this.lastEvent !== undefined && !sameEvent(tail[0]!, this.lastEvent))) {
      const why = pool.seq < this.lastSeq ? `has only ${pool.seq} events` : `has a different event at seq ${this.lastSeq}`;
      throw new JournalError("OUT_OF_ORDER", this.path, `the pool ${why}; the journal holds seq 1..${this.lastSeq}: it is not this journal's pool`);
    }
    const fresh = this.lastEvent === undefined ? tail : tail.slice(1);
    this.append(fresh);
    return fresh.length;
  }

  /** Size of the file in bytes. */
  get bytes(): number {
    return this.io.fstatSync(this.fd).size;
  }

  /** Closes the file and releases the writer lock. Idempotent. */
  /** close(), for `await using journal = FileJournal.open(path).journal`. */
  async [asyncDispose](): Promise<void> {
    this.close();
  }

  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      this.io.closeSync(fd);
    } finally {
      this.lock?.release();
      this.lock = undefined;
    }
  }

  private checkWritable(): void {
    if (this.fd < 0) throw new JournalError("CLOSED", this.path, "the journal is closed");
    if (this.readOnly) throw new JournalError("READ_ONLY", this.path, "the journal was opened with { readOnly: true }");
    if (this.failure !== undefined) throw this.failure;
  }

  private checkContinues(events: readonly PoolEvent[]): void {
    events.forEach((event, i) => {
      const expected = this.lastSeq + 1 + i;
      if (event.seq !== expected) {
        throw new JournalError("OUT_OF_ORDER", this.path, `events[${i}] has seq ${String(event.seq)}, expected ${expected} (the journal holds seq 1..${this.lastSeq})`);
      }
    });
  }

  /** Puts the file back at the acknowledged end after a failed append; returns the error to throw. */
  private rollBack(cause: unknown, events: readonly PoolEvent[]): JournalError {
    const batch = `appending seq ${this.lastSeq + 1}..${this.lastSeq + events.length} failed (${describe(cause)})`;
    try {
      this.io.ftruncateSync(this.fd, this.end);
      this.io.fsyncSync(this.fd);
    } catch (undo) {
      this.failure = new JournalError(
        "BROKEN",
        this.path,
        `${batch} and cutting the file back to seq ${this.lastSeq} failed too (${describe(undo)}): every write is refused until the journal is reopened, which recovers every acknowledged event`,
        { cause: undo },
      );
      return this.failure;
    }
    return new JournalError("WRITE_FAILED", this.path, `${batch}: nothing was acknowledged; the file is back at seq ${this.lastSeq}`, { cause });
  }
}

function lockForWriting(path: string): WriterLock {
  try {
    return WriterLock.acquire(path);
  } catch (e) {
    throw notWritable(path, e) ?? e;
  }
}

/** Opens the journal read-write, creating it (and making its name durable) if it does not exist. */
function openForWriting(io: JournalIO, path: string): number {
  let fd: number;
  try {
    fd = io.openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    return io.openSync(path, constants.O_RDWR);
  }
  try {
    fsyncDirectory(io, path);
  } catch (e) {
    io.closeSync(fd);
    throw e;
  }
  return fd;
}

function notWritable(path: string, e: unknown): JournalError | undefined {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === undefined || !NOT_WRITABLE.has(code)) return undefined;
  return new JournalError("READ_ONLY", path, `cannot open for writing (${describe(e)}); open it with { readOnly: true } to read it`, { cause: e });
}

/**
 * Opens the journal at `path` (see FileJournal.open) and rebuilds the pool from it by replay (OptionPool.replay:
 * a log that does not fit is refused with PoolError "REPLAY_MISMATCH"). New operations on the pool are made
 * durable with `journal.sync(pool)`; with `{ readOnly: true }` the pool is for reading and `sync` is refused.
 */
export function openJournaledPool(config: PoolConfig, path: string, options: JournalOptions = {}): { pool: OptionPool; journal: FileJournal } {
  const { journal, events } = FileJournal.open(path, options);
  try {
    return { pool: OptionPool.replay(config, events), journal };
  } catch (e) {
    journal.close();
    throw e;
  }
}
