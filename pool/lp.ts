// LP operations: ERC-4626 deposit / mint / redeem / withdraw, donations and the FIFO withdrawal queue. Every entry or
// exit at the share price first settles what is due (refusing while an expired series has no price yet) and, while
// options are open, passes the oracle guards a trade passes (pool-core.ts guardedShareTotals). Queue payments go
// through the same guards and the same risk check as a direct redemption, and every breaker pause stops both.
import { checkAccount } from "./accounts.js";
import { PoolError, check } from "./errors.js";
import type { PoolCore, Tx } from "./pool-core.js";
import type { RedeemResult } from "./pool-types.js";
import { previewDeposit, previewMint, previewRedeem, previewWithdraw, redeemableShares } from "./shares.js";

function checkAmount(value: unknown, field: string): asserts value is bigint {
  check(typeof value === "bigint" && value > 0n, field, "must be a bigint > 0");
}

export class LpOperations {
  constructor(private readonly core: PoolCore) {}

  deposit(owner: string, assets: bigint): bigint {
    checkAccount(owner, "owner");
    checkAmount(assets, "assets");
    let minted = 0n;
    this.core.commit("deposit", (tx) => {
      const t = this.core.guardedShareTotals(tx, "down");
      minted = previewDeposit(assets, t);
      if (minted === 0n) throw new PoolError("INVALID_INPUT", "assets", "too small to mint a share");
      tx.emit({ kind: "deposit", owner, assets, shares: minted, nav: t.nav, by: "assets" });
    }, true);
    return minted;
  }

  mint(owner: string, shares: bigint): bigint {
    checkAccount(owner, "owner");
    checkAmount(shares, "shares");
    let assets = 0n;
    this.core.commit("mint", (tx) => {
      const t = this.core.guardedShareTotals(tx, "down");
      assets = previewMint(shares, t);
      tx.emit({ kind: "deposit", owner, assets, shares, nav: t.nav, by: "shares" });
    }, true);
    return assets;
  }

  donate(from: string, assets: bigint): void {
    checkAccount(from, "from");
    checkAmount(assets, "assets");
    this.core.commit("donate", (tx) => tx.emit({ kind: "donate", from, assets }), true);
  }

  private checkHolding(owner: string, shares: bigint): void {
    const held = this.core.state.shares.get(owner) ?? 0n;
    if (held < shares) throw new PoolError("INSUFFICIENT_SHARES", "shares", `${owner} holds ${held} shares`);
  }

  redeem(owner: string, shares: bigint): RedeemResult {
    checkAccount(owner, "owner");
    checkAmount(shares, "shares");
    this.checkHolding(owner, shares);
    const result: RedeemResult = { assets: 0n, sharesRedeemed: 0n, queuedShares: 0n, withdrawalId: undefined };
    this.core.commit("redeem", (tx) => {
      const { draft } = tx;
      let fill = 0n;
      // Paid now only when no breaker pauses withdrawals and nobody waits ahead (FIFO); otherwise queued whole.
      if (draft.withdrawalsPausedUntil <= tx.now && draft.queue.length === 0) {
        const t = this.core.guardedShareTotals(tx, "up");
        fill = redeemableShares(shares, draft.free, t);
        const assets = previewRedeem(fill, t);
        if (assets === 0n && fill < shares) fill = 0n; // never burn part of a redemption for nothing
        if (fill > 0n) {
          tx.emit({ kind: "redeem", owner, shares: fill, assets, nav: t.nav, by: "shares" });
          result.assets = assets;
          result.sharesRedeemed = fill;
        }
      }
      if (fill < shares) {
        const id = draft.nextWithdrawalId;
        tx.emit({ kind: "withdrawalQueued", id, owner, shares: shares - fill });
        result.queuedShares = shares - fill;
        result.withdrawalId = id;
      }
    }, true);
    // The queue payments of the same commit may have paid this withdrawal already.
    return result;
  }

  withdraw(owner: string, assets: bigint): bigint {
    checkAccount(owner, "owner");
    checkAmount(assets, "assets");
    let burned = 0n;
    this.core.commit("withdraw", (tx) => {
      const { draft } = tx;
      if (draft.withdrawalsPausedUntil > tx.now) throw new PoolError("WITHDRAWALS_PAUSED", "withdrawalsPausedUntil", `withdrawals are paused until ${draft.withdrawalsPausedUntil}: redeem() queues instead`);
      if (draft.queue.length > 0) throw new PoolError("INSUFFICIENT_LIQUIDITY", "assets", "withdrawals are queued ahead: redeem() joins the queue");
      const t = this.core.guardedShareTotals(tx, "up");
      burned = previewWithdraw(assets, t);
      const held = draft.shares.get(owner) ?? 0n;
      if (burned > held) throw new PoolError("INSUFFICIENT_SHARES", "assets", `${assets} needs ${burned} shares, ${owner} holds ${held}`);
      if (assets > draft.free) throw new PoolError("INSUFFICIENT_LIQUIDITY", "assets", `${draft.free} free`);
      tx.emit({ kind: "redeem", owner, shares: burned, assets, nav: t.nav, by: "assets" });
    });
    return burned;
  }

  /** The explicit queue run: guards and limits refuse it (instead of leaving the queue for later). */
  processQueue(): number {
    let count = 0;
    this.core.commit("queue", (tx) => {
      count = this.payQueue(tx);
    });
    return count;
  }

  cancelWithdrawal(owner: string, id: number): bigint {
    checkAccount(owner, "owner");
    const entry = this.core.state.queue.find((q) => q.id === id);
    if (!entry || entry.owner !== owner) throw new PoolError("UNKNOWN_WITHDRAWAL", "id", `${owner} has no queued withdrawal ${String(id)}`);
    const shares = entry.shares;
    this.core.commit("cancelWithdrawal", (tx) => tx.emit({ kind: "withdrawalCancelled", id, owner, shares }));
    return shares;
  }

  /** Pays the queue head-first while free liquidity pays at least one share, at the guarded exit price; returns the payments. */
  payQueue(tx: Tx): number {
    const { draft } = tx;
    if (draft.queue.length === 0 || draft.withdrawalsPausedUntil > tx.now) return 0;
    const first = this.core.guardedShareTotals(tx, "up");
    const liability = draft.free + draft.locked - first.nav;
    let count = 0;
    while (draft.queue.length > 0) {
      const head = draft.queue[0]!;
      const totals = { supply: draft.totalSupply, nav: draft.free + draft.locked - liability, offset: first.offset };
      const fill = redeemableShares(head.shares, draft.free, totals);
      const assets = previewRedeem(fill, totals);
      // Stop when nothing can be paid; a part worth 0 units would burn shares for nothing.
      if (fill === 0n || (assets === 0n && fill < head.shares)) break;
      tx.emit({ kind: "withdrawalPaid", id: head.id, owner: head.owner, shares: fill, assets, nav: totals.nav });
      count++;
    }
    return count;
  }
}
