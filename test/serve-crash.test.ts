// SIGKILL of `pool2peer serve` (the built CLI, a child process) under a load of concurrent trades and deposits: every
// request it acknowledged is in the restarted server's log, as acknowledged (seq, account, amount), and the restarted
// server trades again. The restart time is printed, not asserted (a shared machine); bench/serve.ts measures it.
import { afterAll, describe, expect, it } from "vitest";
import { ServeClient, keySigner } from "../server/client.js";
import { ADDRESS, KEYS, USDC, expiryIn, freePort, makeServeDir, spawnServe, testConfig, type Who } from "./support/serve.js";

const children: { kill(signal: NodeJS.Signals): boolean }[] = [];
afterAll(() => children.forEach((c) => c.kill("SIGKILL")));

interface Ack {
  seq: number;
  kind: "trade" | "deposit";
  account: string;
  amount: string;
}

describe("serve: crash under load", () => {
  it("loses no acknowledged trade or deposit to a SIGKILL, and serves again after a restart", async () => {
    const paths = makeServeDir(testConfig());
    const port = await freePort();
    const first = await spawnServe(paths, port);
    children.push(first.child);
    const expiry = expiryIn(14);
    const open = async (who: Who) => {
      const c = new ServeClient(first.url);
      await c.open(keySigner(KEYS[who]));
      return c;
    };
    const lp = await open("alice");
    await lp.signed("POST", "/v1/lp/deposit", { assets: (10_000_000n * USDC).toString() });
    const traders = await Promise.all((["bob", "carol", "mallory"] as const).map(open));

    const acks: Ack[] = [];
    let stop = false;
    const loop = async (client: ServeClient, deposits: boolean) => {
      while (!stop) {
        try {
          if (deposits) {
            const r = await client.signed<{ seq: number }>("POST", "/v1/lp/deposit", { assets: "1000000" });
            acks.push({ seq: r.seq, kind: "deposit", account: client.session!.account, amount: "1000000" });
          } else {
            const r = await client.signed<{ seq: number; quote: { total: string } }>("POST", "/v1/trade", { type: "put", strike: 2800, expiry, size: "10", side: "buy", maxCost: (1000n * USDC).toString() });
            acks.push({ seq: r.seq, kind: "trade", account: client.session!.account, amount: r.quote.total });
          }
        } catch {
          return; // the server is gone: nothing more is acknowledged
        }
      }
    };
    // Four concurrent loops per trader and two depositing: several requests in every group commit.
    const loops = [...traders.flatMap((t) => [loop(t, false), loop(t, false), loop(t, false), loop(t, false)]), loop(lp, true), loop(lp, true)];
    while (acks.length < 300) await new Promise((r) => setTimeout(r, 5));
    first.child.kill("SIGKILL");
    await Promise.all(loops);
    stop = true;
    expect(acks.length).toBeGreaterThanOrEqual(300);

    const second = await spawnServe(paths, port);
    children.push(second.child);
    console.log(`serve crash test: ${acks.length} acknowledged before SIGKILL; restart answered /health ${second.readyMs.toFixed(0)} ms after spawn`);
    const reader = new ServeClient(second.url);
    const logged = new Map<number, Record<string, unknown>>();
    for (let after = 0; ; ) {
      const page = await reader.get<{ events: Record<string, unknown>[]; head: number }>(`/v1/events?after=${after}&limit=1000`);
      for (const e of page.events) logged.set(e["seq"] as number, e);
      if (page.events.length === 0) break;
      after = page.events.at(-1)!["seq"] as number;
    }
    for (const ack of acks) {
      const e = logged.get(ack.seq);
      expect(e, `acknowledged ${ack.kind} at seq ${ack.seq}`).toBeDefined();
      if (ack.kind === "trade") expect(e).toMatchObject({ kind: "trade", trader: ack.account, paid: ack.amount });
      else expect(e).toMatchObject({ kind: "deposit", owner: ack.account, assets: ack.amount });
    }
    const bob = new ServeClient(second.url);
    await bob.open(keySigner(KEYS.bob));
    const after = await bob.signed<{ seq: number }>("POST", "/v1/trade", { type: "put", strike: 2800, expiry, size: "10", side: "buy", maxCost: (1000n * USDC).toString() });
    expect(after.seq).toBeGreaterThan(Math.max(...acks.map((a) => a.seq)));
    const account = await bob.get<{ positions: { size: string }[] }>(`/v1/accounts/${ADDRESS.bob}`);
    expect(BigInt(account.positions[0]!.size)).toBeGreaterThanOrEqual(10n * BigInt(acks.filter((a) => a.account === ADDRESS.bob && a.kind === "trade").length + 1));

    const exited = new Promise<number | null>((r) => second.child.once("exit", (code) => r(code)));
    second.child.kill("SIGTERM");
    expect(await exited).toBe(0); // a graceful stop: drained and flushed
  }, 120_000);
});
