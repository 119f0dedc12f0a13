#!/usr/bin/env node
// The `pool2peer` command: dispatches `pool2peer <command> [options]` through a table of subcommands
// (cli/<command>.ts each). Exit codes: 0 success, 1 failure while running, 2 usage error.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { benchCommand } from "./bench.js";
import { demoCommand } from "./demo.js";
import { serveCommand } from "./serve.js";
import { simulateCommand } from "./simulate.js";
import { workerCommand } from "./worker.js";
import type { CliCommand, CliIO } from "./command.js";

/** Subcommands by name; add new ones here (demo, simulate, worker...). */
export const commands: Record<string, CliCommand> = {
  bench: benchCommand,
  demo: demoCommand,
  serve: serveCommand,
  simulate: simulateCommand,
  worker: workerCommand,
};

/** The package's version, from the package.json above this file (cli/ in a checkout, dist/cli/ when installed). */
export function packageVersion(): string {
  for (const up of ["../package.json", "../../package.json"]) {
    const file = fileURLToPath(new URL(up, import.meta.url));
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "pool2peer" && typeof pkg.version === "string") return pkg.version;
  }
  throw new Error("pool2peer: cannot find the package's package.json");
}

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const list = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return [
    "usage: pool2peer <command> [options]",
    "",
    "commands:",
    ...list,
    "",
    "Run `pool2peer <command> --help` for a command's options; `pool2peer --version` prints the version.",
  ].join("\n");
}

const processIO: CliIO = {
  out: (text) => process.stdout.write(text + "\n"),
  err: (text) => process.stderr.write(text + "\n"),
};

/**
 * Runs the CLI with `argv` (the arguments after the program name) and resolves to the exit code.
 * @example await main(["bench", "--quick"]) // prints the benchmark table, resolves to 0
 */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    (name === undefined ? io.err : io.out)(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v" || name === "version") {
    io.out(packageVersion());
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    io.err(`pool2peer: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(rest, io);
}

/** True when this file is the program node was started with (also through an npm bin symlink). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`pool2peer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
