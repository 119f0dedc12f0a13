// Operator routes, signed by an admin address (pool.json "admins"): oracle prints, the settlement fallback, lifting a
// pause, tripping a breaker, and pool parameters. Each is a logged pool event (or a stored print or parameter record).
import type { PoolParams } from "../../pool/params.js";
import type { App, ServerParts } from "../app.js";
import * as S from "../schemas.js";
import { reply } from "./views.js";

const admin = { auth: "admin" } as const;
const schema = { tags: ["admin"], security: [{ session: [] }] };
const refusals = { 400: S.ErrorReply, 401: S.ErrorReply, 403: S.ErrorReply, 409: S.ErrorReply, 429: S.ErrorReply, 503: S.ErrorReply };

export function registerAdminRoutes(app: App, { service }: ServerParts): void {
  app.post("/v1/admin/oracle", {
    config: admin,
    schema: { ...schema, summary: "Records an oracle print at the server's time and runs the keeper", body: S.OracleBody, response: { 200: S.OracleReply, ...refusals } },
  }, async (r) => {
    const s = await service.print(r.body);
    return { spot: s.spot, baseVol: s.baseVol, timestamp: s.timestamp, ...(s.skew !== undefined ? { skew: s.skew } : {}) };
  });

  app.post("/v1/admin/settle", {
    config: admin,
    schema: { ...schema, summary: "Settlement's last resort: settles an expiry at a price when neither a print nor the TWAP gives one", body: S.AdminSettleBody, response: { 200: S.SeqReply, ...refusals } },
  }, async (r) => reply(S.SeqReply, await service.run(() => {
    service.pool.adminSettle(r.body.expiry, r.body.price, r.body.reason);
    return { seq: service.pool.seq };
  })));

  app.post("/v1/admin/lift-pause", {
    config: admin,
    schema: { ...schema, summary: "Ends a trading or withdrawals pause before its time", body: S.LiftPauseBody, response: { 200: S.SeqReply, ...refusals } },
  }, async (r) => reply(S.SeqReply, await service.run(() => {
    service.pool.liftPause(r.body.scope, r.body.reason);
    return { seq: service.pool.seq };
  })));

  app.post("/v1/admin/breaker", {
    config: admin,
    schema: { ...schema, summary: "Trips a circuit breaker: LP withdrawals pause until pausedUntil", body: S.BreakerBody, response: { 200: S.SeqReply, ...refusals } },
  }, async (r) => reply(S.SeqReply, await service.run(() => {
    service.pool.tripCircuitBreaker(r.body.breaker, r.body.reason, r.body.pausedUntil);
    return { seq: service.pool.seq };
  })));

  app.post("/v1/admin/params", {
    config: admin,
    schema: { ...schema, summary: "Changes pool parameters (checked as a whole; unknown names refused)", body: S.ParamsBody, response: { 200: S.ParamsReply, ...refusals } },
  }, async (r) => {
    const params = await service.setParams(r.body.params as Partial<PoolParams>);
    return { params: { ...params }, seq: service.pool.seq };
  });
}
