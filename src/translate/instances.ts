// USP GetInstances (TR-369 "The GetInstances Message") over CWMP. planGetInstances
// is the expand-and-group half, foldGetInstances the build half. Every
// requested path gets its own req_path_result, in request order; a failure
// is that path's err_code, never an Error message.
// RPC strategy, per resolved object:
// - GPN(object, NextLevel=false) in this transaction (instances come and go,
//   so persistent listings are never trusted): the whole subtree, so nested
//   tables need no further listing and the unique-key parameters each instance
//   really has are known;
// - one batched GPV of the unique-key parameters of every instance found.
import type { CurrInstance, GetInstances, GetInstancesResp } from "../usp/messages.js";
import { parsePath } from "../usp/path.js";
import { USP_ERR } from "../usp/errors.js";
import type { Plan } from "./plan.js";
import type { TranslationContext, Want } from "./context.js";
import { resolveObjects } from "./resolve.js";
import { wantsToRpcs } from "./rpc-plan.js";
import { comparePaths } from "./path-order.js";
import { classifyObject, notATableError } from "./object-kind.js";
import { isInstanceRel, uniqueKeyNames } from "./unique-keys.js";

type ReqPathResult = GetInstancesResp["reqPathResults"][number];
type PathOutcome = { kind: "done"; result: ReqPathResult } | { kind: "need"; wants: Want[] };
type Found = { kind: "need"; wants: Want[] } | { kind: "error"; errCode: number; errMsg: string } | { kind: "ok"; instances: string[] };

export function planGetInstances(gi: GetInstances, ctx: TranslationContext): Plan {
  const outcomes = gi.objPaths.map((p) => evaluatePath(p, gi.firstLevelOnly, ctx));
  const wants = outcomes.flatMap((o) => (o.kind === "need" ? o.wants : []));
  if (wants.length > 0) {
    const rpcs = wantsToRpcs(wants, ctx);
    // Nothing new to ask although something is still unknown: answer with
    // what is known instead of looping until MAX_PLAN_ROUNDS.
    if (rpcs.length > 0) return { kind: "rpcs", rpcs };
  }
  const getInstancesResp = buildResp(gi, outcomes);
  return { kind: "respond", reply: { kind: "response", response: { type: "getInstancesResp", getInstancesResp } } };
}

/** The GetInstancesResp from what the model holds now; a path still
 * unresolved is reported as 7003 for that path. */
export function foldGetInstances(gi: GetInstances, ctx: TranslationContext): GetInstancesResp {
  return buildResp(
    gi,
    gi.objPaths.map((p) => evaluatePath(p, gi.firstLevelOnly, ctx)),
  );
}

function buildResp(gi: GetInstances, outcomes: PathOutcome[]): GetInstancesResp {
  return {
    reqPathResults: outcomes.map((o, i) =>
      o.kind === "done" ? o.result : pathError(gi.objPaths[i] ?? "", USP_ERR.INTERNAL_ERROR, "the CPE gave no usable answer for this path"),
    ),
  };
}

function pathError(requestedPath: string, errCode: number, errMsg: string): ReqPathResult {
  return { requestedPath, errCode, errMsg, currInsts: [] };
}

function doneError(requestedPath: string, errCode: number, errMsg: string): PathOutcome {
  return { kind: "done", result: pathError(requestedPath, errCode, errMsg) };
}

/** One requested path, independently of the others. */
function evaluatePath(p: string, firstLevelOnly: boolean, ctx: TranslationContext): PathOutcome {
  const parsed = parsePath(p);
  if (!parsed.ok) return doneError(p, USP_ERR.INVALID_PATH_SYNTAX, `Invalid path syntax: ${parsed.error}`);
  const path = parsed.path;
  const first = path.segments[0];
  if (first?.kind !== "name" || first.name !== "Device") return doneError(p, USP_ERR.INVALID_PATH, `${p} is not in the Device. data model`);
  // obuspa path_resolver: GetInstances paths must end in "." (7008).
  if (path.kind !== "object") return doneError(p, USP_ERR.INVALID_PATH_SYNTAX, "GetInstances takes object paths ending in '.'");
  const objs = resolveObjects(path, "get", ctx);
  if (objs.kind === "need") return objs;
  if (objs.kind === "error") return doneError(p, objs.errCode, objs.errMsg);
  // The last segment says what each resolved object is: a name ("…SSID.")
  // is a table to list (or a single-instance object: 7018), an instance
  // number, `*` or a search expression an instance to report itself.
  const endsInName = path.segments[path.segments.length - 1]?.kind === "name";
  const found = findInstances(objs.value, endsInName, path.isSearch, firstLevelOnly, ctx);
  if (found.kind === "need") return found;
  if (found.kind === "error") return doneError(p, found.errCode, found.errMsg);
  const keys = readKeys(found.instances, ctx);
  if (keys.kind === "need") return keys;
  return { kind: "done", result: { requestedPath: p, errCode: 0, errMsg: "", currInsts: keys.currInsts } };
}

function findInstances(objs: string[], endsInName: boolean, isSearch: boolean, firstLevelOnly: boolean, ctx: TranslationContext): Found {
  const wants: Want[] = [];
  const out = new Set<string>();
  for (const obj of objs) {
    const kind = classifyObject(obj, false, ctx);
    if (kind.kind === "need") {
      wants.push(...kind.wants);
      continue;
    }
    if (kind.kind === "error") return { kind: "error", errCode: kind.errCode, errMsg: kind.errMsg };
    // A search simply does not match where a resolved object is missing
    // (R-GET.1a applies likewise: 0 matches is success).
    if (kind.value === "absent" && isSearch) continue;
    if (endsInName && kind.value !== "table") return { kind: "error", ...notATableError(obj, kind.value) };
    if (kind.value === "absent") return { kind: "error", errCode: USP_ERR.INVALID_PATH, errMsg: `${obj} does not exist` };
    // A single-instance object listed by the persistent shortcut still needs
    // this transaction's subtree listing before its instances are trusted.
    if (ctx.model.listState(obj, false).kind === "unknown") {
      wants.push({ kind: "gpn", path: obj, nextLevel: false });
      continue;
    }
    // first_level_only: a table's own instances, or the addressed instance
    // itself; otherwise every instance nested below as well.
    if (!endsInName) out.add(obj);
    if (endsInName && firstLevelOnly) {
      for (const rel of ctx.model.children(obj) ?? []) if (isInstanceRel(rel)) out.add(obj + rel);
    } else if (!firstLevelOnly) {
      for (const inst of instancesBelow(obj, ctx)) out.add(inst);
    }
  }
  if (wants.length > 0) return { kind: "need", wants };
  return { kind: "ok", instances: [...out].sort(comparePaths) };
}

/** Every instance at any depth below `obj` in its (listed) subtree. */
function instancesBelow(obj: string, ctx: TranslationContext): string[] {
  const out: string[] = [];
  for (const rel of ctx.model.children(obj) ?? []) {
    if (!rel.endsWith(".")) continue;
    if (isInstanceRel(rel)) out.push(obj + rel);
    out.push(...instancesBelow(obj + rel, ctx));
  }
  return out;
}

/** unique_keys of every instance: its key parameters (unique-keys.ts) that the
 * listing shows it has, read in one batched GPV. */
function readKeys(instances: string[], ctx: TranslationContext): { kind: "need"; wants: Want[] } | { kind: "ok"; currInsts: CurrInstance[] } {
  const { model } = ctx;
  const wants: Want[] = [];
  const currInsts: CurrInstance[] = [];
  for (const inst of instances) {
    const kids = new Set(model.children(inst) ?? []);
    const uniqueKeys: Record<string, string> = {};
    for (const key of uniqueKeyNames(inst, (rel) => kids.has(rel))) {
      const st = model.valueState(inst + key);
      if (st.kind === "unknown") wants.push({ kind: "gpv", name: inst + key });
      else if (st.kind === "value") uniqueKeys[key] = st.value;
      // absent or unreadable: the key is left out rather than failing the path.
    }
    currInsts.push({ instantiatedObjPath: inst, uniqueKeys });
  }
  return wants.length > 0 ? { kind: "need", wants } : { kind: "ok", currInsts };
}
