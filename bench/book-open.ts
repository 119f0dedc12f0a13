// Suite "book-open": the restart of a peer book with 100,000 events (PeerBook.open) by a full verifying replay of its
// log against the same restart from its latest snapshot and the 100 events after it. The book lives in a SQLite store
// (pool/store) beside a pool without liquidity: 100 put series, 50 makers posting asks that takers lift (a place and a
// fill each), one ask in ten left resting, so the snapshot holds ~5,000 resting orders and the positions of 100
// series. Rounds alternate the two ways on the same files; each row is the best round (the machine is shared).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPricer } from "../bindings/pricer.js";
import { PeerBook } from "../pool/book/peer-book.js";
import type { BookEvent } from "../pool/book/events.js";
import { ManualClock, ManualOracle, OptionPool } from "../pool/index.js";
import { BOOK_LOG } from "../pool/store/codec.js";
import { SqliteEventStore } from "../pool/store/sqlite-store.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "book-open";
const T0 = 1_767_225_600;
const DAY = 86_400;
const USDC = 1_000_000n;
const KEY = "a benchmark secret of at least thirty-two bytes";
const SERIES = Array.from({ length: 100 }, (_, i) => ({ type: "put" as const, strike: 1500 + 50 * (i % 10), expiry: T0 + 7 * DAY * (1 + Math.floor(i / 10)) }));
const FUNDS = 10n ** 9n * USDC;

/** Fills the book at `path` to `events` events, with a snapshot 100 events before the end. */
function build(pool: OptionPool, path: string, events: number, log: (line: string) => void): void {
  const store = new SqliteEventStore<BookEvent>(path, { ...BOOK_LOG, commit: "group" });
  const book = new PeerBook(pool, { store, ledgerKey: KEY });
  for (const s of SERIES) book.list(s);
  for (let i = 0; book.seq < events; i++) {
    const series = SERIES[i % SERIES.length]!;
    const price = 30n * USDC + BigInt(i % 7) * USDC;
    book.submit(`maker${i % 50}`, { ...series, side: "sell", size: 100n, limitPrice: price, funds: FUNDS });
    if (i % 10 !== 9 && book.seq < events) book.submit(`taker${i % 50}`, { ...series, side: "buy", size: 100n, limitPrice: price, funds: FUNDS });
    if (book.seq >= events - 100 && store.latestSnapshot() === undefined) book.saveSnapshot();
    if (i % 5_000 === 0) {
      book.flush();
      log(`  ${SUITE}: ${book.seq.toLocaleString("en")} book events`);
    }
  }
  book.flush();
  store.close();
}

function timeOpen(pool: OptionPool, path: string, snapshot: "ignore" | "verified"): { ms: number; seq: number } {
  const store = new SqliteEventStore<BookEvent>(path, BOOK_LOG);
  try {
    const t = performance.now();
    const book = PeerBook.open(pool, { store, ledgerKey: KEY }, { snapshot });
    return { ms: performance.now() - t, seq: book.seq };
  } finally {
    store.close();
  }
}

export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const events = options.quick ? 10_000 : 100_000;
  const rounds = options.quick ? 1 : 3;
  const dir = mkdtempSync(join(tmpdir(), "pool2peer-bench-book-open-"));
  try {
    const clock = new ManualClock(T0);
    const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
    const pool = new OptionPool({ collateral: "quote", decimals: 6, sizeDecimals: 2, pricer: await createPricer(), oracle, clock, ledgerKey: KEY });
    const path = join(dir, "book.db");
    build(pool, path, events, log);
    const best = { ignore: Infinity, verified: Infinity };
    for (let round = 0; round < rounds; round++) {
      for (const way of ["ignore", "verified"] as const) {
        const { ms, seq } = timeOpen(pool, path, way);
        if (seq !== events) throw new Error(`bench/book-open: reopened at seq ${seq}, not ${events}`);
        best[way] = Math.min(best[way], ms);
        log(`  ${SUITE}: round ${round + 1}/${rounds}, ${way === "ignore" ? "full replay" : "snapshot + 100 events"}: ${ms.toFixed(0)} ms`);
      }
    }
    const row = (name: string, ms: number, note: string): BenchRow => ({
      suite: SUITE, name, opsPerSecond: 1000 / ms, nsPerOp: ms * 1e6, unit: "open", baseline: "PeerBook.open, full replay", note,
    });
    const n = events.toLocaleString("en");
    return [
      row("PeerBook.open, full replay", best.ignore, `${n} book events verified (${(best.ignore * 1e6 / events).toFixed(0)} ns per event)`),
      row("PeerBook.open, from snapshot", best.verified, `the snapshot at seq ${(events - 100).toLocaleString("en")}± and the events after it; ×${(best.ignore / best.verified).toFixed(1)} faster`),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
