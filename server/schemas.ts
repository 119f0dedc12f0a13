// The service's API schemas, declared once (TypeBox = JSON Schema): fastify validates requests and serialises
// responses with them, and @fastify/swagger builds the OpenAPI document from them. Bigints travel as decimal strings.
import Type, { type Static, type TSchema } from "typebox";

/** Base units (or share or size units): a decimal string of a non-negative integer. */
export const Units = Type.String({ pattern: "^(0|[1-9][0-9]{0,59})$", description: "non-negative integer as a decimal string" });
/** The same, > 0. */
export const PositiveUnits = Type.String({ pattern: "^[1-9][0-9]{0,59}$", description: "positive integer as a decimal string" });
const Seconds = Type.Integer({ minimum: 1, maximum: 1e11, description: "unix seconds" });
const Account = Type.String({ minLength: 1, maxLength: 128 });
const OptionType = Type.Union([Type.Literal("call"), Type.Literal("put")]);
const Side = Type.Union([Type.Literal("buy"), Type.Literal("sell")]);
const Strike = Type.Number({ exclusiveMinimum: 0, maximum: 1e15, description: "quote currency per unit of base" });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Obj = <P extends Record<string, TSchema>>(props: P, description?: string) =>
  Type.Object(props, { additionalProperties: false, ...(description ? { description } : {}) });

// ------------------------------------------------------------------------------------------ shared shapes

export const SeriesSpec = Obj({ type: OptionType, strike: Strike, expiry: Seconds });
export const SeriesRef = Obj({ type: OptionType, strike: Type.Number(), strikeUnits: Units, expiry: Type.Integer() });
export const ErrorReply = Obj({
  error: Type.String({ description: "PoolError code, VALIDATION, or an auth code" }),
  field: Type.String({ description: "the request field (or pool quantity) responsible" }),
  message: Type.String(),
});
/** The refusal replies of a route: one schema per status class (one serializer each, not one per status). */
export const Refusals = { "4xx": ErrorReply, "5xx": ErrorReply };
export const Empty = Obj({});
export const SeqReply = Obj({ seq: Type.Integer({ description: "pool event seq after the operation (durable)" }) });

const FeeBreakdown = Obj({ premium: Type.Number(), utilizationMarkup: Type.Number(), optionPriceFee: Type.Number(), spotFee: Type.Number(), vegaFee: Type.Number(), hedgeFee: Type.Number() });
export const QuoteReply = Obj({
  side: Side, series: SeriesRef, size: Units, spot: Type.Number(), vol: Type.Number(), volUsed: Type.Number(), ivImpact: Type.Number(), years: Type.Number(),
  utilizationBefore: Type.Number(), utilizationAfter: Type.Number(), perContract: FeeBreakdown, premium: Units, utilizationMarkup: Units,
  optionPriceFee: Units, spotFee: Units, vegaFee: Units, hedgeFee: Units, fees: Units, protocolFee: Units, collateral: Units, total: Units,
});
export const QuoteQuery = Obj({ ...SeriesSpec.properties, size: PositiveUnits, side: Side });
export const TradeBody = Obj({ ...QuoteQuery.properties, maxCost: Type.Optional(Units), minProceeds: Type.Optional(Units) });
export const TradeReply = Obj({ quote: QuoteReply, seq: Type.Integer() });

// ------------------------------------------------------------------------------------------ LP and claims

export const AssetsBody = Obj({ assets: PositiveUnits });
export const SharesBody = Obj({ shares: PositiveUnits });
export const AssetsReply = Obj({ assets: Units, seq: Type.Integer() });
export const SharesReply = Obj({ shares: Units, seq: Type.Integer() });
export const RedeemReply = Obj({ assets: Units, sharesRedeemed: Units, queuedShares: Units, withdrawalId: Nullable(Type.Integer()), seq: Type.Integer() });
export const WithdrawalIdBody = Obj({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) });
export const ExpiryBody = Obj({ expiry: Seconds });
export const PaymentsReply = Obj({ payments: Type.Integer(), seq: Type.Integer() });
export const SettleReply = Obj({ price: Type.Number(), seq: Type.Integer() });

// ------------------------------------------------------------------------------------------ peer book

export const OrderBody = Obj({ ...SeriesSpec.properties, side: Side, size: PositiveUnits, limitPrice: Type.Optional(PositiveUnits), funds: Units });
const PeerFill = Obj({ makerId: Type.Integer(), maker: Account, price: Units, size: Units, amount: Units, collateral: Units });
export const FillReply = Obj({
  side: Side, series: SeriesRef, requested: Units, peerFills: Type.Array(PeerFill), pool: Nullable(QuoteReply),
  resting: Nullable(Obj({ id: Type.Integer(), size: Units, price: Units, escrow: Units })), unfilled: Units, filledByPeers: Units,
  filledByPool: Units, premium: Units, collateralPosted: Units, seq: Type.Integer(), bookSeq: Type.Integer(),
});
export const OrderIdParams = Obj({ id: Type.String({ pattern: "^[1-9][0-9]{0,9}$" }) });
export const RefundReply = Obj({ refund: Units, bookSeq: Type.Integer() });
export const ListReply = Obj({ series: SeriesRef, bookSeq: Type.Integer() });
export const BookClaimReply = Obj({ assets: Units, bookSeq: Type.Integer() });
export const RestingOrder = Obj({ id: Type.Integer(), owner: Account, side: Side, series: SeriesRef, price: Units, size: Units, filled: Units, escrow: Units, time: Type.Integer() });
export const BookReply = Obj({ series: SeriesRef, bids: Type.Array(RestingOrder), asks: Type.Array(RestingOrder) });

// ------------------------------------------------------------------------------------------ views

export const PoolReply = Obj({
  seq: Type.Integer(), bookSeq: Type.Integer(), collateral: Type.Union([Type.Literal("quote"), Type.Literal("base")]), decimals: Type.Integer(),
  sizeDecimals: Type.Integer(), priceDecimals: Type.Integer(), assets: Units, free: Units, locked: Units, reserved: Units, totalSupply: Units,
  nav: Units, sharePrice: Type.Number(), utilization: Type.Number(), tradingPausedUntil: Type.Integer(), withdrawalsPausedUntil: Type.Integer(),
  totals: Obj({ paidIn: Units, paidOut: Units, premiums: Units, fees: Units, protocolFees: Units, settlementPayouts: Units }),
  oracle: Obj({ spot: Type.Number(), baseVol: Type.Number(), timestamp: Type.Number() }),
});
export const AccountParams = Obj({ account: Account });
export const AccountReply = Obj({
  account: Account, shares: Units, value: Units, claimable: Units, bookClaimable: Units,
  positions: Type.Array(Obj({ series: SeriesRef, size: Units })),
  peerPositions: Type.Array(Obj({ series: SeriesRef, long: Units, short: Units })),
  queued: Type.Array(Obj({ id: Type.Integer(), shares: Units })),
});
export const SeriesListReply = Obj({
  pool: Type.Array(Obj({ ...SeriesRef.properties, openSize: Units, locked: Units })),
  book: Type.Array(Obj({ series: SeriesRef, openSize: Units, locked: Units })),
});
const Totals = Obj({ delta: Type.Number(), gamma: Type.Number(), vega: Type.Number(), theta: Type.Number() });
export const GreeksReply = Obj({
  total: Totals, byExpiry: Type.Array(Obj({ expiry: Type.Integer(), greeks: Totals })), computedAt: Type.Number(), spot: Type.Number(),
  baseVol: Type.Number(), seq: Type.Integer(),
});
const Scenario = Obj({ name: Type.String({ maxLength: 64 }), spotFactor: Type.Number({ minimum: 0.01, maximum: 100, description: "spot multiplier" }), volShock: Type.Number({ minimum: -0.99, maximum: 10, description: "relative vol shock at the reference tenor" }) });
export const StressBody = Obj({ scenarios: Type.Optional(Type.Array(Scenario, { minItems: 1, maxItems: 200 })) });
const StressResult = Obj({
  scenario: Scenario, spot: Type.Number(), nav: Type.Number(), navChange: Type.Number(), sharePrice: Type.Number(), sharePriceChange: Type.Number(),
  worstCasePayout: Type.Number(), solvency: Nullable(Type.Number({ description: "null: nothing to pay (infinite)" })),
});
export const StressReply = Obj({ baseNav: Type.Number(), baseSharePrice: Type.Number(), results: Type.Array(StressResult), worst: StressResult, minSolvency: Nullable(Type.Number()) });
export const EventsQuery = Obj({ after: Type.Optional(Type.Integer({ minimum: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) });
const Event = Type.Object({ kind: Type.String(), seq: Type.Integer(), time: Type.Integer(), hash: Type.String() }, { additionalProperties: true, description: "a pool or book event as in its JSON log (bigints as strings)" });
export const EventsReply = Obj({ events: Type.Array(Event), head: Type.Integer() });
export const OracleReply = Obj({ spot: Type.Number(), baseVol: Type.Number(), skew: Type.Optional(Type.Number()), timestamp: Type.Number() });
export const HealthReply = Obj({
  status: Type.Union([Type.Literal("ok"), Type.Literal("failed"), Type.Literal("draining")]), seq: Type.Integer(), bookSeq: Type.Integer(),
  oracleAgeSeconds: Type.Number(), uptimeSeconds: Type.Number(), sessions: Type.Integer(), subscribers: Type.Integer(),
});

// ------------------------------------------------------------------------------------------ auth and admin

export const ChallengeReply = Obj({ challenge: Type.String(), expiresAt: Type.Integer({ description: "unix second the challenge lapses" }), now: Type.Integer({ description: "the server's clock, unix seconds" }) });
export const SessionBody = Obj({
  address: Type.String({ pattern: "^0x[0-9a-f]{40}$" }), challenge: Type.String({ pattern: "^[0-9a-f]{32}$" }), expiresAt: Seconds,
  signature: Type.String({ pattern: "^0x[0-9a-fA-F]{130}$", description: "EIP-191 signature of sessionMessage(grant): r ‖ s ‖ v" }),
});
export const SessionReply = Obj({ session: Type.String(), secret: Type.String({ description: "hex HMAC key of the session" }), account: Type.String(), admin: Type.Boolean(), expiresAt: Type.Integer() });
export const OracleBody = Obj({ spot: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e15 })), baseVol: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10 })), skew: Type.Optional(Type.Number({ minimum: -10, maximum: 10 })) });
export const AdminSettleBody = Obj({ expiry: Seconds, price: Type.Number({ exclusiveMinimum: 0 }), reason: Type.String({ minLength: 1, maxLength: 500 }) });
export const LiftPauseBody = Obj({ scope: Type.Union([Type.Literal("withdrawals"), Type.Literal("trading")]), reason: Type.String({ minLength: 1, maxLength: 500 }) });
export const BreakerBody = Obj({ breaker: Type.Union([Type.Literal("liquidity"), Type.Literal("ivJump"), Type.Literal("settlement")]), reason: Type.String({ minLength: 1, maxLength: 500 }), pausedUntil: Seconds });
export const ParamsBody = Obj({ params: Type.Record(Type.String({ maxLength: 64 }), Type.Number(), { maxProperties: 64 }) });
export const ParamsReply = Obj({ params: Type.Record(Type.String(), Type.Number()), seq: Type.Integer() });

export type TradeBodyT = Static<typeof TradeBody>;
export type OrderBodyT = Static<typeof OrderBody>;
export type QuoteQueryT = Static<typeof QuoteQuery>;

// ------------------------------------------------------------------------------------------ streams (WebSocket /v1/stream)

/** A client's message on the stream: subscribe to or leave a channel. */
export const StreamRequest = Type.Union([
  Obj({ op: Type.Union([Type.Literal("subscribe"), Type.Literal("unsubscribe")]), channel: Type.Literal("quotes"), series: SeriesSpec, size: Type.Optional(PositiveUnits) }),
  Obj({ op: Type.Union([Type.Literal("subscribe"), Type.Literal("unsubscribe")]), channel: Type.Literal("book"), series: SeriesSpec }),
  Obj({ op: Type.Union([Type.Literal("subscribe"), Type.Literal("unsubscribe")]), channel: Type.Literal("events") }),
]);
export type StreamRequestT = Static<typeof StreamRequest>;
