// Cases `codec/xml-parse/<parser>/<fixture>`: the XML parser candidates for
// src/cwmp/xml.ts on our own messages, each doing the whole job (tree with
// namespaces resolved, entities decoded), next to fast-xml-parser with its
// validator, which xml.ts used until 2026-11-24. The first case also checks
// every candidate against our needs (lib/xml-candidates.ts NEEDS), because a
// fast parser that accepts malformed CPE input is not a candidate.
import { codecFixtures } from "./codec.js";
import { compareTimed, type BenchCase, type BenchContext, type CaseResult } from "./lib/harness.js";
import { QUIRK_FIXTURES } from "./lib/fixtures.js";
import { candidates, errorHasPosition, missedNeeds, type Candidate } from "./lib/xml-candidates.js";

const PARSERS = ["fast-xml-parser+validate", "fast-xml-parser", "htmlparser2", "saxes", "txml", "own (xml.ts)"];
const FIXTURES = ["inform", "gpv-response-1000", ...Object.keys(QUIRK_FIXTURES)];
const BASELINE = "fast-xml-parser+validate";

function slug(parser: string): string {
  return parser.replace(" (xml.ts)", "").replace("+", "-");
}

async function fixture(ctx: BenchContext, name: string): Promise<string> {
  const quirk = QUIRK_FIXTURES[name];
  if (quirk !== undefined) return quirk;
  return (await codecFixtures(ctx))[name as "inform" | "gpv-response-1000"];
}

/** Same tree from every candidate, or the comparison is meaningless. */
function sameTree(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, (_k, v: unknown) => (v instanceof Map ? [...v] : v)) === JSON.stringify(b, (_k, v: unknown) => (v instanceof Map ? [...v] : v));
}

function xmlParseCase(parser: string, fixtureName: string): BenchCase {
  const name = `codec/xml-parse/${slug(parser)}/${fixtureName}`;
  return {
    name,
    async run(ctx): Promise<CaseResult> {
      const all = await candidates();
      const find = (n: string): Candidate => all.find((c) => c.name === n) as Candidate;
      const ours = find(parser);
      const base = find(BASELINE);
      const xml = await fixture(ctx, fixtureName);
      const bytes = Buffer.byteLength(xml);
      const tree = ours.parse(xml);
      if (typeof tree === "string") throw new Error(`${name}: ${parser} refuses the fixture: ${tree}`);
      const sameAsBaseline = sameTree(tree, base.parse(xml));
      const missed = missedNeeds(ours);
      const position = errorHasPosition(ours);
      ctx.log(`${bytes} bytes; tree ${sameAsBaseline ? "identical to" : "DIFFERS from"} ${BASELINE}'s; needs missed: ${missed.length === 0 ? "none" : missed.join(", ")}${position ? "" : "; errors carry no position"}`);
      const budgetMs = bytes > 20_000 ? (ctx.quick ? 400 : 1500) : ctx.quick ? 150 : 600;
      const t = compareTimed(() => ours.parse(xml), () => base.parse(xml), budgetMs);
      const mbs = (us: number): number => bytes / us;
      return {
        rows: [
          { case: name, figure: "time", unit: "µs/msg", ours: t.oursUs, baselineName: BASELINE, baseline: t.baselineUs, higherIsBetter: false },
          { case: name, figure: "throughput", unit: "MB/s", ours: mbs(t.oursUs), baselineName: BASELINE, baseline: mbs(t.baselineUs), higherIsBetter: true },
          { case: name, figure: "CPU time", unit: "µs/msg", ours: t.oursCpuUs, baselineName: BASELINE, baseline: t.baselineCpuUs, higherIsBetter: false },
        ],
        details: { parser, fixture: fixtureName, bytes, sameAsBaseline, missedNeeds: missed, errorHasPosition: position, ...t },
      };
    },
  };
}

export const xmlParseCases: BenchCase[] = PARSERS.flatMap((p) => FIXTURES.map((f) => xmlParseCase(p, f)));
