// Turns one CWMP RPC written in TR-181 terms (what the planners produce for
// any CPE) into what a TR-098 CPE understands, using the view of its tree
// (view.ts): reads are answered from the view, writes become one TR-098 RPC
// whose outcome is translated back. Pure: the bridge (agent/tr098/) owns the
// snapshot, the instance map and the session.
import type { AcsRequest, CwmpFault, ParameterInfo, ParameterValue, RpcOutcome, SetParameterValuesFault } from "../../cwmp/rpc.js";
import type { SetParameterAttributesStruct } from "../../cwmp/rpc-transfers.js";
import { splitPath } from "../device-model.js";
import { templateOf } from "../unique-keys.js";
import { TR181, supportedPathOf } from "../schema.js";
import type { ObjectRule } from "./rules.js";
import { TR098 } from "./schema.js";
import { TRANSFORMS, hexToBase64, scaleDown } from "./transforms.js";
import { TR098_ROOT, cpeSpelling, sourceName, standardSpelling, type Tr098Snapshot, type View, type ViewObject, type ViewParam } from "./view.js";

/** What the bridge must do to its state once the CPE answered. */
export type Effect =
  | { kind: "none" }
  /** Values written: patch the snapshot (the view is rebuilt from it). */
  | { kind: "values"; values: ParameterValue[] }
  /** Rows came or went: read the tree again before the next translation. */
  | { kind: "structure" };

export interface InstanceOps {
  /** Number for a row just created on the CPE (rule table row). */
  allocate(table: string, rule: ObjectRule, tr098Path: string): number;
  release(table: string, n: number): void;
}

export type Mapped =
  | { kind: "answer"; outcome: RpcOutcome }
  | { kind: "send"; rpc: AcsRequest; back: (outcome: RpcOutcome, ops: InstanceOps) => { outcome: RpcOutcome; effect: Effect } };

export interface MapOptions {
  /** Literal for xsd:boolean values sent to the CPE (vendor quirk). */
  booleanLiteral: "true" | "1";
}

const passBack = (effect: Effect) => (outcome: RpcOutcome): { outcome: RpcOutcome; effect: Effect } => ({ outcome, effect: outcome.ok ? effect : { kind: "none" } });

function fault(faultCode: number, faultString: string, setParameterValuesFaults: SetParameterValuesFault[] = []): RpcOutcome {
  return { ok: false, fault: { faultCode, faultString, setParameterValuesFaults } };
}

const STORED_FIRMWARE_IMAGE = "6 Stored Firmware Image";

/** RPCs that carry no TR-181 path pass unchanged (Reboot, Download, …). */
export function mapRpc(rpc: AcsRequest, view: View, snap: Tr098Snapshot, opts: MapOptions): Mapped {
  switch (rpc.method) {
    case "GetParameterNames":
      return { kind: "answer", outcome: getNames(view, rpc.parameterPath, rpc.nextLevel) };
    case "GetParameterValues":
      return { kind: "answer", outcome: getValues(view, rpc.parameterNames) };
    case "SetParameterValues":
      return setValues(view, snap, rpc.parameterList, rpc.parameterKey, opts);
    case "AddObject":
      return addObject(view, rpc.objectName, rpc.parameterKey);
    case "DeleteObject":
      return deleteObject(view, rpc.objectName, rpc.parameterKey);
    case "SetParameterAttributes":
      return setAttributes(view, rpc.parameterList);
    case "GetParameterAttributes":
      return getAttributes(view, rpc.parameterNames);
    default:
      return mapPathless(rpc);
  }
}

/** An RPC that names no parameter (Reboot, Download, …): no view needed. It
 * passes unchanged but for what a TR-098 CPE cannot do. */
export function mapPathless(rpc: AcsRequest): Mapped {
  // FirmwareImage.{i}.Download() with AutoActivate=false stores the image in a
  // slot (TR-069 Amd 6 file type 6, TargetFileName a TR-181 FirmwareImage path);
  // TR-098 has no image slots (mapping.md §6), so it is refused as a bad
  // argument (7027) instead of handing the CPE a file type and path it cannot know.
  if (rpc.method === "Download" && rpc.fileType === STORED_FIRMWARE_IMAGE) {
    return { kind: "answer", outcome: fault(9007, "AutoActivate=false needs a firmware image slot; a TR-098 CPE has none") };
  }
  return { kind: "send", rpc, back: passBack({ kind: "none" }) };
}

// ---- reads -------------------------------------------------------------------

function getNames(view: View, path: string, nextLevel: boolean): RpcOutcome {
  const list: ParameterInfo[] = [];
  const info = (name: string): ParameterInfo => ({ name, writable: name.endsWith(".") ? (view.objects.get(name)?.writable ?? false) : (view.params.get(name)?.writable ?? false) });
  if (path === "") {
    if (nextLevel) return { ok: true, response: { method: "GetParameterNamesResponse", parameterList: [info("Device.")] } };
    path = "Device.";
  }
  if (!path.endsWith(".")) {
    if (!view.params.has(path)) return fault(9005, `Invalid parameter name ${path}`);
    if (nextLevel) return fault(9003, "NextLevel true on a parameter");
    return { ok: true, response: { method: "GetParameterNamesResponse", parameterList: [info(path)] } };
  }
  if (!view.objects.has(path)) return fault(9005, `Invalid parameter name ${path}`);
  if (nextLevel) {
    for (const c of view.children.get(path) ?? []) list.push(info(c));
  } else {
    const walk = (obj: string): void => {
      list.push(info(obj));
      for (const c of view.children.get(obj) ?? []) {
        if (c.endsWith(".")) walk(c);
        else list.push(info(c));
      }
    };
    walk(path);
  }
  return { ok: true, response: { method: "GetParameterNamesResponse", parameterList: list } };
}

function getValues(view: View, names: string[]): RpcOutcome {
  const out: ParameterValue[] = [];
  for (const name of names) {
    if (name === "" || name.endsWith(".")) {
      const obj = name === "" ? "Device." : name;
      if (!view.objects.has(obj)) return fault(9005, `Invalid parameter name ${name}`);
      for (const p of paramsUnder(view, obj)) out.push(valueOf(p, view.params.get(p) as ViewParam));
    } else {
      const p = view.params.get(name);
      if (p === undefined) return fault(9005, `Invalid parameter name ${name}`);
      out.push(valueOf(name, p));
    }
  }
  return { ok: true, response: { method: "GetParameterValuesResponse", parameterList: out } };
}

function valueOf(name: string, p: ViewParam): ParameterValue {
  return { name, value: p.value, type: p.type };
}

function paramsUnder(view: View, obj: string): string[] {
  const out: string[] = [];
  const walk = (o: string): void => {
    for (const c of view.children.get(o) ?? []) {
      if (c.endsWith(".")) walk(c);
      else out.push(c);
    }
  };
  walk(obj);
  return out;
}

// ---- writes --------------------------------------------------------------------

function setValues(view: View, snap: Tr098Snapshot, list: ParameterValue[], parameterKey: string, opts: MapOptions): Mapped {
  const faults: SetParameterValuesFault[] = [];
  const out = new Map<string, string>();
  /** TR-098 name → the TR-181 names that wrote it (fault mapping). */
  const writers = new Map<string, string[]>();
  const put = (tr098: string, value: string, by: string): void => {
    out.set(tr098, value);
    writers.set(tr098, [...(writers.get(tr098) ?? []), by]);
  };
  const current = (name: string): string | undefined => out.get(name) ?? snap.values.get(name)?.value;
  const fnWrites: { p: ParameterValue; bind: Extract<ViewParam["bind"], { kind: "fn" }> }[] = [];
  for (const item of list) {
    const p = view.params.get(item.name);
    if (p === undefined) {
      faults.push({ parameterName: item.name, faultCode: 9005, faultString: "Invalid parameter name" });
      continue;
    }
    if (!p.writable) {
      faults.push({ parameterName: item.name, faultCode: 9008, faultString: "Attempt to set a non-writable parameter" });
      continue;
    }
    const bind = p.bind;
    if (bind.kind === "mirror") {
      put(bind.name, toCpeLiteral(item.value, snap.values.get(bind.name)?.type, opts), item.name);
    } else if (bind.kind === "structural") {
      if (item.value.trim().replace(/\.$/, "") !== p.value) {
        faults.push({ parameterName: item.name, faultCode: 9007, faultString: `on this TR-098 CPE ${item.name} follows its structure and stays ${JSON.stringify(p.value)}` });
      }
    } else if (bind.kind === "item") {
      // One item of a TR-098 list: the whole list is written, the item replaced.
      if (item.value.includes(",")) {
        faults.push({ parameterName: item.name, faultCode: 9007, faultString: "a list item cannot hold a comma" });
        continue;
      }
      const items = (current(bind.list) ?? "").split(",").map((s) => s.trim());
      items[bind.index] = item.value.trim();
      put(bind.list, items.filter((s) => s !== "").join(","), item.name);
    } else if (bind.kind === "src") {
      const converted = writeValue(item.value, bind.spec, view);
      const sent = converted === undefined ? [] : bind.names.map((n) => ({ n, v: toCpeLiteral(converted, snap.values.get(n)?.type, opts) }));
      if (converted === undefined || sent.some((s) => !fitsCpeType(s.v, snap.values.get(s.n)?.type))) {
        faults.push({ parameterName: item.name, faultCode: 9007, faultString: `Invalid parameter value ${JSON.stringify(item.value)}` });
        continue;
      }
      for (const s of sent) put(s.n, s.v, item.name);
    } else if (bind.kind === "fn") {
      fnWrites.push({ p: item, bind });
    }
  }
  // Transforms over several parameters see each other's pending values (e.g.
  // ModeEnabled and EncryptionMode in one Set): run them until nothing changes.
  for (let round = 0; round < 2; round++) {
    for (const { p, bind } of fnWrites) {
      const fn = TRANSFORMS.get(bind.fn);
      for (const member of bind.members) {
        const result = fn?.write?.(p.value, (src) => standardSpelling(bind.aliases, src, current(sourceName(member, src))));
        if (result === undefined || "error" in result) {
          // Judged in the last round: an earlier one may not have seen what a later
          // transform of the same Set writes (EncryptionMode before ModeEnabled).
          if (round === 1) faults.push({ parameterName: p.name, faultCode: 9007, faultString: result !== undefined && "error" in result ? result.error : "not writable" });
          continue;
        }
        for (const [src, v] of Object.entries(result.set)) {
          const name = sourceName(member, src);
          if (!snap.values.has(name)) continue; // the CPE lacks this part of the setting
          // A read-only input (TR-098's WEPEncryptionLevel lists the supported key
          // lengths): the CPE would refuse the whole Set with 9008.
          if (snap.writable.get(name) === false) continue;
          put(name, toCpeLiteral(cpeSpelling(bind.aliases, src, v), snap.values.get(name)?.type, opts), p.name);
        }
      }
    }
  }
  if (faults.length > 0) return { kind: "answer", outcome: fault(9003, "Invalid arguments", dedupeFaults(faults)) };
  // Only values the CPE already has (structural references): nothing to send.
  if (out.size === 0) return { kind: "answer", outcome: { ok: true, response: { method: "SetParameterValuesResponse", status: 0 } } };
  const parameterList: ParameterValue[] = [...out].map(([name, value]) => ({ name, value, type: snap.values.get(name)?.type ?? "xsd:string" }));
  return {
    kind: "send",
    rpc: { method: "SetParameterValues", parameterList, parameterKey },
    back: (outcome) => {
      if (outcome.ok) return { outcome, effect: { kind: "values", values: parameterList } };
      return { outcome: { ok: false, fault: mapSpvFault(outcome.fault, writers) }, effect: { kind: "none" } };
    },
  };
}

function dedupeFaults(faults: SetParameterValuesFault[]): SetParameterValuesFault[] {
  const seen = new Set<string>();
  return faults.filter((f) => (seen.has(f.parameterName) ? false : (seen.add(f.parameterName), true)));
}

function mapSpvFault(f: CwmpFault, writers: Map<string, string[]>): CwmpFault {
  const mapped: SetParameterValuesFault[] = [];
  for (const pf of f.setParameterValuesFaults) {
    for (const name of writers.get(pf.parameterName) ?? [pf.parameterName]) mapped.push({ ...pf, parameterName: name });
  }
  return { ...f, setParameterValuesFaults: dedupeFaults(mapped) };
}

/** TR-181 value → TR-098 value for a one-source parameter; undefined when it has none. */
export function writeValue(value: string, spec: Extract<ViewParam["bind"], { kind: "src" }>["spec"], view: Pick<View, "objects" | "rowBySource">): string | undefined {
  let v = value;
  if (spec.path) {
    if (v.trim() === "") return "";
    const parts: string[] = [];
    for (const p of v.split(",")) {
      const target = referenceTarget(view, p.trim().replace(/\.$/, ""));
      if (target === undefined) return undefined;
      parts.push(target.slice(0, -1));
    }
    v = parts.join(",");
  }
  if (spec.encoding === "base64-hex") {
    const b = hexToBase64(v);
    if (b === undefined) return undefined;
    v = b;
  }
  if (spec.scale !== undefined) {
    const s = scaleDown(v, spec.scale);
    if (s === undefined) return undefined;
    v = s;
  }
  if (spec.writeMap !== undefined) v = spec.writeMap.get(v) ?? v;
  else if (spec.map !== undefined) {
    // The first TR-098 value that reads as this TR-181 value (keys are lower-cased: look the original up).
    for (const [k, mapped] of spec.map) {
      if (mapped === v) {
        v = spec.mapOriginal?.get(k) ?? k;
        break;
      }
    }
  }
  return v;
}

/** The TR-098 object a reference to the TR-181 row `rowPath` names: the row's
 * source, or the object its rule names with refAs (the LAN IP interface's
 * IPInterface, not its LANDevice); undefined when the CPE has none. */
function referenceTarget(view: Pick<View, "objects" | "rowBySource">, rowPath: string): string | undefined {
  const row = view.objects.get(`${rowPath}.`)?.row;
  const source = row?.members[0];
  if (row === undefined || source === undefined) return undefined;
  if (row.rule.refAs === undefined) return source;
  const want = source + row.rule.refAs.slice(1);
  for (const [obj, r] of view.rowBySource) if (r === rowPath && templateOf(obj) === templateOf(want) && obj.startsWith(source)) return obj;
  return undefined;
}

const INTEGER_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  "xsd:unsignedInt": [0n, 4294967295n],
  "xsd:int": [-2147483648n, 2147483647n],
  "xsd:unsignedLong": [0n, 18446744073709551615n],
  "xsd:long": [-9223372036854775808n, 9223372036854775807n],
};

/** Whether the CPE's declared type holds the value: a TR-181 value may have no
 * TR-098 form (TransmitPower -1, "auto", for an unsignedInt), and the CPE would
 * refuse the whole Set for it. */
function fitsCpeType(value: string, cpeType: string | undefined): boolean {
  const range = cpeType === undefined ? undefined : INTEGER_RANGES[cpeType];
  if (range !== undefined) return /^-?\d+$/.test(value) && BigInt(value) >= range[0] && BigInt(value) <= range[1];
  if (cpeType === "xsd:boolean") return /^(true|false|1|0)$/.test(value);
  return true;
}

/** Booleans in the literal the CPE's declared type (or quirk) wants: TR-098
 * CPEs declare some flags as unsignedInt (the BM632w's NATEnabled). */
function toCpeLiteral(value: string, cpeType: string | undefined, opts: MapOptions): string {
  const bool = /^(true|false)$/.test(value) ? value === "true" : undefined;
  if (bool === undefined) return value;
  if (cpeType === "xsd:boolean") return opts.booleanLiteral === "1" ? (bool ? "1" : "0") : String(bool);
  if (cpeType !== undefined && /int|long/i.test(cpeType)) return bool ? "1" : "0";
  return value;
}

/** The fault a CPE gives for AddObject on something it does not let the ACS
 * add to: 9005 when it is no table at all, 9003 for a table that exists but is
 * not writable (what the simulated TR-181 CPE answers, so that the Add planner
 * reports 7019 "object not creatable" for both kinds of CPE, not 7017). */
function notAddable(view: View, objectName: string, obj: ViewObject): RpcOutcome {
  return isTable(view, objectName, obj) ? fault(9003, `${objectName} is a table the ACS may not add to`) : fault(9005, `${objectName} is not a table`);
}

/** A table (not one of its instances, not a single object) by the schema of the
 * model its path is in; vendor tables the schema lacks are known by their rows. */
function isTable(view: View, path: string, obj: ViewObject): boolean {
  if (/\.\d+\.$/.test(path)) return false;
  const [schema, p] = obj.mirror !== undefined ? [TR098, obj.mirror] : [TR181, path];
  if (schema.object(`${supportedPathOf(p)}{i}.`) !== undefined) return true;
  return (view.children.get(path) ?? []).some((c) => /\.\d+\.$/.test(c));
}

function addObject(view: View, objectName: string, parameterKey: string): Mapped {
  const obj = view.objects.get(objectName);
  if (obj === undefined) return { kind: "answer", outcome: fault(9005, `Invalid parameter name ${objectName}`) };
  if (obj.mirror !== undefined) {
    if (!obj.writable) return { kind: "answer", outcome: notAddable(view, objectName, obj) };
    return { kind: "send", rpc: { method: "AddObject", objectName: obj.mirror, parameterKey }, back: passBack({ kind: "structure" }) };
  }
  const target = obj.addTargets?.[0];
  if (target === undefined) return { kind: "answer", outcome: notAddable(view, objectName, obj) };
  return {
    kind: "send",
    rpc: { method: "AddObject", objectName: target.table, parameterKey },
    back: (outcome, ops) => {
      if (!outcome.ok || outcome.response.method !== "AddObjectResponse") return { outcome, effect: { kind: "none" } };
      const n = ops.allocate(objectName, target.rule, `${target.table}${outcome.response.instanceNumber}.`);
      return { outcome: { ok: true, response: { ...outcome.response, instanceNumber: n } }, effect: { kind: "structure" } };
    },
  };
}

function deleteObject(view: View, objectName: string, parameterKey: string): Mapped {
  const obj = view.objects.get(objectName);
  if (obj === undefined) return { kind: "answer", outcome: fault(9005, `Invalid parameter name ${objectName}`) };
  // An instance that exists but may not be deleted is 9003, as from a CPE: the
  // Delete planner reads 9005 as "already gone" and would report success.
  const notDeletable = (): Mapped => ({ kind: "answer", outcome: /\.\d+\.$/.test(objectName) ? fault(9003, `${objectName} cannot be deleted`) : fault(9005, `${objectName} is not an instance`) });
  if (obj.mirror !== undefined) {
    if (!obj.writable) return notDeletable();
    return { kind: "send", rpc: { method: "DeleteObject", objectName: obj.mirror, parameterKey }, back: passBack({ kind: "structure" }) };
  }
  const row = obj.row;
  if (row === undefined || !row.rule.addDelete || row.members.length !== 1) return notDeletable();
  const [table, rel] = splitPath(objectName);
  return {
    kind: "send",
    rpc: { method: "DeleteObject", objectName: row.members[0] as string, parameterKey },
    back: (outcome, ops) => {
      if (outcome.ok) ops.release(table, Number(rel.slice(0, -1)));
      return { outcome, effect: outcome.ok ? { kind: "structure" } : { kind: "none" } };
    },
  };
}

/** The TR-098 parameters a TR-181 name (parameter or partial path) reads. */
export function sourcesOf(view: View, name: string): string[] | undefined {
  const names = name.endsWith(".") ? (view.objects.has(name) ? paramsUnder(view, name) : undefined) : view.params.has(name) ? [name] : undefined;
  if (names === undefined) return undefined;
  const out = new Set<string>();
  for (const n of names) {
    const b = (view.params.get(n) as ViewParam).bind;
    if (b.kind === "mirror") out.add(b.name);
    else if (b.kind === "item") out.add(b.list);
    else if (b.kind === "src") for (const s of b.names) out.add(s);
    else if (b.kind === "fn") for (const m of b.members) for (const s of b.srcNames) if (view.consumed.has(sourceName(m, s))) out.add(sourceName(m, s));
  }
  return [...out];
}

function setAttributes(view: View, list: SetParameterAttributesStruct[]): Mapped {
  const out: SetParameterAttributesStruct[] = [];
  for (const item of list) {
    const sources = sourcesOf(view, item.name);
    if (sources === undefined) return { kind: "answer", outcome: fault(9005, `Invalid parameter name ${item.name}`) };
    for (const s of sources) out.push({ ...item, name: s });
  }
  if (out.length === 0) return { kind: "answer", outcome: { ok: true, response: { method: "SetParameterAttributesResponse" } } };
  return { kind: "send", rpc: { method: "SetParameterAttributes", parameterList: out }, back: passBack({ kind: "none" }) };
}

function getAttributes(view: View, names: string[]): Mapped {
  const asked: string[] = [];
  for (const n of names) {
    const s = sourcesOf(view, n);
    if (s === undefined) return { kind: "answer", outcome: fault(9005, `Invalid parameter name ${n}`) };
    asked.push(...s);
  }
  return {
    kind: "send",
    rpc: { method: "GetParameterAttributes", parameterNames: [...new Set(asked)] },
    back: (outcome) => {
      if (!outcome.ok || outcome.response.method !== "GetParameterAttributesResponse") return { outcome, effect: { kind: "none" } };
      const parameterList = outcome.response.parameterList.flatMap((a) => (view.fromTr098.get(a.name) ?? [mirrorName(view, a.name)]).map((name) => ({ ...a, name })));
      return { outcome: { ok: true, response: { ...outcome.response, parameterList } }, effect: { kind: "none" } };
    },
  };
}

export function mirrorName(view: Pick<View, "extensionRoot">, tr098: string): string {
  return view.extensionRoot + tr098.slice(TR098_ROOT.length);
}
