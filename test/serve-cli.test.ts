// `pool2peer serve` arguments and configuration: usage errors exit 2, a bad pool.json exits 1 naming the field, a
// database name the service cannot store to is refused before anything starts.
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CliIO } from "../cli/command.js";
import { main } from "../cli/pool2peer.js";
import { ConfigError, checkServeConfig } from "../server/config.js";
import { makeServeDir, testConfig } from "./support/serve.js";

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe("pool2peer serve: arguments and configuration", () => {
  it("prints its usage for --help (exit 0) and refuses missing or bad arguments (exit 2)", async () => {
    const help = capture();
    expect(await main(["serve", "--help"], help)).toBe(0);
    expect(help.stdout.join("\n")).toMatch(/--db FILE/);
    for (const args of [[], ["--db", "x.jsonl"], ["--db", "x.jsonl", "--config", "p.json", "--port", "70000"], ["--nope"]]) {
      const io = capture();
      expect(await main(["serve", ...args], io), args.join(" ")).toBe(2);
      expect(io.stderr.join("\n")).toMatch(/usage: pool2peer serve/);
    }
  });

  it("exits 1 naming the bad field of pool.json, and refuses a --db that is not its database", async () => {
    const { configPath, dir } = makeServeDir(testConfig());
    writeFileSync(configPath, JSON.stringify({ ...testConfig(), oracle: { spot: -1, baseVol: 0.6, feed: { kind: "manual" } } }));
    const io = capture();
    expect(await main(["serve", "--db", `${dir}/p.jsonl`, "--config", configPath], io)).toBe(1);
    expect(io.stderr.join("\n")).toMatch(/config \/oracle\/spot/);
    const good = makeServeDir(testConfig());
    writeFileSync(`${good.dir}/p.sqlite`, "not a database, but text of some length ".repeat(40));
    const db = capture();
    expect(await main(["serve", "--db", `${good.dir}/p.sqlite`, "--config", good.configPath], db)).toBe(1);
    expect(db.stderr.join("\n")).toMatch(/not a SQLite database/);
  });

  it("checks every field of the configuration, naming it: unknown fields, bad admins, bad parameters", () => {
    const bad = (patch: object) => {
      try {
        checkServeConfig({ ...testConfig(), ...patch });
      } catch (e) {
        return (e as ConfigError).field;
      }
      return "accepted";
    };
    expect(bad({})).toBe("accepted");
    expect(bad({ extra: 1 })).toMatch(/^\/?$|extra/);
    expect(bad({ admins: ["0xABC"] })).toBe("/admins/0");
    expect(bad({ pool: { collateral: "quote", decimals: 6, params: { maxUtilization: 2 } } })).toBe("/pool/params/maxUtilization");
    expect(bad({ pool: { collateral: "quote", decimals: 6, params: { noSuch: 1 } } })).toMatch(/^\/pool\/params\//);
    expect(bad({ oracle: { spot: 3000, baseVol: 0.6, feed: { kind: "simulated", intervalMs: 1, annualVol: 0.6, seed: 1 } } })).toMatch(/\/oracle\/feed/);
  });
});
