// Checks the TR-098 → TR-181 rules against both Broadband Forum schemas
// (issue 4: every TR-181 path must exist in the generated TR-181 schema and
// every TR-098 path in the TR-098 one; a broken rule stops start-up with a
// message naming the rule). Diagnostics objects are the CWMP flavour of
// Device:2 (Device.IP.Diagnostics.IPPing.), which the USP schema has as
// commands: their parameters are checked against the command's arguments.
import type { Schema } from "../schema.js";
import { splitPath } from "../device-model.js";
import type { CompiledRules, ObjectRule } from "./rules.js";
import { sourceName } from "./view.js";

/** Every problem found, each naming its rule; empty when the rules are sound. */
export function validateRules(rules: CompiledRules, tr181: Schema, tr098: Schema): string[] {
  const problems: string[] = [];
  for (const rule of rules.objects) {
    const say = (msg: string): void => void problems.push(`rule ${rule.id}: ${msg}`);
    for (const from of sourceTemplates(rule)) {
      if (tr098.object(from) === undefined) say(`TR-098 object ${from} is not in ${tr098.model}`);
      const refAs = rule.refAs === undefined ? undefined : from + rule.refAs.slice(1);
      if (refAs !== undefined && tr098.object(refAs) === undefined) say(`refAs: TR-098 object ${refAs} is not in ${tr098.model}`);
    }
    if (rule.explode !== undefined) {
      for (const from of sourceTemplates(rule)) {
        const [o, p] = splitPath(sourceName(from, rule.explode));
        if (tr098.object(o)?.paramsByName.has(p) !== true) say(`TR-098 list parameter ${o}${p} (explode) is not in ${tr098.model}`);
      }
    }
    for (const [name, spec] of rule.params) {
      if (spec.kind === "item" && rule.explode === undefined) say(`${name} is {item: true} but the rule has no explode`);
      const [relObj, leaf] = splitPath(name);
      const objPath = rule.tr181 + relObj;
      if (!tr181Has(tr181, objPath, leaf)) say(`TR-181 parameter ${objPath}${leaf} is not in ${tr181.model}`);
      const srcs = spec.kind === "src" ? [spec.src] : spec.kind === "fn" ? spec.src : [];
      for (const src of srcs) {
        for (const from of sourceTemplates(rule)) {
          const [o, p] = splitPath(sourceName(from, src).replace(/\.\d+(?=\.)/g, ".{i}"));
          if (tr098.object(o)?.paramsByName.has(p) !== true) say(`TR-098 parameter ${o}${p} is not in ${tr098.model}`);
        }
      }
    }
  }
  return problems;
}

/** The rule's TR-098 source templates, relative ones resolved through its parents. */
export function sourceTemplates(rule: ObjectRule): string[] {
  return rule.from.flatMap((f) => (f.startsWith(".") && rule.parent !== undefined ? sourceTemplates(rule.parent).map((p) => p + f.slice(1)) : [f]));
}


function tr181Has(tr181: Schema, obj: string, param: string): boolean {
  if (tr181.object(obj)?.paramsByName.has(param) === true) return true;
  // A CWMP-flavour parameter standing for a USP command (IP.Interface.{i}.Reset → Reset()).
  if (tr181.object(obj)?.commands.some((c) => c.name === `${param}()`) === true) return true;
  // CWMP-flavour diagnostics object: find the command it stands for.
  for (let a = obj; a !== "" && a !== "Device."; a = splitPath(a.endsWith(".{i}.") ? a.slice(0, -4) : a)[0]) {
    const [parent, rel] = splitPath(a);
    const cmd = tr181.object(parent)?.commands.find((c) => c.name === `${rel.slice(0, -1)}()`);
    if (cmd === undefined) continue;
    const argRel = obj.slice(a.length) + param;
    if (argRel === "DiagnosticsState") return true;
    return cmd.inputArgs.includes(argRel) || cmd.outputArgs.includes(argRel) || (argRel === "Results" && cmd.outputArgs.includes("Results"));
  }
  return false;
}
