// The journal's format: line n holds the event with seq n as one JSON object (eventsToJSON's form: bigints as
// decimal strings), ended by "\n". Reading goes line by line over chunks of the file, never through one string of
// the whole file (a string holds at most 2^29 - 24 characters in V8: ~512 MiB). The journal checks only what it
// owns — one object per line, seq n on line n — and leaves every other field to eventsFromJSON and replay.
import { createReadStream } from "node:fs";
import { eventsFromJSON, eventsToJSON, type PoolEvent } from "../events.js";
import { describe, JournalError } from "./errors.js";

const NEWLINE = 0x0a;
/** Bytes read at a time (a read's size, not a limit on a line's length). */
export const CHUNK_BYTES = 1 << 20;

/** One event's line text without its newline, in eventsToJSON's form. */
export function eventLine(event: PoolEvent): string {
  return eventsToJSON([event]).slice(1, -1);
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
  private pending: Buffer[] = [];

  constructor(private readonly path: string) {}

  /** Events of the lines that `chunk` completes; the bytes after its last newline wait for the next chunk. */
  *push(chunk: Buffer): Generator<PoolEvent, void, undefined> {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      let text: string;
      let bytes = nl - start;
      if (this.pending.length === 0) text = chunk.toString("utf8", start, nl);
      else {
        const line = Buffer.concat([...this.pending, chunk.subarray(start, nl)]);
        this.pending = [];
        text = line.toString("utf8");
        bytes = line.length;
      }
      start = nl + 1;
      const event = this.decode(text, false)!;
      this.end += bytes + 1;
      yield event;
    }
    // A copy: the caller may reuse the chunk's memory for its next read.
    if (start < chunk.length) this.pending.push(Buffer.from(chunk.subarray(start)));
  }

  /** Ends the file: the last line, if it has no newline, is an event (kept) or a torn write. */
  finish(): JournalTail {
    if (this.pending.length === 0) return { event: undefined, tornBytes: 0 };
    const line = Buffer.concat(this.pending);
    this.pending = [];
    const event = this.decode(line.toString("utf8"), true);
    if (event === undefined) return { event, tornBytes: line.length };
    this.end += line.length;
    return { event, tornBytes: 0 };
  }

  /** The event on the next line; undefined for an unparseable last line (`last`), which is a torn write. */
  private decode(text: string, last: boolean): PoolEvent | undefined {
    const line = this.count + 1;
    let events: PoolEvent[];
    try {
      events = eventsFromJSON(`[${text}]`);
    } catch (e) {
      const parsed = parseJSON(text);
      if (last && parsed === undefined) return undefined;
      const seq = parsed === undefined ? undefined : numericSeq(parsed.value);
      const where = seq === undefined ? `(the line after seq ${this.count})` : `(seq ${seq})`;
      throw new JournalError("CORRUPT", this.path, `line ${line} ${where} is not an event: ${describe(e)}`, { line, seq: seq ?? this.count, cause: e });
    }
    const event = events[0] as unknown;
    if (events.length !== 1 || typeof event !== "object" || event === null || Array.isArray(event)) {
      throw new JournalError("CORRUPT", this.path, `line ${line} (the line after seq ${this.count}) is not one JSON object`, { line, seq: this.count });
    }
    const seq = (event as { seq?: unknown }).seq;
    if (seq !== line) {
      const what = typeof seq === "number" ? `holds seq ${seq}` : `has seq ${JSON.stringify(seq)}, not a number`;
      throw new JournalError("CORRUPT", this.path, `line ${line} ${what}; expected seq ${line} after seq ${this.count}`, {
        line,
        seq: typeof seq === "number" ? seq : this.count,
      });
    }
    this.count = line;
    return event as PoolEvent;
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

function numericSeq(value: unknown): number | undefined {
  const seq = typeof value === "object" && value !== null ? (value as { seq?: unknown }).seq : undefined;
  return typeof seq === "number" ? seq : undefined;
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
