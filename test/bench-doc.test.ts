// `pool2peer bench --write FILE` writes the bench's own header and table between the two marker comments of a
// Markdown file and leaves the rest byte for byte; a file without the markers is refused (exit 2) before any suite
// runs, and is left unchanged.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BENCH_BEGIN, BENCH_END, replaceBenchSection } from "../cli/bench-doc.js";
import type { CliIO } from "../cli/command.js";
import { main } from "../cli/pool2peer.js";

const dir = mkdtempSync(join(tmpdir(), "pool2peer-bench-doc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe("pool2peer bench --write", () => {
  it("replaces only what lies between the markers, and a second write gives the same file", () => {
    const before = "# Benchmarks\n\nprose above\n";
    const after = "\nprose below, with | a pipe\n";
    const doc = `${before}${BENCH_BEGIN}\n| old | table |\n${BENCH_END}${after}`;
    const once = replaceBenchSection(doc, "| new | table |");
    expect(once).toBe(`${before}${BENCH_BEGIN}\n\n| new | table |\n\n${BENCH_END}${after}`);
    expect(replaceBenchSection(once, "| new | table |")).toBe(once);
    expect(() => replaceBenchSection(`${BENCH_END}\n${BENCH_BEGIN}`, "x")).toThrow(/comes before/);
    expect(() => replaceBenchSection(`${BENCH_BEGIN}\n${BENCH_BEGIN}\n${BENCH_END}`, "x")).toThrow(/exactly one/);
  });

  it("refuses a file without the markers before running anything, and leaves it unchanged", async () => {
    const file = join(dir, "plain.md");
    writeFileSync(file, "# no markers here\n");
    const io = capture();
    expect(await main(["bench", "--quick", "--suite", "blackscholes", "--write", file], io)).toBe(2);
    expect(io.stderr.join("\n")).toContain(`--write: ${file} needs exactly one line`);
    expect(io.stdout).toEqual([]);
    expect(readFileSync(file, "utf8")).toBe("# no markers here\n");
    const missing = capture();
    expect(await main(["bench", "--quick", "--write", join(dir, "nosuch.md")], missing)).toBe(2);
    expect(missing.stderr.join("\n")).toMatch(/cannot read .*nosuch\.md/);
  });

  it("writes the run's header and table into docs/benchmarks.md's section, prose unchanged", async () => {
    const file = join(dir, "benchmarks.md");
    const doc = readFileSync(new URL("../docs/benchmarks.md", import.meta.url), "utf8");
    writeFileSync(file, doc);
    const io = capture();
    expect(await main(["bench", "--quick", "--suite", "impliedvol", "--write", file], io), io.stderr.join("\n")).toBe(0);
    const written = readFileSync(file, "utf8");
    const head = doc.slice(0, doc.indexOf(BENCH_BEGIN));
    const tail = doc.slice(doc.indexOf(BENCH_END));
    expect(written.startsWith(head)).toBe(true);
    expect(written.endsWith(tail)).toBe(true);
    const section = written.slice(head.length + BENCH_BEGIN.length, written.length - tail.length);
    expect(section).toContain("```text\npool2peer bench --quick\n");
    expect(section).toMatch(/^\| impliedvol +\| wasm simd/m);
    expect(section).not.toMatch(/^\| blackscholes/m); // the old full table is gone
  });
});
