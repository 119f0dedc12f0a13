// The `pool2peer simulate` command: runs a pool scenario from a JSON config (pool/simulation), prints a summary
// and writes a self-contained HTML report with charts. Progress bar on stderr. The simulator, the pricer and the
// workers load when the command runs, so that other commands (serve's restart above all) do not pay for importing them.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { HedgeTwins, ScenarioConfig } from "../pool/simulation/index.js";
import type { CliCommand, CliIO } from "./command.js";

type Simulation = typeof import("../pool/simulation/index.js");

const USAGE = `usage: pool2peer simulate [--config FILE] [--out report.html] [--workers N] [--no-twins]
       pool2peer simulate --template > scenario.json

Runs a pool scenario (LPs, trader flow, a spot/vol path with a crash day, peer market makers and
takers on the order book, an attacker) twice: a pool hedging its delta on a simulated perpetual and
its unhedged twin. Prints a summary and writes an HTML report: the twins' share price, drawdown,
hedge costs against the hedge fees charged and daily P&L attribution by greek; NAV, utilization,
net greeks, the stress grid heat map, the VaR histogram, peer vs pool volume; the attacker's P&L
per attack (defences on and off), defence events, LP results.

options:
  --config FILE    scenario JSON (default: the bundled 60-day scenario; --template prints it)
  --out FILE       HTML report path (default report.html)
  --workers N      worker threads for the stress grid and VaR (default 2; 0 = the main thread)
  --no-twins       run the scenario once, as configured (hedged only with a "hedge" key)
  --template       print the bundled scenario JSON (every field; edit it and pass it to --config)
  -h, --help       show this help`;

const HINT = "(pool2peer simulate --help lists the options; --template prints an example config)";

/** Reads and checks the config; a RangeError names the bad field. */
function loadConfig(sim: Simulation, path: string | undefined): ScenarioConfig {
  if (!path) return sim.DEFAULT_SCENARIO;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read --config ${path}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`--config ${path} is not JSON: ${(e as Error).message}`);
  }
  return sim.checkScenarioConfig(parsed as ScenarioConfig);
}

/** The twins' figures: drawdown, share price, hedge cost against the fees, the attribution's largest remainder. */
async function printTwins(t: HedgeTwins, io: CliIO): Promise<void> {
  const { worstRemainder } = await import("../pool/simulation/report-hedge.js");
  const h = t.figures.hedged;
  const u = t.figures.unhedged;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  io.out(`hedged vs unhedged: max drawdown ${pct(h.maxDrawdown)} vs ${pct(u.maxDrawdown)} (ratio ${t.drawdownRatio.toFixed(3)})  final share price ${h.finalSharePrice.toFixed(4)} vs ${u.finalSharePrice.toFixed(4)}`);
  io.out(`hedge costs ${h.hedgeCosts.toFixed(2)} USDC vs hedge fees due within the run ${h.hedgeFeesAccrued.toFixed(2)} (ratio ${t.costToFeeRatio.toFixed(3)}; charged in all ${h.hedgeFeesCharged.toFixed(2)}; the fee model on the book held ${h.hedgeFeesOnPath.toFixed(2)}, ratio ${t.costToPathRatio.toFixed(3)})  funding paid ${h.funding.toFixed(2)}`);
  const worst = Math.max(worstRemainder(t.hedged.hedge!.attribution), worstRemainder(t.unhedged.hedge!.attribution));
  io.out(`attribution: largest daily remainder ${worst.toExponential(2)} of |ΔNAV|`);
}

/** Renders a 30-character progress bar. */
function bar(stage: string, done: number, total: number): string {
  const filled = Math.round((done / total) * 30);
  return `\r${stage.padEnd(18)} [${"#".repeat(filled)}${".".repeat(30 - filled)}] ${done}/${total}`;
}

/** `pool2peer simulate`. Exit codes: 0 done, 1 failure, 2 bad arguments or config (the message names the field). */
export const simulateCommand: CliCommand = {
  summary: "simulate a pool scenario and write an HTML risk report",
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    let config: ScenarioConfig;
    let out: string;
    let workers: number;
    let twinsWanted: boolean;
    const sim = await import("../pool/simulation/index.js");
    try {
      const { values } = parseArgs({
        args,
        options: {
          config: { type: "string" }, out: { type: "string" }, workers: { type: "string" }, "no-twins": { type: "boolean", default: false },
          template: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false },
        },
        strict: true,
      });
      if (values.help) {
        io.out(USAGE);
        return 0;
      }
      if (values.template) {
        io.out(JSON.stringify(sim.DEFAULT_SCENARIO, null, 2));
        return 0;
      }
      config = loadConfig(sim, values.config);
      out = values.out ?? "report.html";
      workers = values.workers === undefined ? 2 : Number(values.workers);
      if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new Error(`--workers must be an integer in [0, 64], got "${values.workers}"`);
      twinsWanted = !values["no-twins"];
    } catch (error) {
      io.err(`pool2peer simulate: ${(error as Error).message}\n${HINT}`);
      return 2;
    }
    const { createPricer } = await import("../bindings/pricer.js");
    const { createPricingPool } = await import("../workers/pool.js");
    const pricer = await createPricer();
    const pool = workers > 0 ? await createPricingPool({ workers, module: pricer.core.module }) : undefined;
    const tty = process.stderr.isTTY === true;
    let lastLine = "";
    try {
      const onProgress = (stage: string, done: number, total: number) => {
        const line = bar(stage, done, total);
        if (tty) process.stderr.write(line);
        else if (done === total && line !== lastLine) io.err(line.slice(1));
        lastLine = line;
      };
      const twins = twinsWanted ? await sim.runHedgeTwins(config, pricer, config.hedge ?? sim.DEFAULT_HEDGE, pool ?? pricer, onProgress) : undefined;
      const result = twins?.hedged ?? (await sim.runScenario(config, pricer, pool ?? pricer, onProgress));
      if (tty) process.stderr.write("\n");
      writeFileSync(out, sim.renderReport(result, twins));
      if (twins) await printTwins(twins, io);
      const last = result.timeline[result.timeline.length - 1]!;
      const v = result.var;
      io.out(`days ${result.config.days}  events ${result.events}  final share price ${last.sharePrice.toFixed(6)}  NAV ${last.nav.toFixed(2)}  utilization ${(last.utilization * 100).toFixed(1)}%`);
      io.out(`VaR99 ${v.horizonDays}d ${(v.valueAtRisk * 100).toFixed(3)}% ± ${(v.valueAtRiskStdError * 100).toFixed(3)}%  ES99 ${(v.expectedShortfall * 100).toFixed(3)}% ± ${(v.expectedShortfallStdError * 100).toFixed(3)}%  (${v.paths} paths)`);
      io.out(`worst stress scenario: ${result.stress.worst.scenario.name} (${(result.stress.worst.sharePriceChange * 100).toFixed(2)}%)  circuit-breaker trips ${result.defenceEvents.filter((e) => e.kind === "circuitBreaker").length}  rejected by risk ${result.rejectedByRisk}`);
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
