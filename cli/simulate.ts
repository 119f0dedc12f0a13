// The `pool2peer simulate` command: runs a pool scenario from a JSON config (pool/simulation), prints a summary
// and writes a self-contained HTML report with charts. Progress bar on stderr.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createPricer } from "../bindings/pricer.js";
import { checkScenarioConfig, DEFAULT_SCENARIO, renderReport, runScenario, type ScenarioConfig } from "../pool/simulation/index.js";
import { createPricingPool } from "../workers/pool.js";
import type { CliCommand, CliIO } from "./command.js";

const USAGE = `usage: pool2peer simulate [--config FILE] [--out report.html] [--workers N]

Runs a pool scenario (LPs, trader flow, a spot/vol path with a crash day, peer market makers and
takers on the order book, an attacker; see pool/simulation/default-scenario.json for the format),
prints a summary and writes an HTML report with charts: share price, NAV, utilization, net greeks,
the stress grid heat map, the VaR histogram, peer vs pool volume; and tables: the attacker's P&L per
attack (defences on and off) beside the other LPs', defence events, LP results.

options:
  --config FILE    scenario JSON (default: the bundled 60-day scenario)
  --out FILE       HTML report path (default report.html)
  --workers N      worker threads for the stress grid and VaR (default 2; 0 = the main thread)
  -h, --help       show this help`;

/** Renders a 30-character progress bar. */
function bar(stage: string, done: number, total: number): string {
  const filled = Math.round((done / total) * 30);
  return `\r${stage.padEnd(10)} [${"#".repeat(filled)}${".".repeat(30 - filled)}] ${done}/${total}`;
}

/** `pool2peer simulate`. Exit codes: 0 done, 1 failure, 2 bad arguments or config (the message names the field). */
export const simulateCommand: CliCommand = {
  summary: "simulate a pool scenario and write an HTML risk report",
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    let config: ScenarioConfig;
    let out: string;
    let workers: number;
    try {
      const { values } = parseArgs({
        args,
        options: { config: { type: "string" }, out: { type: "string" }, workers: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
        strict: true,
      });
      if (values.help) {
        io.out(USAGE);
        return 0;
      }
      config = checkScenarioConfig(values.config ? (JSON.parse(readFileSync(values.config, "utf8")) as ScenarioConfig) : DEFAULT_SCENARIO);
      out = values.out ?? "report.html";
      workers = values.workers === undefined ? 2 : Number(values.workers);
      if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new Error(`--workers must be an integer in [0, 64], got "${values.workers}"`);
    } catch (error) {
      io.err(`pool2peer simulate: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    const pricer = await createPricer();
    const pool = workers > 0 ? await createPricingPool({ workers, module: pricer.core.module }) : undefined;
    const tty = process.stderr.isTTY === true;
    let lastLine = "";
    try {
      const result = await runScenario(config, pricer, pool ?? pricer, (stage, done, total) => {
        const line = bar(stage, done, total);
        if (tty) process.stderr.write(line);
        else if (done === total && line !== lastLine) io.err(line.slice(1));
        lastLine = line;
      });
      if (tty) process.stderr.write("\n");
      writeFileSync(out, renderReport(result));
      const last = result.timeline[result.timeline.length - 1]!;
      const v = result.var;
      io.out(`days ${result.config.days}  events ${result.events}  final share price ${last.sharePrice.toFixed(6)}  NAV ${last.nav.toFixed(2)}  utilization ${(last.utilization * 100).toFixed(1)}%`);
      io.out(`VaR99 ${v.horizonDays}d ${(v.valueAtRisk * 100).toFixed(3)}% ± ${(v.valueAtRiskStdError * 100).toFixed(3)}%  ES99 ${(v.expectedShortfall * 100).toFixed(3)}% ± ${(v.expectedShortfallStdError * 100).toFixed(3)}%  (${v.paths} paths)`);
      io.out(`worst stress scenario: ${result.stress.worst.scenario.name} (${(result.stress.worst.sharePriceChange * 100).toFixed(2)}%)  breaker trips ${result.timeline.reduce((a, d) => a + d.breakerTrips.length, 0)}  rejected by risk ${result.rejectedByRisk}`);
      const vol = result.volume;
      io.out(`volume: peers ${vol.peerContracts.toFixed(2)} contracts (${vol.peerPremium.toFixed(2)} USDC)  pool ${vol.poolContracts.toFixed(2)} contracts (${vol.poolPremium.toFixed(2)} USDC, ${vol.routedContracts.toFixed(2)} routed from the book)`);
      const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(2)}`;
      for (const a of result.attacks) {
        const others = a.others.reduce((t, o) => t + o.delta, 0);
        io.out(`attack day ${a.day} ${a.kind}: attacker P&L ${signed(a.pnl)} USDC (defence off: ${signed(a.undefendedPnl)})  other LPs ${signed(others)} USDC vs unattacked  ${a.defenceEvents.length} defence events, ${a.refused.length} legs refused`);
      }
      const pauses = result.defenceEvents.filter((e) => e.kind === "tradingPaused").length;
      const refused = Object.entries(result.refusals).map(([code, n]) => `${code} ${n}`).join(", ") || "none";
      io.out(`defences: ${pauses} tradingPaused events  refused: ${refused}`);
      io.out(`report: ${out}`);
      return 0;
    } catch (error) {
      io.err(`pool2peer simulate: ${(error as Error).message}`);
      return 1;
    } finally {
      await pool?.close();
    }
  },
};
