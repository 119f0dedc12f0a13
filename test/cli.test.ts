// The `pool2peer` CLI: the bench command prints a well-formed table with the expected rows and
// columns, help and usage errors have the documented exit codes (0 ok, 1 failure, 2 usage), and the
// compiled entry point (dist/, what `npm start` runs) behaves like the source.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { TABLE_COLUMNS } from "../bench/run.js";
import { main } from "../cli/pool2peer.js";
import type { CliIO } from "../cli/command.js";

const run = promisify(execFile);
const compiledCli = fileURLToPath(new URL("../dist/cli/pool2peer.js", import.meta.url));

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

/** Cells of the markdown table rows in `text` (header first), splitting on unescaped pipes. */
function tableRows(text: string): string[][] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("| "))
    .map((line) => line.slice(2, -2).split(/ (?<!\\)\| /).map((cell) => cell.trim()));
}

describe("pool2peer bench --quick (from source)", () => {
  it("prints the machine/versions header and one table row per task with positive figures and ratios against the named baseline", async () => {
    const io = capture();
    const code = await main(["bench", "--quick", "--suite", "blackscholes,impliedvol"], io);
    expect(code, io.stderr.join("\n")).toBe(0);
    const text = io.stdout.join("\n");
    expect(text).toMatch(/^machine: .+, \d+ cores, Node v\d+/m);
    expect(text).toMatch(/^versions: pool2peer \d+\.\d+\.\d+, .*black-scholes \d.*option-pricing \d/m);

    const [header, ...rows] = tableRows(text);
    expect(header).toEqual(Array.from(TABLE_COLUMNS));
    const names = rows.map((r) => `${r[0]}/${r[1]}`);
    expect(names).toEqual([
      "blackscholes/wasm simd", "blackscholes/wasm simd, reused output", "blackscholes/wasm simd, zero-copy batch", "blackscholes/wasm scalar", "blackscholes/wasm simd kernel", "blackscholes/plain js",
      "blackscholes/black-scholes + greeks", "blackscholes/@uqee/black-scholes", "blackscholes/option-pricing",
      "impliedvol/wasm simd",
      "impliedvol/wasm simd, reused output", "impliedvol/wasm simd, zero-copy batch", "impliedvol/wasm scalar", "impliedvol/wasm simd kernel", "impliedvol/plain js newton",
    ]);
    const parseRate = (s: string) => parseFloat(s) * ({ G: 1e9, M: 1e6, k: 1e3 }[s.slice(-1)] ?? 1);
    for (const row of rows) {
      const [suite, name, ops, ns, unit, ratio, baseline] = row as [string, string, string, string, string, string, string];
      const nsPerOp = parseFloat(ns.replace(/,/g, ""));
      expect(nsPerOp, `${suite}/${name} ns/op`).toBeGreaterThan(0);
      // ops/s and ns/op are two views of one measurement: their product is 1e9 up to 3-digit rounding.
      expect(Math.abs((parseRate(ops) * nsPerOp) / 1e9 - 1), `${suite}/${name} ops/s × ns/op`).toBeLessThan(0.02);
      expect(unit).toBe("option");
      expect(baseline).toBe(suite === "blackscholes" ? "plain js" : "plain js newton");
      expect(ratio).toMatch(/^\d+(\.\d+)?(e[-+]\d+)?×$/);
      if (name === baseline) expect(ratio).toBe("1.00×");
    }
  });

  it("runs the surface suite: lookups against the plain-JS baseline, fits and the check against the raw SVI fit", async () => {
    const io = capture();
    expect(await main(["bench", "--quick", "--suite", "surface"], io), io.stderr.join("\n")).toBe(0);
    const rows = tableRows(io.stdout.join("\n")).slice(1);
    const names = rows.map((r) => r[1]);
    for (const name of ["plain js svi lookup, random T", "wasm simd svi, random T", "wasm simd ssvi, random T", "fit svi 10×40", "check, raw SVI 10 slices"]) {
      expect(names).toContain(name);
    }
    for (const [suite, name, , ns, unit, , baseline] of rows as string[][]) {
      expect(suite).toBe("surface");
      expect(Number.parseFloat(ns!.replace(/,/g, "")), name).toBeGreaterThan(0);
      expect(baseline, name).toBe(unit === "point" ? "plain js svi lookup, random T" : "fit svi 10×40");
    }
  });

  it("answers --help with usage on stdout and exit 0; bad commands, options and suites exit 2 with usage on stderr", async () => {
    let io = capture();
    expect(await main(["bench", "--help"], io)).toBe(0);
    expect(io.stdout.join("\n")).toMatch(/usage: pool2peer bench \[--quick\] \[--suite NAME\]/);

    io = capture();
    expect(await main(["--help"], io)).toBe(0);
    expect(io.stdout.join("\n")).toMatch(/commands:\n\s+bench\s+/);

    for (const argv of [[], ["frobnicate"], ["bench", "--fast"], ["bench", "--suite", "nosuch"], ["bench", "extra"]]) {
      io = capture();
      expect(await main(argv, io), argv.join(" ")).toBe(2);
      expect(io.stderr.join("\n"), argv.join(" ")).toMatch(/usage: pool2peer/);
      expect(io.stdout).toEqual([]);
    }
  });
});

describe("compiled CLI (dist/cli/pool2peer.js, built by `npm test`'s build step)", () => {
  it.skipIf(!existsSync(compiledCli))("runs `bench --quick --suite impliedvol` as a process: table on stdout, progress on stderr, exit 0", async () => {
    const { stdout, stderr } = await run(process.execPath, [compiledCli, "bench", "--quick", "--suite", "impliedvol"], {
      timeout: 60_000,
    });
    const rows = tableRows(stdout);
    expect(rows[0]).toEqual(Array.from(TABLE_COLUMNS));
    expect(rows.slice(1).map((r) => r[1])).toEqual(["wasm simd", "wasm simd, reused output", "wasm simd, zero-copy batch", "wasm scalar", "wasm simd kernel", "plain js newton"]);
    expect(stderr).toMatch(/suite impliedvol/);
  });

  it.skipIf(!existsSync(compiledCli))("exits with code 2 on an unknown command", async () => {
    const failure = await run(process.execPath, [compiledCli, "nosuch"]).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(/unknown command "nosuch"/);
  });
});
