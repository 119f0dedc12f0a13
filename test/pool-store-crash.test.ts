// Issue 16: a pool on SQLite SIGKILLed at random moments, 12 times in a row on one file. The writer process lives the
// deterministic life of support/pool-driver.ts (resuming with OptionPool.open after each kill, from a MAC'ed snapshot
// when there is one), acknowledging each seq once its operation returned ("each" mode) or once a flush returned
// ("group" mode). After each kill the store must reopen (lock free, integrity check), hold every acknowledged event,
// and open to a pool whose log is, seq for seq, the log of the same life lived without a crash — from its snapshot
// and from genesis alike. Kill moments come from a seeded generator (the seed is in the test name).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededUniform } from "../bench/inputs.js";
import { createPricer, type Pricer } from "../bindings/index.js";
import { OptionPool, POOL_LOG, type PoolEvent } from "../pool/index.js";
import { SqliteEventStore } from "../pool/store/index.js";
import { bundleScript, projectModule, ROOT, runChild } from "./support/child.js";
import { lifeConfig, live } from "./support/pool-driver.js";

const SEED = 20_261_205;
const LIFE = 5; // the driver's seed
const KILLS = 12;
const KEY = "an operator secret of at least thirty-two bytes!";
let dir: string;
let writer: string;
let pricer: Pricer;

const writerSource = `
import { readFileSync } from "node:fs";
import { createPricer } from ${projectModule("bindings/index.ts")};
import { OptionPool } from ${projectModule("pool/index.ts")};
import { POOL_LOG, SqliteEventStore } from ${projectModule("pool/store/index.ts")};
import { doStep, enterStep, lifeConfig, resumeStep } from ${projectModule("test/support/pool-driver.ts")};
const [path, mode, wasm] = process.argv.slice(2);
const pricer = await createPricer({ bytes: readFileSync(wasm) });
const store = new SqliteEventStore(path, { ...POOL_LOG, commit: mode });
const { config, clock, oracle } = lifeConfig(pricer, { store, ledgerKey: ${JSON.stringify(KEY)}, snapshotEvery: 37 });
const pool = store.head().seq > 0 ? OptionPool.open(config) : new OptionPool(config);
for (let k = resumeStep(pool, ${LIFE}, clock, oracle); k < 1_000_000; k++) {
  enterStep(${LIFE}, k, clock, oracle);
  doStep(pool, ${LIFE}, k);
  if (pool.snapshotError) throw pool.snapshotError;
  if (mode === "group" && k % 8 !== 7) continue;
  pool.flush();
  process.stdout.write("ack " + pool.seq + "\\n");
}
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pool2peer-pool-crash-"));
  writer = await bundleScript("pool-crash-writer", writerSource);
  pricer = await createPricer();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (writer) rmSync(writer, { force: true });
});

/** The life lived without a crash, extended on demand: the hash of its event at each seq. */
class UninterruptedLife {
  private readonly life = lifeConfig(pricer);
  private readonly pool = new OptionPool(this.life.config);
  private step = 0;

  hashAt(seq: number): string {
    while (this.pool.seq < seq) live(this.pool, LIFE, this.step, ++this.step, this.life.clock, this.life.oracle);
    return this.pool.eventsSince(seq - 1, 1)[0]!.hash;
  }
}

describe("a pool on SQLite under SIGKILL", () => {
  it(`keeps every acknowledged operation and resumes the same life over ${KILLS} kills (seed ${SEED})`, async () => {
    const path = join(dir, "pool.db");
    const random = seededUniform(SEED);
    const reference = new UninterruptedLife();
    let acked = 0;
    let fromSnapshot = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const mode = kill % 2 === 0 ? "each" : "group";
      const killAfter = { acks: 1 + Math.floor(random() * 25), delayMs: Math.floor(random() * 30) };
      const run = await runChild(writer, [path, mode, join(ROOT, "build/pool2peer.simd.wasm")], { killAfter });
      expect(run.signal, `the writer must be killed, not exit (${run.stderr})`).toBe("SIGKILL");
      for (const a of run.acks) acked = Math.max(acked, Number(a));

      const store = new SqliteEventStore<PoolEvent>(path, POOL_LOG);
      store.checkIntegrity();
      const head = store.head();
      expect(head.seq, "every acknowledged event is there").toBeGreaterThanOrEqual(acked);
      expect(head.hash, `seq ${head.seq} is the uninterrupted life's`).toBe(reference.hashAt(head.seq));
      const snapshot = store.latestSnapshot();
      if (snapshot) fromSnapshot++;
      const config = lifeConfig(pricer, { store, ledgerKey: KEY }).config;
      const resumed = OptionPool.open(config);
      const replayed = OptionPool.open(config, { snapshot: "ignore" });
      expect(JSON.stringify(resumed.snapshot())).toBe(JSON.stringify(replayed.snapshot()));
      expect(resumed.seq).toBe(head.seq);
      store.close();
      acked = head.seq; // what a restart saw is durable from then on
    }
    expect(acked).toBeGreaterThan(KILLS * 5);
    expect(fromSnapshot).toBeGreaterThan(0);
    console.log(`pool crash test: ${KILLS} kills, head seq ${acked}, ${fromSnapshot} reopenings from a snapshot`);
  }, 300_000);
});
