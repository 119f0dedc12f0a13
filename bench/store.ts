// Suite "store": the durable event store (pool/store) on the synthetic pool history (bench/store-events.ts, ~400
// bytes of JSON per event) in a temporary directory on this machine's disk. Appends at 1, 100 and 1,000 events per
// fsync'ed commit and in group commit (one event per append, one flush per 1,000: the pool's pattern under load),
// against the commit-per-event row (target, issue 16: ≥ 50,000 events/s with one fsync per commit batch); reads
// (paged iterate, each row decoded and schema-checked) against the in-memory store holding text; and the JSON-lines
// import of 2,000,000 events (line by line, seq and hash chain checked, 10,000 events per transaction) and the export
// back. Whole runs timed with the wall clock (the store's state grows, so the runs are not repeated samples); events
// are generated before each timed run. Writes ~2.5 GB of temporary files in the full run (removed at the end).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PoolEvent } from "../pool/events.js";
import { exportJournal, importJournal, MemoryEventStore, POOL_LOG, SqliteEventStore, type CommitMode, type EventStore } from "../pool/store/index.js";
import { SYNTHETIC_GENESIS, syntheticEvents, writeSyntheticJournal } from "./store-events.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "store";
const APPEND_BASELINE = "sqlite append, 1 event per commit";
const READ_BASELINE = "memory store iterate (text)";

/** Sizes of a run: events per task. */
function sizes(quick: boolean) {
  return quick
    ? { single: 200, batched: 20_000, read: 20_000, journal: 50_000 }
    : { single: 2_000, batched: 200_000, read: 200_000, journal: 2_000_000 };
}

/** Wall and CPU (user + system, this process) time of `run`, ms. */
interface Timing {
  ms: number;
  cpuMs: number;
}

function timed(run: () => void): Timing {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  run();
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * A row from wall time; the note adds the CPU time per event, which does not count waiting (for fsync, or for a core
 * that other processes hold on a shared machine).
 */
function row(name: string, events: number, t: Timing, baseline: string, note: string): BenchRow {
  const cpu = `${((t.cpuMs * 1000) / events).toFixed(1)} CPU µs/event`;
  return { suite: SUITE, name, opsPerSecond: (events / t.ms) * 1000, nsPerOp: (t.ms * 1e6) / events, unit: "event", baseline, note: `${note}; ${cpu}` };
}

/** Appends `events` to a new store in appends of `perAppend`, flushing every `perFlush` events. */
function appendRun(path: string, events: readonly PoolEvent[], commit: CommitMode, perAppend: number, perFlush: number): Timing {
  const store = new SqliteEventStore<PoolEvent>(path, { ...POOL_LOG, commit });
  try {
    return timed(() => {
      for (let i = 0; i < events.length; i += perAppend) {
        store.append(events.slice(i, i + perAppend));
        if ((i + perAppend) % perFlush === 0) store.flush();
      }
      store.flush();
    });
  } finally {
    store.close();
  }
}

function appendRows(dir: string, n: ReturnType<typeof sizes>, log: (line: string) => void): BenchRow[] {
  const events = [...syntheticEvents(n.batched)];
  const rows: BenchRow[] = [];
  const cases: [string, number, CommitMode, number, number, string][] = [
    [APPEND_BASELINE, n.single, "each", 1, 1, "one transaction and one fsync per event"],
    ["sqlite append, 100 events per commit", n.batched, "each", 100, 100, "one append = one transaction, one fsync"],
    ["sqlite append, 1,000 events per commit", n.batched, "each", 1000, 1000, "one append = one transaction, one fsync"],
    ["sqlite group commit, flush per 1,000", n.batched, "group", 1, 1000, "append 1 event at a time, flush() = one transaction, one fsync"],
  ];
  for (const [i, [name, count, commit, perAppend, perFlush, note]] of cases.entries()) {
    const t = appendRun(join(dir, `append-${i}.db`), events.slice(0, count), commit, perAppend, perFlush);
    log(`  ${SUITE}: ${name}: ${count} events in ${(t.ms / 1000).toFixed(2)} s`);
    rows.push(row(name, count, t, APPEND_BASELINE, `${note}; ${count.toLocaleString("en")} events`));
  }
  return rows;
}

/** Iterates the whole store. */
function iterateRun(store: EventStore<PoolEvent>, expected: number): Timing {
  let count = 0;
  const t = timed(() => {
    for (const _event of store.iterate()) count++;
  });
  if (count !== expected) throw new Error(`iterate read ${count} events, expected ${expected}`);
  return t;
}

function readRows(dir: string, n: ReturnType<typeof sizes>, log: (line: string) => void): BenchRow[] {
  const events = [...syntheticEvents(n.read)];
  const memory = new MemoryEventStore<PoolEvent>({ codec: POOL_LOG });
  const sqlite = new SqliteEventStore<PoolEvent>(join(dir, "read.db"), { ...POOL_LOG, commit: "group" });
  for (let i = 0; i < events.length; i += 10_000) {
    memory.append(events.slice(i, i + 10_000));
    sqlite.append(events.slice(i, i + 10_000));
  }
  sqlite.close();
  const reader = new SqliteEventStore<PoolEvent>(join(dir, "read.db"), { ...POOL_LOG, readOnly: true });
  const rows: BenchRow[] = [];
  for (const [name, store] of [[READ_BASELINE, memory], ["sqlite iterate (read-only open)", reader]] as const) {
    const t = iterateRun(store, n.read);
    log(`  ${SUITE}: ${name}: ${n.read} events in ${(t.ms / 1000).toFixed(2)} s`);
    rows.push(row(name, n.read, t, READ_BASELINE, `pages of 1,024, every event decoded and schema-checked; ${n.read.toLocaleString("en")} events`));
  }
  reader.close();
  memory.close();
  return rows;
}

function journalRows(dir: string, n: ReturnType<typeof sizes>, log: (line: string) => void): BenchRow[] {
  const journal = join(dir, "source.jsonl");
  const made = timed(() => writeSyntheticJournal(journal, n.journal));
  const mib = (path: string) => `${(statSync(path).size / 2 ** 20).toFixed(0)} MiB`;
  log(`  ${SUITE}: wrote a ${n.journal}-event journal (${mib(journal)}) in ${(made.ms / 1000).toFixed(1)} s`);
  const store = new SqliteEventStore<PoolEvent>(join(dir, "imported.db"), POOL_LOG);
  const imported = timed(() => importJournal(journal, store, POOL_LOG, { genesis: SYNTHETIC_GENESIS }));
  log(`  ${SUITE}: import: ${(imported.ms / 1000).toFixed(1)} s`);
  const exported = join(dir, "exported.jsonl");
  const written = timed(() => exportJournal(store, POOL_LOG, exported));
  log(`  ${SUITE}: export: ${(written.ms / 1000).toFixed(1)} s`);
  if (store.head().seq !== n.journal) throw new Error(`imported ${store.head().seq} events, expected ${n.journal}`);
  store.close();
  const count = n.journal.toLocaleString("en");
  return [
    row(`JSONL import, ${count} events`, n.journal, imported, `JSONL import, ${count} events`,
      `streamed line by line, seq + hash chain checked (SHA-256), 10,000 events per transaction; journal ${mib(journal)}, database ${mib(join(dir, "imported.db"))}, ${(imported.ms / 1000).toFixed(1)} s`),
    row(`JSONL export, ${count} events`, n.journal, written, `JSONL import, ${count} events`, `paged read, decoded and re-encoded, one fsync; ${(written.ms / 1000).toFixed(1)} s`),
  ];
}

export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const n = sizes(options.quick);
  const dir = mkdtempSync(join(tmpdir(), "pool2peer-bench-store-"));
  log(`  ${SUITE}: temporary files in ${dir}`);
  try {
    return [...appendRows(dir, n, log), ...readRows(dir, n, log), ...journalRows(dir, n, log)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
