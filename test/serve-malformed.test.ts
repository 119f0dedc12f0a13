// 10,000 malformed requests against a real `pool2peer serve` (fast-check): each starts from a valid request of a route
// and breaks it in one way that no schema admits (bad JSON, a non-object, a missing required field, an unknown field,
// a value of the wrong type or outside its pattern or range), signed correctly (so it reaches validation), signed
// badly, or not at all. Every one gets a 4xx with an error body naming a field, and the pool, the book and the log
// are exactly as before.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServeClient } from "../server/client.js";
import { USDC, clientOf, expiryIn, startTestServer } from "./support/serve.js";

type Kind = "units" | "positiveUnits" | "positive" | "integer" | "type" | "side" | "scope" | "text" | "object" | "array" | "address";

/** Values no schema of that kind admits. */
const INVALID: Record<Kind, unknown[]> = {
  units: [-1, 1, "-1", "01", "1.5", "", "1e3", " 1", "0x10", "\u0661", "9".repeat(61), null, true, {}, []],
  positiveUnits: [0, "0", "-1", "01", "1.5", "", "1e3", "1 ", "9".repeat(61), null, false, {}, [1]],
  positive: ["1", 0, -1, null, true, {}, [], 1e300],
  integer: [1.5, "1", 0, -1, null, true, {}, [], 1e12],
  type: ["CALL", "", 1, null, "put "],
  side: ["BUY", "", 0, null, "sell "],
  scope: ["all", "", 1, null],
  text: [1, null, {}, "", "x".repeat(501)],
  object: [1, "x", null, []],
  array: [1, "x", null, {}, []],
  address: ["0x" + "G".repeat(40), "0x" + "a".repeat(39), 1, null],
};

interface RouteCase {
  method: "POST" | "DELETE" | "GET";
  path: string;
  signer: "account" | "admin" | "none";
  body?: Record<string, unknown>;
  /** Field kinds, and which fields are required. */
  fields?: Record<string, Kind>;
  required?: string[];
}

const expiry = expiryIn(14);
const series = { type: "put", strike: 2800, expiry };
const seriesFields: Record<string, Kind> = { type: "type", strike: "positive", expiry: "integer" };
const ROUTES: RouteCase[] = [
  { method: "POST", path: "/v1/lp/deposit", signer: "account", body: { assets: "1000" }, fields: { assets: "positiveUnits" }, required: ["assets"] },
  { method: "POST", path: "/v1/lp/mint", signer: "account", body: { shares: "1000" }, fields: { shares: "positiveUnits" }, required: ["shares"] },
  { method: "POST", path: "/v1/lp/redeem", signer: "account", body: { shares: "1000" }, fields: { shares: "positiveUnits" }, required: ["shares"] },
  { method: "POST", path: "/v1/lp/withdraw", signer: "account", body: { assets: "1000" }, fields: { assets: "positiveUnits" }, required: ["assets"] },
  { method: "POST", path: "/v1/lp/cancel-withdrawal", signer: "account", body: { id: 1 }, fields: { id: "integer" }, required: ["id"] },
  { method: "POST", path: "/v1/trade", signer: "account", body: { ...series, size: "100", side: "buy", maxCost: "100000000" }, fields: { ...seriesFields, size: "positiveUnits", side: "side", maxCost: "units", minProceeds: "units" }, required: ["type", "strike", "expiry", "size", "side"] },
  { method: "POST", path: "/v1/orders", signer: "account", body: { ...series, side: "buy", size: "100", limitPrice: "1000000", funds: "1000000" }, fields: { ...seriesFields, side: "side", size: "positiveUnits", limitPrice: "positiveUnits", funds: "units" }, required: ["type", "strike", "expiry", "side", "size", "funds"] },
  { method: "POST", path: "/v1/book/list", signer: "account", body: series, fields: seriesFields, required: ["type", "strike", "expiry"] },
  { method: "POST", path: "/v1/settle", signer: "account", body: { expiry }, fields: { expiry: "integer" }, required: ["expiry"] },
  { method: "POST", path: "/v1/claim", signer: "account", body: {} },
  { method: "POST", path: "/v1/book/claim", signer: "account", body: {} },
  { method: "POST", path: "/v1/withdrawals/process", signer: "account", body: {} },
  { method: "POST", path: "/v1/stress", signer: "none", body: { scenarios: [{ name: "x", spotFactor: 0.9, volShock: 0.1 }] }, fields: { scenarios: "array" } },
  { method: "POST", path: "/v1/admin/oracle", signer: "admin", body: { spot: 3000 }, fields: { spot: "positive", baseVol: "positive" } },
  { method: "POST", path: "/v1/admin/settle", signer: "admin", body: { expiry, price: 3000, reason: "x" }, fields: { expiry: "integer", price: "positive", reason: "text" }, required: ["expiry", "price", "reason"] },
  { method: "POST", path: "/v1/admin/lift-pause", signer: "admin", body: { scope: "trading", reason: "x" }, fields: { scope: "scope", reason: "text" }, required: ["scope", "reason"] },
  { method: "POST", path: "/v1/admin/params", signer: "admin", body: { params: { spotFeeRate: 0.001 } }, fields: { params: "object" }, required: ["params"] },
  { method: "POST", path: "/v1/auth/session", signer: "none", body: { address: "0x" + "a".repeat(40), challenge: "0".repeat(32), expiresAt: expiry, signature: "0x" + "1".repeat(130) }, fields: { address: "address", expiresAt: "integer" }, required: ["address", "challenge", "expiresAt", "signature"] },
];

/** One way to break a valid body that no schema admits. */
type Breakage =
  | { kind: "text"; text: string }
  | { kind: "nonObject"; value: unknown }
  | { kind: "missing"; pick: number }
  | { kind: "extra"; key: string; value: unknown }
  | { kind: "wrong"; pick: number; value: number };

const breakage: fc.Arbitrary<Breakage> = fc.oneof(
  fc.string({ maxLength: 40 }).filter((t) => { try { JSON.parse(t); return false; } catch { return true; } }).map((text) => ({ kind: "text" as const, text })),
  fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 })).map((value) => ({ kind: "nonObject" as const, value })),
  fc.nat().map((pick) => ({ kind: "missing" as const, pick })),
  fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue()).map(([key, value]) => ({ kind: "extra" as const, key: `x_${key}`, value })),
  fc.tuple(fc.nat(), fc.nat()).map(([pick, value]) => ({ kind: "wrong" as const, pick, value })),
);

/** The broken body text of `route` (a breakage that does not apply to the route falls back to an unknown field). */
function brokenBody(route: RouteCase, b: Breakage): string {
  const body = { ...route.body };
  const fields = Object.keys(route.fields ?? {});
  const required = route.required ?? [];
  if (b.kind === "text") return b.text;
  if (b.kind === "nonObject") return JSON.stringify(b.value);
  if (b.kind === "missing" && required.length > 0) delete body[required[b.pick % required.length]!];
  else if (b.kind === "wrong" && fields.length > 0) {
    const field = fields[b.pick % fields.length]!;
    const bad = INVALID[route.fields![field]!];
    body[field] = bad[b.value % bad.length];
  } else body[b.kind === "extra" ? b.key : "x_unknown"] = b.kind === "extra" ? b.value : 1;
  return JSON.stringify(body);
}

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
let account: ServeClient, admin: ServeClient;

beforeAll(async () => {
  server = await startTestServer();
  [account, admin] = await Promise.all([clientOf(server.url, "alice"), clientOf(server.url, "admin")]);
  await account.signed("POST", "/v1/lp/deposit", { assets: (100_000n * USDC).toString() });
  await account.signed("POST", "/v1/trade", { ...series, size: "100", side: "buy", maxCost: (10_000n * USDC).toString() });
});
afterAll(async () => server?.stop());

describe("serve: malformed requests", () => {
  it("answers 10,000 malformed requests with a 4xx naming a field, and changes nothing", async () => {
    const state = () => JSON.stringify([server.service.pool.snapshot(), server.service.book.snapshot(), server.service.durableSeq, server.service.durableBookSeq, server.service.pool.settings.params]);
    const before = state();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: ROUTES.length - 1 }), breakage, fc.constantFrom("good", "good", "bad", "none"), async (index, b, signing) => {
        const route = ROUTES[index]!;
        const text = brokenBody(route, b);
        const headers: Record<string, string> = { "content-type": "application/json" };
        const client = route.signer === "admin" ? admin : account;
        if (route.signer !== "none" && signing !== "none") Object.assign(headers, client.sign(route.method, route.path, signing === "good" ? text : text + " "));
        const response = await fetch(server.url + route.path, { method: route.method, headers, body: text });
        const reply = (await response.json()) as { error?: string; field?: string };
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, `${route.path} ${text}`).toBeGreaterThanOrEqual(400);
        expect(response.status, `${route.path} ${text}`).toBeLessThan(500);
        expect(typeof reply.error).toBe("string");
        expect(reply.field, `${route.path} ${text}`).toBeTruthy();
      }),
      { numRuns: 10_000, seed: 21 },
    );
    expect(state()).toBe(before);
    // Most reach validation (signed correctly or public): the test exercises the schemas, not only the signature check.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(5_000);
  }, 300_000);
});
