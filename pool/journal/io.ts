// The journal's I/O seam: the few synchronous file operations FileJournal performs, so that a user can meter,
// trace or fault-inject them (e.g. to rehearse a full disk) without touching the file system. node:fs fits it.
import * as fs from "node:fs";
import { dirname } from "node:path";
import type { PoolEvent } from "../events.js";
import { CHUNK_BYTES, JournalDecoder, type JournalTail } from "./lines.js";

/**
 * The file operations of a FileJournal, with node:fs's signatures and semantics (errors are thrown, with an errno
 * `code` such as "ENOSPC" or "EIO"). Pass `{ ...fs, writeSync: myWrite }` to wrap one of them.
 */
export interface JournalIO {
  /** fs.openSync with numeric flags (fs.constants.O_*); also opens the journal's directory to fsync it. */
  openSync(path: string, flags: number, mode?: number): number;
  closeSync(fd: number): void;
  /** Reads up to `length` bytes at byte `position`; returns the count read (0 at the end of the file). */
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Writes up to `length` bytes at byte `position`; returns the count written, which may be short. */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  /** Only `size` (bytes) is used. */
  fstatSync(fd: number): { size: number };
}

/** node:fs as a JournalIO (the default). */
export const nodeIO: JournalIO = fs;

/** Writes all of `bytes` at byte `position`, looping over short writes; a write of 0 bytes is an error. */
export function writeFully(io: JournalIO, fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length; ) {
    const n = io.writeSync(fd, bytes, done, bytes.length - done, position + done);
    if (!(n > 0)) throw new Error(`write returned ${n} with ${bytes.length - done} bytes left`);
    done += n;
  }
}

/** Fsyncs the directory holding `path`, which makes a newly created file's name durable (POSIX; not on Windows). */
export function fsyncDirectory(io: JournalIO, path: string): void {
  if (process.platform === "win32") return;
  const fd = io.openSync(dirname(path), fs.constants.O_RDONLY);
  try {
    io.fsyncSync(fd);
  } finally {
    io.closeSync(fd);
  }
}

/** A journal's content read through `io` chunk by chunk (see JournalDecoder). */
export interface JournalContent extends JournalTail {
  events: PoolEvent[];
  /** Bytes up to the end of the last event (its newline included, if it has one). */
  end: number;
}

/** Reads the journal open as `fd` from its start, line by line. Throws JournalError CORRUPT for a bad line. */
export function readJournalSync(io: JournalIO, fd: number, path: string): JournalContent {
  const decoder = new JournalDecoder(path);
  const events: PoolEvent[] = [];
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  for (let position = 0; ; ) {
    const n = io.readSync(fd, buffer, 0, buffer.length, position);
    if (n === 0) break;
    position += n;
    for (const event of decoder.push(buffer.subarray(0, n))) events.push(event);
  }
  const tail = decoder.finish();
  if (tail.event !== undefined) events.push(tail.event);
  return { events, end: decoder.end, ...tail };
}
