// Suite "journal" (opt-in: `pool2peer bench --suite journal`): opening a journal line by line. 2,000,000 trade
// events — more bytes than V8's longest string (2^29 - 24 characters) — open with FileJournal.open and stream
// through readJournal, with every event checked; the whole-file read the journal used before (readFileSync, then
// eventsFromJSON of the joined lines) throws ERR_STRING_TOO_LONG on that file, so it is the baseline on 1,000,000
// events, where it still works. Journals are written from one real trade event's line with seq 1..n (the suite
// measures reading, not the pool). Wall time of one run each; the events, not the reading, dominate the cost.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPricer } from "../bindings/pricer.js";
import { eventsFromJSON, eventsToJSON, ManualClock, ManualOracle, OptionPool, type PoolEvent } from "../pool/index.js";
import { FileJournal, readJournal } from "../pool/journal/index.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "journal";
const T0 = 1_767_225_600;

/** One real trade event of a fresh pool (with its hash), the template of the journals written here. */
export async function tradeEvent(): Promise<PoolEvent> {
  const pool = new OptionPool({
    collateral: "quote", decimals: 6, pricer: await createPricer(), clock: new ManualClock(T0),
    oracle: new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 }),
  });
  pool.deposit("lp", 10n ** 12n);
  pool.trade("trader", { type: "put", strike: 1800, expiry: T0 + 7 * 86_400, size: 3n, side: "buy", maxCost: 10n ** 12n });
  return pool.events.find((e) => e.kind === "trade")!;
}

/** Writes a journal of `count` copies of `event` with seq 1..count (fast: byte copies); returns its size in bytes. */
export function writeEventCopies(path: string, event: PoolEvent, count: number): number {
  const line = eventsToJSON([event]).slice(1, -1);
  const [before, after] = line.split(`"seq":${event.seq},`) as [string, string];
  const head = Buffer.from(`${before}"seq":`);
  const tail = Buffer.from(`,${after}\n`);
  const fd = openSync(path, "w");
  const block = Buffer.allocUnsafe(8 << 20);
  let used = 0;
  let size = 0;
  const flush = (): void => {
    for (let done = 0; done < used; ) done += writeSync(fd, block, done, used - done);
    size += used;
    used = 0;
  };
  try {
    for (let seq = 1; seq <= count; seq++) {
      if (used + head.length + 16 + tail.length > block.length) flush();
      used += head.copy(block, used);
      used += block.write(String(seq), used, "latin1");
      used += tail.copy(block, used);
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return size;
}

/** The journal's former reading: the whole file as one string, its lines joined into one JSON array. */
function wholeFileRead(path: string): PoolEvent[] {
  const lines = readFileSync(path, "utf8").split("\n").filter((l) => l.length > 0);
  return eventsFromJSON(`[${lines.join(",")}]`);
}

async function countStreamed(path: string): Promise<number> {
  let seq = 0;
  for await (const event of readJournal(path)) if (event.seq !== ++seq) throw new Error(`readJournal: seq ${event.seq} where ${seq} was due`);
  return seq;
}

/** Milliseconds `run` takes, and what it returns. */
async function timed<T>(run: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await run();
  return { ms: performance.now() - t0, value };
}

export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const [small, large] = options.quick ? [50_000, 100_000] : [1_000_000, 2_000_000];
  const dir = mkdtempSync(join(tmpdir(), "pool2peer-bench-journal-"));
  const event = await tradeEvent();
  const rows: BenchRow[] = [];
  const row = (name: string, count: number, ms: number, note: string): void => {
    rows.push({ suite: SUITE, name, opsPerSecond: (count / ms) * 1000, nsPerOp: (ms * 1e6) / count, unit: "event", baseline: `whole-file read, ${small.toLocaleString("en")}`, note });
    log(`  ${SUITE}: ${name}: ${(ms / 1000).toFixed(1)} s`);
  };
  try {
    for (const count of [small, large]) {
      const path = join(dir, `journal-${count}.jsonl`);
      const mib = (writeEventCopies(path, event, count) / 2 ** 20).toFixed(0);
      const label = count.toLocaleString("en");
      if (count === small) {
        const whole = await timed(() => wholeFileRead(path).length);
        if (whole.value !== count) throw new Error(`whole-file read: ${whole.value} events of ${count}`);
        row(`whole-file read, ${label}`, count, whole.ms, `${mib} MiB: readFileSync + eventsFromJSON (the journal's former open)`);
      } else if (!options.quick) {
        const failure = await timed(() => wholeFileRead(path)).then(() => "no error", (e: NodeJS.ErrnoException) => e.code ?? e.message);
        if (failure !== "ERR_STRING_TOO_LONG") throw new Error(`whole-file read of ${mib} MiB: expected ERR_STRING_TOO_LONG, got ${failure}`);
      }
      const opened = await timed(() => {
        const { journal, events } = FileJournal.open(path, { readOnly: true });
        journal.close();
        return events.length === count && events[count - 1]!.seq === count;
      });
      if (!opened.value) throw new Error(`FileJournal.open: not the ${count} events written`);
      const tooLong = count === large && !options.quick ? "; the whole-file read throws ERR_STRING_TOO_LONG" : "";
      row(`FileJournal.open, ${label}`, count, opened.ms, `${mib} MiB, every event decoded and kept${tooLong}`);
      const streamed = await timed(() => countStreamed(path));
      if (streamed.value !== count) throw new Error(`readJournal: ${streamed.value} events of ${count}`);
      row(`readJournal, ${label}`, count, streamed.ms, `${mib} MiB, one event at a time`);
      rmSync(path);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
