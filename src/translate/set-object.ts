// The per-object half of Set: resolve one UpdateObject's path to instances and
// check each param_setting against what the model knows (R-SET.x), so that
// everything the CPE would reject for a known reason is reported per
// parameter before the single atomic SetParameterValues is sent.
import type { ParameterValue } from "../cwmp/rpc.js";
import type { UpdateObject } from "../usp/messages.js";
import { parsePath } from "../usp/path.js";
import { USP_ERR } from "../usp/errors.js";
import type { TranslationContext, Want } from "./context.js";
import { splitPath } from "./device-model.js";
import { mapFault } from "./faults.js";
import { missingObjectError, resolveObjects } from "./resolve.js";
import { checkValue } from "./xsd.js";
import { supportedPathOf, TR181 } from "./schema.js";

export interface ParamFailure {
  /** Relative to the instance, as in ParameterError.param. */
  param: string;
  errCode: number;
  errMsg: string;
  required: boolean;
}

export interface Write {
  param: string;
  required: boolean;
  pv: ParameterValue;
}

export interface InstancePlan {
  path: string;
  writes: Write[];
  failures: ParamFailure[];
}

export type ObjectState =
  | { kind: "need"; wants: Want[] }
  | { kind: "objectError"; errCode: number; errMsg: string }
  /** Empty when a search path matched nothing (R-MSG.4a: oper_success{}). */
  | { kind: "instances"; instances: InstancePlan[] };

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

export function planObject(u: UpdateObject, ctx: TranslationContext): ObjectState {
  const parsed = parsePath(u.objPath);
  if (!parsed.ok) return { kind: "objectError", errCode: USP_ERR.INVALID_PATH_SYNTAX, errMsg: `Invalid path syntax: ${parsed.error}` };
  const path = parsed.path;
  const first = path.segments[0];
  if (first?.kind !== "name" || first.name !== "Device") {
    return { kind: "objectError", errCode: USP_ERR.INVALID_PATH, errMsg: `${u.objPath} is not in the Device. data model` };
  }
  if (path.kind !== "object") {
    return { kind: "objectError", errCode: USP_ERR.INVALID_PATH, errMsg: "Set takes an object path ending in '.'" };
  }
  const objs = resolveObjects(path, "set", ctx);
  if (objs.kind === "need") return objs;
  if (objs.kind === "error") return { kind: "objectError", errCode: objs.errCode, errMsg: objs.errMsg };
  const wants: Want[] = [];
  const instances: InstancePlan[] = [];
  for (const obj of objs.value) {
    const r = planInstance(obj, u, ctx);
    if (r.kind === "need") wants.push(...r.wants);
    else if (r.kind === "objectError") return r;
    else instances.push(r.instance);
  }
  return wants.length > 0 ? { kind: "need", wants } : { kind: "instances", instances };
}

type InstanceState =
  | { kind: "need"; wants: Want[] }
  | { kind: "objectError"; errCode: number; errMsg: string }
  | { kind: "ok"; instance: InstancePlan };

/** The instance must exist and its children be known: names and writability
 * come from GPN (persistent cache allowed for names under a known instance). */
function planInstance(obj: string, u: UpdateObject, ctx: TranslationContext): InstanceState {
  const exists = objectKnown(obj, ctx);
  if (exists.kind !== "ok") return exists;
  const wants: Want[] = [];
  const plan: InstancePlan = { path: obj, writes: [], failures: [] };
  for (const s of u.paramSettings) {
    const r = planParam(obj, s.param, s.value, ctx);
    if (r.kind === "need") wants.push(...r.wants);
    else if (r.kind === "fail") plan.failures.push({ param: s.param, errCode: r.errCode, errMsg: r.errMsg, required: s.required });
    else plan.writes.push({ param: s.param, required: s.required, pv: r.pv });
  }
  return wants.length > 0 ? { kind: "need", wants } : { kind: "ok", instance: plan };
}

function objectKnown(obj: string, ctx: TranslationContext): InstanceState | { kind: "ok" } {
  const { model } = ctx;
  if (model.isListed(obj)) return { kind: "ok" };
  const st = model.listState(obj, true);
  if (st.kind === "unknown") return { kind: "need", wants: [{ kind: "gpn", path: obj, nextLevel: true }] };
  if (st.kind === "fault") return { kind: "objectError", ...mapFault(st.fault, "set") };
  if (st.kind === "listed") return { kind: "ok" };
  // Absent: 7016 needs to know the table itself exists, so list it once.
  const table = splitPath(obj)[0];
  if (/^[1-9][0-9]*\.$/.test(splitPath(obj)[1]) && !model.knows(table) && model.listState(table, true).kind === "unknown") {
    return { kind: "need", wants: [{ kind: "gpn", path: table, nextLevel: true }] };
  }
  return { kind: "objectError", ...missingObjectError(obj, "set", ctx) };
}

type ParamState =
  | { kind: "need"; wants: Want[] }
  | { kind: "fail"; errCode: number; errMsg: string }
  | { kind: "ok"; pv: ParameterValue };

function planParam(obj: string, param: string, value: string, ctx: TranslationContext): ParamState {
  const { model, profile } = ctx;
  if (!PARAM_NAME.test(param)) return { kind: "fail", errCode: USP_ERR.UNSUPPORTED_PARAMETER, errMsg: `"${param}" is not a parameter name` };
  const full = obj + param;
  const parent = splitPath(full)[0];
  if (parent !== obj && !model.isListed(parent)) {
    const st = model.listState(parent, true);
    if (st.kind === "unknown") return { kind: "need", wants: [{ kind: "gpn", path: parent, nextLevel: true }] };
  }
  // An earlier SPV of this transaction already rejected it (TR-069 A.3.2.1).
  const spvFault = model.spvParamFault(full);
  if (spvFault !== undefined) return { kind: "fail", ...mapFault(spvFault, "set") };
  // 7010: the name is not among the instance's children (R-SET: unsupported).
  if (!model.knows(full)) return { kind: "fail", errCode: USP_ERR.UNSUPPORTED_PARAMETER, errMsg: `${full} does not exist` };
  if (model.writable(full) === false) {
    return { kind: "fail", errCode: USP_ERR.PARAM_READ_ONLY, errMsg: `${full} is not writable` };
  }
  // TR-181 USP Alias (_AliasUSP) and other writeOnceReadOnly parameters are
  // given by Add only, though the CWMP flavour of the CPE lets them be written
  // (mapping.md §4.4; R-KEY.1: a non-functional key never changes).
  const [owner, name] = splitPath(full);
  if (TR181.object(supportedPathOf(owner))?.paramsByName.get(name)?.access === "writeOnceReadOnly") {
    return { kind: "fail", errCode: USP_ERR.PARAM_READ_ONLY, errMsg: `${full} is writeOnceReadOnly: it is set when the object is created, never by Set` };
  }
  const type = model.typeOf(full) ?? learnedType(full, ctx);
  if (typeof type !== "string") return type;
  const checked = checkValue(value, type, profile.booleanLiteral);
  if (!checked.ok) return { kind: "fail", errCode: USP_ERR.INVALID_TYPE, errMsg: checked.errMsg };
  return { kind: "ok", pv: { name: full, value: checked.value, type } };
}

/** The xsd type is needed for the SPV's xsi:type and for 7011 checks: learn
 * it with a GPV when neither an Inform nor a GPV has reported it yet. */
function learnedType(full: string, ctx: TranslationContext): string | ParamState {
  const st = ctx.model.valueState(full);
  if (st.kind === "unknown") return { kind: "need", wants: [{ kind: "gpv", name: full }] };
  if (st.kind === "absent") return { kind: "fail", errCode: USP_ERR.UNSUPPORTED_PARAMETER, errMsg: `${full} does not exist` };
  if (st.kind === "fault") return { kind: "fail", ...mapFault(st.fault, "set") };
  // The CPE answered without an xsi:type: strings are the safe default.
  return ctx.model.typeOf(full) ?? "xsd:string";
}
