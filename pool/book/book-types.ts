// What the peer book takes and returns (orders, fill reports, options): its contract with callers, apart from how it
// matches (peer-book.ts).
import type { PoolError } from "../errors.js";
import type { Quote } from "../quote.js";
import type { SeriesRef } from "../events.js";
import type { LedgerKey } from "../ledger-chain.js";
import type { MarginLedger } from "../margin/ledger.js";
import type { SeriesSpec } from "../series.js";
import type { EventStore } from "../store/types.js";
import type { BookEvent, BookSide } from "./events.js";

/** An order: a limit order when `limitPrice` is given, else a market order. */
export interface BookOrder extends SeriesSpec {
  side: BookSide;
  /** Size units (10^sizeDecimals per contract), > 0. */
  size: bigint;
  /** Base units per whole contract, > 0: the worst price the trader accepts (absent: market order). */
  limitPrice?: bigint;
  /**
   * What the trader posts (base units, ≥ 0). Buys: the most it pays in total (peer fills + pool + the escrow of
   * a resting remainder). Sells: the collateral for what it writes to peers (fills and the resting remainder).
   * Margin mode: only the pool's part (peers are paid from and backed by the margin account).
   */
  funds: bigint;
}

/** One match against a resting peer order. */
export interface PeerFill {
  makerId: number;
  maker: string;
  /** Maker's price, base units per contract. */
  price: bigint;
  size: bigint;
  /** Premium from buyer to seller (base units). */
  amount: bigint;
  /** Seller's collateral locked for this fill. */
  collateral: bigint;
}

/** What happened to a submitted order, part by part. */
export interface FillReport {
  side: BookSide;
  series: SeriesRef;
  requested: bigint;
  peerFills: PeerFill[];
  /** The pool's part (its quote as traded), when the pool filled some. */
  pool: Quote | undefined;
  /** A limit order's remainder left on the book. */
  resting: { id: number; size: bigint; price: bigint; escrow: bigint } | undefined;
  /** A market order's size nobody filled. */
  unfilled: bigint;
  /** Size filled by peers and by the pool. */
  filledByPeers: bigint;
  filledByPool: bigint;
  /** Buy: total premium paid (peers + pool). Sell: total received. */
  premium: bigint;
  /** Sell: collateral posted for peer fills. */
  collateralPosted: bigint;
  /**
   * Set when the book's store refused the peer part after the pool had traded its part: only the pool's part happened
   * (no peer fills, nothing rests); the book records the pool's fill at its next operation (book/pool-part.ts).
   */
  peerPartRefused?: PoolError;
}


/** Options of a PeerBook. */
export interface PeerBookOptions {
  /** The operator's secret (≥ 32 bytes): every book event carries a MAC under it; replay and open require valid MACs. */
  ledgerKey?: LedgerKey;
  /**
   * Where the book's events go (e.g. a SqliteEventStore with BOOK_LOG): each operation appends its events here before
   * it is installed, and a refused append refuses it (STORE_FAILED). Default: an in-memory store. A new book or a
   * replay needs an empty store; resume a non-empty one with PeerBook.open.
   */
  store?: EventStore<BookEvent>;
  /**
   * Margin mode (book/margin-mode.ts): peers trade from these margin accounts, writers post portfolio margin instead of
   * full collateral. Default: none (full collateral). Replay and open need the same ledger (or one replayed to match).
   */
  margin?: MarginLedger;
}
