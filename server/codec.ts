// Between the pool's values and the API's JSON: bigints become decimal strings, infinities null, undefined null; and
// every refusal becomes one error shape { error, field, message } with the HTTP status its kind calls for.
import { PoolError, type PoolErrorCode } from "../pool/errors.js";
import { AuthError } from "./auth/sessions.js";

/** A JSON-safe deep copy: bigint → decimal string, ±Infinity and NaN → null, undefined fields → null. */
export function plain(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    // for...in over own keys rather than Object.entries: no [key, value] pair per field (every reply passes here).
    const out: Record<string, unknown> = {};
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      const v = (value as Record<string, unknown>)[k];
      if (typeof v !== "function") out[k] = plain(v);
    }
    return out;
  }
  return value;
}

/** The refusals that are the request's fault (400) or name something missing (404); the rest are state conflicts (409). */
const BAD_REQUEST = new Set<PoolErrorCode>(["INVALID_INPUT", "WRONG_OPTION_TYPE", "STRIKE_OUT_OF_BOUNDS", "EXPIRY_OUT_OF_BOUNDS", "TOO_CLOSE_TO_EXPIRY"]);
const NOT_FOUND = new Set<PoolErrorCode>(["UNKNOWN_SERIES", "UNKNOWN_ORDER", "UNKNOWN_WITHDRAWAL"]);

/** The error body of the API. */
export interface ErrorBody {
  error: string;
  field: string;
  message: string;
}

/** Status and body of a thrown value; undefined for an unexpected one (a 500 the server logs). */
export function errorReply(e: unknown): { status: number; body: ErrorBody } | undefined {
  if (e instanceof PoolError) {
    const status = e.code === "INTERNAL_ERROR" ? (e.field === "service" ? 503 : 500) : BAD_REQUEST.has(e.code) ? 400 : NOT_FOUND.has(e.code) ? 404 : 409;
    return { status, body: { error: e.code, field: e.field, message: e.message } };
  }
  if (e instanceof AuthError) return { status: e.status, body: { error: e.code, field: "authorization", message: e.message } };
  const validation = (e as { validation?: { instancePath?: string; params?: Record<string, unknown>; message?: string }[]; validationContext?: string }).validation;
  if (Array.isArray(validation) && validation.length > 0) {
    const first = validation[0]!;
    const missing = first.params?.["missingProperty"] ?? first.params?.["additionalProperty"];
    const path = (first.instancePath ?? "").replace(/^\//, "").replace(/\//g, ".");
    const field = [path, typeof missing === "string" ? missing : ""].filter((x) => x).join(".") || (e as { validationContext?: string }).validationContext || "body";
    return { status: 400, body: { error: "VALIDATION", field, message: `${field}: ${first.message ?? "invalid"}` } };
  }
  const status = (e as { statusCode?: number }).statusCode;
  if (typeof status === "number" && status >= 400 && status < 500)
    return { status, body: { error: status === 429 ? "RATE_LIMITED" : "BAD_REQUEST", field: "request", message: (e as Error).message } };
  return undefined;
}

/** A decimal string (validated by the schema) as a bigint. */
export function units(text: string): bigint {
  return BigInt(text);
}
