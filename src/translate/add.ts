// USP Add (TR-369 "The Add Message") over CWMP AddObject + one
// SetParameterValues. planAdd is the expand-and-group half, the builders at
// the end the build half. Rounds, each derived again from the model:
// 1. resolve every CreateObject (a search in the parent part may match
//    several tables: one instance, one CreatedObjectResult, per table, as
//    obuspa ResolveObjectsToAdd does), and read the unique keys of the rows
//    already there when the Controller gives key values (add-unique.ts: a
//    duplicate is 7025 and nothing is created);
// 2. one AddObject per instance (ParameterKey ""), all in one round;
// 3. read each new instance (partial-path GPV) for names, types and the
//    values of keys the Controller did not set (R-ADD.5);
// 4. ONE atomic SPV of every param_setting (TR-069 A.3.2.1); a failed
//    non-required parameter is a param_err and the SPV is retried without
//    it, a failed required one fails its instance (usp.md §2 truth table);
// 5. a failed instance is deleted again (DeleteObject) so nothing half-made
//    is left: with allow_partial=false every instance created (and the
//    message becomes an Error), with allow_partial=true only the failed ones.
import type { ParameterValue } from "../cwmp/rpc.js";
import type { Add, AddOperStatus, AddResp, CreateObject, ParamError, UspError } from "../usp/messages.js";
import { USP_ERR, uspError } from "../usp/errors.js";
import type { Plan } from "./plan.js";
import type { Step, TranslationContext, Want } from "./context.js";
import { mapFault, faultMessage } from "./faults.js";
import { wantsToRpcs } from "./rpc-plan.js";
import { resolveCreate, targetState, type ParamFailure, type Target, type TargetState, type Write } from "./add-target.js";
import { uniqueKeyNames } from "./unique-keys.js";

/** Where an instance stands once every RPC it needed before the SPV is done. */
type Verdict =
  | { kind: "ok"; instance: string; writes: Write[]; failures: ParamFailure[]; params: ReadonlySet<string> }
  | { kind: "failed"; errCode: number; errMsg: string; instance: string | undefined; failures: ParamFailure[] };

/** The AddResp from what the model holds now, without sending anything more
 * (instances not through every step are reported as 7003 oper_failure). */
export function foldAdd(add: Add, ctx: TranslationContext): AddResp {
  const resolved = add.createObjs.map((co) => resolveCreate(co, ctx));
  const targets = buildTargets(resolved);
  const verdicts = targets.map((t) => verdictOf(targetState(t, add.createObjs[t.req] ?? { objPath: "", paramSettings: [] }, ctx)));
  return buildAddResp(add, resolved, targets, verdicts, ctx);
}

export function planAdd(add: Add, ctx: TranslationContext): Plan {
  const resolved = add.createObjs.map((co) => resolveCreate(co, ctx));
  const resolving = resolved.flatMap((r) => (r.kind === "need" ? r.wants : []));
  if (resolving.length > 0) {
    const rpcs = wantsToRpcs(resolving, ctx);
    if (rpcs.length > 0) return { kind: "rpcs", rpcs };
  }
  // allow_partial=false: a path that cannot be resolved fails the message
  // before anything is created.
  const bad = resolved.findIndex((r) => r.kind !== "ok");
  if (!add.allowPartial && bad >= 0) return errorReply(objectError(add.createObjs[bad], resolved[bad]));
  const targets = buildTargets(resolved);
  const states = targets.map((t) => targetState(t, add.createObjs[t.req] ?? { objPath: "", paramSettings: [] }, ctx));
  // Reads first: those of the rows already there come before any AddObject
  // (add-unique.ts), so an Add that would duplicate a key creates nothing.
  const learning = states.flatMap((s): Want[] => (s.kind === "need" ? s.wants : []));
  if (learning.length > 0) {
    const rpcs = wantsToRpcs(learning, ctx);
    if (rpcs.length > 0) return { kind: "rpcs", rpcs };
  }
  const toAdd = targets.filter((_, i) => states[i]?.kind === "toAdd");
  if (toAdd.length > 0) return { kind: "rpcs", rpcs: toAdd.map((t) => ({ method: "AddObject", objectName: t.table, parameterKey: "" })) };
  let verdicts = states.map(verdictOf);
  if (add.allowPartial || verdicts.every((v) => v.kind === "ok")) {
    const spv = spvStep(verdicts, ctx);
    if (spv.kind === "send") return { kind: "rpcs", rpcs: [{ method: "SetParameterValues", parameterList: spv.list, parameterKey: "" }] };
    verdicts = spv.verdicts;
  }
  const failed = verdicts.some((v) => v.kind === "failed");
  // Nothing half-made is left: undo what must not stay.
  const undo = verdicts.filter((v) => v.instance !== undefined && (v.kind === "failed" || (!add.allowPartial && failed)));
  const pending = undo.flatMap((v) => (v.instance !== undefined && ctx.model.deleteOutcome(v.instance) === undefined ? [v.instance] : []));
  if (pending.length > 0) return { kind: "rpcs", rpcs: pending.map((objectName) => ({ method: "DeleteObject", objectName, parameterKey: "" })) };
  if (!add.allowPartial && failed) return errorReply(partialFalseError(add, targets, verdicts, ctx));
  return respond(add, resolved, targets, verdicts, ctx);
}

/** Targets in request order; the ordinal counts AddObjects per table. */
function buildTargets(resolved: Step<string[]>[]): Target[] {
  const perTable = new Map<string, number>();
  const targets: Target[] = [];
  resolved.forEach((r, req) => {
    if (r.kind !== "ok") return;
    for (const table of r.value) {
      const ordinal = perTable.get(table) ?? 0;
      perTable.set(table, ordinal + 1);
      targets.push({ req, table, ordinal });
    }
  });
  return targets;
}

function verdictOf(state: TargetState): Verdict {
  switch (state.kind) {
    case "need":
    case "toAdd":
      return { kind: "failed", errCode: USP_ERR.INTERNAL_ERROR, errMsg: "the CPE gave no usable answer", instance: undefined, failures: [] };
    case "failed":
      return { ...state, failures: [] };
    case "created": {
      const required = state.failures.filter((f) => f.required);
      if (required.length === 0) return { kind: "ok", instance: state.instance, writes: state.writes, failures: state.failures, params: state.params };
      return { kind: "failed", ...requiredFailed(required), instance: state.instance, failures: state.failures };
    }
  }
}

/** 7021 naming each failed required parameter with its own code: AddResp's
 * OperationFailure has no param_errs field to carry them. */
function requiredFailed(required: ParamFailure[]): { errCode: number; errMsg: string } {
  const detail = required.map((f) => `${f.param} (${f.errCode} ${f.errMsg})`).join(", ");
  return { errCode: USP_ERR.REQUIRED_PARAM_FAILED, errMsg: `Required parameter failed: ${detail}` };
}

type SpvStep = { kind: "send"; list: ParameterValue[] } | { kind: "done"; verdicts: Verdict[] };

/** The one SPV for every instance still standing. An SPV fault without usable
 * per-parameter detail fails every instance that had a write in it. */
function spvStep(verdicts: Verdict[], ctx: TranslationContext): SpvStep {
  const list = verdicts.flatMap((v) => (v.kind === "ok" ? v.writes.map((w) => w.pv) : []));
  if (list.length === 0) return { kind: "done", verdicts };
  const outcome = ctx.model.spvOutcome(list);
  if (outcome === undefined) return { kind: "send", list };
  if (outcome.ok) return { kind: "done", verdicts };
  const m = mapFault(outcome.fault, "set");
  return {
    kind: "done",
    verdicts: verdicts.map((v): Verdict => (v.kind === "ok" && v.writes.length > 0 ? { kind: "failed", ...m, instance: v.instance, failures: v.failures } : v)),
  };
}

/** ProcessAdd_AllowPartialFalse: the first failed instance decides the Error;
 * param_errs carry every failed parameter of failed instances (full paths). */
function partialFalseError(add: Add, targets: Target[], verdicts: Verdict[], ctx: TranslationContext): UspError {
  const idx = verdicts.findIndex((v) => v.kind === "failed");
  const first = verdicts[idx];
  const where = add.createObjs[targets[idx]?.req ?? -1]?.objPath ?? "";
  const paramErrs: ParamError[] = verdicts.flatMap((v) =>
    v.kind === "failed" ? v.failures.map((f) => ({ paramPath: (v.instance ?? "") + f.param, errCode: f.errCode, errMsg: f.errMsg })) : [],
  );
  if (first === undefined || first.kind !== "failed") return uspError(USP_ERR.INTERNAL_ERROR, "no failure to report");
  return uspError(first.errCode, `${where}: ${first.errMsg}${undoNote(verdicts, ctx)}`, paramErrs);
}

/** Says so when an instance created by this message could not be deleted again. */
function undoNote(verdicts: Verdict[], ctx: TranslationContext): string {
  const stuck = verdicts.flatMap((v) => {
    const outcome = v.instance === undefined ? undefined : ctx.model.deleteOutcome(v.instance);
    return outcome !== undefined && !outcome.ok ? [`${v.instance ?? ""} (${faultMessage(outcome.fault)})`] : [];
  });
  return stuck.length > 0 ? `; created but could not be deleted again: ${stuck.join(", ")}` : "";
}

function objectError(co: CreateObject | undefined, r: Step<string[]> | undefined): UspError {
  const where = co?.objPath ?? "";
  if (r?.kind === "error") return uspError(r.errCode, r.errMsg.includes(where) ? r.errMsg : `${where}: ${r.errMsg}`);
  return uspError(USP_ERR.INTERNAL_ERROR, `${where}: the CPE gave no usable answer`);
}

function errorReply(error: UspError): Plan {
  return { kind: "respond", reply: { kind: "error", error } };
}

function respond(add: Add, resolved: Step<string[]>[], targets: Target[], verdicts: Verdict[], ctx: TranslationContext): Plan {
  const addResp = buildAddResp(add, resolved, targets, verdicts, ctx);
  return { kind: "respond", reply: { kind: "response", response: { type: "addResp", addResp } } };
}

function buildAddResp(add: Add, resolved: Step<string[]>[], targets: Target[], verdicts: Verdict[], ctx: TranslationContext): AddResp {
  const addResp: AddResp = { createdObjResults: [] };
  add.createObjs.forEach((co, req) => {
    const r = resolved[req];
    const push = (operStatus: AddOperStatus): void => {
      addResp.createdObjResults.push({ requestedPath: co.objPath, operStatus });
    };
    if (r?.kind === "error") {
      push({ type: "operFailure", errCode: r.errCode, errMsg: r.errMsg });
      return;
    }
    if (r?.kind !== "ok") {
      push({ type: "operFailure", errCode: USP_ERR.INTERNAL_ERROR, errMsg: "the CPE gave no usable answer" });
      return;
    }
    // R-MSG.4a: a search matching no table is an empty success.
    if (r.value.length === 0) push({ type: "operSuccess", instantiatedPath: "", paramErrs: [], uniqueKeys: {} });
    targets.forEach((t, i) => {
      const v = verdicts[i];
      if (t.req === req && v !== undefined) push(operStatus(v, ctx));
    });
  });
  return addResp;
}

/** R-ADD.5: unique_keys holds every key the instance has, with the value set
 * by this Add or, for keys the Controller left out, the one the CPE assigned
 * (read in step 3; the SPV's values replace it in the model when it succeeds). */
function operStatus(v: Verdict, ctx: TranslationContext): AddOperStatus {
  if (v.kind === "failed") return { type: "operFailure", errCode: v.errCode, errMsg: `${v.errMsg}${undoNote([v], ctx)}` };
  const uniqueKeys: Record<string, string> = {};
  for (const key of uniqueKeyNames(v.instance, (rel) => v.params.has(v.instance + rel))) {
    const st = ctx.model.valueState(v.instance + key);
    if (st.kind === "value") uniqueKeys[key] = st.value;
  }
  const paramErrs = v.failures.map((f) => ({ param: f.param, errCode: f.errCode, errMsg: f.errMsg }));
  return { type: "operSuccess", instantiatedPath: v.instance, paramErrs, uniqueKeys };
}
