// Who is calling: sessions opened with an EIP-191 signature over a single-use server challenge, then requests signed
// with HMAC-SHA-256 under the session's secret and a nonce that is accepted once. Challenges and sessions live in
// memory: a restart ends every session, and a grant from before it names a challenge the new process never issued,
// so neither a grant nor a request can be replayed across a restart.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { recoverPersonalSigner, isAddress } from "./eip191.js";
import { requestPayload, sessionMessage, type SessionGrant } from "./signing.js";

/** Why a request is not authenticated: the HTTP status and a code the client can act on. */
export class AuthError extends Error {
  constructor(readonly status: 401 | 403 | 429 | 503, readonly code: string, message: string) {
    super(message);
    this.name = "AuthError";
  }
}

/** An open session. */
export interface Session {
  id: string;
  account: string;
  admin: boolean;
  expiresAt: number;
  key: Buffer;
  nonces: NonceWindow;
}

/**
 * Nonces accepted at most once: any nonce above the highest seen, or one of the `width` below it not seen yet, so
 * requests sent concurrently may arrive out of order. Memory: `width` bits.
 */
export class NonceWindow {
  private highest = 0;
  private readonly seen: Uint8Array;

  constructor(readonly width = 4096) {
    this.seen = new Uint8Array(width);
  }

  /** Accepts `nonce` (a safe integer ≥ 1) once; false for a replay, or one too old to tell. */
  accept(nonce: number): boolean {
    if (!Number.isSafeInteger(nonce) || nonce < 1) return false;
    if (nonce > this.highest) {
      for (let n = this.highest + 1; n <= Math.min(nonce, this.highest + this.width); n++) this.seen[n % this.width] = 0;
      if (nonce - this.highest > this.width) this.seen.fill(0);
      this.highest = nonce;
      this.seen[nonce % this.width] = 1;
      return true;
    }
    if (this.highest - nonce >= this.width || this.seen[nonce % this.width] === 1) return false;
    this.seen[nonce % this.width] = 1;
    return true;
  }
}

/** Limits of the session table. */
export interface SessionLimits {
  /** Longest session a grant may open (seconds). */
  maxSessionSeconds: number;
  /** Challenge lifetime (seconds). */
  challengeSeconds: number;
  /** Most challenges outstanding and most sessions open (memory bound). */
  maxChallenges: number;
  maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { maxSessionSeconds: 86_400, challengeSeconds: 120, maxChallenges: 100_000, maxSessions: 100_000 };

/** The session table of one server process. */
export class Sessions {
  private readonly challenges = new Map<string, number>();
  private readonly sessions = new Map<string, Session>();
  private readonly limits: SessionLimits;

  constructor(private readonly admins: ReadonlySet<string>, private readonly now: () => number, limits: Partial<SessionLimits> = {}) {
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...limits };
  }

  /** A new single-use challenge and the unix second it lapses. */
  challenge(): { challenge: string; expiresAt: number; now: number } {
    this.prune();
    if (this.challenges.size >= this.limits.maxChallenges) throw new AuthError(503, "BUSY", "too many challenges outstanding; retry shortly");
    const challenge = randomBytes(16).toString("hex");
    const now = this.now();
    const expiresAt = now + this.limits.challengeSeconds;
    this.challenges.set(challenge, expiresAt);
    return { challenge, expiresAt, now };
  }

  /** Opens a session for the grant's address if `signature` is its EIP-191 signature of the grant; consumes the challenge. */
  open(grant: SessionGrant, signature: string): Session {
    const now = this.now();
    if (!isAddress(grant.address)) throw new AuthError(401, "BAD_GRANT", "address must be 0x and 40 lowercase hex digits");
    const lapses = this.challenges.get(grant.challenge);
    if (lapses === undefined || lapses < now) throw new AuthError(401, "BAD_CHALLENGE", "unknown, used or lapsed challenge");
    if (!(Number.isSafeInteger(grant.expiresAt) && grant.expiresAt > now && grant.expiresAt <= now + this.limits.maxSessionSeconds))
      throw new AuthError(401, "BAD_GRANT", `expiresAt must be within ${this.limits.maxSessionSeconds} s from now`);
    if (recoverPersonalSigner(sessionMessage(grant), signature) !== grant.address) throw new AuthError(401, "BAD_SIGNATURE", "the signature is not the address's signature of the grant");
    this.challenges.delete(grant.challenge);
    this.prune();
    if (this.sessions.size >= this.limits.maxSessions) throw new AuthError(503, "BUSY", "too many open sessions; retry later");
    const session: Session = {
      id: randomBytes(16).toString("hex"), account: grant.address, admin: this.admins.has(grant.address),
      expiresAt: grant.expiresAt, key: randomBytes(32), nonces: new NonceWindow(),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /**
   * The session a request is signed in. Checks, in order: the session exists and is open, the HMAC of
   * (method, url, nonce, body) under its key, then the nonce (consumed only by a correctly signed request).
   */
  verify(request: { method: string; url: string; body: string; session: unknown; nonce: unknown; signature: unknown }): Session {
    if (typeof request.session !== "string" || typeof request.nonce !== "string" || typeof request.signature !== "string")
      throw new AuthError(401, "UNSIGNED", "signed routes need the x-p2p-session, x-p2p-nonce and x-p2p-signature headers");
    const session = this.sessions.get(request.session);
    if (!session || session.expiresAt <= this.now()) throw new AuthError(401, "BAD_SESSION", "unknown or expired session; open a new one");
    const nonce = /^[1-9][0-9]{0,15}$/.test(request.nonce) ? Number(request.nonce) : NaN;
    const expected = createHmac("sha256", session.key).update(requestPayload(request.method, request.url, nonce, request.body)).digest();
    const given = /^[0-9a-f]{64}$/.test(request.signature) ? Buffer.from(request.signature, "hex") : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new AuthError(401, "BAD_SIGNATURE", "the request's HMAC does not match");
    if (!session.nonces.accept(nonce)) throw new AuthError(401, "REPLAYED", `nonce ${request.nonce} was used or is too old`);
    return session;
  }

  /** Ends a session (sign-out). */
  close(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private prune(): void {
    const now = this.now();
    // Challenges all live challengeSeconds, so insertion order is lapse order: stop at the first live one.
    for (const [c, lapses] of this.challenges) {
      if (lapses >= now) break;
      this.challenges.delete(c);
    }
    if (this.sessions.size >= this.limits.maxSessions) for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}
