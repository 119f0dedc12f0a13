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

/** Why `value` is not a usable account name, or undefined when it is. */
export function accountProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "must be a string";
  if (value.length === 0 || value.length > MAX_ACCOUNT_LENGTH) return `must have 1 to ${MAX_ACCOUNT_LENGTH} characters`;
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
