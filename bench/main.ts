// Entry point of `npm run bench [-- [--quick] [--seed N] [REGEX]]`. Runs every
// case whose name matches REGEX (default: all), prints one table per scenario
// and writes the figures with their baselines to bench/results/.
import os from "node:os";
import { codecCases } from "./codec.js";
import { formatTable, writeResults, type BenchCase, type BenchContext, type Row } from "./lib/harness.js";
import { memoryCases } from "./memory.js";
import { roundtripCases } from "./roundtrip.js";
import { sessionCases } from "./session.js";
import { soakCases } from "./soak.js";
import { tr098Cases } from "./tr098.js";
import { xmlParseCases } from "./xml-parse.js";

interface Args {
  quick: boolean;
  seed: number;
  filter: RegExp;
  list: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, seed: 20261124, filter: /.*/, list: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--quick") args.quick = true;
    else if (arg === "--list") args.list = true;
    else if (arg === "--seed") args.seed = Number(argv[++i]);
    else if (arg.startsWith("--")) throw new Error(`unknown option ${arg} (known: --quick, --list, --seed N, REGEX)`);
    else args.filter = new RegExp(arg);
  }
  return args;
}

const ALL: BenchCase[] = [...codecCases, ...xmlParseCases, ...sessionCases, ...roundtripCases, ...memoryCases, ...soakCases, ...tr098Cases];

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const selected = ALL.filter((c) => args.filter.test(c.name) && !(args.quick && c.fullOnly === true));
  if (args.list || selected.length === 0) {
    for (const c of ALL) console.log(`${c.name}${c.fullOnly === true ? "  (full runs only)" : ""}`);
    if (selected.length === 0) process.exitCode = 1;
    return;
  }
  const machine = { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "", totalMemMB: Math.round(os.totalmem() / 2 ** 20) };
  // Load from other processes skews absolute figures (not the ratios, whose
  // two sides run back to back); the load average says how quiet it was.
  const loadAtStart = os.loadavg()[0] ?? 0;
  console.log(`cwmp2usp bench · ${new Date().toISOString()} · ${machine.cpus} cores (${machine.cpuModel}) · node ${machine.node} · seed ${args.seed}${args.quick ? " · quick" : ""} · load avg ${loadAtStart.toFixed(2)}`);
  const ctx: BenchContext = { quick: args.quick, seed: args.seed, log: (line) => console.log(`  ${line}`) };
  const byScenario = new Map<string, { rows: Row[]; details: Record<string, unknown> }>();
  for (const c of selected) {
    console.log(`running ${c.name}`);
    const result = await c.run(ctx);
    const scenario = c.name.split("/")[0] as string;
    let entry = byScenario.get(scenario);
    if (entry === undefined) byScenario.set(scenario, (entry = { rows: [], details: {} }));
    entry.rows.push(...result.rows);
    entry.details[c.name] = result.details;
  }
  for (const [scenario, entry] of byScenario) {
    console.log(`\n${scenario}\n${formatTable(entry.rows)}`);
    const loadAvg = { atStart: loadAtStart, atEnd: os.loadavg()[0] ?? 0 };
    const file = writeResults(scenario, { scenario, date: new Date().toISOString(), machine, loadAvg, quick: args.quick, seed: args.seed, rows: entry.rows, details: entry.details });
    console.log(`→ ${file}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
