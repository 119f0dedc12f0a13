// The WebSocket streams of `pool2peer serve` on a real server: quotes of a subscribed series re-priced on an oracle
// print, the book of a series after an order, the durable pool and book events, and refusals of bad messages.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { ServeClient } from "../server/client.js";
import { ADDRESS, USDC, clientOf, expiryIn, startTestServer } from "./support/serve.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
let alice: ServeClient, bob: ServeClient, admin: ServeClient;
const expiry = expiryIn(14);
const series = { type: "put", strike: 2800, expiry };

/** A stream connection that queues what it receives; `next(match)` waits for the first message matching. */
async function connect(url: string) {
  const socket = new WebSocket(url.replace("http", "ws") + "/v1/stream");
  const inbox: Record<string, unknown>[] = [];
  const waiters: { match: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  socket.on("message", (data) => {
    const m = JSON.parse(data.toString()) as Record<string, unknown>;
    const w = waiters.findIndex((x) => x.match(m));
    if (w >= 0) waiters.splice(w, 1)[0]!.resolve(m);
    else inbox.push(m);
  });
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  return {
    socket,
    send: (m: unknown) => socket.send(typeof m === "string" ? m : JSON.stringify(m)),
    next(match: (m: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
      const i = inbox.findIndex(match);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]!);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no matching message")), timeoutMs);
        waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
  };
}

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob, admin] = await Promise.all([clientOf(server.url, "alice"), clientOf(server.url, "bob"), clientOf(server.url, "admin")]);
  await alice.signed("POST", "/v1/lp/deposit", { assets: (1_000_000n * USDC).toString() });
});
afterAll(async () => server?.stop());

describe("serve streams", () => {
  it("sends a subscribed series' quote at once and again, re-priced, after an oracle print", async () => {
    const c = await connect(server.url);
    // The quote moves with the clock (years to expiry): the streamed one is the pool's just before or just after.
    const direct = () => server.service.pool.quote({ type: "put", strike: 2800, expiry, size: 100n, side: "buy" }).total.toString();
    const before = direct();
    c.send({ op: "subscribe", channel: "quotes", series });
    const first = (await c.next((m) => m.channel === "quotes")) as { ask: { total: string }; spot: number };
    expect(first.spot).toBe(3000);
    expect([before, direct()]).toContain(first.ask.total);
    await admin.signed("POST", "/v1/admin/oracle", { spot: 2950 });
    const moved = (await c.next((m) => m.channel === "quotes" && m.spot === 2950)) as { ask: { total: string }; bid: { refused?: string } };
    expect(BigInt(moved.ask.total)).toBeGreaterThan(BigInt(first.ask.total)); // a put is dearer when spot falls
    expect(moved.bid).toEqual({ refused: "INSUFFICIENT_POSITION" }); // the pool buys back only what it wrote
    c.socket.close();
  });

  it("streams the durable pool and book events, and the book of a series after an order", async () => {
    const c = await connect(server.url);
    c.send({ op: "subscribe", channel: "events" });
    c.send({ op: "subscribe", channel: "book", series });
    await c.next((m) => m.channel === "events" && m.subscribed === true);
    await c.next((m) => m.channel === "book");
    const traded = await bob.signed<{ seq: number }>("POST", "/v1/trade", { ...series, size: "100", side: "buy", maxCost: (1000n * USDC).toString() });
    const event = (await c.next((m) => m.channel === "events" && (m.event as { kind: string }).kind === "trade")) as { ledger: string; event: { seq: number; trader: string } };
    expect(event).toMatchObject({ ledger: "pool", event: { seq: traded.seq, trader: ADDRESS.bob } });
    await bob.signed("POST", "/v1/book/list", series);
    await bob.signed("POST", "/v1/orders", { ...series, side: "buy", size: "200", limitPrice: "1000000", funds: "2000000" });
    const book = (await c.next((m) => m.channel === "book" && (m.bids as unknown[]).length > 0)) as { bids: { size: string; owner: string }[] };
    expect(book.bids).toEqual([expect.objectContaining({ size: "200", owner: ADDRESS.bob })]);
    await c.next((m) => m.channel === "events" && m.ledger === "book" && (m.event as { kind: string }).kind === "place");
    c.socket.close();
  });

  it("answers a malformed message with an error naming the field, and keeps the connection", async () => {
    const c = await connect(server.url);
    c.send("not json");
    expect(await c.next((m) => m.error !== undefined)).toMatchObject({ error: "VALIDATION", field: "message" });
    c.send({ op: "subscribe", channel: "quotes", series: { ...series, strike: -1 } });
    expect(await c.next((m) => m.error !== undefined)).toMatchObject({ error: "VALIDATION", field: "series.strike" });
    c.send({ op: "subscribe", channel: "quotes", series: { ...series, type: "call" } });
    expect(await c.next((m) => m.error !== undefined)).toMatchObject({ error: "WRONG_OPTION_TYPE", field: "type" });
    c.send({ op: "subscribe", channel: "events" });
    await c.next((m) => m.channel === "events");
    c.socket.close();
  });
});
