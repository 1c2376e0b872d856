// USP Get (TR-369 "The Get Message") over CWMP. planGet is the expand-and-
// group half (request + model → RPCs or answer), foldGet the build half.
// Every requested path gets its own req_path_result, in request order; a
// failure is reported in that path's err_code, never as an Error message.
// RPC strategy:
// - exact parameter names → GetParameterValues, batched by gpvBatchSize; a
//   batch that faults is re-asked one name per GPV (faults.ts);
// - object/partial paths → one partial-path GPV (profile.partialPathGpv), or
//   GPN(path, NextLevel=false) then GPV of the names;
// - `*` / search expressions → GPN(table, NextLevel=true) in this transaction
//   (resolve.ts freshness rule), then GPV of the compared parameters.
import type { Get, GetRequestedPathResult, GetResp, ResolvedPathResult } from "../usp/messages.js";
import { parsePath, type UspPath } from "../usp/path.js";
import { USP_ERR } from "../usp/errors.js";
import type { Plan } from "./plan.js";
import type { TranslationContext, Want } from "./context.js";
import { splitPath } from "./device-model.js";
import { expandPartialPath, readParameter, resolveObjects } from "./resolve.js";
import { wantsToRpcs } from "./rpc-plan.js";
import { comparePaths } from "./path-order.js";

type PathOutcome = { kind: "done"; result: GetRequestedPathResult } | { kind: "need"; wants: Want[] };

export function planGet(get: Get, ctx: TranslationContext): Plan {
  const outcomes = get.paramPaths.map((p) => evaluateGetPath(p, get.maxDepth, ctx));
  const wants = outcomes.flatMap((o) => (o.kind === "need" ? o.wants : []));
  if (wants.length > 0) {
    const rpcs = wantsToRpcs(wants, ctx);
    // Nothing new to ask although something is still unknown: answer with
    // what is known instead of looping until MAX_PLAN_ROUNDS.
    if (rpcs.length > 0) return { kind: "rpcs", rpcs };
  }
  return { kind: "respond", reply: { kind: "response", response: { type: "getResp", getResp: buildGetResp(get, outcomes) } } };
}

/** The GetResp from what the model holds now; a path still unresolved is
 * reported as 7003 for that path. */
export function foldGet(get: Get, ctx: TranslationContext): GetResp {
  return buildGetResp(
    get,
    get.paramPaths.map((p) => evaluateGetPath(p, get.maxDepth, ctx)),
  );
}

function buildGetResp(get: Get, outcomes: PathOutcome[]): GetResp {
  return {
    reqPathResults: outcomes.map((o, i) =>
      o.kind === "done"
        ? o.result
        : pathError(get.paramPaths[i] ?? "", USP_ERR.INTERNAL_ERROR, "the CPE gave no usable answer for this path"),
    ),
  };
}

function pathError(requestedPath: string, errCode: number, errMsg: string): GetRequestedPathResult {
  return { requestedPath, errCode, errMsg, resolvedPathResults: [] };
}

function done(requestedPath: string, resolvedPathResults: ResolvedPathResult[]): PathOutcome {
  return { kind: "done", result: { requestedPath, errCode: 0, errMsg: "", resolvedPathResults } };
}

function doneError(requestedPath: string, errCode: number, errMsg: string): PathOutcome {
  return { kind: "done", result: pathError(requestedPath, errCode, errMsg) };
}

/** One requested path, evaluated independently of the others (TR-369 Get). */
function evaluateGetPath(p: string, maxDepth: number, ctx: TranslationContext): PathOutcome {
  const parsed = parsePath(p);
  if (!parsed.ok) return doneError(p, USP_ERR.INVALID_PATH_SYNTAX, `Invalid path syntax: ${parsed.error}`);
  const path = parsed.path;
  const first = path.segments[0];
  if (first?.kind !== "name" || first.name !== "Device") {
    return doneError(p, USP_ERR.INVALID_PATH, `${p} is not in the Device. data model`);
  }
  if (path.kind === "command" || path.kind === "event") {
    return doneError(p, USP_ERR.INVALID_PATH, "Get takes object or parameter paths, not commands or events");
  }
  const objs = resolveObjects(path, "get", ctx);
  if (objs.kind === "need") return objs;
  if (objs.kind === "error") return doneError(p, objs.errCode, objs.errMsg);
  return path.kind === "parameter" ? getParameter(path, objs.value, ctx) : getObjects(path, objs.value, maxDepth, ctx);
}

/** Parameter path: resolved_path is the parent object, result_params holds
 * only that parameter (R-GET.2, R-GET.3). */
function getParameter(path: UspPath, objs: string[], ctx: TranslationContext): PathOutcome {
  const last = path.segments[path.segments.length - 1];
  const param = last?.kind === "name" ? last.name : "";
  const results: ResolvedPathResult[] = [];
  const wants: Want[] = [];
  let absent = 0;
  for (const o of objs) {
    const r = readParameter(o + param, "get", ctx);
    if (r.kind === "need") wants.push(...r.wants);
    else if (r.kind === "error") return doneError(path.source, r.errCode, r.errMsg);
    else if (r.value === null) absent++;
    else results.push({ resolvedPath: o, resultParams: { [param]: r.value } });
  }
  if (wants.length > 0) return { kind: "need", wants };
  // R-GET.0: a non-search path matching nothing, or a search path whose
  // parameter no instance has (not in the Supported DM), is 7026.
  if (objs.length > 0 && absent === objs.length) {
    return doneError(path.source, USP_ERR.INVALID_PATH, `${path.isSearch ? param : (objs[0] ?? "") + param} does not exist`);
  }
  return done(path.source, results);
}

/** Object/partial path: one ResolvedPathResult per object in each subtree,
 * each with its own parameters relative to it (TR-369 1.2 clarification,
 * usp#12), limited by max_depth (R-GET.5). */
function getObjects(path: UspPath, objs: string[], maxDepth: number, ctx: TranslationContext): PathOutcome {
  const results: ResolvedPathResult[] = [];
  const wants: Want[] = [];
  const seen = new Set<string>();
  for (const o of objs) {
    const r = expandPartialPath(o, maxDepth, ctx);
    if (r.kind === "need") wants.push(...r.wants);
    else if (r.kind === "error") {
      // In a search, an instance without this sub-object simply does not match.
      if (!path.isSearch || r.errCode !== USP_ERR.INVALID_PATH) return doneError(path.source, r.errCode, r.errMsg);
    } else {
      for (const res of groupByObject(o, r.value, maxDepth)) {
        if (seen.has(res.resolvedPath)) continue;
        seen.add(res.resolvedPath);
        results.push(res);
      }
    }
  }
  if (wants.length > 0) return { kind: "need", wants };
  return done(path.source, results);
}

function groupByObject(base: string, params: [string, string][], maxDepth: number): ResolvedPathResult[] {
  const groups = new Map<string, Record<string, string>>();
  for (const [name, value] of params) {
    const parent = splitPath(name)[0];
    if (!withinDepth(base, parent, maxDepth)) continue;
    let g = groups.get(parent);
    if (g === undefined) {
      g = {};
      groups.set(parent, g);
    }
    g[name.slice(parent.length)] = value;
  }
  return [...groups.keys()]
    .sort(comparePaths)
    .map((resolvedPath) => ({ resolvedPath, resultParams: groups.get(resolvedPath) ?? {} }));
}

/** R-GET.5: depth 1 = the object's own parameters, 2 = plus first-level
 * sub-objects… A table and its instance number count as one level
 * (TemperatureStatus.TemperatureSensor.{i}. is depth 3 from DeviceInfo.). */
function withinDepth(base: string, obj: string, maxDepth: number): boolean {
  if (maxDepth === 0) return true;
  const levels = obj
    .slice(base.length)
    .split(".")
    .filter((s) => s !== "" && !/^[0-9]+$/.test(s)).length;
  return levels + 1 <= maxDepth;
}
