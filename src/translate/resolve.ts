// Resolution of a parsed USP path against what the DeviceModel knows, staged
// as named functions like obuspa's path_resolver.c: wildcard expansion,
// reference following, search-expression filtering, partial-path expansion.
// One resolver with an operation argument, strictness per operation in RULES.
// Every stage either answers, reports a per-path USP error, or returns the
// Wants (RPCs) needed to learn more; the planner calls it again next round.
import type { UspPath, RefIndex, Segment } from "../usp/path.js";
import { USP_ERR } from "../usp/errors.js";
import { type Step, type TranslationContext, type Want, fail, need, ok } from "./context.js";
import { splitPath } from "./device-model.js";
import { mapFault, type FaultContext } from "./faults.js";
import { filterSearch, referenceTargets } from "./expression.js";

export type ResolveOp = "get" | "set";

interface OpRules {
  /** Code for an addressed object the CPE says does not exist. Get: R-GET.0
   * (7026 for anything not in the Instantiated DM). Set: 7016 for a missing
   * instance of a known table. */
  missingInstance: number;
  faultContext: FaultContext;
}

const RULES: Readonly<Record<ResolveOp, OpRules>> = {
  get: { missingInstance: USP_ERR.INVALID_PATH, faultContext: "get" },
  set: { missingInstance: USP_ERR.OBJECT_DOES_NOT_EXIST, faultContext: "set" },
};

/** The object part of a path: all segments for object paths, all but the
 * final name for parameter/command/event paths. */
export function objectSegments(path: UspPath): readonly Segment[] {
  return path.kind === "object" ? path.segments : path.segments.slice(0, -1);
}

/** Resolve the object part of `path` to concrete object paths (ending "."). A
 * non-search path yields exactly one; a search path 0..n (R-ARC.10). */
export function resolveObjects(path: UspPath, op: ResolveOp, ctx: TranslationContext): Step<string[]> {
  const segs = objectSegments(path);
  let objs: string[] = [""];
  for (let j = 0; j < segs.length; j++) {
    const seg = segs[j];
    if (seg === undefined) break;
    let step: Step<string[]>;
    switch (seg.kind) {
      case "name": {
        const next = segs[j + 1];
        if (next?.kind === "follow") {
          step = followReference(objs, seg.name, next.index, path.isSearch, op, ctx);
          j++;
        } else {
          step = ok(objs.map((o) => `${o}${seg.name}.`));
        }
        break;
      }
      case "instance":
        // Addressed instances are checked lazily by the RPC that reads or
        // writes them; listing the table just to check would cost an RPC.
        step = ok(objs.map((o) => `${o}${seg.instance}.`));
        break;
      case "wildcard":
        step = expandWildcard(objs, op, ctx);
        break;
      case "search": {
        const instances = expandWildcard(objs, op, ctx);
        step = instances.kind === "ok" ? filterSearch(instances.value, seg.comparisons, ctx) : instances;
        break;
      }
      case "follow":
        step = fail(USP_ERR.INVALID_PATH_SYNTAX, "reference without a parameter name");
        break;
    }
    if (step.kind !== "ok") return step;
    objs = step.value;
  }
  return ok(objs);
}

/** Wildcard stage: every instance of each table. Freshness rule: the instance
 * list must come from a GPN(table, NextLevel=true) of THIS transaction. */
export function expandWildcard(tables: string[], op: ResolveOp, ctx: TranslationContext): Step<string[]> {
  const { model } = ctx;
  const wants: Want[] = [];
  const out: string[] = [];
  let absent = 0;
  for (const t of tables) {
    const st = model.listState(t, true);
    if (st.kind === "unknown") wants.push({ kind: "gpn", path: t, nextLevel: true });
    else if (st.kind === "absent") absent++;
    else if (st.kind === "fault") return faultStep(st.fault, op);
    else out.push(...instancesOf(t, ctx));
  }
  if (wants.length > 0) return need(wants);
  // R-GET.0: a search path matching nothing in the Supported DM is 7026; an
  // existing but empty table is a valid 0-match search (R-GET.1a).
  if (tables.length > 0 && absent === tables.length) {
    return fail(USP_ERR.INVALID_PATH, `${tables[0] ?? ""} is not in the data model`);
  }
  return ok(out);
}

function instancesOf(table: string, ctx: TranslationContext): string[] {
  return (ctx.model.children(table) ?? [])
    .filter((rel) => /^[1-9][0-9]*\.$/.test(rel))
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
    .map((rel) => table + rel);
}

/** Reference-following stage (`Param+`, `Param#n+`, `Param#*+`): read the
 * reference parameter and continue from the object(s) it names. */
export function followReference(
  objs: string[],
  name: string,
  index: RefIndex,
  isSearch: boolean,
  op: ResolveOp,
  ctx: TranslationContext,
): Step<string[]> {
  const wants: Want[] = [];
  const out: string[] = [];
  for (const o of objs) {
    const st = ctx.model.valueState(o + name);
    if (st.kind === "unknown") wants.push({ kind: "gpv", name: o + name });
    else if (st.kind === "fault") return faultStep(st.fault, op);
    else if (st.kind === "value") out.push(...referenceTargets(st.value, index));
    else if (!isSearch) return fail(USP_ERR.INVALID_PATH, `${o}${name} does not exist`);
  }
  if (wants.length > 0) return need(wants);
  if (!isSearch && out.length === 0) return fail(USP_ERR.INVALID_PATH, `${objs[0] ?? ""}${name} references nothing`);
  return ok(out);
}

/** Partial-path stage: every parameter (name, value) in the subtree of `obj`.
 * With profile.partialPathGpv one GPV of the partial path does it; otherwise
 * GPN(obj) lists the names first (NextLevel=true suffices for max_depth 1). */
export function expandPartialPath(obj: string, maxDepth: number, ctx: TranslationContext): Step<[string, string][]> {
  const { model, profile } = ctx;
  if (profile.partialPathGpv) {
    const st = model.valueState(obj);
    if (st.kind === "unknown") return need([{ kind: "gpv", name: obj }]);
    if (st.kind === "absent") return fail(USP_ERR.INVALID_PATH, `${obj} does not exist`);
    if (st.kind === "fault") return faultStep(st.fault, "get");
    return ok(model.valuesUnder(obj));
  }
  const nextLevel = maxDepth === 1;
  const ls = model.listState(obj, nextLevel);
  if (ls.kind === "unknown") return need([{ kind: "gpn", path: obj, nextLevel }]);
  if (ls.kind === "absent") return fail(USP_ERR.INVALID_PATH, `${obj} does not exist`);
  if (ls.kind === "fault") return faultStep(ls.fault, "get");
  const names = nextLevel
    ? (model.children(obj) ?? []).filter((rel) => !rel.endsWith(".")).map((rel) => obj + rel)
    : model.paramsUnder(obj);
  const wants: Want[] = [];
  const out: [string, string][] = [];
  for (const n of names) {
    const st = model.valueState(n);
    if (st.kind === "unknown") wants.push({ kind: "gpv", name: n });
    else if (st.kind === "value") out.push([n, st.value]);
    // absent: vanished between GPN and GPV; fault: unreadable. Both are left
    // out rather than failing the whole object.
  }
  return wants.length > 0 ? need(wants) : ok(out);
}

/** Parameter stage: the value of one concrete parameter (null = absent). */
export function readParameter(name: string, op: ResolveOp, ctx: TranslationContext): Step<string | null> {
  const st = ctx.model.valueState(name);
  if (st.kind === "unknown") return need([{ kind: "gpv", name }]);
  if (st.kind === "fault") return faultStep(st.fault, op);
  return ok(st.kind === "value" ? st.value : null);
}

/** The error for an addressed object the CPE does not have: 7016 for a
 * missing instance of an existing table in a Set, 7026 otherwise. */
export function missingObjectError(obj: string, op: ResolveOp, ctx: TranslationContext): { errCode: number; errMsg: string } {
  const [table, rel] = splitPath(obj);
  const isInstance = /^[1-9][0-9]*\.$/.test(rel);
  if (isInstance && ctx.model.knows(table)) {
    return { errCode: RULES[op].missingInstance, errMsg: `Object ${obj} does not exist` };
  }
  return { errCode: USP_ERR.INVALID_PATH, errMsg: `${obj} is not in the data model` };
}

function faultStep<T>(fault: { faultCode: number; faultString: string }, op: ResolveOp): Step<T> {
  const m = mapFault(fault, RULES[op].faultContext);
  return fail(m.errCode, m.errMsg);
}
