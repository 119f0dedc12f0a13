// A client of `pool2peer serve` for Node and browsers (fetch + noble): opens a session with the account's key (or any
// EIP-191 signer, e.g. a browser wallet's personal_sign), then signs each request with the session's HMAC key and a
// fresh nonce. Used by the tests, the load benchmark and the browser page.
import { addressOfSecret, signPersonalMessage } from "./auth/eip191.js";
import { NONCE_HEADER, SESSION_HEADER, SIGNATURE_HEADER, requestPayload, sessionMessage, signRequest } from "./auth/signing.js";

/** Signs an EIP-191 message for `address` (a secret key here; a wallet in a page). */
export interface PersonalSigner {
  address: string;
  signMessage(message: string): Promise<string> | string;
}

/** A signer from a 32-byte secret key (hex). */
export function keySigner(secretKeyHex: string): PersonalSigner {
  return { address: addressOfSecret(secretKeyHex), signMessage: (m) => signPersonalMessage(m, secretKeyHex) };
}

/** A refused request: the API's error body and the HTTP status. */
export class ServeError extends Error {
  constructor(readonly status: number, readonly code: string, readonly field: string, message: string) {
    super(`${status} ${code} (${field}): ${message}`);
    this.name = "ServeError";
  }
}

/** An open session. */
export interface ClientSession {
  session: string;
  secret: string;
  account: string;
  admin: boolean;
  expiresAt: number;
}

export class ServeClient {
  private nonce = 0;
  session: ClientSession | undefined;

  /** `baseUrl`: e.g. "http://127.0.0.1:8787" (no trailing slash). */
  constructor(readonly baseUrl: string) {}

  /** Opens a session for `signer` lasting `seconds` (server clock). */
  async open(signer: PersonalSigner, seconds = 3600): Promise<ClientSession> {
    const { challenge, now } = await this.get<{ challenge: string; now: number }>("/v1/auth/challenge");
    const grant = { address: signer.address, challenge, expiresAt: now + seconds };
    const signature = await signer.signMessage(sessionMessage(grant));
    this.session = await this.send<ClientSession>("POST", "/v1/auth/session", { ...grant, signature }, false);
    this.nonce = 0;
    return this.session;
  }

  /** An unsigned GET. */
  get<T>(path: string): Promise<T> {
    return this.send<T>("GET", path, undefined, false);
  }

  /** A signed request in the open session (JSON body; `{}` when none is given for POST). */
  signed<T>(method: "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
    return this.send<T>(method, path, body ?? (method === "POST" ? {} : undefined), true);
  }

  /** The headers that sign `method path` with `bodyText` (for callers that send requests themselves). */
  sign(method: string, path: string, bodyText: string): Record<string, string> {
    const s = this.session;
    if (!s) throw new Error("no session: call open() first");
    const nonce = ++this.nonce;
    return { [SESSION_HEADER]: s.session, [NONCE_HEADER]: String(nonce), [SIGNATURE_HEADER]: signRequest(s.secret, requestPayload(method, path, nonce, bodyText)) };
  }

  private async send<T>(method: string, path: string, body: unknown, signed: boolean): Promise<T> {
    const text = body === undefined ? "" : JSON.stringify(body);
    const headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
    if (signed) Object.assign(headers, this.sign(method, path, text));
    const response = await fetch(this.baseUrl + path, { method, headers, ...(body === undefined ? {} : { body: text }) });
    if (response.status === 204) return undefined as T;
    const reply = (await response.json()) as T & { error?: string; field?: string; message?: string };
    if (!response.ok) throw new ServeError(response.status, reply.error ?? "HTTP", reply.field ?? "", reply.message ?? response.statusText);
    return reply;
  }
}
