// Tamper evidence of the event logs (the pool's, and its peer book's). Each event's `hash` is SHA-256 over the previous event's hash and the event's
// canonical form (events.ts canonicalEvent), starting from a genesis hash bound to the pool's identity (collateral,
// scales, share offset, treasury), so no event can be changed, dropped, reordered or moved to another pool without
// breaking every later hash. A hash chain alone can be recomputed by whoever rewrites the log; with a ledger key
// (held by the operator, never in the log) each event also carries `mac` = HMAC-SHA-256(key, hash), which a forger
// without the key cannot produce. SHA-256 and HMAC come from Node's crypto (OpenSSL) where the runtime has it, else
// from @noble/hashes (audited, synchronous, browser-safe): the same functions, 5-10x slower, which a replay of
// millions of events feels (test/ledger-chain.test.ts checks both give the same digests).
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { Scales } from "./collateral.js";
import { PoolError } from "./errors.js";
import type { EventHeader } from "./event-schema.js";
import { canonicalEvent, type PoolEvent, type PoolEventBody } from "./events.js";

/** The part of node:crypto used here (`hash`, the one-shot digest, is Node ≥ 20.12). */
interface NodeHashes {
  hash(algorithm: "sha256", data: string | Uint8Array, encoding: "hex"): string;
  hash(algorithm: "sha256", data: Uint8Array, encoding: "buffer"): Uint8Array;
}

/** node:crypto without a static import (browsers and bundlers never see it); undefined outside Node ≥ 20.16. */
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:crypto") as Partial<NodeHashes> | undefined;
const nodeHashes = typeof nodeCrypto?.hash === "function" ? (nodeCrypto as NodeHashes) : undefined;

/** SHA-256 (hex) of `text` as UTF-8 with @noble/hashes. */
export function sha256HexNoble(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** HMAC-SHA-256 (hex) of `text` as UTF-8 under `key` with @noble/hashes. */
export function hmacHexNoble(key: Uint8Array, text: string): string {
  return bytesToHex(hmac(sha256, key, utf8ToBytes(text)));
}

/** SHA-256 (hex) of `text` as UTF-8. */
export function sha256Hex(text: string): string {
  return nodeHashes ? nodeHashes.hash("sha256", text, "hex") : sha256HexNoble(text);
}

const UTF8 = new TextEncoder();

/** The HMAC pads of a key (RFC 2104: the key, hashed when longer than SHA-256's 64-byte block, XOR 0x36 and 0x5c). */
const padsOf = new WeakMap<Uint8Array, { inner: Uint8Array; outer: Uint8Array }>();

function pads(node: NodeHashes, key: Uint8Array): { inner: Uint8Array; outer: Uint8Array } {
  let p = padsOf.get(key);
  if (!p) {
    const block = new Uint8Array(64);
    block.set(key.length > 64 ? node.hash("sha256", key, "buffer") : key);
    p = { inner: block.map((b) => b ^ 0x36), outer: block.map((b) => b ^ 0x5c) };
    padsOf.set(key, p);
  }
  return p;
}

/**
 * HMAC-SHA-256 (hex) of `text` as UTF-8 under `key`. Under Node: RFC 2104 over two one-shot digests, about twice as
 * fast as createHmac per call (which sets the key up again each time).
 */
export function hmacHex(key: Uint8Array, text: string): string {
  if (!nodeHashes) return hmacHexNoble(key, text);
  const { inner, outer } = pads(nodeHashes, key);
  // Into reused buffers (a replay MACs millions of hashes): the pad, then the text as UTF-8 (≤ 3 bytes a code unit).
  if (scratch.length < 64 + 3 * text.length) scratch = new Uint8Array(64 + 3 * text.length);
  scratch.set(inner);
  const { written } = UTF8.encodeInto(text, scratch.subarray(64));
  second.set(outer);
  second.set(nodeHashes.hash("sha256", scratch.subarray(0, 64 + written), "buffer"), 64);
  return nodeHashes.hash("sha256", second, "hex");
}

/** hmacHex's buffers: the inner block (pad + text) and the outer one (pad + inner digest). */
let scratch = new Uint8Array(64 + 3 * 64);
const second = new Uint8Array(64 + 32);

/** The settings that make a pool's identity (what its log is bound to). */
export interface LedgerIdentity extends Scales {
  collateral: "quote" | "base";
  shareOffset: number;
  treasury: string;
  /** A "both" pool's log is bound to its cap rule too (a one-type pool's genesis is unchanged). */
  optionTypes?: "one" | "both";
  callCapPpm?: number;
}

/** Which log a chain belongs to: the pool's or its peer book's (a log cannot pass for the other). */
export type LedgerName = "pool" | "book";

/** The hash before the first event: binds the chain to its log and the pool's identity. */
export function genesisHash(id: LedgerIdentity, ledger: LedgerName = "pool"): string {
  const fields: (string | number)[] = [`pool2peer ${ledger} ledger v1`, id.collateral, id.decimals, id.sizeDecimals, id.priceDecimals, id.shareOffset, id.treasury];
  if (id.optionTypes === "both") fields.push("both", id.callCapPpm ?? 1_000_000);
  return sha256Hex(JSON.stringify(fields));
}

/** Hash of an event, given as its canonical form, after `previous`. */
export function hashAfter(previous: string, canonical: string): string {
  return sha256Hex(previous + canonical);
}

/** Hash of a pool event after `previous`. */
export function chainHash(previous: string, event: PoolEventBody & { seq: number; time: number }): string {
  return hashAfter(previous, canonicalEvent(event));
}

/** The operator's key for event MACs: ≥ 32 bytes of secret (a Uint8Array, or a string taken as UTF-8). */
export type LedgerKey = Uint8Array | string;

/** The key as bytes, checked (PoolError naming `ledgerKey`). */
export function ledgerKeyBytes(key: LedgerKey): Uint8Array {
  // A copy: the pool's key cannot change under it (and the HMAC pads cached per key stay right).
  const bytes = typeof key === "string" ? utf8ToBytes(key) : key instanceof Uint8Array ? key.slice() : key;
  if (!(bytes instanceof Uint8Array) || bytes.length < 32) throw new PoolError("INVALID_INPUT", "ledgerKey", "must be at least 32 bytes of secret");
  return bytes;
}

/** HMAC-SHA-256 (hex) of an event hash under the ledger key. */
export function eventMac(key: Uint8Array, hash: string): string {
  return hmacHex(key, hash);
}

/**
 * HMAC-SHA-256 (hex) of a state snapshot under the ledger key: binds the state text to its log (genesis hash), its
 * seq and the chain head there, so a snapshot cannot be altered, moved to another seq or to another pool's store.
 */
export function snapshotMac(key: Uint8Array, genesis: string, seq: number, hash: string, state: string): string {
  const digest = sha256Hex(state);
  return hmacHex(key, `pool2peer snapshot v1\n${genesis}\n${seq}\n${hash}\n${digest}`);
}

/** True when `mac` is snapshotMac(...) of the same content (constant-time comparison). */
export function snapshotMacMatches(mac: string | undefined, key: Uint8Array, genesis: string, seq: number, hash: string, state: string): boolean {
  return typeof mac === "string" && sameHex(mac, snapshotMac(key, genesis, seq, hash, state));
}

/** Constant-time equality of two hex strings of the same length (MACs). */
function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The event a replay's reader thread has checked the hash (and MAC) of, with the hash before it that it was checked
 * after (pool/store/checked-reader.ts marks each event so as it yields it, and the replay verifies it at once). One
 * slot, not a WeakMap: a replay of millions of events would fill one for the collector to empty.
 */
let checkedEvent: object | undefined;
let checkedAfter = "";

/** Records that `event`'s hash follows from `previous` and its MAC matched the pool's key (checked in a reader thread). */
export function markChainChecked(event: EventHeader, previous: string): void {
  checkedEvent = event;
  checkedAfter = previous;
}

/** Whether `event` is the last one marked (markChainChecked), after exactly `previous`: the replay need not hash it again. */
export function chainCheckedAfter(event: EventHeader, previous: string): boolean {
  return checkedEvent === event && checkedAfter === previous;
}

/** Checks an event's `hash` (and `mac` under `key`) against the chain, given its canonical form; PoolError("TAMPERED") naming its seq. */
export function checkChain(previous: string, event: EventHeader, canonical: string, key: Uint8Array | undefined): void {
  if (event.hash !== hashAfter(previous, canonical))
    throw new PoolError("TAMPERED", "hash", `seq ${event.seq}: hash does not follow from the previous event and this event's content`);
  if (!key) return;
  if (event.mac === undefined) throw new PoolError("TAMPERED", "mac", `seq ${event.seq}: no mac, and the pool has a ledger key`);
  if (!sameHex(event.mac, eventMac(key, event.hash))) throw new PoolError("TAMPERED", "mac", `seq ${event.seq}: mac does not match the ledger key`);
}

/** `unsealed` (a body numbered and timed) sealed after `previous` given its canonical form (and MAC'ed under `key`). */
export function seal<E extends { seq: number; time: number }>(unsealed: E, canonical: string, previous: string, key: Uint8Array | undefined): E & EventHeader {
  const hash = hashAfter(previous, canonical);
  const event = { ...unsealed, hash } as E & EventHeader;
  if (key) event.mac = eventMac(key, hash);
  return event;
}

/** A pool event `body` numbered `seq` at `time`, chained after `previous` (and MAC'ed under `key` when given). */
export function sealEvent(body: PoolEventBody, seq: number, time: number, previous: string, key: Uint8Array | undefined): PoolEvent {
  const unsealed = { ...body, seq, time };
  return seal(unsealed, canonicalEvent(unsealed), previous, key) as PoolEvent;
}
