// Operator routes, signed by an admin address (pool.json "admins"): oracle prints, the settlement fallback, lifting a
// pause, tripping a breaker, and pool parameters. Each is a logged pool event (or a stored print).
import type { Static, TSchema } from "typebox";
import type { PoolParams } from "../../pool/params.js";
import type { App, ServerParts } from "../app.js";
import * as S from "../schemas.js";
import { reply } from "./views.js";

const admin = { auth: "admin" } as const;
const schema = { tags: ["admin"], security: [{ session: [] }] };
const refusals = S.Refusals;

export function registerAdminRoutes(app: App, { service }: ServerParts): void {
  app.post("/v1/admin/oracle", {
    config: admin,
    schema: { ...schema, summary: "Records an oracle print at the server's time and runs the keeper", body: S.OracleBody, response: { 200: S.OracleReply, ...refusals } },
  }, async (r) => {
    const s = await service.print(r.body);
    return { spot: s.spot, baseVol: s.baseVol, timestamp: s.timestamp, ...(s.skew !== undefined ? { skew: s.skew } : {}) };
  });

  /** An operator call on the pool that replies with the log's seq once durable. */
  const poolCall = <B extends TSchema>(path: string, summary: string, body: B, call: (b: Static<B>) => void) =>
    app.post(path, { config: admin, schema: { ...schema, summary, body, response: { 200: S.SeqReply, ...refusals } } }, async (r) =>
      reply(S.SeqReply, await service.run(() => {
        call(r.body as Static<B>);
        return { seq: service.pool.seq };
      })));
  poolCall("/v1/admin/settle", "Settlement's last resort: settles an expiry at a price when neither a print nor the TWAP gives one", S.AdminSettleBody,
    (b) => service.pool.adminSettle(b.expiry, b.price, b.reason));
  poolCall("/v1/admin/lift-pause", "Ends a trading or withdrawals pause before its time", S.LiftPauseBody, (b) => service.pool.liftPause(b.scope, b.reason));
  poolCall("/v1/admin/breaker", "Trips a circuit breaker: LP withdrawals pause until pausedUntil", S.BreakerBody,
    (b) => service.pool.tripCircuitBreaker(b.breaker, b.reason, b.pausedUntil));

  app.post("/v1/admin/params", {
    config: admin,
    schema: { ...schema, summary: "Changes pool parameters (checked as a whole; unknown names refused)", body: S.ParamsBody, response: { 200: S.ParamsReply, ...refusals } },
  }, async (r) => {
    const params = await service.setParams(r.body.params as Partial<PoolParams>, `by ${r.session!.account}`);
    return { params: { ...params }, seq: service.pool.seq };
  });
}
