// Search-expression / unique-key filtering stage (TR-369 "Search expressions").
// CWMP has nothing like it, so the gateway reads the compared parameters of
// every candidate instance (one batched GPV round per level of relative path)
// and compares them itself, typed by the xsd type the CPE reported.
import type { Comparison, CompareOp, Literal, RefIndex, RelStep } from "../usp/path.js";
import { type Step, type TranslationContext, type Want, need, ok } from "./context.js";

/** Keep the instances for which every comparison holds ("&&"; there is no OR). */
export function filterSearch(
  instances: string[],
  comparisons: readonly Comparison[],
  ctx: TranslationContext,
): Step<string[]> {
  const wants: Want[] = [];
  const matched: string[] = [];
  for (const inst of instances) {
    let all = true;
    for (const c of comparisons) {
      const r = relValues(inst, c.param, ctx);
      if (r.kind === "need") {
        wants.push(...r.wants);
        all = false;
        continue;
      }
      if (r.kind !== "ok") return r;
      // With `#*+` a path yields several values: the comparison holds if any does.
      if (!r.value.some((v) => compare(v.value, ctx.model.typeOf(v.name), c.op, c.value))) all = false;
    }
    if (all) matched.push(inst);
  }
  return wants.length > 0 ? need(wants) : ok(matched);
}

/** Values at a relative path below `base`. Only single-instance children and
 * references may be crossed (a child table inside an expression is invalid and
 * already rejected by the grammar, which has no instance step there). */
function relValues(base: string, steps: readonly RelStep[], ctx: TranslationContext): Step<{ name: string; value: string }[]> {
  let bases = [base];
  const { model } = ctx;
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k];
    if (step === undefined) break;
    const last = k === steps.length - 1;
    if (!last && step.follow === null) {
      bases = bases.map((b) => `${b}${step.name}.`);
      continue;
    }
    const wants: Want[] = [];
    const found: { name: string; value: string }[] = [];
    for (const b of bases) {
      const st = model.valueState(b + step.name);
      if (st.kind === "unknown") wants.push({ kind: "gpv", name: b + step.name });
      else if (st.kind === "value") found.push({ name: b + step.name, value: st.value });
      // absent or unreadable: this candidate simply does not match.
    }
    if (wants.length > 0) return need(wants);
    if (last) return ok(found);
    bases = found.flatMap((f) => referenceTargets(f.value, step.follow ?? 1));
  }
  return ok([]);
}

const NUMERIC = new Set(["int", "unsignedInt", "long", "unsignedLong", "decimal"]);

/** xsd base type without its prefix ("xsd:unsignedInt" → "unsignedInt"). */
export function baseType(type: string | undefined): string | undefined {
  if (type === undefined) return undefined;
  const idx = type.indexOf(":");
  return idx < 0 ? type : type.slice(idx + 1);
}

/** TR-106 boolean lexical forms. */
export function parseBoolean(v: string): boolean | undefined {
  const t = v.trim().toLowerCase();
  if (t === "true" || t === "1") return true;
  if (t === "false" || t === "0") return false;
  return undefined;
}

/** Typed comparison: numbers numerically, booleans as true/1, strings only
 * with == / != (and ~= on comma-separated lists). An ill-typed comparison is
 * simply false for that instance. */
export function compare(actual: string, type: string | undefined, op: CompareOp, lit: Literal): boolean {
  const t = baseType(type);
  // `[Enable==1]` is as valid as `[Enable==true]` on a boolean (TR-369).
  const numericBool = t === "boolean" && lit.kind === "number" && (lit.value === 0 || lit.value === 1);
  const boolLit = lit.kind === "boolean" ? lit.value : numericBool ? lit.value === 1 : undefined;
  if (boolLit !== undefined) {
    const a = parseBoolean(actual);
    if (a === undefined) return false;
    return op === "==" ? a === boolLit : op === "!=" ? a !== boolLit : false;
  }
  if (op === "~=") {
    const needle = lit.kind === "string" ? lit.value : String(lit.value);
    return actual.split(",").some((item) => item.trim() === needle);
  }
  if (lit.kind === "number") {
    if (t !== undefined && !NUMERIC.has(t)) return false;
    if (actual.trim() === "") return false;
    const a = Number(actual);
    return Number.isNaN(a) ? false : ordered(a - lit.value, op);
  }
  if (lit.kind !== "string") return false;
  // `[Enable=="true"]` is invalid on a boolean (TR-369): literals are typed.
  if (t === "boolean" || (t !== undefined && NUMERIC.has(t))) return false;
  if (op === "==") return actual === lit.value;
  if (op === "!=") return actual !== lit.value;
  // Order on strings only makes sense for dateTime (ISO 8601 sorts as text);
  // not for the Unknown Time 0001-01-01T00:00:00Z (TR-369).
  if (t === "dateTime" && !actual.startsWith("0001-")) return ordered(actual < lit.value ? -1 : actual > lit.value ? 1 : 0, op);
  return false;
}

function ordered(diff: number, op: CompareOp): boolean {
  switch (op) {
    case "==":
      return diff === 0;
    case "!=":
      return diff !== 0;
    case "<":
      return diff < 0;
    case ">":
      return diff > 0;
    case "<=":
      return diff <= 0;
    case ">=":
      return diff >= 0;
    case "~=":
      return false;
  }
}

/** Object paths named by a (list-valued) reference parameter value. Reference
 * values are read back with instance numbers; a trailing "." is optional. */
export function referenceTargets(value: string, index: RefIndex): string[] {
  const items = value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
  const picked = index === "*" ? items : items.slice(index - 1, index);
  return picked.filter((v) => v.startsWith("Device.")).map((v) => (v.endsWith(".") ? v : `${v}.`));
}
