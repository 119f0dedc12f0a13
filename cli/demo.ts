// The `pool2peer demo` command: the pool accounting demo (pool/demo.ts) — LPs and traders over simulated days. The
// demo loads when run, so that other commands (serve's restart above all) do not pay for importing the pool.
import { parseArgs } from "node:util";
import type { CliCommand, CliIO } from "./command.js";

const USAGE = `usage: pool2peer demo [--days N] [--seed N]

A USDC pool writing ETH puts: LPs deposit and redeem, traders buy and sell back, spot follows a
geometric Brownian motion. Prints NAV, share price, utilization and fees per day, then final balances.
The same seed prints the same run.

options:
  --days N     simulated days (default 30)
  --seed N     seed of the simulation (default 42)
  -h, --help   show this help`;

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0 || (name === "days" && value === 0)) {
    throw new Error(`--${name} must be a ${name === "days" ? "positive" : "non-negative"} integer, got "${text}"`);
  }
  return value;
}

/** `pool2peer demo`. Exit codes: 0 done, 1 failure, 2 bad arguments. */
export const demoCommand: CliCommand = {
  summary: "run the pool demo: LPs and traders over simulated days",
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    let days: number;
    let seed: number;
    try {
      const { values } = parseArgs({
        args,
        options: { days: { type: "string" }, seed: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
        strict: true,
      });
      if (values.help) {
        io.out(USAGE);
        return 0;
      }
      days = positiveInteger("days", values.days, 30);
      seed = positiveInteger("seed", values.seed, 42);
    } catch (error) {
      io.err(`pool2peer demo: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    const { runPoolDemo } = await import("../pool/demo.js");
    await runPoolDemo({ days, seed, log: (line) => io.out(line) });
    return 0;
  },
};
