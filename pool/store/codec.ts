// How a store turns the events of one log into text and back. A store is built from a codec, so one class serves the
// pool's log and the peer book's: the codec's `name` is written into a database when it is created, and a database
// of another log is refused. The two logs' codecs are defined here once, from their schemas (events.ts,
// book/events.ts): the text is the journal's line (bigints as decimal strings), decoding checks the schema, and the
// canonical form is the one the hash chain covers (ledger-chain.ts).
import { canonicalBookEvent, decodeBookEvent, type BookEvent } from "../book/events.js";
import { parseJSON, toJSON, type EventHeader } from "../event-schema.js";
import { canonicalEvent, eventFromJSON, eventToJSON, type PoolEvent } from "../events.js";

/** The text form of the events of one log. */
export interface EventCodec<E extends EventHeader> {
  /** Which log (1-32 characters of a-z, 0-9, "-"): a database created for one log refuses another's codec. */
  readonly name: string;
  /** The event as one line of JSON text (no newline in it). */
  encode(event: E): string;
  /** An event back from `encode`'s text, checked; throws naming `position` when it is not one. */
  decode(text: string, position: string): E;
}

/** A codec that can also check the hash chain: `canonical` is the form an event's hash covers. */
export interface ChainCodec<E extends EventHeader> extends EventCodec<E> {
  canonical(event: E): string;
}

/** The pool's events (eventToJSON / eventFromJSON, schema-checked). */
export const POOL_LOG: ChainCodec<PoolEvent> = {
  name: "pool",
  encode: eventToJSON,
  decode: eventFromJSON,
  canonical: canonicalEvent,
};

/** The peer book's events (BOOK_EVENT_SCHEMA, schema-checked). */
export const BOOK_LOG: ChainCodec<BookEvent> = {
  name: "book",
  encode: toJSON,
  decode: (text, position) => decodeBookEvent(parseJSON(text, position), position),
  canonical: canonicalBookEvent,
};

const LOG_NAME = /^[a-z0-9-]{1,32}$/;

/** Whether `name` can name a log (see EventCodec.name). */
export function isLogName(name: unknown): name is string {
  return typeof name === "string" && LOG_NAME.test(name);
}
