// Reading a JSON-lines file line by line, in chunks, synchronously: memory of one chunk and one line at a time, never
// the whole file as one string (a V8 string holds at most 2^29 − 24 characters, ~512 MiB). Node only.
import { closeSync, openSync, readSync } from "node:fs";

const NEWLINE = 0x0a;
/** Bytes read at a time (a read's size, not a limit on a line's length). */
const CHUNK_BYTES = 1 << 20;

/** One line of the file: its 1-based number, its text without the newline, and whether a newline ended it. */
export interface Line {
  number: number;
  text: string;
  /** False only for a last line that the file ends inside (a complete write, or one cut short). */
  ended: boolean;
  /** Its length in bytes (without the newline). */
  bytes: number;
}

/**
 * The lines of the file at `path`, in order. A final newline ends the last line (no empty line after it); bytes after
 * the last newline form a last line with `ended: false`.
 */
export function* readLines(path: string): Generator<Line, void, undefined> {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let pending: Buffer[] = [];
    let number = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      let start = 0;
      for (let nl = buffer.indexOf(NEWLINE, 0); nl >= 0 && nl < n; nl = buffer.indexOf(NEWLINE, start)) {
        const piece = buffer.subarray(start, nl);
        const line = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
        pending = [];
        start = nl + 1;
        yield { number: ++number, text: line.toString("utf8"), ended: true, bytes: line.length };
      }
      // A copy: the next read reuses the buffer.
      if (start < n) pending.push(Buffer.from(buffer.subarray(start, n)));
    }
    if (pending.length > 0) {
      const line = Buffer.concat(pending);
      yield { number: ++number, text: line.toString("utf8"), ended: false, bytes: line.length };
    }
  } finally {
    closeSync(fd);
  }
}
