// Authentication of `pool2peer serve` on a real server: a forged, replayed, tampered or foreign-account request
// changes nothing and gets a clear 4xx; session grants cannot be forged or replayed; rate limits hold per account.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signPersonalMessage } from "../server/auth/eip191.js";
import { NONCE_HEADER, SESSION_HEADER, SIGNATURE_HEADER, requestPayload, sessionMessage, signRequest } from "../server/auth/signing.js";
import type { ServeClient } from "../server/client.js";
import { ADDRESS, KEYS, USDC, clientOf, expiryIn, startTestServer, testConfig } from "./support/serve.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
let alice: ServeClient, mallory: ServeClient;
const expiry = expiryIn(14);

/** The pool's and the book's state: equal before and after a refused request. */
const state = () => JSON.stringify([server.service.pool.snapshot(), server.service.book.snapshot(), server.service.pool.seq]);

/** Sends a raw request; returns status and body. */
async function raw(path: string, init: { method?: string; headers?: Record<string, string>; body?: string }) {
  const r = await fetch(server.url + path, { method: init.method ?? "POST", headers: { "content-type": "application/json", ...init.headers }, ...(init.body !== undefined ? { body: init.body } : {}) });
  return { status: r.status, body: (await r.json()) as { error: string; field: string; message: string } };
}

beforeAll(async () => {
  server = await startTestServer();
  [alice, mallory] = await Promise.all([clientOf(server.url, "alice"), clientOf(server.url, "mallory")]);
  await alice.signed("POST", "/v1/lp/deposit", { assets: (100_000n * USDC).toString() });
});
afterAll(async () => server?.stop());

describe("serve auth: signed requests", () => {
  it("refuses a request signed with another key (forged) with 401 BAD_SIGNATURE and changes nothing", async () => {
    const before = state();
    const body = JSON.stringify({ shares: "1000" });
    const headers = { [SESSION_HEADER]: alice.session!.session, [NONCE_HEADER]: "999", [SIGNATURE_HEADER]: signRequest("ab".repeat(32), requestPayload("POST", "/v1/lp/redeem", 999, body)) };
    expect(await raw("/v1/lp/redeem", { headers, body })).toMatchObject({ status: 401, body: { error: "BAD_SIGNATURE", field: "authorization" } });
    expect(state()).toBe(before);
  });

  it("refuses a replay of a correctly signed request with 401 REPLAYED: it happened once", async () => {
    const body = JSON.stringify({ assets: (10n * USDC).toString() });
    const headers = alice.sign("POST", "/v1/lp/deposit", body);
    expect((await raw("/v1/lp/deposit", { headers, body })).status).toBe(200);
    const before = state();
    expect(await raw("/v1/lp/deposit", { headers, body })).toMatchObject({ status: 401, body: { error: "REPLAYED" } });
    expect(state()).toBe(before);
  });

  it("refuses a signed request whose body or path was changed in flight (401) and changes nothing", async () => {
    const before = state();
    const headers = alice.sign("POST", "/v1/lp/redeem", JSON.stringify({ shares: "1" }));
    expect((await raw("/v1/lp/redeem", { headers, body: JSON.stringify({ shares: "1000000000" }) })).status).toBe(401);
    const moved = alice.sign("POST", "/v1/lp/redeem", JSON.stringify({ shares: "1" }));
    expect((await raw("/v1/lp/withdraw", { headers: moved, body: JSON.stringify({ shares: "1" }) })).status).toBe(401);
    expect(state()).toBe(before);
  });

  it("refuses unsigned calls and unknown sessions (401)", async () => {
    const before = state();
    expect(await raw("/v1/lp/deposit", { body: JSON.stringify({ assets: "1" }) })).toMatchObject({ status: 401, body: { error: "UNSIGNED" } });
    const headers = { [SESSION_HEADER]: "00".repeat(16), [NONCE_HEADER]: "1", [SIGNATURE_HEADER]: "00".repeat(32) };
    expect(await raw("/v1/lp/deposit", { headers, body: JSON.stringify({ assets: "1" }) })).toMatchObject({ status: 401, body: { error: "BAD_SESSION" } });
    expect(state()).toBe(before);
  });

  it("lets an account act only for itself: no body names an account, and another's order or withdrawal is not found", async () => {
    const before = state();
    const named = await raw("/v1/lp/redeem", { headers: mallory.sign("POST", "/v1/lp/redeem", JSON.stringify({ shares: "1", owner: ADDRESS.alice })), body: JSON.stringify({ shares: "1", owner: ADDRESS.alice }) });
    expect(named).toMatchObject({ status: 400, body: { error: "VALIDATION", field: "owner" } });
    // Mallory redeeming "her" shares redeems only hers: she has none.
    expect((await raw("/v1/lp/redeem", { headers: mallory.sign("POST", "/v1/lp/redeem", JSON.stringify({ shares: "1" })), body: JSON.stringify({ shares: "1" }) })).body.error).toBe("INSUFFICIENT_SHARES");
    await alice.signed("POST", "/v1/book/list", { type: "put", strike: 2800, expiry });
    const rest = await alice.signed<{ resting: { id: number } }>("POST", "/v1/orders", { type: "put", strike: 2800, expiry, side: "buy", size: "100", limitPrice: "1000000", funds: "1000000" });
    const mid = state();
    const cancel = await raw(`/v1/orders/${rest.resting.id}`, { method: "DELETE", headers: { ...mallory.sign("DELETE", `/v1/orders/${rest.resting.id}`, "") } });
    expect(cancel).toMatchObject({ status: 404, body: { error: "UNKNOWN_ORDER", field: "id" } });
    expect(state()).toBe(mid);
    expect(before).not.toBe(mid);
  });

  it("keeps admin routes for admin addresses (403 NOT_ADMIN otherwise)", async () => {
    const before = state();
    for (const [path, body] of [["/v1/admin/oracle", { spot: 1 }], ["/v1/admin/lift-pause", { scope: "trading", reason: "x" }], ["/v1/admin/params", { params: { spotFeeRate: 0 } }], ["/v1/admin/settle", { expiry, price: 1, reason: "x" }]] as const) {
      const text = JSON.stringify(body);
      expect(await raw(path, { headers: mallory.sign("POST", path, text), body: text })).toMatchObject({ status: 403, body: { error: "NOT_ADMIN" } });
    }
    expect(state()).toBe(before);
  });
});

describe("serve auth: session grants", () => {
  const grantOf = async (address: string) => {
    const { challenge, now } = await alice.get<{ challenge: string; now: number }>("/v1/auth/challenge");
    return { address, challenge, expiresAt: now + 600 };
  };

  it("refuses a grant signed by a key that is not the address's (401 BAD_SIGNATURE)", async () => {
    const grant = await grantOf(ADDRESS.alice);
    const r = await raw("/v1/auth/session", { body: JSON.stringify({ ...grant, signature: signPersonalMessage(sessionMessage(grant), KEYS.mallory) }) });
    expect(r).toMatchObject({ status: 401, body: { error: "BAD_SIGNATURE" } });
  });

  it("refuses a replayed grant: its challenge was used (401 BAD_CHALLENGE)", async () => {
    const grant = await grantOf(ADDRESS.mallory);
    const body = JSON.stringify({ ...grant, signature: signPersonalMessage(sessionMessage(grant), KEYS.mallory) });
    expect((await raw("/v1/auth/session", { body })).status).toBe(200);
    expect(await raw("/v1/auth/session", { body })).toMatchObject({ status: 401, body: { error: "BAD_CHALLENGE" } });
  });

  it("refuses a session longer than the limit, and requests after the session is closed", async () => {
    const grant = { ...(await grantOf(ADDRESS.mallory)), expiresAt: Math.floor(Date.now() / 1000) + 10 * 86_400 };
    expect((await raw("/v1/auth/session", { body: JSON.stringify({ ...grant, signature: signPersonalMessage(sessionMessage(grant), KEYS.mallory) }) })).body.error).toBe("BAD_GRANT");
    const client = await clientOf(server.url, "mallory");
    await client.signed("DELETE", "/v1/auth/session");
    const headers = client.sign("POST", "/v1/claim", "{}");
    expect(await raw("/v1/claim", { headers, body: "{}" })).toMatchObject({ status: 401, body: { error: "BAD_SESSION" } });
  });
});

describe("serve auth: rate limits", () => {
  it("limits each account separately (429 past max in the window), and the limited request changes nothing", async () => {
    const limited = await startTestServer(testConfig({ rateLimit: { max: 4, windowMs: 60_000 } }));
    try {
      const a = await clientOf(limited.url, "alice");
      const b = await clientOf(limited.url, "bob");
      const statuses: number[] = [];
      // Opening the two sessions takes 4 requests of this client address's budget (public routes count per address).
      for (let i = 0; i < 5; i++) {
        const body = JSON.stringify({ assets: "1000000" });
        const r = await fetch(`${limited.url}/v1/lp/deposit`, { method: "POST", headers: { "content-type": "application/json", ...a.sign("POST", "/v1/lp/deposit", body) }, body });
        statuses.push(r.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      expect(limited.service.pool.events.filter((e) => e.kind === "deposit").length).toBe(4);
      await b.signed("POST", "/v1/lp/deposit", { assets: "1000000" }); // bob's budget is his own
    } finally {
      await limited.stop();
    }
  });
});
