// The `pool2peer bench` command: runs the benchmark suites and prints the table on stdout
// (progress on stderr, so `pool2peer bench > table.md` captures only the table).
import { parseArgs } from "node:util";
import { availableSuites, formatTable, machineLines, runBenchmarks, SUITE_NAMES } from "../bench/run.js";
import { checkBenchDoc, writeBenchDoc } from "./bench-doc.js";
import type { CliCommand, CliIO } from "./command.js";

const USAGE = `usage: pool2peer bench [--quick] [--suite NAME]... [--write FILE]

Throughput of the WASM pricing core (SIMD and scalar) against plain JS and npm peers, a pool
stress run ("risk") and PeerBook operations as the book fills up ("book"), as a markdown table:
ops/s, ns/op, and ratio against each suite's baseline in the same run.

options:
  --quick         small batches, short sampling (a smoke run of a few seconds)
  --suite NAME    run only this suite (repeatable, or comma-separated): ${SUITE_NAMES.join(", ")}
                  (by default all but the opt-in suites: "fleet" starts a local redis-server and worker processes;
                  "pool-scale" builds year-scale pools; "journal" and "store" write gigabytes of files; "serve" starts
                  a server; "serve-restart" restarts servers on a 110,000-event database; "book-open" reopens a
                  100,000-event peer book)
  --write FILE    also write the table into FILE between its two "pool2peer bench" marker comments
                  (e.g. docs/benchmarks.md; the rest of the file is left as it is)
  -h, --help      show this help`;

/** `pool2peer bench`. Exit codes: 0 done, 1 a suite failed, 2 bad arguments. */
export const benchCommand: CliCommand = {
  summary: "benchmark the pricing core against plain JS and npm peers",
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          quick: { type: "boolean", default: false },
          suite: { type: "string", multiple: true },
          write: { type: "string" },
          help: { type: "boolean", short: "h", default: false },
        },
        allowPositionals: false,
        strict: true,
      });
    } catch (error) {
      io.err(`pool2peer bench: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (parsed.values.help) {
      io.out(USAGE);
      return 0;
    }
    const suites = (parsed.values.suite ?? []).flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => s !== "");
    const unknown = suites.filter((s) => !(SUITE_NAMES as readonly string[]).includes(s));
    if (unknown.length > 0) {
      io.err(`pool2peer bench: unknown suite ${unknown.join(", ")}\n\n${USAGE}`);
      return 2;
    }
    const quick = parsed.values.quick;
    const docPath = parsed.values.write;
    // Checked before the run, so a long benchmark never ends in a file it cannot write.
    const docProblem = docPath === undefined ? undefined : checkBenchDoc(docPath);
    if (docProblem !== undefined) {
      io.err(`pool2peer bench: --write: ${docProblem}`);
      return 2;
    }
    try {
      const { rows, missing, skipped } = await runBenchmarks({ quick, suites, log: (line) => io.err(line) });
      if (rows.length === 0) {
        io.err(`pool2peer bench: no suite to run (available: ${availableSuites().join(", ") || "none"})`);
        return 1;
      }
      const header = [`pool2peer bench${quick ? " --quick" : ""}`, ...machineLines()];
      if (missing.length > 0) header.push(`not present in this build: ${missing.join(", ")}`);
      if (skipped.length > 0) header.push(`skipped (dev dependencies not installed): ${skipped.map((s) => `${s.suite} (${s.package})`).join(", ")}`);
      header.push("ratio = baseline ns/op ÷ row ns/op (higher is faster); ns/op is the median batch time per unit, best of the rounds");
      const table = `${header.join("\n")}\n\n${formatTable(rows)}`;
      io.out(table);
      if (docPath !== undefined) writeBenchDoc(docPath, header, formatTable(rows));
      return 0;
    } catch (error) {
      io.err(`pool2peer bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return 1;
    }
  },
};
