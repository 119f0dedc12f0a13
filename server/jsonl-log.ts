// The service's record as a JSON-lines file (`--db pool.jsonl`): one line per record (ServiceRecord, persistence.ts),
// group-committed with one write and one fdatasync for every record queued meanwhile. A torn last line (never
// acknowledged) is cut on open. The pool and the book run on in-memory stores filled from the file, so a restart
// replays and verifies the whole file, and memory holds the whole log: the SQLite format (sqlite-log.ts) is the one
// for a long-lived pool.
import { closeSync, fdatasync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, write, writeFileSync, unlinkSync, existsSync } from "node:fs";
import { decodeBookEvent, type BookEvent } from "../pool/book/events.js";
import { toJSON } from "../pool/event-schema.js";
import { decodeEvent, type PoolEvent } from "../pool/events.js";
import type { PoolParams } from "../pool/params.js";
import { MemoryEventStore } from "../pool/store/memory-store.js";
import type { ServiceLog, ServiceRecord, StoredPrint } from "./persistence.js";

/** Everything a restart needs, read from the file. */
interface ServiceHistory {
  pool: PoolEvent[];
  book: BookEvent[];
  prints: StoredPrint[];
  /** The last parameter change, if any. */
  params: Partial<PoolParams> | undefined;
}

/** Records as JSON lines, group-committed with fdatasync. One writer per file (a pid lock file beside it). */
export class JsonLinesLog implements ServiceLog {
  private queued: string[] = [];
  private waiting: (() => void)[] = [];
  private failing: ((e: Error) => void)[] = [];
  private writing = false;
  private failure: Error | undefined;

  readonly poolStore = new MemoryEventStore<PoolEvent>();
  readonly bookStore = new MemoryEventStore<BookEvent>();
  readonly keepsSnapshots = false;
  readonly params: Partial<PoolParams> | undefined;
  private readonly prints: StoredPrint[];

  private constructor(private readonly fd: number, private readonly lockPath: string, history: ServiceHistory) {
    for (let i = 0; i < history.pool.length; i += 1024) this.poolStore.append(history.pool.slice(i, i + 1024));
    for (let i = 0; i < history.book.length; i += 1024) this.bookStore.append(history.book.slice(i, i + 1024));
    this.prints = history.prints;
    this.params = history.params;
  }

  recentPrints(seconds: number): StoredPrint[] {
    const last = this.prints.at(-1);
    return last ? this.prints.filter((p) => p.timestamp >= last.timestamp - seconds) : [];
  }

  /** No snapshots are kept in this format: nothing to do after a write. */
  afterWrite(): void {}

  static open(path: string): JsonLinesLog {
    const lockPath = takeLock(path);
    const fd = openSync(path, "a+");
    try {
      const text = readFileSync(path, "utf8");
      const end = text.lastIndexOf("\n") + 1;
      if (end < text.length) {
        ftruncateSync(fd, Buffer.byteLength(text.slice(0, end), "utf8"));
        fsyncSync(fd);
      }
      return new JsonLinesLog(fd, lockPath, parseHistory(text.slice(0, end)));
    } catch (e) {
      closeSync(fd);
      unlinkSync(lockPath);
      throw e;
    }
  }

  append(record: ServiceRecord): void {
    if (this.failure) throw this.failure;
    this.queued.push(toJSON(record) + "\n");
  }

  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.queued.length === 0 && !this.writing) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      this.failing.push(reject);
      if (!this.writing) this.writeBatch();
    });
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      closeSync(this.fd);
      if (existsSync(this.lockPath)) unlinkSync(this.lockPath);
    }
  }

  /** Writes every queued line, fdatasyncs, resolves the flushes waiting on them, and goes on while more queued. */
  private writeBatch(): void {
    const bytes = Buffer.from(this.queued.join(""), "utf8");
    const resolve = this.waiting;
    const reject = this.failing;
    this.queued = [];
    this.waiting = [];
    this.failing = [];
    this.writing = true;
    const fail = (e: Error) => {
      this.failure = new Error(`service log write failed: ${e.message}`, { cause: e });
      this.writing = false;
      for (const r of [...reject, ...this.failing]) r(this.failure);
    };
    const done = () => {
      this.writing = false;
      for (const r of resolve) r();
      if (this.waiting.length > 0) this.writeBatch();
    };
    const writeFrom = (offset: number) => {
      if (offset === bytes.length) return fdatasync(this.fd, (e) => (e ? fail(e) : done()));
      write(this.fd, bytes, offset, bytes.length - offset, null, (e, n) => (e ? fail(e) : writeFrom(offset + n)));
    };
    writeFrom(0);
  }
}

/** The records of a log's text (complete lines), decoded and checked against the event schemas. */
function parseHistory(text: string): ServiceHistory {
  const history: ServiceHistory = { pool: [], book: [], prints: [], params: undefined };
  let line = 0;
  for (const raw of text.split("\n")) {
    line++;
    if (raw.length === 0) continue;
    let record: { pool: unknown[]; book: unknown[]; prints: StoredPrint[]; params?: Partial<PoolParams> };
    try {
      record = JSON.parse(raw) as typeof record;
    } catch (e) {
      throw new Error(`service log line ${line} is not a record: ${(e as Error).message}`);
    }
    if (!Array.isArray(record?.pool) || !Array.isArray(record.book) || !Array.isArray(record.prints)) throw new Error(`service log line ${line} is not a record: pool, book and prints must be arrays`);
    for (const e of record.pool) history.pool.push(decodeEvent(e, `line ${line} pool`));
    for (const e of record.book) history.book.push(decodeBookEvent(e, `line ${line} book`));
    history.prints.push(...record.prints);
    if (record.params) history.params = record.params;
  }
  return history;
}

/** Takes `<path>.lock` (the pid of its holder); a lock whose process is gone is taken over. */
function takeLock(path: string): string {
  const lockPath = `${path}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: "wx" });
      return lockPath;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number(readLockPid(lockPath));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) throw new Error(`${path} is in use by process ${holder}`);
      unlinkSync(lockPath);
    }
  }
  throw new Error(`cannot lock ${path}`);
}

function readLockPid(lockPath: string): string {
  const fd = openSync(lockPath, "r");
  try {
    const buf = Buffer.alloc(32);
    return buf.subarray(0, readSync(fd, buf, 0, 32, 0)).toString("utf8").trim();
  } finally {
    closeSync(fd);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
