// `pool2peer demo` prints one row per simulated day and the final balances, identically for a seed,
// and rejects bad flags with exit code 2.
import { describe, expect, it } from "vitest";
import { main } from "../cli/pool2peer.js";

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("pool2peer demo", () => {
  it("prints a row per day and final balances, the same for the same seed", async () => {
    const first = await run(["demo", "--days", "3", "--seed", "7"]);
    expect(first.code).toBe(0);
    const dayRows = first.out.split("\n").filter((line) => /^\s+\d+\s+\d/.test(line));
    expect(dayRows).toHaveLength(3);
    expect(first.out).toContain("final balances");
    const second = await run(["demo", "--days", "3", "--seed", "7"]);
    expect(second.out).toBe(first.out);
    const other = await run(["demo", "--days", "3", "--seed", "8"]);
    expect(other.out).not.toBe(first.out);
  });

  it("rejects a bad --days with exit code 2 and names the flag", async () => {
    const bad = await run(["demo", "--days", "zero"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--days");
  });
});
