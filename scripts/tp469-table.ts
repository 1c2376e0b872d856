// Generates the README's TP-469 table from test/tp469/expected.ts.
//   node --import=@tapjs/typescript/import scripts/tp469-table.ts            print the README section
//   node --import=@tapjs/typescript/import scripts/tp469-table.ts --write    update README.md in place
//   node --import=@tapjs/typescript/import scripts/tp469-table.ts --results  print the obuspa-style results file
// --write replaces only the generated block between its markers; without the
// markers it appends the whole section at the end. test/tp469-table.test.ts
// fails when README.md's block differs from what this prints.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readmeBlock, resultsText, withReadmeBlock } from "../test/tp469/table.js";

export const README_SECTION_INTRO = `## TP-469 conformance

The cases of the Broadband Forum's test plan for USP agents (TP-469) in
sections 1 (messages and notifications), 3 (end-to-end session context), 7
(WebSocket MTP) and 11 (MQTT MTP), run by \`npm test\` end to end (simulated
TR-181 CPEs → gateway → Mosquitto or WebSocket → a test controller) in
\`test/tp469-*.test.ts\`; sections 2 (security, roles) and 4–6, 8–10 are not
covered. The verdicts live in \`test/tp469/expected.ts\` and the table below is
generated from it (\`node --import=@tapjs/typescript/import
scripts/tp469-table.ts --write\`); \`test/tp469-table.test.ts\` keeps it honest:
it fails when a case is missing, when a pass has no test titled
\`TP-469 <id> <title>\` or more than one, when an n/a or not-yet case has a
plain test, when a not-yet case run through \`expectedFailure()\` starts to
pass, or when this table differs from the generated one, and it prints the
table in the style of obuspa's \`conformance_test_results.txt\`.
`;

function main(args: string[]): void {
  if (args.includes("--results")) {
    process.stdout.write(`${resultsText()}\n`);
    return;
  }
  const section = `${README_SECTION_INTRO}\n${readmeBlock()}\n`;
  if (!args.includes("--write")) {
    process.stdout.write(section);
    return;
  }
  const path = fileURLToPath(new URL("../README.md", import.meta.url));
  const readme = readFileSync(path, "utf8");
  const updated = withReadmeBlock(readme) ?? `${readme.replace(/\n*$/, "\n")}\n${section}`;
  if (updated !== readme) writeFileSync(path, updated);
  process.stdout.write(updated === readme ? "README.md: TP-469 table already up to date\n" : "README.md: TP-469 table written\n");
}

main(process.argv.slice(2));
