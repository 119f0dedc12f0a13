// What a client signs: the session message (EIP-191, once per session) and each request's payload (HMAC-SHA-256 under
// the session's secret). Declared once here for the server, the Node client and the browser page (browser-safe).
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";

/** Headers of a signed request. */
export const SESSION_HEADER = "x-p2p-session";
export const NONCE_HEADER = "x-p2p-nonce";
export const SIGNATURE_HEADER = "x-p2p-signature";

/** What opening a session asks the account's key to sign. */
export interface SessionGrant {
  /** The account: its address. */
  address: string;
  /** The server's single-use challenge (GET /v1/auth/challenge). */
  challenge: string;
  /** Unix second the session ends. */
  expiresAt: number;
}

/** The EIP-191 text of a session grant (line by line, so a wallet shows what it signs). */
export function sessionMessage(grant: SessionGrant): string {
  return [
    "pool2peer: open a trading session",
    `account: ${grant.address}`,
    `challenge: ${grant.challenge}`,
    `expires: ${grant.expiresAt}`,
  ].join("\n");
}

/**
 * The bytes a request's HMAC covers: method, path with query, nonce and the exact body text, one per line. The
 * session is bound by its key; the account never travels in the body.
 */
export function requestPayload(method: string, url: string, nonce: number, body: string): string {
  return `${method.toUpperCase()}\n${url}\n${nonce}\n${body}`;
}

/** HMAC-SHA-256 of a request payload under a session secret (hex), as hex. */
export function signRequest(secretHex: string, payload: string): string {
  return bytesToHex(hmac(sha256, hexToBytes(secretHex), utf8ToBytes(payload)));
}
