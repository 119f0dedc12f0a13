// Paged reads in bounded memory: a reader process iterates a SqliteEventStore of 200,000 events (~460 bytes of heap
// per decoded event: ~90 MiB if the log were loaded whole) and reports its heap after a full GC every 10,000 events.
// Bound: the heap grows by less than 8 MiB over the whole iteration (a page of 1,024 decoded events is ~0.5 MiB; the
// rest is allocator slack). A control run that keeps 40,000 of the events it iterates (~18 MiB) must exceed the
// bound, which shows the measurement sees retained events.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticEvents } from "../bench/store-events.js";
import type { PoolEvent } from "../pool/events.js";
import { POOL_LOG, SqliteEventStore } from "../pool/store/index.js";
import { bundleScript, projectModule, runChild } from "./support/child.js";

const EVENTS = 200_000;
const BOUND_BYTES = 8 << 20;
let dir: string;
let path: string;
let reader: string;
let head: { seq: number; hash: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pool2peer-store-memory-"));
  path = join(dir, "big.db");
  const store = new SqliteEventStore<PoolEvent>(path, POOL_LOG);
  let batch: PoolEvent[] = [];
  for (const event of syntheticEvents(EVENTS)) {
    batch.push(event);
    if (batch.length === 10_000) store.append(batch), (batch = []);
  }
  head = store.head();
  store.close();
  reader = await bundleScript("store-memory-reader", `
    import { POOL_LOG, SqliteEventStore } from ${projectModule("pool/store/index.ts")};
    const [path, keepText, stopText] = process.argv.slice(2);
    const keep = Number(keepText), stop = Number(stopText);
    const store = new SqliteEventStore(path, { ...POOL_LOG, readOnly: true });
    const kept = [];
    const heap = () => (globalThis.gc(), process.memoryUsage().heapUsed);
    const base = heap();
    let max = base, count = 0, last = { seq: 0, hash: "" };
    for (const event of store.iterate()) {
      if (event.seq !== count + 1) throw new Error("seq " + event.seq + " after " + count);
      count++;
      last = event;
      if (kept.length < keep) kept.push(event);
      if (count % 10000 === 0) max = Math.max(max, heap());
      if (count === stop) break;
    }
    console.log("ack " + JSON.stringify({ count, seq: last.seq, hash: last.hash, growth: max - base, kept: kept.length }));
  `);
}, 300_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (reader) rmSync(reader, { force: true });
});

describe("SqliteEventStore.iterate", () => {
  it(`reads ${EVENTS.toLocaleString("en")} events in order with the heap growing less than ${BOUND_BYTES >> 20} MiB`, async () => {
    const run = await runChild(reader, [path, "0", "0"], { nodeArgs: ["--expose-gc"] });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.acks[0]!) as { count: number; seq: number; hash: string; growth: number };
    expect(report).toMatchObject({ count: EVENTS, seq: head.seq, hash: head.hash });
    console.log(`iterate over ${EVENTS} events: heap growth ${(report.growth / 2 ** 20).toFixed(1)} MiB`);
    expect(report.growth).toBeLessThan(BOUND_BYTES);
  }, 300_000);

  it("control: a reader that keeps 40,000 events exceeds the bound", async () => {
    const run = await runChild(reader, [path, "40000", "40000"], { nodeArgs: ["--expose-gc"] });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.acks[0]!) as { kept: number; growth: number };
    expect(report.kept).toBe(40_000);
    expect(report.growth).toBeGreaterThan(BOUND_BYTES);
  }, 300_000);
});
