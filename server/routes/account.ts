// Signed routes: what an account does for itself (LP operations, trades, orders, claims) and the keeper calls anyone
// may make (settle, pay the withdrawal queue). The account is always the session's: no body names one, so a session can
// act for no one else. Each reply comes once the operation is durable, with the log's seq after it.
import type { App, ServerParts } from "../app.js";
import { units } from "../codec.js";
import * as S from "../schemas.js";
import { reply } from "./views.js";

const signed = { auth: "account" } as const;
const security = [{ session: [] }];
const refusals = S.Refusals;

export function registerAccountRoutes(app: App, { service }: ServerParts): void {
  const pool = () => service.pool;
  const seq = () => service.pool.seq;
  const lp = { tags: ["lp"], security };

  app.post("/v1/lp/deposit", { config: signed, schema: { ...lp, summary: "Deposits assets for shares (rounded down)", body: S.AssetsBody, response: { 200: S.SharesReply, ...refusals } } },
    async (r) => reply(S.SharesReply, await service.run(() => ({ shares: pool().deposit(r.session!.account, units(r.body.assets)), seq: seq() }))));
  app.post("/v1/lp/mint", { config: signed, schema: { ...lp, summary: "Mints exactly `shares` (assets rounded up)", body: S.SharesBody, response: { 200: S.AssetsReply, ...refusals } } },
    async (r) => reply(S.AssetsReply, await service.run(() => ({ assets: pool().mint(r.session!.account, units(r.body.shares)), seq: seq() }))));
  app.post("/v1/lp/redeem", { config: signed, schema: { ...lp, summary: "Redeems shares: paid now where liquidity allows, the rest queued", body: S.SharesBody, response: { 200: S.RedeemReply, ...refusals } } },
    async (r) => reply(S.RedeemReply, await service.run(() => ({ ...pool().redeem(r.session!.account, units(r.body.shares)), seq: seq() }))));
  app.post("/v1/lp/withdraw", { config: signed, schema: { ...lp, summary: "Withdraws exactly `assets` (shares rounded up)", body: S.AssetsBody, response: { 200: S.SharesReply, ...refusals } } },
    async (r) => reply(S.SharesReply, await service.run(() => ({ shares: pool().withdraw(r.session!.account, units(r.body.assets)), seq: seq() }))));
  app.post("/v1/lp/cancel-withdrawal", { config: signed, schema: { ...lp, summary: "Takes a queued withdrawal back", body: S.WithdrawalIdBody, response: { 200: S.SharesReply, ...refusals } } },
    async (r) => reply(S.SharesReply, await service.run(() => ({ shares: pool().cancelWithdrawal(r.session!.account, r.body.id), seq: seq() }))));

  app.post("/v1/trade", {
    config: signed,
    schema: { tags: ["trading"], security, summary: "Buys to open or sells to close at the current quote, within maxCost / minProceeds", body: S.TradeBody, response: { 200: S.TradeReply, ...refusals } },
  }, async (r) => {
    const b = r.body;
    const request = {
      type: b.type, strike: b.strike, expiry: b.expiry, size: units(b.size), side: b.side,
      ...(b.maxCost !== undefined ? { maxCost: units(b.maxCost) } : {}), ...(b.minProceeds !== undefined ? { minProceeds: units(b.minProceeds) } : {}),
    };
    return reply(S.TradeReply, await service.run(() => ({ quote: pool().trade(r.session!.account, request), seq: seq() })));
  });

  app.post("/v1/claim", { config: signed, schema: { tags: ["trading"], security, summary: "Pays the account's claimable settlement payouts", body: S.Empty, response: { 200: S.AssetsReply, ...refusals } } },
    async (r) => reply(S.AssetsReply, await service.run(() => ({ assets: pool().claim(r.session!.account), seq: seq() }))));

  registerBookRoutes(app, service);
  registerKeeperRoutes(app, service);
}

function registerBookRoutes(app: App, service: ServerParts["service"]): void {
  const book = { tags: ["book"], security };
  const bookSeq = () => service.book.seq;
  app.post("/v1/book/list", { config: signed, schema: { ...book, summary: "Opens a series for peer trading", body: S.SeriesSpec, response: { 200: S.ListReply, ...refusals } } },
    async (r) => reply(S.ListReply, await service.run(() => ({ series: service.book.list(r.body), bookSeq: bookSeq() }))));

  app.post("/v1/orders", {
    config: signed,
    schema: { ...book, summary: "Routes an order: peers as good as the pool, then the pool, then the remaining peers; a limit order's rest rests", body: S.OrderBody, response: { 200: S.FillReply, ...refusals } },
  }, async (r) => {
    const b = r.body;
    const order = {
      type: b.type, strike: b.strike, expiry: b.expiry, side: b.side, size: units(b.size), funds: units(b.funds),
      ...(b.limitPrice !== undefined ? { limitPrice: units(b.limitPrice) } : {}),
    };
    return reply(S.FillReply, await service.run(() => ({ ...service.book.submit(r.session!.account, order), seq: service.pool.seq, bookSeq: bookSeq() })));
  });

  app.delete("/v1/orders/:id", { config: signed, schema: { ...book, summary: "Cancels a resting order of the account", params: S.OrderIdParams, response: { 200: S.RefundReply, ...refusals } } },
    async (r) => reply(S.RefundReply, await service.run(() => ({ refund: service.book.cancel(r.session!.account, Number(r.params.id)), bookSeq: bookSeq() }))));

  app.post("/v1/book/claim", { config: signed, schema: { ...book, summary: "Pays the account's claimable peer proceeds and payouts", body: S.Empty, response: { 200: S.BookClaimReply, ...refusals } } },
    async (r) => reply(S.BookClaimReply, await service.run(() => ({ assets: service.book.claim(r.session!.account), bookSeq: bookSeq() }))));
}

function registerKeeperRoutes(app: App, service: ServerParts["service"]): void {
  const keeper = { tags: ["keeper"], security };
  app.post("/v1/settle", { config: signed, schema: { ...keeper, summary: "Settles an expiry at its settlement price (pool, then peer positions)", body: S.ExpiryBody, response: { 200: S.SettleReply, ...refusals } } },
    async (r) => reply(S.SettleReply, await service.run(() => ({ price: service.pool.settle(r.body.expiry), seq: service.pool.seq }))));
  app.post("/v1/withdrawals/process", { config: signed, schema: { ...keeper, summary: "Pays queued withdrawals where liquidity allows", body: S.Empty, response: { 200: S.PaymentsReply, ...refusals } } },
    async () => reply(S.PaymentsReply, await service.run(() => ({ payments: service.pool.processWithdrawals(), seq: service.pool.seq }))));
}
