// Account names of the pool and the book: one rule, used by every operation and by the event schema on replay.
// Names are opaque strings (an address, a user id, an e-mail), but two names that look alike must not be two
// accounts: control and format characters (zero-width spaces, bidi overrides), line separators and leading or
// trailing white space are refused, white space inside is a single ASCII space, and the text must already be in
// Unicode normal form C (so "é" cannot be spelt two ways). Homoglyphs across scripts (Latin "a" vs Cyrillic "а")
// remain distinct names: telling them apart is the front end's job, as it is for addresses.
import { PoolError } from "./errors.js";

/** Longest account name, in UTF-16 code units. */
export const MAX_ACCOUNT_LENGTH = 128;

// Letters, marks, digits, punctuation and symbols; a single ASCII space only between two of those.
const ACCOUNT_NAME = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]+(?: [\p{L}\p{M}\p{N}\p{P}\p{S}]+)*$/u;

/**
 * Whether `value` is printable ASCII (0x21-0x7e: each a letter, digit, punctuation or symbol) with single spaces only
 * between them: what ACCOUNT_NAME accepts of ASCII, already in normal form C. Checked first, without the regex and
 * the normalisation (a replay checks millions of names).
 */
function plainAscii(value: string): boolean {
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x20 ? i === 0 || i === n - 1 || value.charCodeAt(i - 1) === 0x20 : c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** Why `value` is not a usable account name, or undefined when it is. */
export function accountProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "must be a string";
  if (value.length === 0 || value.length > MAX_ACCOUNT_LENGTH) return `must have 1 to ${MAX_ACCOUNT_LENGTH} characters`;
  if (plainAscii(value)) return undefined;
  if (!ACCOUNT_NAME.test(value))
    return "must be letters, digits, punctuation or symbols, with single spaces only between them (no control, zero-width or leading/trailing space characters)";
  if (value.normalize("NFC") !== value) return "must be in Unicode normal form C";
  return undefined;
}

/** Throws PoolError INVALID_INPUT naming `field` unless `value` is a usable account name. */
export function checkAccount(value: unknown, field: string): asserts value is string {
  const problem = accountProblem(value);
  if (problem) throw new PoolError("INVALID_INPUT", field, `account name ${problem}`);
}
