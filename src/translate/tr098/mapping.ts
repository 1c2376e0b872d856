// The TR-098 mapping as the gateway runs it: mappings/tr098/rules.yaml read,
// shape-checked, checked against both BBF schemas, and optionally adjusted by
// a vendor overlay's rule overrides. Loaded once at start-up; any problem
// stops start-up with a message naming the rule (issue 4).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { TR181 } from "../schema.js";
import { TR098 } from "./schema.js";
import { compileRules, overlayRules, rulesFileSchema, type CompiledRules } from "./rules.js";
import { validateRules } from "./validate.js";

const RULES_FILE = "tr098/rules.yaml";

/** mappings/ in both layouts: src/translate/tr098/ and dist/translate/tr098/. */
export function findMappingFile(rel: string): string {
  const candidates = [`../../../mappings/${rel}`, `../../../../mappings/${rel}`].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const found = candidates.find((f) => existsSync(f));
  if (found === undefined) throw new Error(`mapping file ${rel} not found; looked in ${candidates.join(", ")}`);
  return found;
}

/** Reads, checks and compiles the rules; `overrides` are a vendor overlay's `rules:`. */
export function loadRules(overrides: readonly Record<string, unknown>[] = [], file = findMappingFile(RULES_FILE)): CompiledRules {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  const base = rulesFileSchema.safeParse(raw);
  const merged = base.success && overrides.length > 0 ? overlayRules(base.data, overrides) : raw;
  const rules = compileRules(merged, file);
  const problems = validateRules(rules, TR181, TR098);
  if (problems.length > 0) throw new Error(`${file}: ${problems.length} broken rule(s):\n  ${problems.join("\n  ")}`);
  return rules;
}
