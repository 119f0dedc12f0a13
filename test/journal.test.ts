// Durable journal: round trip, torn tail, and a crash test — a writer process appending pool events (fsync per
// batch, acknowledging each batch on stdout) is SIGKILLed mid-stream; reopening by replay must keep every
// acknowledged event and rebuild a consistent state.
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { OptionPool } from "../pool/index.js";
import { FileJournal, JournalError, openJournaledPool, readJournal } from "../pool/journal/index.js";
import { bundleScript, imports, poolConfig as config, ROOT, T0 } from "./support/journal.js";

let dir: string;
let pricer: Pricer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pool2peer-journal-"));
  pricer = await createPricer();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function checkInvariants(pool: OptionPool): void {
  expect(pool.assets).toBe(pool.free + pool.locked + pool.reserved);
  const t = pool.totals;
  expect(t.paidIn).toBe(pool.assets + t.paidOut);
  const s = pool.snapshot() as { locked: string; series: { locked: string }[] };
  expect(s.series.reduce((a, x) => a + BigInt(x.locked), 0n)).toBe(pool.locked);
}

describe("file journal", () => {
  it("round-trips events and drops a torn, unacknowledged last line", () => {
    const path = join(dir, "roundtrip.jsonl");
    const { pool, journal } = openJournaledPool(config(pricer), path);
    pool.deposit("alice", 5_000_000_000n);
    pool.trade("bob", { type: "put", strike: 1900, expiry: T0 + 86_400 * 7, size: 150n, side: "buy", maxCost: 10n ** 12n });
    expect(journal.sync(pool)).toBe(2);
    pool.redeem("alice", pool.sharesOf("alice") / 3n);
    expect(journal.sync(pool)).toBe(1);
    journal.close();
    appendFileSync(path, '{"kind":"deposit","owner":"x","assets":"1'); // a write cut short by a crash
    const again = openJournaledPool(config(pricer), path);
    expect(again.pool.snapshot()).toEqual(pool.snapshot());
    expect(readFileSync(path, "utf8").endsWith("\n")).toBe(true);
    again.pool.deposit("carol", 1_000_000n);
    again.journal.sync(again.pool);
    again.journal.close();
    const third = FileJournal.open(path);
    expect(third.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    third.journal.close();
  });

  it("refuses events that do not continue its seq, and another pool's history, writing nothing", () => {
    const path = join(dir, "order.jsonl");
    const { pool, journal } = openJournaledPool(config(pricer), path);
    pool.deposit("alice", 5_000_000_000n);
    pool.deposit("bob", 1_000_000n);
    journal.sync(pool);
    const other = new OptionPool(config(pricer));
    other.deposit("mallory", 7_000_000n);
    other.deposit("mallory", 7_000_000n);
    other.deposit("mallory", 7_000_000n);
    const size = journal.bytes;
    for (const [run, message] of [
      [() => journal.append(pool.events), /events\[0\] has seq 1, expected 3/],
      [() => journal.append([{ ...pool.events[1]!, seq: 4 }]), /events\[0\] has seq 4, expected 3/],
      [() => journal.sync(other), /the pool has a different event at seq 2; the journal holds seq 1..2/],
      [() => journal.sync(new OptionPool(config(pricer))), /the pool has only 0 events/],
    ] as const) {
      expect(run).toThrow(JournalError);
      expect(run).toThrow(message);
    }
    expect(journal.bytes).toBe(size);
    expect(journal.count).toBe(2);
    pool.deposit("carol", 1_000_000n);
    expect(journal.sync(pool)).toBe(1); // only the new event
    journal.close();
    expect(() => journal.sync(pool)).toThrow(/CLOSED/);
  });

  it("readJournal streams the same events as open, and a reader that stops early leaves no file open", async () => {
    const path = join(dir, "stream.jsonl");
    const { pool, journal } = openJournaledPool(config(pricer), path);
    for (let i = 1; i <= 5; i++) pool.deposit(`lp${i}`, BigInt(i) * 1_000_000n);
    journal.sync(pool);
    journal.close();
    const streamed: unknown[] = [];
    for await (const event of readJournal(path)) streamed.push(event);
    expect(streamed).toEqual(pool.events);
    const open = (): number => readdirSync("/proc/self/fd").length;
    const before = open();
    for await (const event of readJournal(path)) if (event.seq === 2) break;
    // The stream closes its file asynchronously once the loop returns.
    for (let waited = 0; open() > before && waited < 2_000; waited += 10) await new Promise((wake) => setTimeout(wake, 10));
    expect(open()).toBe(before);
  });

  it("survives SIGKILL of a writer mid-stream: every acknowledged event is replayed and the state is consistent", async () => {
    const writerSource = `
      import { readFileSync } from "node:fs";
      ${imports({ bindings: "createPricer", pool: "ManualClock, ManualOracle", journal: "openJournaledPool" })}
      const [path, wasm] = process.argv.slice(2);
      const pricer = await createPricer({ simd: false, bytes: readFileSync(wasm) });
      const T0 = ${T0};
      const { pool, journal } = openJournaledPool({ collateral: "quote", decimals: 6, pricer, clock: new ManualClock(T0),
        oracle: new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 }) }, path);
      let x = 12345;
      const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296);
      for (let i = 0; ; i++) {
        const who = "lp" + (i % 5);
        const r = rnd();
        try {
          if (r < 0.4) pool.deposit(who, BigInt(1 + Math.floor(rnd() * 1e6)) * 1000n);
          else if (r < 0.8) pool.trade("t" + (i % 3), { type: "put", strike: 1500 + 50 * Math.floor(rnd() * 10), expiry: T0 + 86400 * (7 + (i % 4)), size: BigInt(1 + Math.floor(rnd() * 50)), side: "buy", maxCost: 10n ** 15n });
          else if (pool.sharesOf(who) > 0n) pool.redeem(who, pool.sharesOf(who) / 2n + 1n);
        } catch (e) { if (!(e && e.code)) throw e; }
        // Batches of 1-3 operations: fsync, then acknowledge.
        if (i % 3 === 2) {
          journal.sync(pool);
          process.stdout.write("ack " + pool.events.length + " " + pool.free + " " + pool.locked + " " + pool.totalSupply + "\\n");
        }
      }
    `;
    const bundle = await bundleScript(dir, "writer", writerSource);
    const path = join(dir, "crash.jsonl");
    const child = spawn(process.execPath, [bundle, path, join(ROOT, "build/pool2peer.scalar.wasm")], { stdio: ["ignore", "pipe", "pipe"] });
    const acks: { seq: number; free: bigint; locked: bigint; supply: bigint }[] = [];
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    let buffered = "";
    await new Promise<void>((done, fail) => {
      child.on("exit", (code, signal) => (signal === "SIGKILL" ? done() : fail(new Error(`writer exited ${code}: ${stderr}`))));
      child.stdout.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        let nl: number;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          const [, seq, free, locked, supply] = buffered.slice(0, nl).split(" ");
          buffered = buffered.slice(nl + 1);
          acks.push({ seq: Number(seq), free: BigInt(free!), locked: BigInt(locked!), supply: BigInt(supply!) });
          if (acks.length === 300) child.kill("SIGKILL"); // mid-stream: the writer never stops on its own
        }
      });
    });
    expect(acks.length).toBeGreaterThanOrEqual(300);
    const last = acks.at(-1)!;
    const { pool, journal } = openJournaledPool(config(pricer), path);
    journal.close();
    const seq = pool.events.length;
    expect(seq).toBeGreaterThanOrEqual(last.seq); // nothing acknowledged is lost
    checkInvariants(pool);
    // The replayed prefix at each acknowledged point has the state the writer reported.
    const events = pool.events;
    for (const ack of acks.filter((_, i) => i % 50 === 0 || i === acks.length - 1)) {
      const prefix = OptionPool.replay(config(pricer), events.slice(0, ack.seq));
      expect([prefix.free, prefix.locked, prefix.totalSupply]).toEqual([ack.free, ack.locked, ack.supply]);
      checkInvariants(prefix);
    }
  }, 60_000);
});
