// Public reads: health, the pool, the oracle, quotes, an account, the series, the book of a series, net greeks, stress,
// and the event logs. Nothing here changes the pool.
import type { Static, TSchema } from "typebox";
import type { App, ServerParts } from "../app.js";
import { seriesRefOf } from "../../pool/series.js";
import { plain, units } from "../codec.js";
import * as S from "../schemas.js";

/** A pool value as the reply its schema describes. */
export const reply = <T extends TSchema>(_schema: T, value: unknown) => plain(value) as Static<T>;

export function registerViewRoutes(app: App, parts: ServerParts): void {
  const { service } = parts;
  const tags = ["views"];

  app.get("/health", { schema: { tags, summary: "Liveness and the log's position", response: { 200: S.HealthReply, 503: S.HealthReply } } }, async (_r, res) => {
    const status = service.failure ? "failed" : parts.draining() ? "draining" : "ok";
    const now = service.clock.now();
    return res.status(status === "ok" ? 200 : 503).send({
      status, seq: service.pool.seq, bookSeq: service.bookSeq, oracleAgeSeconds: now - service.oracle.latest().timestamp,
      uptimeSeconds: now - parts.startedAt, sessions: parts.sessions.size, subscribers: parts.streams.size,
    });
  });

  app.get("/v1/pool", { schema: { tags, summary: "The pool's ledger, NAV and pauses", response: { 200: S.PoolReply } } }, async () => {
    const p = service.pool;
    const s = p.settings;
    return reply(S.PoolReply, {
      seq: p.seq, bookSeq: service.bookSeq, collateral: s.collateral, decimals: s.decimals, sizeDecimals: s.sizeDecimals, priceDecimals: s.priceDecimals,
      assets: p.assets, free: p.free, locked: p.locked, reserved: p.reserved, totalSupply: p.totalSupply, nav: p.nav(), sharePrice: p.sharePrice(),
      utilization: p.utilization, tradingPausedUntil: p.tradingPausedUntil, withdrawalsPausedUntil: p.withdrawalsPausedUntil, totals: p.totals,
      oracle: service.oracle.latest(),
    });
  });

  app.get("/v1/oracle", { schema: { tags, summary: "The latest oracle print", response: { 200: S.OracleReply } } }, async () => {
    const o = service.oracle.latest();
    return { spot: o.spot, baseVol: o.baseVol, timestamp: o.timestamp, ...(o.skew !== undefined ? { skew: o.skew } : {}) };
  });

  app.get("/v1/quote", {
    schema: { tags, summary: "Prices a trade against the pool without doing it", querystring: S.QuoteQuery, response: { 200: S.QuoteReply, ...S.Refusals } },
  }, async (request) => {
    const q = request.query;
    return reply(S.QuoteReply, service.pool.quote({ type: q.type, strike: q.strike, expiry: q.expiry, size: units(q.size), side: q.side }));
  });

  app.get("/v1/accounts/:account", {
    schema: { tags, summary: "An account's shares, claims and positions", params: S.AccountParams, response: { 200: S.AccountReply } },
  }, async (request) => {
    const a = request.params.account;
    const p = service.pool;
    return reply(S.AccountReply, {
      account: a, shares: p.sharesOf(a), value: p.valueOf(a), claimable: p.claimableOf(a), bookClaimable: service.book.claimableOf(a),
      positions: p.positionsOf(a), peerPositions: service.book.positionsOf(a),
      queued: p.withdrawalQueue().filter((q) => q.owner === a).map((q) => ({ id: q.id, shares: q.shares })),
    });
  });

  app.get("/v1/series", { schema: { tags, summary: "Open series of the pool and of the peer book", response: { 200: S.SeriesListReply } } }, async () =>
    reply(S.SeriesListReply, { pool: service.pool.openSeries(), book: service.book.openSeries() }));

  app.get("/v1/book", {
    schema: { tags, summary: "Resting orders of a series, best first", querystring: S.SeriesSpec, response: { 200: S.BookReply, ...S.Refusals } },
  }, async (request) => {
    const spec = request.query;
    const bids = service.book.orders(spec, "buy");
    const asks = service.book.orders(spec, "sell");
    return reply(S.BookReply, { series: seriesOf(parts, spec), bids, asks });
  });

  app.get("/v1/greeks", { schema: { tags, summary: "Net greeks of the pool's short book", response: { 200: S.GreeksReply, ...S.Refusals } } }, async () =>
    reply(S.GreeksReply, service.risk.greeks.refreshIfNeeded(service.pricer)));

  app.post("/v1/stress", {
    schema: { tags, summary: "Stress test of the current book (default: the 23-scenario grid)", body: S.StressBody, response: { 200: S.StressReply, ...S.Refusals } },
  }, async (request) => reply(S.StressReply, await service.pool.stressTest(request.body.scenarios)));
  registerLogViews(app, parts);
}

/** The durable part of the pool's and the book's event logs, a page at a time. */
function registerLogViews(app: App, parts: ServerParts): void {
  const { service } = parts;
  const tags = ["views"];

  app.get("/v1/events", {
    schema: { tags, summary: "Pool events after a seq (durable ones only)", querystring: S.EventsQuery, response: { 200: S.EventsReply } },
  }, async (request) => {
    const after = request.query.after ?? 0;
    const head = service.durableSeq;
    const events = after >= head ? [] : service.pool.eventsSince(after, Math.min(request.query.limit ?? 100, head - after));
    return reply(S.EventsReply, { events, head });
  });

  app.get("/v1/book/events", {
    schema: { tags, summary: "Peer book events after a seq (durable ones only)", querystring: S.EventsQuery, response: { 200: S.EventsReply } },
  }, async (request) => {
    const after = request.query.after ?? 0;
    const head = service.durableBookSeq;
    const events = after >= head ? [] : service.book.eventsSince(after, Math.min(request.query.limit ?? 100, head - after));
    return reply(S.EventsReply, { events, head });
  });
}

/** The series reference of a spec (PoolError naming the bad field). */
function seriesOf(parts: ServerParts, spec: Static<typeof S.SeriesSpec>) {
  const settings = parts.service.pool.settings;
  return seriesRefOf(spec, settings.collateral, settings);
}
