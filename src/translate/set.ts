// USP Set (TR-369 "The Set Message") over CWMP SetParameterValues. planSet is
// the expand-and-group half; foldSet builds the SetResp. The CWMP SPV is
// atomic (TR-069 A.3.2.1), so everything that should be applied goes in ONE
// SPV (ParameterKey ""), never split. When it faults with per-parameter
// detail, those parameters become failures and the Set is re-planned:
// - a failed required parameter fails its whole UpdateObject (R-SET.2a: a
//   search path is treated holistically); with allow_partial=false the whole
//   message becomes an Error and nothing further is sent;
// - a failed non-required parameter becomes a param_err on an oper_success
//   and the SPV is retried without it (usp.md §2 truth table).
import type { ParameterValue } from "../cwmp/rpc.js";
import type {
  ParamError,
  ParameterError,
  Set as UspSet,
  SetResp,
  UpdatedInstanceResult,
  UpdatedObjectResult,
  UspError,
} from "../usp/messages.js";
import { USP_ERR, uspError } from "../usp/errors.js";
import type { Plan } from "./plan.js";
import type { TranslationContext, Want } from "./context.js";
import { mapFault, type MappedFault } from "./faults.js";
import { wantsToRpcs } from "./rpc-plan.js";
import { planObject, type InstancePlan, type ObjectState } from "./set-object.js";

/** Why an UpdateObject as a whole failed, if it did. */
type Verdict =
  | { kind: "ok"; instances: InstancePlan[] }
  | { kind: "failed"; errCode: number; errMsg: string; instances: InstancePlan[] };

export function planSet(set: UspSet, ctx: TranslationContext): Plan {
  const states = set.updateObjs.map((u) => planObject(u, ctx));
  const wants = states.flatMap((s): Want[] => (s.kind === "need" ? s.wants : []));
  if (wants.length > 0) {
    const rpcs = wantsToRpcs(wants, ctx);
    if (rpcs.length > 0) return { kind: "rpcs", rpcs };
  }
  const verdicts = states.map(verdictOf);
  // allow_partial=false: any object-level failure before sending anything is
  // an Error message, and nothing is applied.
  if (!set.allowPartial) {
    const err = partialFalseError(set, verdicts);
    if (err !== undefined) return { kind: "respond", reply: { kind: "error", error: err } };
  }
  const list = spvList(verdicts);
  if (list.length > 0) {
    const outcome = ctx.model.spvOutcome(list);
    if (outcome === undefined) return { kind: "rpcs", rpcs: [{ method: "SetParameterValues", parameterList: list, parameterKey: "" }] };
    if (!outcome.ok) return spvFailed(set, verdicts, mapFault(outcome.fault, "set"));
  }
  return respondSet(set, verdicts);
}

/** The SetResp from what the model holds now (objects still unresolved are
 * reported as 7003 oper_failure). */
export function foldSet(set: UspSet, ctx: TranslationContext): SetResp {
  return buildSetResp(set, set.updateObjs.map((u) => verdictOf(planObject(u, ctx))));
}

function verdictOf(state: ObjectState): Verdict {
  switch (state.kind) {
    case "need":
      return { kind: "failed", errCode: USP_ERR.INTERNAL_ERROR, errMsg: "the CPE gave no usable answer", instances: [] };
    case "objectError":
      return { kind: "failed", errCode: state.errCode, errMsg: state.errMsg, instances: [] };
    case "instances": {
      const failed = state.instances.flatMap((i) => i.failures.filter((f) => f.required));
      if (failed.length === 0) return { kind: "ok", instances: state.instances };
      const names = [...new Set(failed.map((f) => f.param))].join(", ");
      return { kind: "failed", errCode: USP_ERR.REQUIRED_PARAM_FAILED, errMsg: `Required parameter failed: ${names}`, instances: state.instances };
    }
  }
}

/** One SPV for every write of every object still standing; a name written
 * twice keeps the last value (the same name twice in one SPV is 9003). */
function spvList(verdicts: Verdict[]): ParameterValue[] {
  const byName = new Map<string, ParameterValue>();
  for (const v of verdicts) {
    if (v.kind !== "ok") continue;
    for (const i of v.instances) for (const w of i.writes) byName.set(w.pv.name, w.pv);
  }
  return [...byName.values()];
}

/** ProcessSet_AllowPartialFalse: the first failed object decides the Error;
 * param_errs carry every failed parameter of failed objects with full paths. */
function partialFalseError(set: UspSet, verdicts: Verdict[]): UspError | undefined {
  const first = verdicts.find((v) => v.kind === "failed");
  if (first === undefined || first.kind !== "failed") return undefined;
  const paramErrs: ParamError[] = verdicts.flatMap((v) =>
    v.kind === "failed"
      ? v.instances.flatMap((i) => i.failures.map((f) => ({ paramPath: i.path + f.param, errCode: f.errCode, errMsg: f.errMsg })))
      : [],
  );
  const idx = verdicts.indexOf(first);
  const where = set.updateObjs[idx]?.objPath ?? "";
  return uspError(first.errCode, first.errMsg.includes(where) ? first.errMsg : `${where}: ${first.errMsg}`, paramErrs);
}

/** An SPV fault without usable per-parameter detail fails every object that
 * had a write in it, with the mapped code. */
function spvFailed(set: UspSet, verdicts: Verdict[], m: MappedFault): Plan {
  if (!set.allowPartial) return { kind: "respond", reply: { kind: "error", error: uspError(m.errCode, m.errMsg) } };
  const failed = verdicts.map((v): Verdict =>
    v.kind === "ok" && v.instances.some((i) => i.writes.length > 0) ? { kind: "failed", ...m, instances: [] } : v,
  );
  return respondSet(set, failed);
}

function respondSet(set: UspSet, verdicts: Verdict[]): Plan {
  return { kind: "respond", reply: { kind: "response", response: { type: "setResp", setResp: buildSetResp(set, verdicts) } } };
}

function buildSetResp(set: UspSet, verdicts: Verdict[]): SetResp {
  return {
    updatedObjResults: verdicts.map((v, i): UpdatedObjectResult => {
      const requestedPath = set.updateObjs[i]?.objPath ?? "";
      if (v.kind === "failed") {
        const updatedInstFailures = v.instances
          .filter((inst) => inst.failures.length > 0)
          .map((inst) => ({ affectedPath: inst.path, paramErrs: inst.failures.map(paramError) }));
        return { requestedPath, operStatus: { type: "operFailure", errCode: v.errCode, errMsg: v.errMsg, updatedInstFailures } };
      }
      return { requestedPath, operStatus: { type: "operSuccess", updatedInstResults: v.instances.map(instanceResult) } };
    }),
  };
}

/** R-SET: affected_path is the instance, updated_params the relative names
 * with the value written, param_errs the non-required failures. */
function instanceResult(inst: InstancePlan): UpdatedInstanceResult {
  const updatedParams: Record<string, string> = {};
  for (const w of inst.writes) updatedParams[w.param] = w.pv.value;
  return { affectedPath: inst.path, paramErrs: inst.failures.map(paramError), updatedParams };
}

function paramError(f: { param: string; errCode: number; errMsg: string }): ParameterError {
  return { param: f.param, errCode: f.errCode, errMsg: f.errMsg };
}
