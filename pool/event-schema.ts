// The machinery of the event contracts (the pool's in events.ts, the book's in book/events.ts): a schema table per
// log names every event kind and its fields in order; from it come the check of an event (from its JSON form, or as
// held in memory), its canonical form (what the hash chain covers) and its JSON text. Bigints travel as decimal
// strings of digits; floats as JSON numbers (shortest round-trip form); nested objects and lists follow the table.
import { accountProblem } from "./accounts.js";
import { PoolError } from "./errors.js";

/** What every stored event carries besides its body. */
export interface EventHeader {
  /** 1, 2, 3 ... without gaps. */
  seq: number;
  /** Clock time of the operation (unix seconds, integer). */
  time: number;
  /** SHA-256 (hex) over the previous event's hash and this event's canonical form (ledger-chain.ts). */
  hash: string;
  /** HMAC-SHA-256 (hex) of `hash` under the operator's ledger key, when there is one. */
  mac?: string;
}

/**
 * The type of a field: a scalar kind, an enumeration, an object or a list of objects with their own fields, or an
 * optional field (trailing fields only: an event without it has the canonical form it had before the field existed).
 * "seq": an event's seq in a log (integer ≥ 0); "hash": 64 lowercase hex digits.
 */
export type FieldType =
  | "account" | "units" | "positiveUnits" | "signedUnits" | "id" | "seq" | "seconds" | "positive" | "nonNegative" | "finite" | "text" | "hash"
  | readonly string[]
  | { readonly object: Fields }
  | { readonly list: Fields }
  | { readonly optional: FieldType };

/** Named fields in canonical order. */
export type Fields = readonly (readonly [string, FieldType])[];

/** The fields of every kind of a log. */
export type EventSchema<K extends string> = { readonly [kind in K]: Fields };

/** Longest free text (reasons) in an event, in characters. */
export const MAX_EVENT_TEXT = 500;
const UNSIGNED = /^(0|[1-9][0-9]*)$/;
const SIGNED = /^(0|-?[1-9][0-9]*)$/;
const HEX64 = /^[0-9a-f]{64}$/;

type Bad = (where: string, problem: string) => never;

function decodeUnits(v: unknown, parent: string, name: string, bad: Bad, json: boolean, positive: boolean): bigint {
  let x: bigint;
  if (json) {
    if (typeof v !== "string" || !UNSIGNED.test(v)) return bad(at(parent, name), "must be a decimal string of digits");
    x = BigInt(v);
  } else {
    if (typeof v !== "bigint" || v < 0n) return bad(at(parent, name), "must be a bigint ≥ 0");
    x = v;
  }
  return positive && x === 0n ? bad(at(parent, name), "must be > 0") : x;
}

/** Where a value is, for an error message: `name` inside `parent` ("" at the top of the event). Built only on failure. */
function at(parent: string, name: string): string {
  return parent === "" ? name : `${parent}.${name}`;
}

/**
 * A value of `type` checked, from its JSON form (`json`: bigints as strings, converted) or as held in memory; `parent`
 * and `name` say where it is (joined by `at` only when it is bad: a replay decodes millions of values).
 */
function decodeValue(type: FieldType, v: unknown, parent: string, name: string, bad: Bad, json: boolean): unknown {
  if (typeof type === "string") return decodeScalar(type, v, parent, name, bad, json);
  if (Array.isArray(type)) return type.includes(v as string) ? v : bad(at(parent, name), `must be one of ${type.join(", ")}`);
  if ("object" in type) return decodeObject(v, at(parent, name), type.object, bad, json);
  if ("optional" in type) return v === undefined ? undefined : decodeValue(type.optional, v, parent, name, bad, json);
  const list = (type as { readonly list: Fields }).list;
  if (!Array.isArray(v)) return bad(at(parent, name), "must be an array");
  const where = at(parent, name);
  return v.map((x, i) => decodeObject(x, `${where}[${i}]`, list, bad, json));
}

function decodeScalar(type: FieldType & string, v: unknown, parent: string, name: string, bad: Bad, json: boolean): unknown {
  switch (type) {
    case "account": {
      const problem = accountProblem(v);
      return problem ? bad(at(parent, name), `account name ${problem}`) : v;
    }
    case "signedUnits":
      if (json) return typeof v === "string" && SIGNED.test(v) ? BigInt(v) : bad(at(parent, name), "must be a decimal string of digits, optionally signed");
      return typeof v === "bigint" ? v : bad(at(parent, name), "must be a bigint");
    case "units":
    case "positiveUnits":
      return decodeUnits(v, parent, name, bad, json, type === "positiveUnits");
    case "id":
      return Number.isSafeInteger(v) && (v as number) >= 1 ? v : bad(at(parent, name), "must be an integer ≥ 1");
    case "seq":
      return Number.isSafeInteger(v) && (v as number) >= 0 ? v : bad(at(parent, name), "must be an integer seq ≥ 0");
    case "seconds":
      return Number.isSafeInteger(v) && (v as number) >= 0 ? v : bad(at(parent, name), "must be integer unix seconds ≥ 0");
    case "positive":
      return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : bad(at(parent, name), "must be a finite number > 0");
    case "nonNegative":
      return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : bad(at(parent, name), "must be a finite number ≥ 0");
    case "finite":
      return typeof v === "number" && Number.isFinite(v) ? v : bad(at(parent, name), "must be a finite number");
    case "text":
      return typeof v === "string" && v.length <= MAX_EVENT_TEXT ? v : bad(at(parent, name), `must be a string of at most ${MAX_EVENT_TEXT} characters`);
    case "hash":
      return typeof v === "string" && HEX64.test(v) ? v : bad(at(parent, name), "must be 64 lowercase hex digits");
  }
  return bad(at(parent, name), "has an unknown type");
}

/** The number of own enumerable keys of `o` (without the array Object.keys makes). */
function ownKeyCount(o: object): number {
  let n = 0;
  for (const key in o) if (Object.hasOwn(o, key)) n++;
  return n;
}

/** Sets a decoded field; an absent optional field stays absent (no key). */
function setField(out: Record<string, unknown>, name: string, value: unknown): void {
  if (value !== undefined) out[name] = value;
}

function decodeObject(v: unknown, where: string, fields: Fields, bad: Bad, json: boolean): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return bad(where, "must be an object");
  const raw = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  let present = 0;
  for (const [name, type] of fields) {
    const value = decodeValue(type, raw[name], where, name, bad, json);
    if (value === undefined) continue; // an absent optional field stays absent (no key)
    out[name] = value;
    present++;
  }
  // Every field decoded is a key of `raw`: as many keys means no other key.
  if (ownKeyCount(raw) !== present)
    for (const key of Object.keys(raw)) if (!fields.some(([name]) => name === key)) bad(`${where}.${key}`, "is not a field of this object");
  return out;
}

const HEADER: Fields = [["seq", "id"], ["time", "seconds"]];

/** The fields of each kind of a schema, header first (built once per schema and kind). */
const fieldsOf = new WeakMap<object, Map<string, Fields>>();

function kindFields<K extends string>(schema: EventSchema<K>, kind: K): Fields {
  let byKind = fieldsOf.get(schema);
  if (!byKind) fieldsOf.set(schema, (byKind = new Map()));
  let fields = byKind.get(kind);
  if (!fields) byKind.set(kind, (fields = [...HEADER, ...schema[kind]]));
  return fields;
}

/**
 * Checks (and from JSON converts) one event of `schema`: a known kind, every field of that kind and no other, each of
 * its type, and the header (seq, time, hash, optional mac). Throws PoolError("INVALID_EVENT") naming the event
 * (`position`, and its seq when readable) and the field.
 */
export function decodeWith<K extends string>(schema: EventSchema<K>, raw: unknown, position: string, json: boolean): Record<string, unknown> {
  const bad: Bad = (where, problem) => {
    const rawSeq = (raw as { seq?: unknown } | null)?.seq;
    const label = Number.isSafeInteger(rawSeq) ? `${position} (seq ${rawSeq as number})` : position;
    throw new PoolError("INVALID_EVENT", where, `${label}: ${where} ${problem}`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return bad("event", "must be an object");
  const r = raw as Record<string, unknown>;
  const kind = r.kind as K;
  if (typeof kind !== "string" || !Object.hasOwn(schema, kind)) return bad("kind", `"${String(kind)}" is not an event kind`);
  const fields = kindFields(schema, kind);
  const event: Record<string, unknown> = { kind };
  for (const [name, type] of fields) setField(event, name, decodeValue(type, r[name], "", name, bad, json));
  if (typeof r.hash !== "string" || !HEX64.test(r.hash)) bad("hash", "must be 64 lowercase hex digits");
  event.hash = r.hash;
  if (r.mac !== undefined) {
    if (typeof r.mac !== "string" || !HEX64.test(r.mac)) bad("mac", "must be 64 lowercase hex digits");
    event.mac = r.mac;
  }
  // kind, the fields, hash and mac were read from `raw`: as many keys as the event means no other key.
  if (ownKeyCount(r) !== ownKeyCount(event))
    for (const key of Object.keys(r)) if (!Object.hasOwn(event, key)) bad(key, `is not a field of a ${kind} event`);
  return event;
}

function canonicalValue(type: FieldType, v: unknown): unknown {
  if (typeof type === "object" && "optional" in type) return v === undefined ? null : canonicalValue(type.optional, v);
  if (typeof type === "object" && "object" in type) return canonicalFields(type.object, v as Record<string, unknown>);
  if (typeof type === "object" && "list" in type) return (v as Record<string, unknown>[]).map((x) => canonicalFields(type.list, x));
  return typeof v === "bigint" ? v.toString() : v;
}

function canonicalFields(fields: Fields, v: Record<string, unknown>): unknown[] {
  const values = fields.map(([name, type]) => canonicalValue(type, v[name]));
  // Absent trailing optional fields are left out, so adding one keeps every older event's canonical form (and hash).
  let n = values.length;
  while (n > 0 && values[n - 1] === null && typeof fields[n - 1]![1] === "object" && "optional" in (fields[n - 1]![1] as object)) n--;
  return n === values.length ? values : values.slice(0, n);
}

/** The canonical form of an event of `schema`: kind, seq, time, then its fields in schema order, as JSON. */
export function canonicalWith<K extends string>(schema: EventSchema<K>, e: { kind: K; seq: number; time: number }): string {
  // Bigints become decimal strings as the values are gathered: JSON.stringify without a replacer (a call per value).
  const values = [e.kind, e.seq, e.time, ...canonicalFields(schema[e.kind], e as unknown as Record<string, unknown>)];
  return JSON.stringify(values);
}

/** JSON text of an event (bigints as decimal strings). */
export function toJSON(event: object): string {
  return JSON.stringify(event, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

/** Parsed JSON, or PoolError("INVALID_EVENT") naming `position`. */
export function parseJSON(text: string, position: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PoolError("INVALID_EVENT", "json", `${position}: not JSON (${(e as Error).message})`);
  }
}
