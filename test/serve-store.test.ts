// The service's durable record on a real server: the SQLite database (snapshots every snapshotEvery events and at a
// graceful stop, a restart from the verified snapshot to the identical pool and book, a tampered snapshot refused, a
// record written whole or not at all) and the JSON-lines file (restart by replaying it).
import Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ServeError, type ServeClient } from "../server/client.js";
import { startServer, type RunningServer } from "../server/start.js";
import { USDC, clientOf, expiryIn, makeServeDir, testConfig } from "./support/serve.js";

const expiry = expiryIn(14);
const put = { type: "put" as const, strike: 2800, expiry };
const running: RunningServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop().catch(() => {});
});

async function start(paths: { configPath: string; dbPath: string }): Promise<RunningServer> {
  const server = await startServer({ configPath: paths.configPath, dbPath: paths.dbPath, port: 0, logger: false });
  running.push(server);
  return server;
}

/** Deposits, trades, a book order filled by a peer and the pool, and a parameter change. */
async function history(url: string): Promise<{ alice: ServeClient; bob: ServeClient; carol: ServeClient }> {
  const [alice, bob, carol, admin] = await Promise.all([clientOf(url, "alice"), clientOf(url, "bob"), clientOf(url, "carol"), clientOf(url, "admin")]);
  await alice.signed("POST", "/v1/lp/deposit", { assets: (1_000_000n * USDC).toString() });
  for (let i = 0; i < 4; i++) await bob.signed("POST", "/v1/trade", { ...put, size: "100", side: "buy", maxCost: (1000n * USDC).toString() });
  await carol.signed("POST", "/v1/book/list", put);
  await carol.signed("POST", "/v1/orders", { ...put, side: "sell", size: "100", limitPrice: (5n * USDC).toString(), funds: (10_000n * USDC).toString() });
  await admin.signed("POST", "/v1/admin/params", { params: { spotFeeRate: 0.001 } });
  return { alice, bob, carol };
}

/** The order that takes carol's ask and buys the rest from the pool: one record with pool and book events. */
const mixedOrder = { ...put, side: "buy", size: "300", limitPrice: (1000n * USDC).toString(), funds: (5000n * USDC).toString() };

function raw(path: string): Database.Database {
  return new Database(path);
}

describe("serve: the SQLite database", () => {
  it("snapshots every snapshotEvery pool (and book) events and at a graceful stop; restarts from them to the identical pool and book", async () => {
    const paths = makeServeDir(testConfig({ snapshotEvery: 3 }));
    const first = await start(paths);
    const { bob } = await history(first.url);
    const filled = await bob.signed<{ peerFills: unknown[]; poolFill?: unknown }>("POST", "/v1/orders", mixedOrder);
    expect(filled.peerFills.length).toBe(1);
    const reader = new Database(paths.dbPath, { readonly: true });
    const snapped = reader.prepare("SELECT max(seq) FROM snapshots WHERE log = 'pool'").pluck().get() as number;
    reader.close();
    expect(snapped).toBeGreaterThanOrEqual(3); // taken while serving
    const pool = first.service.pool.snapshot();
    const book = first.service.book.snapshot();
    const seq = first.service.pool.seq;
    const bookSeq = first.service.book.seq;
    await first.stop();
    const db = raw(paths.dbPath);
    expect(db.prepare("SELECT max(seq) FROM snapshots WHERE log = 'pool'").pluck().get()).toBe(seq); // the stop's snapshot
    expect(db.prepare("SELECT max(seq) FROM snapshots WHERE log = 'book'").pluck().get()).toBe(bookSeq); // and the book's
    db.close();

    const second = await start(paths);
    expect(second.service.pool.snapshot()).toEqual(pool);
    expect(second.service.book.snapshot()).toEqual(book);
    expect(second.service.pool.settings.params.spotFeeRate).toBe(0.001);
    const after = await (await clientOf(second.url, "bob")).signed<{ seq: number }>("POST", "/v1/trade", { ...put, size: "100", side: "buy", maxCost: (1000n * USDC).toString() });
    expect(after.seq).toBe(seq + 1);
  });

  it("refuses to start from a snapshot whose state was edited (its MAC no longer matches)", async () => {
    const paths = makeServeDir(testConfig());
    const first = await start(paths);
    await history(first.url);
    await first.stop();
    const db = raw(paths.dbPath);
    const row = db.prepare("SELECT seq, state FROM snapshots WHERE log = 'pool' ORDER BY seq DESC LIMIT 1").get() as { seq: number; state: string };
    const edited = row.state.replace(/"free":"(\d)/, (_m, d: string) => `"free":"${(Number(d) + 1) % 10}`);
    expect(edited).not.toBe(row.state);
    db.prepare("UPDATE snapshots SET state = ? WHERE log = 'pool' AND seq = ?").run(edited, row.seq);
    db.close();
    await expect(startServer({ configPath: paths.configPath, dbPath: paths.dbPath, port: 0, logger: false })).rejects.toThrow(/TAMPERED|mac does not match/);
  });

  it("writes a record whole or not at all: a failed write of an order's book events keeps its pool trade out too", async () => {
    const paths = makeServeDir(testConfig());
    const first = await start(paths);
    const { bob } = await history(first.url);
    const before = { pool: first.service.pool.seq, book: first.service.book.seq, state: first.service.pool.snapshot() };
    // Another connection plants a row where the order's first book event goes: that insert fails, so the transaction does.
    const planter = raw(paths.dbPath);
    planter.prepare("INSERT INTO book_events (seq, hash, event) VALUES (?, ?, ?)").run(before.book + 1, "0".repeat(64), "{}");
    const refused = await bob.signed("POST", "/v1/orders", mixedOrder).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(ServeError);
    expect((refused as ServeError).status).toBeGreaterThanOrEqual(500);
    expect(first.service.pool.seq).toBeGreaterThan(before.pool); // in memory the trade happened: the service stops (fail-stop)
    expect(first.service.failure).toBeDefined();
    await first.stop().catch(() => {});
    planter.prepare("DELETE FROM book_events WHERE seq = ?").run(before.book + 1);
    planter.close();

    const second = await start(paths);
    expect(second.service.pool.seq).toBe(before.pool);
    expect(second.service.book.seq).toBe(before.book);
    expect(second.service.pool.snapshot()).toEqual(before.state);
  });
});

describe("serve: the JSON-lines log", () => {
  it("restarts by replaying the file to the identical pool and book", async () => {
    const dir = makeServeDir(testConfig());
    const paths = { configPath: dir.configPath, dbPath: join(dir.dir, "pool.jsonl") };
    const first = await start(paths);
    const { bob } = await history(first.url);
    await bob.signed("POST", "/v1/orders", mixedOrder);
    const pool = first.service.pool.snapshot();
    const book = first.service.book.snapshot();
    await first.stop();
    const second = await start(paths);
    expect(second.service.pool.snapshot()).toEqual(pool);
    expect(second.service.book.snapshot()).toEqual(book);
    expect(second.service.pool.settings.params.spotFeeRate).toBe(0.001);
  });
});
