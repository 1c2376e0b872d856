// USP GetSupportedDM (TR-369 "The GetSupportedDM Message", usp.md §1.2) over
// CWMP. planGetSupportedDm is the expand-and-group half, foldGetSupportedDm
// the build half. Every obj_path gets its own req_obj_result, in request
// order; a failure is that path's err_code, never an Error message.
//
// The answer is the CPE's real parameter tree on supported paths
// (supported-tree.ts) with the TR-181 schema (schema.ts) supplying what CWMP
// cannot say: value types, commands, events and unique keys.
// - RPCs: one GetParameterNames (NextLevel=false) of the requested object, or
//   of the outermost table on the way to it so that every instance counts;
//   plus GetParameterNames (NextLevel=true) of that table's parent when the
//   table's own Writable flag (AddObject allowed) is not known yet.
// - Access: the schema's, narrowed by the CPE's Writable flags (what the CPE
//   will not write is read-only here, since Set/Add would fail on it).
// - Names the schema does not know (vendor X_…, CWMP-only ones) are reported
//   as the CPE shows them: access from Writable, value type from the xsd type
//   when one was seen, else PARAM_UNKNOWN.
// - Device.LocalAgent. is served by the gateway: schema only, no RPC.
import type {
  GetSupportedDM,
  GetSupportedDMResp,
  ObjAccessType,
  ParamValueType,
  SupportedObjectResult,
  SupportedParamResult,
} from "../usp/messages.js";
import { USP_ERR } from "../usp/errors.js";
import type { Plan } from "./plan.js";
import type { TranslationContext, Want } from "./context.js";
import { splitPath } from "./device-model.js";
import { mapFault } from "./faults.js";
import { wantsToRpcs } from "./rpc-plan.js";
import { comparePaths } from "./path-order.js";
import { TR181, parentSupportedPath, type SchemaObject } from "./schema.js";
import { cpeSupportedTree, gatewayServedTree, isGatewayServed, isTableOnCpe, type SupportedNode } from "./supported-tree.js";
import { parseRequestedPath, type Element, type Target } from "./supported-path.js";

type ReqObjResult = GetSupportedDMResp["reqObjResults"][number];
type PathOutcome = { kind: "done"; result: ReqObjResult } | { kind: "need"; wants: Want[] };

/** data_model_inst_uri of every successful req_obj_result. */
export const DATA_MODEL_INST_URI: string = TR181.spec;

export function planGetSupportedDm(req: GetSupportedDM, ctx: TranslationContext): Plan {
  const outcomes = req.objPaths.map((p) => evaluatePath(p, req, ctx));
  const wants = outcomes.flatMap((o) => (o.kind === "need" ? o.wants : []));
  if (wants.length > 0) {
    const rpcs = wantsToRpcs(withoutCovered(wants), ctx);
    // Nothing new to ask although something is still unknown: answer with
    // what is known instead of looping until MAX_PLAN_ROUNDS.
    if (rpcs.length > 0) return { kind: "rpcs", rpcs };
  }
  const getSupportedDmResp = buildResp(req, outcomes);
  return { kind: "respond", reply: { kind: "response", response: { type: "getSupportedDmResp", getSupportedDmResp } } };
}

/** A subtree listing asked for in the same round already lists everything
 * below it ("Device." and "Device.WiFi." together cost one RPC). */
function withoutCovered(wants: Want[]): Want[] {
  const subtrees = wants.flatMap((w) => (w.kind === "gpn" && !w.nextLevel ? [w.path] : []));
  return wants.filter((w) => w.kind !== "gpn" || !subtrees.some((s) => s !== w.path && w.path.startsWith(s)));
}

/** The GetSupportedDMResp from what the model holds now; a path still
 * unresolved is reported as 7003 for that path. */
export function foldGetSupportedDm(req: GetSupportedDM, ctx: TranslationContext): GetSupportedDMResp {
  return buildResp(
    req,
    req.objPaths.map((p) => evaluatePath(p, req, ctx)),
  );
}

function buildResp(req: GetSupportedDM, outcomes: PathOutcome[]): GetSupportedDMResp {
  return {
    reqObjResults: outcomes.map((o, i) =>
      o.kind === "done" ? o.result : pathError(req.objPaths[i] ?? "", USP_ERR.INTERNAL_ERROR, "the CPE gave no usable answer for this path"),
    ),
  };
}

function pathError(reqObjPath: string, errCode: number, errMsg: string): ReqObjResult {
  return { reqObjPath, errCode, errMsg, dataModelInstUri: "", supportedObjs: [] };
}

const doneError = (p: string, errCode: number, errMsg: string): PathOutcome => ({ kind: "done", result: pathError(p, errCode, errMsg) });
const notSupported = (p: string): PathOutcome => doneError(p, USP_ERR.INVALID_PATH, `${p} is not in the supported data model of this device`);

/** One requested path, independently of the others. */
function evaluatePath(p: string, req: GetSupportedDM, ctx: TranslationContext): PathOutcome {
  const target = parseRequestedPath(p);
  if (!target.ok) return doneError(p, target.errCode, target.errMsg);
  if (isGatewayServed(target.supported)) return answer(p, target, gatewayServedTree(), req);
  const { model } = ctx;
  const st = model.listState(target.cpePath, false);
  if (st.kind === "unknown") return { kind: "need", wants: [{ kind: "gpn", path: target.cpePath, nextLevel: false }] };
  if (st.kind === "fault") {
    const m = mapFault(st.fault, "get");
    return doneError(p, m.errCode, m.errMsg);
  }
  // A listing of an ancestor also counts, and says whether cpePath exists.
  if (st.kind === "absent" || !model.isListed(target.cpePath)) return notSupported(p);
  const flag = tableFlagWant(target.cpePath, ctx);
  if (flag !== undefined) return { kind: "need", wants: [flag] };
  // An instantiated path is accepted "as long as the Object exists" (TR-369).
  if (target.concrete !== undefined && !instanceExists(target.concrete, target.cpePath, ctx)) {
    return doneError(p, USP_ERR.OBJECT_DOES_NOT_EXIST, `Object does not exist: ${target.concrete}`);
  }
  return answer(p, target, cpeSupportedTree(target.cpePath, ctx), req);
}

/** The result for a parsed path against the supported tree it lies in. */
function answer(p: string, target: Extract<Target, { ok: true }>, tree: Map<string, SupportedNode>, req: GetSupportedDM): PathOutcome {
  // The final "{i}." of a table may be left out (usp.md §1.2 notes).
  const root = tree.get(target.supported) ?? tree.get(`${target.supported}{i}.`);
  if (root === undefined || (target.element !== undefined && root.path !== target.supported)) return notSupported(p);
  if (target.element !== undefined) {
    const one = elementResult(root, target.element);
    return one === undefined ? notSupported(p) : done(p, [one]);
  }
  const nodes = [...tree.values()].filter((n) => n.path.startsWith(root.path)).sort((a, b) => comparePaths(a.path, b.path));
  const objs: SupportedObjectResult[] = [];
  for (const n of nodes) {
    if (n === root || !req.firstLevelOnly) objs.push(objectResult(n, req));
    // first_level_only: the immediate child objects come "with no details",
    // i.e. without commands, events or parameters (TR-369 GetSupportedDM).
    else if (parentSupportedPath(n.path) === root.path) objs.push(objectResult(n, { ...req, returnCommands: false, returnEvents: false, returnParams: false }));
  }
  return done(p, objs);
}

function done(reqObjPath: string, supportedObjs: SupportedObjectResult[]): PathOutcome {
  return { kind: "done", result: { reqObjPath, errCode: 0, errMsg: "", dataModelInstUri: DATA_MODEL_INST_URI, supportedObjs } };
}

/** The outermost table's own Writable flag comes from its parent's listing,
 * which the subtree GetParameterNames of the table does not include. */
function tableFlagWant(cpePath: string, ctx: TranslationContext): Want | undefined {
  const { model } = ctx;
  if (cpePath === "Device." || model.writable(cpePath) !== undefined) return undefined;
  if (!isTableOnCpe(cpePath, model.children(cpePath) ?? [])) return undefined;
  const parent = splitPath(cpePath)[0];
  return model.listState(parent, true).kind === "unknown" ? { kind: "gpn", path: parent, nextLevel: true } : undefined;
}

/** Every instance on the way to `concrete` is in the listing of `cpePath`. */
function instanceExists(concrete: string, cpePath: string, ctx: TranslationContext): boolean {
  let prefix = cpePath;
  for (const seg of concrete.slice(cpePath.length).split(".").filter((s) => s !== "")) {
    if (!(ctx.model.children(prefix) ?? []).includes(`${seg}.`)) return false;
    prefix += `${seg}.`;
  }
  return true;
}

// ---- results ----------------------------------------------------------------

/** USP 1.4 lets obj_paths name a parameter, command or event: the answer is
 * its object carrying just that element. */
function elementResult(node: SupportedNode, element: Element): SupportedObjectResult | undefined {
  const all = objectResult(node, { returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: false });
  const only: SupportedObjectResult = { ...all, supportedCommands: [], supportedEvents: [], supportedParams: [] };
  switch (element.kind) {
    case "param":
      only.supportedParams = all.supportedParams.filter((x) => x.paramName === element.name);
      return only.supportedParams.length > 0 ? only : undefined;
    case "command":
      only.supportedCommands = all.supportedCommands.filter((x) => x.commandName === element.name);
      return only.supportedCommands.length > 0 ? only : undefined;
    case "event":
      only.supportedEvents = all.supportedEvents.filter((x) => x.eventName === element.name);
      return only.supportedEvents.length > 0 ? only : undefined;
  }
}

type Flags = Pick<GetSupportedDM, "returnCommands" | "returnEvents" | "returnParams" | "returnUniqueKeySets">;

function objectResult(node: SupportedNode, flags: Flags): SupportedObjectResult {
  const s = TR181.object(node.path);
  const params = supportedParams(node, s);
  const names = new Set(params.map((x) => x.paramName));
  return {
    supportedObjPath: node.path,
    access: objAccess(node, s),
    isMultiInstance: s?.isMultiInstance ?? node.multi,
    supportedCommands:
      flags.returnCommands && s !== undefined
        ? s.commands.map((c) => ({ commandName: c.name, inputArgNames: [...c.inputArgs], outputArgNames: [...c.outputArgs], commandType: c.async ? "CMD_ASYNC" : "CMD_SYNC" }))
        : [],
    supportedEvents: flags.returnEvents && s !== undefined ? s.events.map((e) => ({ eventName: e.name, argNames: [...e.args] })) : [],
    supportedParams: flags.returnParams ? params : [],
    divergentPaths: [],
    // A key set is a key here only if the CPE has every one of its parameters.
    uniqueKeySets:
      flags.returnUniqueKeySets && s !== undefined ? s.uniqueKeys.filter((k) => k.every((n) => names.has(n))).map((k) => ({ keyNames: [...k] })) : [],
  };
}

function objAccess(node: SupportedNode, s: SchemaObject | undefined): ObjAccessType {
  if (!(s?.isMultiInstance ?? node.multi)) return "OBJ_READ_ONLY";
  // Without a schema entry only the CPE's word counts; with one, the CPE can
  // only take away what the schema allows.
  const allowed = s === undefined || s.access === "OBJ_ADD_DELETE";
  const add = allowed && (s === undefined ? node.add === true : node.add !== false);
  const del = allowed && (s === undefined ? node.del === true : node.del !== false);
  if (add && del) return "OBJ_ADD_DELETE";
  if (add) return "OBJ_ADD_ONLY";
  return del ? "OBJ_DELETE_ONLY" : "OBJ_READ_ONLY";
}

const XSD_TYPES: Readonly<Record<string, ParamValueType>> = {
  string: "PARAM_STRING",
  boolean: "PARAM_BOOLEAN",
  dateTime: "PARAM_DATE_TIME",
  int: "PARAM_INT",
  long: "PARAM_LONG",
  unsignedInt: "PARAM_UNSIGNED_INT",
  unsignedLong: "PARAM_UNSIGNED_LONG",
  base64: "PARAM_BASE_64",
  hexBinary: "PARAM_HEX_BINARY",
  decimal: "PARAM_DECIMAL",
};

/** CWMP xsd type ("xsd:unsignedInt", any prefix) → USP value type. */
export function valueTypeOfXsd(xsdType: string | undefined): ParamValueType {
  if (xsdType === undefined) return "PARAM_UNKNOWN";
  return XSD_TYPES[xsdType.slice(xsdType.indexOf(":") + 1)] ?? "PARAM_UNKNOWN";
}

/** Schema parameters the CPE has, in schema order, then the CPE's others. */
function supportedParams(node: SupportedNode, s: SchemaObject | undefined): SupportedParamResult[] {
  const out: SupportedParamResult[] = [];
  for (const sp of s?.params ?? []) {
    const cpe = node.params.get(sp.name);
    if (cpe === undefined && !node.schemaOnly) continue;
    // usp.md §1.2: writeOnceReadOnly is reported as read-write; a secured
    // value reads as "" (mapping.md: effectively write-only).
    const writable = sp.access !== "readOnly" && cpe?.writable !== false;
    out.push({
      paramName: sp.name,
      access: writable ? (sp.secured ? "PARAM_WRITE_ONLY" : "PARAM_READ_WRITE") : "PARAM_READ_ONLY",
      valueType: sp.valueType,
      valueChange: sp.notifyCanDeny ? "VALUE_CHANGE_WILL_IGNORE" : "VALUE_CHANGE_ALLOWED",
    });
  }
  for (const [name, cpe] of node.params) {
    if (s?.paramsByName.has(name) === true) continue;
    out.push({
      paramName: name,
      access: cpe.writable === true ? "PARAM_READ_WRITE" : "PARAM_READ_ONLY",
      valueType: valueTypeOfXsd(cpe.xsdType),
      valueChange: "VALUE_CHANGE_UNKNOWN",
    });
  }
  return out;
}
