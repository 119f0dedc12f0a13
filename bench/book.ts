// Suite "book": the cost of PeerBook operations as the book fills up. 100 put series (10 strikes × 10 weekly
// expiries) hold 10, 100, 1,000 and 10,000 resting orders (bids 10–19 USDC, asks 30–39 USDC, one contract each);
// on each book three operations are timed one call at a time: `submit` of a bid that rests (below every ask),
// `cancel` of that bid, and `submit` of a buy that crosses (it takes the best ask of a series whole, after which
// the ask is placed again untimed, so the book keeps its size). The pool beside the book has no liquidity, so
// routing asks it for a quote and goes on with the peers alone: the rows measure the book, not the pool.
// Rows report the median (ns/op) and the 99th percentile; each op's ratios are against its 10-order row, and
// the note gives the growth per 10× more resting orders (cost at 10× ÷ cost at 1×). Target (issue 16): p50 ≤ 50 µs
// at 10,000 resting orders over 100 series.
import { createPricer } from "../bindings/pricer.js";
import { PeerBook } from "../pool/book/peer-book.js";
import { ManualClock, ManualOracle, OptionPool } from "../pool/index.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "book";
const T0 = 1_767_225_600;
const DAY = 86_400;
const USDC = 1_000_000n;
const SIZES = [10, 100, 1_000, 10_000] as const;
const OPS = ["submit (rests)", "submit (crosses)", "cancel"] as const;
type Op = (typeof OPS)[number];

const SERIES = Array.from({ length: 100 }, (_, i) => ({ type: "put" as const, strike: 1500 + 50 * (i % 10), expiry: T0 + 7 * DAY * (1 + Math.floor(i / 10)) }));
const FUNDS = 10n ** 6n * USDC;

/** A book beside an empty pool with `resting` orders spread over SERIES, and the asks a crossing buy can take. */
async function fillBook(resting: number): Promise<{ book: PeerBook; asks: { series: number; price: bigint }[] }> {
  const pricer = await createPricer();
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
  const pool = new OptionPool({ collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock });
  const book = new PeerBook(pool);
  for (const s of SERIES) book.list(s);
  const asks: { series: number; price: bigint }[] = [];
  for (let i = 0; i < resting; i++) {
    const series = i % SERIES.length;
    const sell = (i + Math.floor(i / SERIES.length)) % 2 === 1; // both sides of every series once n ≥ 200
    const price = (sell ? 30n : 10n) * USDC + BigInt((i * 7) % 10) * USDC;
    book.submit(`maker${i % 50}`, { ...SERIES[series]!, side: sell ? "sell" : "buy", size: 100n, limitPrice: price, funds: FUNDS });
    if (sell) asks.push({ series, price });
  }
  return { book, asks };
}

/** One sample of each op on `book`; the k-th sample uses series k mod 100 and the k-th ask round-robin. */
function sample(book: PeerBook, asks: { series: number; price: bigint }[], k: number, into: Record<Op, number[]>): void {
  const s = SERIES[k % SERIES.length]!;
  let t = performance.now();
  const rest = book.submit("bidder", { ...s, side: "buy", size: 100n, limitPrice: 20n * USDC + BigInt(k % 5) * USDC, funds: FUNDS });
  into["submit (rests)"].push(performance.now() - t);
  t = performance.now();
  book.cancel("bidder", rest.resting!.id);
  into.cancel.push(performance.now() - t);
  const ask = asks[k % asks.length]!;
  const target = SERIES[ask.series]!;
  t = performance.now();
  const cross = book.submit("taker", { ...target, side: "buy", size: 100n, limitPrice: 40n * USDC, funds: FUNDS });
  into["submit (crosses)"].push(performance.now() - t);
  const fill = cross.peerFills[0]!;
  if (cross.peerFills.length !== 1 || cross.resting) throw new Error("bench/book: the crossing buy must take exactly one ask");
  book.submit(fill.maker, { ...target, side: "sell", size: 100n, limitPrice: fill.price, funds: FUNDS });
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** µs with 3 significant digits below 1,000, whole and thousands-separated above. */
const micros = (ms: number) => `${ms >= 1 ? Math.round(ms * 1000).toLocaleString("en-US") : (ms * 1000).toPrecision(3)} µs`;

export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const samples = options.quick ? 200 : 2_000;
  const rounds = options.quick ? 1 : 3;
  const books = [];
  for (const n of SIZES) {
    log(`  ${SUITE}: filling a book with ${n.toLocaleString("en")} resting orders`);
    books.push({ n, ...(await fillBook(n)) });
  }
  // Best round per (op, size), interleaved across sizes as in measure.ts: a burst of load hits rounds unevenly.
  const best = new Map<string, { p50: number; p99: number }>();
  for (let round = 0; round < rounds; round++) {
    for (const { n, book, asks } of books) {
      log(`  ${SUITE}: ${n.toLocaleString("en")} resting orders, ${samples} samples${rounds > 1 ? `, round ${round + 1}/${rounds}` : ""}`);
      const warm: Record<Op, number[]> = { "submit (rests)": [], "submit (crosses)": [], cancel: [] };
      for (let k = 0; k < Math.min(200, samples); k++) sample(book, asks, k, warm);
      const times: Record<Op, number[]> = { "submit (rests)": [], "submit (crosses)": [], cancel: [] };
      for (let k = 0; k < samples; k++) sample(book, asks, k, times);
      for (const op of OPS) {
        const sorted = times[op].sort((a, b) => a - b);
        const figure = { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
        const key = `${op}@${n}`;
        const seen = best.get(key);
        if (!seen || figure.p50 < seen.p50) best.set(key, { p50: figure.p50, p99: Math.min(figure.p99, seen?.p99 ?? Infinity) });
      }
    }
  }
  const rows: BenchRow[] = [];
  for (const op of OPS) {
    SIZES.forEach((n, i) => {
      const { p50, p99 } = best.get(`${op}@${n}`)!;
      const growth = i === 0 ? "" : `; ×${(p50 / best.get(`${op}@${SIZES[i - 1]}`)!.p50).toFixed(2)} vs ${SIZES[i - 1]!.toLocaleString("en")}`;
      rows.push({
        suite: SUITE, name: `${op}, ${n.toLocaleString("en")} resting`, opsPerSecond: 1000 / p50, nsPerOp: p50 * 1e6, unit: "operation",
        baseline: `${op}, ${SIZES[0]} resting`, note: `p50 ${micros(p50)}, p99 ${micros(p99)}${growth}`,
      });
    });
  }
  return rows;
}
