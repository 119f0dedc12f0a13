// The margin log's verifying replay: before an event is applied, what follows from the state and the ledger's
// settings is derived again and must match; after it, conservation holds.
//   withdraw  within the cash, leaving at least the recorded initial margin; not under auction; no bad debt pending
//   trade     the premium ⌈price · size / 10^sizeDecimals⌉, two different accounts, neither under auction, before expiry
//   auction   the account's cash, below its recorded maintenance margin, the ledger's auction terms, none open
//   bid       the auction price at that second, no more than the fill that restores the initial margin (or the whole
//             when the rest is dust or the price no longer covers the risk), the penalty, the telescoped sizes
//   settle    at or after expiry, no auction running, every payout and the dust re-derived at the recorded price
//   cover     exactly min(fund, the account's deficit), once the account holds no positions
//   socialise the remaining deficit with the fund empty, charged by socialCharges
//   close     restored: cash ≥ the remainder's initial margin; emptied: everything taken and no deficit left
// Margin figures (maintenance, initial) come from the pricer and are vouched for by the hash chain, as the pool's quotes are.
import { PoolError } from "../errors.js";
import { canonicalWith } from "../event-schema.js";
import { mulDiv, pow10 } from "../units.js";
import type { MarginScales } from "./account.js";
import { auctionPrice, chooseFill, fillAmounts, PPB, remainingInitial, takeSizes, type LiquidationParams } from "./auction.js";
import { MARGIN_EVENT_SCHEMA, type MarginEvent } from "./events.js";
import { marginSettlement } from "./settlement.js";
import { socialCharges, type MarginState } from "./state.js";

function mismatch(e: MarginEvent, field: string, problem: string): never {
  throw new PoolError("REPLAY_MISMATCH", field, `margin seq ${e.seq} (${e.kind}): ${problem}`);
}

const same = (kind: "bid" | "socialise", a: object, b: object) =>
  canonicalWith(MARGIN_EVENT_SCHEMA, { ...a, kind, seq: 0, time: 0 } as never) === canonicalWith(MARGIN_EVENT_SCHEMA, { ...b, kind, seq: 0, time: 0 } as never);

/** The account holds no positions and is not mid-auction with positions left. */
function emptied(s: MarginState, account: string): boolean {
  const a = s.auctions.get(account);
  return (s.accounts.get(account)?.positions.size ?? 0) === 0 && (!a || a.filledPpb === PPB);
}

function verifyBid(s: MarginState, e: Extract<MarginEvent, { kind: "bid" }>, params: LiquidationParams): void {
  const auction = s.auctions.get(e.account);
  if (!auction) return mismatch(e, "account", `${e.account} is not under auction`);
  if (e.liquidator === e.account) mismatch(e, "liquidator", "an account never liquidates itself");
  if (s.auctions.has(e.liquidator)) mismatch(e, "liquidator", `${e.liquidator} is itself under auction`);
  const price = auctionPrice(auction.terms, e.time - auction.startTime);
  const cash = s.accounts.get(e.account)?.cash ?? 0n;
  const x = chooseFill(auction.terms, auction.positions, cash, auction.filledPpb, price, params.dustUnits, e.fractionPpb);
  if (e.fractionPpb !== x) mismatch(e, "fractionPpb", `a bid for ${e.fractionPpb} ppb takes ${x} now`);
  const filledPpb = auction.filledPpb + e.fractionPpb;
  const expected = { ...e, price, filledPpb, ...fillAmounts(auction.terms, price, e.fractionPpb), take: takeSizes(auction.positions, auction.filledPpb, filledPpb) };
  if (!same("bid", expected, e)) mismatch(e, "price", "price, amount, penalty or sizes differ from the auction's schedule");
}

/** Checks `e` against `s` (the state before it); PoolError("REPLAY_MISMATCH") naming the seq and field. */
export function verifyMarginEvent(s: MarginState, e: MarginEvent, scales: MarginScales, params: LiquidationParams): void {
  const cash = (name: string) => s.accounts.get(name)?.cash ?? 0n;
  switch (e.kind) {
    case "deposit":
      return;
    case "withdraw":
      if (e.assets > cash(e.account)) mismatch(e, "assets", `${e.account} holds ${cash(e.account)}`);
      if (cash(e.account) - e.assets < e.initial) mismatch(e, "initial", "the withdrawal leaves less than the initial margin");
      if (s.auctions.has(e.account)) mismatch(e, "account", "under auction");
      if ([...s.auctions.values()].some((a) => a.insolvent)) mismatch(e, "account", "withdrawals pause while bad debt is pending");
      return;
    case "trade":
      if (e.buyer === e.seller) mismatch(e, "seller", "an account never trades with itself");
      if (s.auctions.has(e.buyer) || s.auctions.has(e.seller)) mismatch(e, "buyer", "an account under auction does not trade");
      if (e.time >= e.series.expiry) mismatch(e, "time", `the series expired at ${e.series.expiry}`);
      if (e.amount !== mulDiv(e.price, e.size, pow10(scales.sizeDecimals), "up")) mismatch(e, "amount", `${e.size} at ${e.price} is ${mulDiv(e.price, e.size, pow10(scales.sizeDecimals), "up")}`);
      return;
    case "fund":
      if (e.assets > cash(e.account)) mismatch(e, "assets", `${e.account} holds ${cash(e.account)}`);
      return;
    case "auction": {
      if (s.auctions.has(e.account)) mismatch(e, "account", "already under auction");
      if (e.cash !== cash(e.account)) mismatch(e, "cash", `${e.account} holds ${cash(e.account)}`);
      if (e.cash >= e.maintenance) mismatch(e, "maintenance", "the account is not below its maintenance margin");
      if (e.initial < e.maintenance) mismatch(e, "initial", "below the maintenance margin");
      const p = params;
      if (e.startDiscountPpm !== p.startDiscountPpm || e.floorDiscountPpm !== p.floorDiscountPpm || e.durationSeconds !== p.durationSeconds || e.penaltyPpm !== p.penaltyPpm)
        mismatch(e, "durationSeconds", "auction terms differ from the ledger's liquidation parameters");
      return;
    }
    case "bid":
      return verifyBid(s, e, params);
    case "cover": {
      if (!emptied(s, e.account)) mismatch(e, "account", "cover only an account whose positions are all gone");
      const deficit = -cash(e.account);
      const due = deficit < s.fund ? deficit : s.fund;
      if (e.amount !== due) mismatch(e, "amount", `the fund covers ${due}`);
      return;
    }
    case "socialise": {
      if (!emptied(s, e.account) || s.fund !== 0n) mismatch(e, "account", "socialise only after the fund is spent, for an account whose positions are all gone");
      if (e.amount !== -cash(e.account)) mismatch(e, "amount", `the deficit is ${-cash(e.account)}`);
      if (!same("socialise", { ...e, charges: socialCharges(s, e.account, e.amount) }, e)) mismatch(e, "charges", "charges differ from the pro-rata rule");
      return;
    }
    case "settle": {
      if (e.time < e.expiry) mismatch(e, "time", `settled at ${e.time}, before expiry ${e.expiry}`);
      if (s.auctions.size > 0) mismatch(e, "expiry", "settlement waits for running auctions");
      const expected = { ...e, ...marginSettlement(s, e.expiry, e.priceUnits, scales) };
      if (canonicalWith(MARGIN_EVENT_SCHEMA, expected) !== canonicalWith(MARGIN_EVENT_SCHEMA, e)) mismatch(e, "payouts", "payouts or dust differ from the positions at this price");
      return;
    }
    case "close": {
      const a = s.auctions.get(e.account);
      if (!a) return mismatch(e, "account", "not under auction");
      if (e.reason === "restored" && cash(e.account) < remainingInitial(a.terms, a.filledPpb)) mismatch(e, "reason", "the account is not back at its initial margin");
      if (e.reason === "emptied" && (a.filledPpb !== PPB || cash(e.account) < 0n)) mismatch(e, "reason", "positions or a deficit remain");
      return;
    }
  }
}

/** After an event: paid in − paid out = Σ cash + fund, every series nets to zero, no negative fund. */
export function checkMarginAfter(s: MarginState, e: MarginEvent): void {
  if (s.paidIn - s.paidOut !== s.held) mismatch(e, "flows", "paid in − paid out ≠ Σ cash + insurance fund");
  if (s.fund < 0n) mismatch(e, "fund", "the insurance fund went negative");
  if (e.kind === "trade" || e.kind === "bid") for (const [k, net] of s.netSizes()) if (net !== 0n) mismatch(e, "size", `series ${k} nets to ${net}`);
}
