// The per-table half of Add: resolve a CreateObject's path to the table(s)
// to create in, then follow one new instance through AddObject and the
// checks of its param_settings against what the CPE reports for it, so that
// everything the CPE would reject for a known reason is a parameter failure
// before the single SetParameterValues is sent (as set-object.ts does for Set).
import type { CwmpFault, ParameterValue } from "../cwmp/rpc.js";
import type { CreateObject, SetParamSetting } from "../usp/messages.js";
import { parsePath } from "../usp/path.js";
import { USP_ERR } from "../usp/errors.js";
import type { Step, TranslationContext, Want } from "./context.js";
import { splitPath } from "./device-model.js";
import { mapFault } from "./faults.js";
import { expandPartialPath, resolveObjects } from "./resolve.js";
import { classifyObject, knownSingle, notATableError } from "./object-kind.js";
import { isUniqueKey } from "./unique-keys.js";
import { checkBeforeAdd, checkCreated } from "./add-unique.js";
import { checkValue } from "./xsd.js";

export interface ParamFailure {
  /** Relative to the new instance, as in ParameterError.param. */
  param: string;
  errCode: number;
  errMsg: string;
  required: boolean;
}

export interface Write {
  param: string;
  pv: ParameterValue;
}

/** One instance to create: CreateObject `req` resolved to `table`; `ordinal`
 * tells apart several AddObjects on the same table in one message. */
export interface Target {
  req: number;
  table: string;
  ordinal: number;
}

export type TargetState =
  | { kind: "need"; wants: Want[] }
  | { kind: "toAdd" }
  /** `instance`: created and still to be deleted again, if any. */
  | { kind: "failed"; errCode: number; errMsg: string; instance: string | undefined }
  /** `params`: names (full) the new instance has; failures may include required ones. */
  | { kind: "created"; instance: string; writes: Write[]; failures: ParamFailure[]; params: ReadonlySet<string> };

/** The tables a CreateObject creates in: its path, or every table a search
 * in its parent part matches (R-MSG.4a: none is not an error). */
export function resolveCreate(co: CreateObject, ctx: TranslationContext): Step<string[]> {
  const parsed = parsePath(co.objPath);
  if (!parsed.ok) return { kind: "error", errCode: USP_ERR.INVALID_PATH_SYNTAX, errMsg: `Invalid path syntax: ${parsed.error}` };
  const path = parsed.path;
  const first = path.segments[0];
  if (first?.kind !== "name" || first.name !== "Device") return { kind: "error", errCode: USP_ERR.INVALID_PATH, errMsg: `${co.objPath} is not in the Device. data model` };
  // obuspa path_resolver: Add paths must end in "." (7008).
  if (path.kind !== "object") return { kind: "error", errCode: USP_ERR.INVALID_PATH_SYNTAX, errMsg: "Add takes a table path ending in '.'" };
  // An instance number, `*` or search expression last addresses instances,
  // not the table to create in.
  if (path.segments[path.segments.length - 1]?.kind !== "name") {
    return { kind: "error", errCode: USP_ERR.NOT_A_TABLE, errMsg: `Object is not a table: ${co.objPath} addresses instances` };
  }
  const tables = resolveObjects(path, "set", ctx);
  if (tables.kind !== "ok") return tables;
  // Known to be a single-instance object: no AddObject needed to know it fails.
  const single = tables.value.find((obj) => knownSingle(obj, ctx));
  return single === undefined ? tables : { kind: "error", ...notATableError(single, "single") };
}

export function targetState(target: Target, co: CreateObject, ctx: TranslationContext): TargetState {
  const outcomes = ctx.model.addOutcomes(target.table);
  const outcome = outcomes[target.ordinal];
  if (outcome === undefined) {
    const before = checkBeforeAdd(target.table, co, ctx);
    if (before.kind === "need") return before;
    if (before.kind === "duplicate") return { kind: "failed", errCode: before.errCode, errMsg: before.errMsg, instance: undefined };
    return { kind: "toAdd" };
  }
  if (!outcome.ok) return addFault(target.table, outcome.fault, ctx);
  if (!(outcome.instance >= 1)) {
    return { kind: "failed", errCode: USP_ERR.OBJECT_NOT_CREATED, errMsg: "Object could not be created: the CPE returned no instance number", instance: undefined };
  }
  const instance = `${target.table}${outcome.instance}.`;
  // What the new row has (names, types, defaults): one partial-path GPV, or
  // GPN + GPV on CPEs that need full names (resolve.ts).
  const sub = expandPartialPath(instance, 0, ctx);
  if (sub.kind === "need") return sub;
  if (sub.kind === "error") return { kind: "failed", errCode: sub.errCode, errMsg: sub.errMsg, instance };
  const params = new Set(sub.value.map(([name]) => name));
  const state: Extract<TargetState, { kind: "created" }> = { kind: "created", instance, writes: [], failures: [], params };
  for (const s of co.paramSettings) {
    // usp.md §1.2 Add notes: unique keys are always required.
    const required = s.required || isUniqueKey(instance, s.param);
    const r = checkParam(instance, s, params, ctx);
    if ("pv" in r) state.writes.push({ param: s.param, pv: r.pv });
    else state.failures.push({ param: s.param, ...r, required });
  }
  const alias = agentAlias(instance, co, params, ctx);
  if (alias !== undefined) state.writes.push({ param: "Alias", pv: alias });
  // A key's value: as given (normalised when it passed the checks, even if
  // the SPV later fails), else as the CPE assigned it.
  const written = new Map(state.writes.map((w) => [w.param, w.pv.value]));
  const givenValues = new Map(co.paramSettings.map((s) => [s.param, written.get(s.param) ?? s.value]));
  const keyValue = (rel: string): string | undefined => {
    const st = ctx.model.valueState(instance + rel);
    return givenValues.get(rel) ?? (st.kind === "value" ? st.value : undefined);
  };
  // Rows this message made hold CPE defaults until the SPV: not compared.
  const created = new Set(outcomes.flatMap((o) => (o.ok ? [`${target.table}${o.instance}.`] : [])));
  const after = checkCreated(target.table, co, keyValue, created, ctx);
  if (after.kind === "duplicate") return { kind: "failed", errCode: after.errCode, errMsg: after.errMsg, instance };
  return state;
}

/** mapping.md §4.4: a USP Alias (_AliasUSP) is never empty, and one the agent
 * assigns starts with "cpe-". A CWMP CPE may leave a new row's Alias empty
 * (_AliasCWMP), so when the Controller gives none the gateway writes
 * `cpe-<instance number>` in the same SPV as the Controller's values. The
 * write is the gateway's own: if the CPE refuses it, the SPV is retried
 * without it and the row keeps its empty Alias rather than failing the Add.
 * Still returned once the SPV has stored it, so every round plans the same SPV. */
function agentAlias(instance: string, co: CreateObject, params: ReadonlySet<string>, ctx: TranslationContext): ParameterValue | undefined {
  const name = `${instance}Alias`;
  if (co.paramSettings.some((s) => s.param === "Alias") || !params.has(name)) return undefined;
  if (ctx.model.writable(name) === false || ctx.model.spvParamFault(name) !== undefined) return undefined;
  const value = `cpe-${/([0-9]+)\.$/.exec(instance)?.[1] ?? ""}`;
  const st = ctx.model.valueState(name);
  if (st.kind !== "value" || (st.value !== "" && st.value !== value)) return undefined;
  return { name, value, type: ctx.model.typeOf(name) ?? "xsd:string" };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** One param_setting against the new instance (R-ADD: 7010 unknown name,
 * 7013 read-only, 7011 malformed value; an earlier SPV's fault for it). */
function checkParam(
  instance: string,
  s: SetParamSetting,
  params: ReadonlySet<string>,
  ctx: TranslationContext,
): { pv: ParameterValue } | { errCode: number; errMsg: string } {
  const { model, profile } = ctx;
  if (!s.param.split(".").every((seg) => NAME.test(seg))) return { errCode: USP_ERR.UNSUPPORTED_PARAMETER, errMsg: `"${s.param}" is not a parameter name` };
  const full = instance + s.param;
  const spvFault = model.spvParamFault(full);
  if (spvFault !== undefined) return mapFault(spvFault, "set");
  if (!params.has(full)) return { errCode: USP_ERR.UNSUPPORTED_PARAMETER, errMsg: `${full} does not exist` };
  if (model.writable(full) === false) return { errCode: USP_ERR.PARAM_READ_ONLY, errMsg: `${full} is not writable` };
  // The CPE answered without an xsi:type: strings are the safe default.
  const type = model.typeOf(full) ?? "xsd:string";
  const checked = checkValue(s.value, type, profile.booleanLiteral);
  if (!checked.ok) return { errCode: USP_ERR.INVALID_TYPE, errMsg: checked.errMsg };
  return { pv: { name: full, value: checked.value, type } };
}

/** AddObject fault → USP error for the CreateObject (usp.md §2 Add codes):
 * - 9005: the name is no table. One GPN tells which: 7026 nothing there,
 *   7018 a single-instance object; a listed table that still refuses is 7017;
 * - 9003: 7019 when the CPE lists the table as not writable (TR-069 A.3.2.3:
 *   an object's Writable means AddObject is allowed), else faults.ts's code;
 * - others: faults.ts's code, 7017 "Object could not be created" when it has
 *   none better than 7000. */
function addFault(table: string, fault: CwmpFault, ctx: TranslationContext): TargetState {
  const m = mapFault(fault, "set");
  const failed = (errCode: number, errMsg: string): TargetState => ({ kind: "failed", errCode, errMsg, instance: undefined });
  if (fault.faultCode === 9005) {
    const kind = classifyObject(table, true, ctx);
    if (kind.kind === "need") return kind;
    if (kind.kind === "error") return failed(kind.errCode, kind.errMsg);
    if (kind.value !== "table") return { kind: "failed", ...notATableError(table, kind.value), instance: undefined };
    return failed(USP_ERR.OBJECT_NOT_CREATED, `Object could not be created: ${m.errMsg}`);
  }
  if (fault.faultCode === 9003) {
    const parent = splitPath(table)[0];
    if (ctx.model.writable(table) === undefined && ctx.model.listState(parent, true).kind === "unknown") {
      return { kind: "need", wants: [{ kind: "gpn", path: parent, nextLevel: true }] };
    }
    if (ctx.model.writable(table) === false) return failed(USP_ERR.OBJECT_NOT_CREATABLE, `Attempt to create non-creatable object: ${table} (${m.errMsg})`);
  }
  if (m.errCode === USP_ERR.MESSAGE_FAILED) return failed(USP_ERR.OBJECT_NOT_CREATED, `Object could not be created: ${m.errMsg}`);
  return failed(m.errCode, m.errMsg);
}
