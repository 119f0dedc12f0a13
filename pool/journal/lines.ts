// The journal's format: line n holds the event with seq n as one JSON object (eventToJSON's form: bigints as
// decimal strings), ended by "\n". Reading goes line by line over chunks of the file, never through one string of
// the whole file (a string holds at most 2^29 - 24 characters in V8: ~512 MiB). The journal checks only what it
// owns — seq n on line n — and leaves every other field to eventFromJSON's schema check and to replay.
import { constants } from "node:buffer";
import { createReadStream } from "node:fs";
import { eventFromJSON, type PoolEvent } from "../events.js";
import { describe, JournalError } from "./errors.js";

const NEWLINE = 0x0a;
/** The longest line that decodes to a string (UTF-8 takes at least one byte per UTF-16 unit): 2^29 - 24 in V8. */
const MAX_LINE_BYTES = constants.MAX_STRING_LENGTH;
const OPEN_BRACE = 0x7b;
/** Bytes read at a time (a read's size, not a limit on a line's length). */
export const CHUNK_BYTES = 1 << 20;

/**
 * Whether two events are the same, whatever the order of their keys (a replayed event is rebuilt in schema order):
 * their JSON with keys sorted, bigints as strings.
 */
export function sameEvent(a: PoolEvent, b: PoolEvent): boolean {
  return sortedJSON(a) === sortedJSON(b);
}

function sortedJSON(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  });
}

/** What the last line of a journal turned out to be once the whole file was read. */
export interface JournalTail {
  /** The last line's event when it has no newline but is complete. */
  event: PoolEvent | undefined;
  /** Bytes of a torn last line: no newline and not parseable, a write cut short (never acknowledged). */
  tornBytes: number;
}

/**
 * Decodes a journal fed chunk by chunk. A complete line that is not the next event throws JournalError CORRUPT
 * naming the line and seq; the last line without a newline is kept when it parses and is otherwise torn.
 */
export class JournalDecoder {
  /** Events decoded so far, which is the seq of the last one. */
  count = 0;
  /** Bytes from the file's start to the end of the last decoded event (its newline included, if it has one). */
  end = 0;
  /** The unfinished line's bytes so far, while it may still decode (see `keeps`); all of them are counted. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingDropped = false;

  constructor(private readonly path: string) {}

  /** Events of the lines that `chunk` completes; the bytes after its last newline wait for the next chunk. */
  *push(chunk: Buffer): Generator<PoolEvent, void, undefined> {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      const bytes = this.pendingBytes + nl - start;
      const text = this.take(chunk.subarray(start, nl));
      start = nl + 1;
      if (text === undefined) {
        const line = this.count + 1;
        const why = bytes > MAX_LINE_BYTES ? "longer than the longest string" : `not an event: it does not start with "{"`;
        throw new JournalError("CORRUPT", this.path, `line ${line} (the line after seq ${this.count}) is ${bytes} bytes, ${why}`, { line, seq: this.count });
      }
      const event = this.decode(text, false)!;
      this.end += bytes + 1;
      yield event;
    }
    if (start === chunk.length) return;
    const rest = chunk.subarray(start);
    this.pendingBytes += rest.length;
    // A copy: the caller may reuse the chunk's memory for its next read.
    if (!this.pendingDropped && this.keeps(rest)) this.pending.push(Buffer.from(rest));
    else [this.pending, this.pendingDropped] = [[], true];
  }

  /**
   * Whether the unfinished line, now `pendingBytes` long, may still decode: an event's line starts with "{" and
   * fits a string; another line is kept up to 1 MiB, for its error message. So a tail of zeros that a crash left
   * (a file grown before its data landed) is counted, not buffered.
   */
  private keeps(rest: Buffer): boolean {
    const first = this.pending.length > 0 ? this.pending[0]![0] : rest[0];
    return this.pendingBytes <= (first === OPEN_BRACE ? MAX_LINE_BYTES : 1 << 20);
  }

  /** Ends the file: the last line, if it has no newline, is an event (kept) or a torn write. */
  finish(): JournalTail {
    const bytes = this.pendingBytes;
    if (bytes === 0) return { event: undefined, tornBytes: 0 };
    const text = this.take(Buffer.alloc(0));
    const event = text === undefined ? undefined : this.decode(text, true);
    if (event === undefined) return { event, tornBytes: bytes };
    this.end += bytes;
    return { event, tornBytes: 0 };
  }

  /** The text of the line that `last` ends, undefined if it cannot decode (`keeps`); the next line starts empty. */
  private take(last: Buffer): string | undefined {
    const parts = this.pending;
    const bytes = this.pendingBytes + last.length;
    const dropped = this.pendingDropped;
    [this.pending, this.pendingBytes, this.pendingDropped] = [[], 0, false];
    if (dropped || bytes > MAX_LINE_BYTES) return undefined;
    return (parts.length === 0 ? last : Buffer.concat([...parts, last])).toString("utf8");
  }

  /** The event on the next line; undefined for an unparseable last line (`last`), which is a torn write. */
  private decode(text: string, last: boolean): PoolEvent | undefined {
    const line = this.count + 1;
    let event: PoolEvent;
    try {
      event = eventFromJSON(text, `line ${line}`);
    } catch (e) {
      const parsed = parseJSON(text);
      if (last && parsed === undefined) return undefined;
      throw this.corrupt(line, parsed, e);
    }
    if (event.seq !== line) throw this.corrupt(line, { value: event });
    this.count = line;
    return event;
  }

  /** CORRUPT for `line`: a seq out of place, else why the line is not an event (`cause`). */
  private corrupt(line: number, parsed: { value: unknown } | undefined, cause?: unknown): JournalError {
    const seq = typeof parsed?.value === "object" && parsed.value !== null ? (parsed.value as { seq?: unknown }).seq : undefined;
    const after = `after seq ${this.count}`;
    if (typeof seq === "number" && seq !== line) {
      return new JournalError("CORRUPT", this.path, `line ${line} holds seq ${seq}; expected seq ${line} ${after}`, { line, seq });
    }
    if (seq !== undefined && typeof seq !== "number") {
      return new JournalError("CORRUPT", this.path, `line ${line} has seq ${JSON.stringify(seq)}, not a number; expected seq ${line} ${after}`, { line, seq: this.count, cause });
    }
    const what = parsed === undefined ? "is not JSON" : "is not an event";
    const where = typeof seq === "number" ? `(seq ${seq})` : `(the line ${after})`;
    return new JournalError("CORRUPT", this.path, `line ${line} ${where} ${what}: ${describe(cause)}`, { line, seq: typeof seq === "number" ? seq : this.count, cause });
  }
}

/** The value of a JSON text, or undefined when it does not parse (used for error messages and torn lines only). */
function parseJSON(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * The events of the journal at `path`, read line by line (no whole-file string, memory of one chunk plus one
 * event at a time). Neither locks nor changes the file, so it may read a journal another process writes: a torn
 * last line ends the iteration; a complete line that is not the next event throws JournalError CORRUPT with the
 * line and seq.
 * @example
 * for await (const event of readJournal("pool.jsonl")) store.insert(event);
 */
export async function* readJournal(path: string): AsyncGenerator<PoolEvent, void, undefined> {
  const decoder = new JournalDecoder(path);
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) yield* decoder.push(chunk as Buffer);
  const { event } = decoder.finish();
  if (event !== undefined) yield event;
}
