// The whole API of `pool2peer serve` against a real server on loopback: LP operations, quotes, trades, the peer book,
// claims after a settlement, views (NAV, greeks, stress, events), admin routes, the OpenAPI document, metrics, and a
// restart that replays the log to the same state.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServeError, type ServeClient } from "../server/client.js";
import { startServer } from "../server/start.js";
import { ADDRESS, USDC, clientOf, expiryIn, startTestServer } from "./support/serve.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
let alice: ServeClient, bob: ServeClient, carol: ServeClient, admin: ServeClient;
const expiry = expiryIn(14);
const put = { type: "put" as const, strike: 2800, expiry };

/** The refusal a call ends with (status, code, field). */
async function refusal(call: Promise<unknown>): Promise<{ status: number; code: string; field: string }> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ServeError) return { status: e.status, code: e.code, field: e.field };
    throw e;
  }
  throw new Error("the call succeeded");
}

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob, carol, admin] = await Promise.all([clientOf(server.url, "alice"), clientOf(server.url, "bob"), clientOf(server.url, "carol"), clientOf(server.url, "admin")]);
});
afterAll(async () => server?.stop());

describe("serve: LP, quotes and trades", () => {
  it("deposits for shares at the pool's preview, and shows them on the account", async () => {
    const preview = server.service.pool.previewDeposit(1_000_000n * USDC);
    const r = await alice.signed<{ shares: string; seq: number }>("POST", "/v1/lp/deposit", { assets: (1_000_000n * USDC).toString() });
    expect(BigInt(r.shares)).toBe(preview);
    expect(r.seq).toBe(server.service.pool.seq);
    const account = await alice.get<{ shares: string; value: string }>(`/v1/accounts/${ADDRESS.alice}`);
    expect(account.shares).toBe(r.shares);
    const pool = await alice.get<{ assets: string; totalSupply: string; nav: string }>("/v1/pool");
    expect(pool.assets).toBe((1_000_000n * USDC).toString());
    expect(pool.nav).toBe(pool.assets); // no options open: NAV = assets
  });

  it("quotes exactly what the pool quotes, and trades at it within maxCost", async () => {
    // The quote moves with the clock (years to expiry): the server's answer is the pool's just before or just after.
    const direct = () => server.service.pool.quote({ ...put, size: 500n, side: "buy" }).total.toString();
    const before = direct();
    const q = await bob.get<{ total: string; premium: string }>(`/v1/quote?type=put&strike=2800&expiry=${expiry}&size=500&side=buy`);
    expect([before, direct()]).toContain(q.total);
    const traded = await bob.signed<{ quote: { total: string }; seq: number }>("POST", "/v1/trade", { ...put, size: "500", side: "buy", maxCost: (BigInt(q.total) * 2n).toString() });
    expect(BigInt(traded.quote.total)).toBeGreaterThan(0n);
    const events = await bob.get<{ events: { kind: string; trader: string; paid: string }[] }>(`/v1/events?after=${traded.seq - 1}&limit=1`);
    expect(events.events[0]).toMatchObject({ kind: "trade", trader: ADDRESS.bob, paid: traded.quote.total });
    const account = await bob.get<{ positions: { size: string }[] }>(`/v1/accounts/${ADDRESS.bob}`);
    expect(account.positions).toEqual([expect.objectContaining({ size: "500" })]);
  });

  it("refuses a trade beyond its slippage bound with SLIPPAGE naming maxCost, and changes nothing", async () => {
    const seq = server.service.pool.seq;
    expect(await refusal(bob.signed("POST", "/v1/trade", { ...put, size: "100", side: "buy", maxCost: "1" }))).toEqual({ status: 409, code: "SLIPPAGE", field: "maxCost" });
    expect(server.service.pool.seq).toBe(seq);
  });

  it("sells to close with minProceeds, and redeems, withdraws, mints and queues", async () => {
    const sold = await bob.signed<{ quote: { total: string } }>("POST", "/v1/trade", { ...put, size: "100", side: "sell", minProceeds: "0" });
    expect(BigInt(sold.quote.total)).toBeGreaterThan(0n);
    const minted = await carol.signed<{ assets: string }>("POST", "/v1/lp/mint", { shares: (10_000n * 10n ** 12n).toString() } /* 12 share decimals: 10,000 shares */);
    expect(BigInt(minted.assets)).toBeGreaterThan(0n);
    const withdrawn = await carol.signed<{ shares: string }>("POST", "/v1/lp/withdraw", { assets: (100n * USDC).toString() });
    expect(BigInt(withdrawn.shares)).toBeGreaterThan(0n);
    const redeemed = await carol.signed<{ assets: string; queuedShares: string; withdrawalId: number | null }>("POST", "/v1/lp/redeem", { shares: "1000" });
    expect(redeemed).toMatchObject({ queuedShares: "0", withdrawalId: null });
    expect(await refusal(carol.signed("POST", "/v1/lp/cancel-withdrawal", { id: 99 }))).toMatchObject({ status: 404, code: "UNKNOWN_WITHDRAWAL" });
    expect((await carol.signed<{ payments: number }>("POST", "/v1/withdrawals/process")).payments).toBe(0);
  });
});

describe("serve: the peer book", () => {
  it("lists a series, rests a limit sell, fills a buy against it, cancels the rest", async () => {
    await carol.signed("POST", "/v1/book/list", put);
    const ask = await carol.signed<{ resting: { id: number; escrow: string } }>("POST", "/v1/orders", { ...put, side: "sell", size: "300", limitPrice: (5n * USDC).toString(), funds: (10_000n * USDC).toString() });
    expect(ask.resting.escrow).toBe((2800n * USDC * 3n).toString()); // 3 contracts of a 2800 put, fully collateralised
    const book = await bob.get<{ asks: { id: number; size: string }[]; bids: unknown[] }>(`/v1/book?type=put&strike=2800&expiry=${expiry}`);
    expect(book.asks).toEqual([expect.objectContaining({ id: ask.resting.id, size: "300" })]);
    const fill = await bob.signed<{ peerFills: { size: string; maker: string }[]; filledByPeers: string }>("POST", "/v1/orders", { ...put, side: "buy", size: "100", limitPrice: (6n * USDC).toString(), funds: (100n * USDC).toString() });
    expect(fill.peerFills).toEqual([expect.objectContaining({ size: "100", maker: ADDRESS.carol })]);
    expect(await refusal(bob.signed("DELETE", `/v1/orders/${ask.resting.id}`))).toMatchObject({ status: 404, code: "UNKNOWN_ORDER" }); // not bob's
    const cancel = await carol.signed<{ refund: string }>("DELETE", `/v1/orders/${ask.resting.id}`);
    expect(cancel.refund).toBe((2800n * USDC * 2n).toString());
    const series = await bob.get<{ book: { openSize: string }[] }>("/v1/series");
    expect(series.book).toEqual([expect.objectContaining({ openSize: "100" })]);
  });
});

describe("serve: risk views", () => {
  it("serves net greeks and a stress report of the book the pool holds", async () => {
    const greeks = await bob.get<{ total: { delta: number }; seq: number }>("/v1/greeks");
    expect(greeks.total.delta).toBeGreaterThan(0); // the pool is short puts: minus a put's negative delta
    const stress = await bob.signed<{ results: unknown[]; minSolvency: number | null }>("POST", "/v1/stress", {});
    expect(stress.results.length).toBe(23);
    const one = await bob.signed<{ results: { scenario: { name: string } }[] }>("POST", "/v1/stress", { scenarios: [{ name: "crash", spotFactor: 0.5, volShock: 1 }] });
    expect(one.results.map((r) => r.scenario.name)).toEqual(["crash"]);
  });
});

describe("serve: admin routes", () => {
  it("prints the oracle, trips and lifts a pause, changes parameters; a non-admin is refused with 403", async () => {
    expect(await refusal(bob.signed("POST", "/v1/admin/oracle", { spot: 1 }))).toMatchObject({ status: 403, code: "NOT_ADMIN" });
    const print = await admin.signed<{ spot: number }>("POST", "/v1/admin/oracle", { spot: 3010 });
    expect(print.spot).toBe(3010);
    expect((await bob.get<{ spot: number }>("/v1/oracle")).spot).toBe(3010);
    const until = Math.floor(Date.now() / 1000) + 3600;
    await admin.signed("POST", "/v1/admin/breaker", { breaker: "liquidity", reason: "drill", pausedUntil: until });
    expect(await refusal(carol.signed("POST", "/v1/lp/withdraw", { assets: "1" }))).toMatchObject({ status: 409, code: "WITHDRAWALS_PAUSED" });
    await admin.signed("POST", "/v1/admin/lift-pause", { scope: "withdrawals", reason: "drill over" });
    const params = await admin.signed<{ params: Record<string, number> }>("POST", "/v1/admin/params", { params: { spotFeeRate: 0.001 } });
    expect(params.params.spotFeeRate).toBe(0.001);
    expect(server.service.pool.settings.params.spotFeeRate).toBe(0.001);
    expect(server.service.pool.eventsSince(server.service.pool.seq - 1)).toEqual([
      expect.objectContaining({ kind: "paramsChanged", changes: '{"spotFeeRate":0.001}', reason: `by ${ADDRESS.admin}` }),
    ]); // a logged pool event, naming the operator
    expect(await refusal(admin.signed("POST", "/v1/admin/params", { params: { noSuchParameter: 1 } }))).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    const seq = server.service.pool.seq;
    expect(await refusal(admin.signed("POST", "/v1/admin/params", { params: { spotFeeRate: -1 } }))).toMatchObject({ status: 400, code: "INVALID_INPUT", field: "params.spotFeeRate" });
    expect(server.service.pool.seq).toBe(seq);
    expect(await refusal(admin.signed("POST", "/v1/admin/settle", { expiry, price: 2000, reason: "test" }))).toMatchObject({ status: 409, code: "SETTLEMENT_PENDING" }); // refused while the oracle can still give a price
  });
});

describe("serve: settlement and claims", () => {
  it("settles a short expiry from the first print after it, then pays the holder's claim", async () => {
    const now = Math.floor(Date.now() / 1000);
    const soon = now + 3;
    await bob.signed("POST", "/v1/trade", { type: "put", strike: 3200, expiry: soon, size: "100", side: "buy", maxCost: (10_000n * USDC).toString() });
    await new Promise((r) => setTimeout(r, (soon - Date.now() / 1000 + 1.1) * 1000));
    await admin.signed("POST", "/v1/admin/oracle", { spot: 3000 }); // the first print at or after the expiry: the keeper settles
    const settled = server.service.pool.events.find((e) => e.kind === "settle" && e.expiry === soon);
    expect(settled).toMatchObject({ kind: "settle", source: "print", price: 3000 });
    const claim = await bob.signed<{ assets: string }>("POST", "/v1/claim");
    expect(claim.assets).toBe((200n * USDC).toString()); // (3200 − 3000) × 1 contract
    expect(await refusal(bob.signed("POST", "/v1/claim"))).toMatchObject({ status: 409, code: "NOTHING_TO_CLAIM" });
    expect(await refusal(bob.signed("POST", "/v1/book/claim"))).toMatchObject({ status: 409, code: "NOTHING_TO_CLAIM" });
  }, 20_000);
});

describe("serve: documents and operation", () => {
  it("serves an OpenAPI 3 document with a schema for every API route", async () => {
    const doc = await bob.get<{ openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>> }>("/openapi.json");
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ["/v1/lp/deposit", "/v1/trade", "/v1/orders", "/v1/orders/{id}", "/v1/quote", "/v1/admin/oracle", "/v1/auth/session", "/v1/stress", "/health"]) expect(doc.paths[path], path).toBeDefined();
    expect(doc.paths["/v1/trade"]!["post"]!.requestBody).toBeDefined();
    expect(doc.paths["/v1/trade"]!["post"]!.responses["200"]).toBeDefined();
  });

  it("exposes Prometheus metrics and health", async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/pool2peer_http_request_seconds_bucket\{[^}]*route="\/v1\/trade"/);
    expect(text).toMatch(new RegExp(`pool2peer_pool_seq ${server.service.durableSeq}`));
    expect(await bob.get("/health")).toMatchObject({ status: "ok", seq: server.service.pool.seq });
  });

  it("restarts from its log to the identical pool and book", async () => {
    const pool = server.service.pool.snapshot();
    const book = server.service.book.snapshot();
    await server.stop();
    const again = await startServer({ configPath: server.configPath, dbPath: server.dbPath, port: 0, logger: false });
    try {
      expect(again.service.pool.snapshot()).toEqual(pool);
      expect(again.service.book.snapshot()).toEqual(book);
      expect(again.service.pool.settings.params.spotFeeRate).toBe(0.001); // the admin's parameter change is durable too
    } finally {
      await again.stop();
    }
  });
});
