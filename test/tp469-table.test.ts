// Keeps the TP-469 list honest (STYLE.md §3 rule 10, issue 3): every case of
// sections 1, 3, 7 and 11 has a verdict; every "pass" has exactly one test
// titled "TP-469 <id> <title>" in test/tp469-*.test.ts; n/a and not-yet cases
// have no plain test (a not-yet case may be run through expectedFailure(),
// which fails once the case passes); the README's table is the generated
// one. Prints the table the way obuspa's conformance_test_results.txt does.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import t from "tap";
import { EXPECTED } from "./tp469/expected.js";
import { readmeBlock, resultsText, rows, withReadmeBlock } from "./tp469/table.js";
import { TP469_SECTIONS, TP469_TITLES } from "./tp469/titles.js";

const TEST_DIR = fileURLToPath(new URL(".", import.meta.url));
const SUITE_FILE = /^tp469-.*\.test\.ts$/;

interface Occurrence {
  file: string;
  id: string;
  title: string;
  kind: "test" | "expectedFailure";
}

/** Every "TP-469 <id> …" string literal in a file, and how it is run. */
function occurrences(file: string): Occurrence[] {
  const source = readFileSync(TEST_DIR + file, "utf8");
  const out: Occurrence[] = [];
  for (const m of source.matchAll(/(expectedFailure\(t,\s*|t\.test\(\s*)?"(TP-469 (\d+\.\d+) [^"]*)"/g)) {
    out.push({ file, id: m[3] ?? "", title: m[2] ?? "", kind: m[1]?.startsWith("expectedFailure") === true ? "expectedFailure" : "test" });
  }
  return out;
}

const suiteFiles = readdirSync(TEST_DIR).filter((f) => SUITE_FILE.test(f) && f !== "tp469-table.test.ts");
const found = suiteFiles.flatMap(occurrences);

t.test("every TP-469 case of sections 1, 3, 7 and 11 has a verdict, and only those", async (t) => {
  const missing = [...TP469_TITLES.keys()].filter((id) => !EXPECTED.has(id));
  const unknown = [...EXPECTED.keys()].filter((id) => !TP469_TITLES.has(id));
  t.same(missing, [], "cases without a verdict in test/tp469/expected.ts");
  t.same(unknown, [], "verdicts for ids that are not TP-469 cases of these sections");
  t.ok([...TP469_TITLES.keys()].every((id) => (TP469_SECTIONS as readonly string[]).includes(id.split(".")[0] ?? "")));
  const unexplained = [...EXPECTED].filter(([, e]) => e.status !== "pass" && (e.reason ?? "").trim() === "").map(([id]) => id);
  t.same(unexplained, [], "n/a and not-yet cases say why");
});

t.test("test titles are the TP-469 titles, word for word", async (t) => {
  const wrong = found.filter((o) => o.title !== `TP-469 ${o.id} ${TP469_TITLES.get(o.id) ?? "<no such case>"}`).map((o) => `${o.file}: ${o.title}`);
  t.same(wrong, []);
});

t.test("every pass has exactly one test, and only passes have plain tests", async (t) => {
  for (const [id, entry] of EXPECTED) {
    const plain = found.filter((o) => o.id === id && o.kind === "test").map((o) => o.file);
    const xfail = found.filter((o) => o.id === id && o.kind === "expectedFailure").map((o) => o.file);
    if (entry.status === "pass") {
      t.equal(plain.length, 1, `TP-469 ${id} (pass) has exactly one test: ${plain.join(", ") || "none"}`);
      t.same(xfail, [], `TP-469 ${id} (pass) is not run as an expected failure`);
    } else {
      t.same(plain, [], `TP-469 ${id} (${entry.status}) has no plain test`);
      if (entry.status === "n/a") t.same(xfail, [], `TP-469 ${id} (n/a) is not run at all`);
      else t.ok(xfail.length <= 1, `TP-469 ${id} has at most one expected-failure test`);
    }
  }
});

t.test("the README's TP-469 table is the generated one", async (t) => {
  const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
  const regenerated = withReadmeBlock(readme);
  t.not(regenerated, undefined, "README.md has the generated TP-469 block (scripts/tp469-table.ts --write)");
  t.ok(regenerated === readme, "README.md's TP-469 block is up to date (run scripts/tp469-table.ts --write)");
  t.ok(readme.includes(readmeBlock()));
});

t.test("TP-469 results", async (t) => {
  for (const line of resultsText(rows()).split("\n")) t.comment(line);
  // Elsewhere in test/, "TP-469 <id>" titles that are not the plan's are
  // noted (those files belong to other suites), not failed.
  for (const file of readdirSync(TEST_DIR).filter((f) => f.endsWith(".test.ts") && !SUITE_FILE.test(f))) {
    for (const o of occurrences(file)) {
      if (o.title !== `TP-469 ${o.id} ${TP469_TITLES.get(o.id) ?? ""}`) t.comment(`note: ${file} has a test titled "${o.title}", which is not TP-469 ${o.id}'s title`);
    }
  }
  t.pass("printed");
});
