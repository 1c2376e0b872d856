// USP Delete (TR-369 "The Delete Message") over CWMP DeleteObject. planDelete
// is the expand-and-group half, foldDelete builds the DeleteResp.
// A CWMP DeleteObject cannot be undone, so every path is resolved and every
// instance checked (exists, deletable) BEFORE the first DeleteObject is sent:
// - existence: GPN(table, NextLevel=true) in this transaction lists the
//   table's instances (addressed paths; `*`/search paths resolve from it);
// - deletable: that listing's Writable flag of the instance (TR-069 A.3.2.3:
//   for an object, Writable means DeleteObject is allowed).
// allow_partial=false (ProcessDelete_AllowPartialFalse): any failed check is
// an Error with param_errs and nothing is deleted; then the DeleteObjects go
// one per round, so a CPE fault stops the message before the next one.
// allow_partial=true: every DeleteObject in one round, results per path.
// The model keeps deleted instances in its tree until the next transaction
// (device-model.ts), so re-planning resolves every path as it was at start.
import type { CwmpFault } from "../cwmp/rpc.js";
import type { Delete, DeleteResp, ParamError, UnaffectedPathError } from "../usp/messages.js";
import { parsePath } from "../usp/path.js";
import { USP_ERR, uspError } from "../usp/errors.js";
import type { Plan } from "./plan.js";
import type { TranslationContext, Want } from "./context.js";
import { mapFault } from "./faults.js";
import { resolveObjects } from "./resolve.js";
import { wantsToRpcs } from "./rpc-plan.js";
import { classifyObject, instanceExistence } from "./object-kind.js";

interface Failure {
  path: string;
  errCode: number;
  errMsg: string;
}

type PathState =
  | { kind: "need"; wants: Want[] }
  | { kind: "error"; errCode: number; errMsg: string }
  /** `gone`: addressed instances that do not exist (R-DEL.1 / R-DEL.2a). */
  | { kind: "resolved"; deletes: string[]; failures: Failure[]; gone: string[] };

type DeleteResult = DeleteResp["deletedObjResults"][number];

/** With allow_partial=false DeleteObjects go one per planning round; beyond
 * this many instances they go in equal chunks, so a long wildcard Delete
 * still finishes well within MAX_PLAN_ROUNDS (a fault then stops the message
 * at the end of its chunk). */
const SEQUENTIAL_DELETES = 8;

export function planDelete(del: Delete, ctx: TranslationContext): Plan {
  const states = del.objPaths.map((p) => evaluatePath(p, ctx));
  const wants = states.flatMap((s) => (s.kind === "need" ? s.wants : []));
  if (wants.length > 0) {
    const rpcs = wantsToRpcs(wants, ctx);
    if (rpcs.length > 0) return { kind: "rpcs", rpcs };
  }
  return del.allowPartial ? planPartialTrue(del, states, ctx) : planPartialFalse(del, states, ctx);
}

/** The DeleteResp from what the model holds now, without sending anything
 * more (paths still unresolved are 7003 oper_failure). */
export function foldDelete(del: Delete, ctx: TranslationContext): DeleteResp {
  return { deletedObjResults: del.objPaths.map((p) => pathResult(p, evaluatePath(p, ctx), ctx)) };
}

/** One requested path: the instances to delete, checked (R-DEL.1). */
function evaluatePath(p: string, ctx: TranslationContext): PathState {
  const parsed = parsePath(p);
  if (!parsed.ok) return { kind: "error", errCode: USP_ERR.INVALID_PATH_SYNTAX, errMsg: `Invalid path syntax: ${parsed.error}` };
  const path = parsed.path;
  const first = path.segments[0];
  if (first?.kind !== "name" || first.name !== "Device") return { kind: "error", errCode: USP_ERR.INVALID_PATH, errMsg: `${p} is not in the Device. data model` };
  // obuspa path_resolver: Delete paths must end in "." (7008).
  if (path.kind !== "object") return { kind: "error", errCode: USP_ERR.INVALID_PATH_SYNTAX, errMsg: "Delete takes object instance paths ending in '.'" };
  const objs = resolveObjects(path, "set", ctx);
  if (objs.kind !== "ok") return objs;
  if (path.segments[path.segments.length - 1]?.kind === "name") return notAnInstance(objs.value[0], ctx);
  const wants: Want[] = [];
  const state: Extract<PathState, { kind: "resolved" }> = { kind: "resolved", deletes: [], failures: [], gone: [] };
  for (const obj of objs.value) {
    // Instances from `*` / search expressions come from this transaction's
    // listing; an addressed one is looked up in it.
    const ex = path.isSearch ? ({ kind: "ok", value: "exists" } as const) : instanceExistence(obj, ctx);
    if (ex.kind === "need") wants.push(...ex.wants);
    else if (ex.kind === "error") return ex;
    else if (ex.value === "notInModel") return { kind: "error", errCode: USP_ERR.INVALID_PATH, errMsg: `${obj} is not in the data model` };
    else if (ex.value === "missingInstance") state.gone.push(obj);
    else if (ctx.model.writable(obj) === false) {
      state.failures.push({ path: obj, errCode: USP_ERR.OBJECT_NOT_DELETABLE, errMsg: `Delete failure: the CPE does not allow deleting ${obj}` });
    } else state.deletes.push(obj);
  }
  return wants.length > 0 ? { kind: "need", wants } : state;
}

/** R-DEL.1: a path that is not an instance path cannot be deleted; say what
 * it is instead (7026 nothing, 7018 a single-instance object, 7024 a table). */
function notAnInstance(obj: string | undefined, ctx: TranslationContext): PathState {
  if (obj === undefined) return { kind: "error", errCode: USP_ERR.OBJECT_NOT_DELETABLE, errMsg: "Delete takes object instance paths" };
  const kind = classifyObject(obj, true, ctx);
  if (kind.kind !== "ok") return kind;
  switch (kind.value) {
    case "absent":
      return { kind: "error", errCode: USP_ERR.INVALID_PATH, errMsg: `${obj} is not in the data model` };
    case "single":
      return { kind: "error", errCode: USP_ERR.NOT_A_TABLE, errMsg: `Object is not a table: ${obj} cannot be deleted` };
    case "table":
      return { kind: "error", errCode: USP_ERR.OBJECT_NOT_DELETABLE, errMsg: `${obj} is a table: Delete takes instance paths (R-DEL.1)` };
  }
}

/** Codes TR-369 allows in Delete results (usp.md §2 "Supported Error Codes"). */
const DELETE_CODES: ReadonlySet<number> = new Set([7000, 7001, 7002, 7003, 7004, 7005, 7006, 7007, 7008, 7015, 7016, 7018, 7024, 7026]);

/** A DeleteObject fault as a USP error, or "gone" for 9005: the instance
 * vanished since it was listed (R-DEL.2a). faults.ts maps the code; one that
 * Delete may not carry (a parameter code such as 7013) becomes 7024. */
function deleteFault(fault: CwmpFault): "gone" | { errCode: number; errMsg: string } {
  if (fault.faultCode === 9005) return "gone";
  const m = mapFault(fault, "set");
  return DELETE_CODES.has(m.errCode) ? m : { errCode: USP_ERR.OBJECT_NOT_DELETABLE, errMsg: m.errMsg };
}

function deleteObjects(paths: string[]): Plan {
  return { kind: "rpcs", rpcs: paths.map((objectName) => ({ method: "DeleteObject", objectName, parameterKey: "" })) };
}

function uniqueDeletes(states: PathState[]): string[] {
  return [...new Set(states.flatMap((s) => (s.kind === "resolved" ? s.deletes : [])))];
}

/** ProcessDelete_AllowPartialFalse: every failure found before sending is one
 * param_err (param_path: the failing instance, or the requested path); the
 * first decides the Error's code. */
function planPartialFalse(del: Delete, states: PathState[], ctx: TranslationContext): Plan {
  const errs: ParamError[] = [];
  states.forEach((s, i) => {
    const requested = del.objPaths[i] ?? "";
    if (s.kind === "need") errs.push({ paramPath: requested, errCode: USP_ERR.INTERNAL_ERROR, errMsg: "the CPE gave no usable answer" });
    else if (s.kind === "error") errs.push({ paramPath: requested, errCode: s.errCode, errMsg: s.errMsg });
    else {
      // R-DEL.1: with allow_partial=false a nonexistent instance is an error.
      for (const g of s.gone) errs.push({ paramPath: g, errCode: USP_ERR.OBJECT_DOES_NOT_EXIST, errMsg: `Object does not exist: ${g}` });
      for (const f of s.failures) errs.push({ paramPath: f.path, errCode: f.errCode, errMsg: f.errMsg });
    }
  });
  const firstErr = errs[0];
  if (firstErr !== undefined) return errorReply(firstErr.errCode, firstErr.errMsg, errs);
  const all = uniqueDeletes(states);
  const done: string[] = [];
  for (const path of all) {
    const outcome = ctx.model.deleteOutcome(path);
    if (outcome === undefined) continue;
    if (outcome.ok) {
      done.push(path);
      continue;
    }
    const f = deleteFault(outcome.fault);
    const m = f === "gone" ? { errCode: USP_ERR.OBJECT_DOES_NOT_EXIST, errMsg: `Object does not exist: ${path}` } : f;
    // CWMP cannot undo a DeleteObject: say what is already gone.
    const already = done.length > 0 ? ` (already deleted, cannot be undone: ${done.join(", ")})` : "";
    return errorReply(m.errCode, `${m.errMsg}${already}`, [{ paramPath: path, ...m }]);
  }
  const pending = all.filter((path) => ctx.model.deleteOutcome(path) === undefined);
  const chunk = Math.max(1, Math.ceil(all.length / SEQUENTIAL_DELETES));
  return pending.length > 0 ? deleteObjects(pending.slice(0, chunk)) : respond(del, states, ctx);
}

/** ProcessDelete_AllowPartialTrue: the paths are independent, so every
 * DeleteObject goes in one round. */
function planPartialTrue(del: Delete, states: PathState[], ctx: TranslationContext): Plan {
  const pending = uniqueDeletes(states).filter((path) => ctx.model.deleteOutcome(path) === undefined);
  return pending.length > 0 ? deleteObjects(pending) : respond(del, states, ctx);
}

function errorReply(errCode: number, errMsg: string, paramErrs: ParamError[]): Plan {
  return { kind: "respond", reply: { kind: "error", error: uspError(errCode, errMsg, paramErrs) } };
}

function respond(del: Delete, states: PathState[], ctx: TranslationContext): Plan {
  const deleteResp: DeleteResp = { deletedObjResults: states.map((s, i) => pathResult(del.objPaths[i] ?? "", s, ctx)) };
  return { kind: "respond", reply: { kind: "response", response: { type: "deleteResp", deleteResp } } };
}

/** One DeletedObjectResult. As in obuspa DeleteExpressionObjects: instances
 * that could not be deleted are unaffected_path_errs of an oper_success,
 * unless none was deleted, which makes the path an oper_failure with the first
 * error. R-DEL.2a: a path that resolves to nothing is oper_success with empty
 * affected_paths. */
function pathResult(requestedPath: string, s: PathState, ctx: TranslationContext): DeleteResult {
  if (s.kind === "need") return failure(requestedPath, USP_ERR.INTERNAL_ERROR, "the CPE gave no usable answer");
  if (s.kind === "error") return failure(requestedPath, s.errCode, s.errMsg);
  const affectedPaths: string[] = [];
  const errs: UnaffectedPathError[] = s.failures.map((f) => ({ unaffectedPath: f.path, errCode: f.errCode, errMsg: f.errMsg }));
  for (const path of s.deletes) {
    const outcome = ctx.model.deleteOutcome(path);
    if (outcome === undefined) errs.push({ unaffectedPath: path, errCode: USP_ERR.INTERNAL_ERROR, errMsg: "DeleteObject was not sent" });
    else if (outcome.ok) affectedPaths.push(path);
    else {
      const f = deleteFault(outcome.fault);
      if (f !== "gone") errs.push({ unaffectedPath: path, ...f });
    }
  }
  const firstErr = errs[0];
  if (affectedPaths.length === 0 && firstErr !== undefined) return failure(requestedPath, firstErr.errCode, firstErr.errMsg);
  return { requestedPath, operStatus: { type: "operSuccess", affectedPaths, unaffectedPathErrs: errs } };
}

function failure(requestedPath: string, errCode: number, errMsg: string): DeleteResult {
  return { requestedPath, operStatus: { type: "operFailure", errCode, errMsg } };
}
