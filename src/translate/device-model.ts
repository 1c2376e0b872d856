// What the gateway knows about one CPE's data model. Two lifetimes:
// - persistent knowledge (survives across USP requests): node names with their
//   GPN writability, which objects had their direct children listed, and xsd
//   types of parameters. Kept as parent → children maps so a name is stored
//   once per level, because later many thousands of models share one LRU.
// - transaction knowledge (reset by beginTransaction()): values read, names
//   that faulted, what was already asked, and SPV outcomes. Values and
//   instance lists are never trusted across transactions: instances come and
//   go on real CPEs.
// Only recordOutcomes() and the engine (Informs, invalidate) write the model.
import type { AcsRequest, CwmpFault, ParameterInfo, ParameterValue, RpcOutcome } from "../cwmp/rpc.js";
import { Transaction, rpcKey, type AddOutcome, type DeleteOutcome, type SpvOutcome } from "./model-transaction.js";
import { FAULT_INVALID_NAME, isRecoveredGpvFault } from "./faults.js";
import { detached } from "../detached-string.js";

export { rpcKey, type AddOutcome, type DeleteOutcome, type SpvOutcome };

interface NodeInfo {
  /** GPN Writable flag; undefined until a GPN reported this node. */
  w: boolean | undefined;
  /** xsd type for parameters, e.g. "xsd:unsignedInt"; interned. */
  t: string | undefined;
}

export type ValueState =
  | { kind: "value"; value: string }
  | { kind: "absent" }
  | { kind: "fault"; fault: CwmpFault }
  | { kind: "unknown" };

export type ListState = { kind: "listed" } | { kind: "absent" } | { kind: "fault"; fault: CwmpFault } | { kind: "unknown" };

// The xsd types CPEs send, shared so thousands of models do not each hold
// their own copy of "xsd:string".
const KNOWN_TYPES = new Map<string, string>(
  ["string", "boolean", "int", "unsignedInt", "long", "unsignedLong", "dateTime", "base64", "hexBinary", "decimal"].map(
    (t) => [`xsd:${t}`, `xsd:${t}`],
  ),
);
const intern = (t: string): string => KNOWN_TYPES.get(t) ?? t;

/** "Device.IP.Enable" → ["Device.IP.", "Enable"]; "Device.IP." → ["Device.", "IP."]. */
export function splitPath(path: string): [string, string] {
  const body = path.endsWith(".") ? path.slice(0, -1) : path;
  const idx = body.lastIndexOf(".");
  return [body.slice(0, idx + 1), path.slice(idx + 1)];
}

export class DeviceModel {
  private readonly tree = new Map<string, Map<string, NodeInfo>>();
  private readonly listed = new Set<string>();
  private tx = new Transaction();

  /** Start a new USP request: forget values, faults and what was asked.
   * Instances deleted by the previous request leave the persistent tree only
   * now, so that request kept resolving its paths against the tree as it was
   * when it started (TR-369 Delete resolves every path before deleting). */
  beginTransaction(): void {
    for (const [path, outcome] of this.tx.deletes) if (outcome.ok) this.forget(path);
    this.tx = new Transaction();
  }

  /** Forget persistent knowledge at and under `prefix` ("" = everything,
   * e.g. after 0 BOOTSTRAP). The parent's child list is no longer complete. */
  invalidate(prefix: string): void {
    if (prefix === "") {
      this.tree.clear();
      this.listed.clear();
      return;
    }
    this.forget(prefix);
    this.listed.delete(splitPath(prefix)[0]);
  }

  learnFromInform(parameterList: ParameterValue[]): void {
    for (const p of parameterList) this.addNode(p.name, undefined, p.type);
  }

  // ---- queries ------------------------------------------------------------

  knows(path: string): boolean {
    return this.node(path) !== undefined;
  }
  writable(path: string): boolean | undefined {
    return this.node(path)?.w;
  }
  typeOf(path: string): string | undefined {
    return this.node(path)?.t;
  }
  /** Direct children (relative names; objects end with ".") when known, i.e.
   * after a GPN listed them at some point (persistent cache). */
  children(objPath: string): string[] | undefined {
    if (!this.listed.has(objPath)) return undefined;
    return [...(this.tree.get(objPath)?.keys() ?? [])];
  }
  isListed(objPath: string): boolean {
    return this.listed.has(objPath);
  }

  /** State of GPN(objPath, nextLevel) in this transaction. A GPN NextLevel=false
   * of an ancestor also counts as a listing (the whole subtree was returned). */
  listState(objPath: string, nextLevel: boolean): ListState {
    const tx = this.tx;
    if (nextLevel ? tx.listedLevel.has(objPath) || this.subtreeListed(objPath) : this.subtreeListed(objPath)) {
      return { kind: "listed" };
    }
    if (this.isAbsent(objPath)) return { kind: "absent" };
    const fault = tx.nameFaults.get(gpnName(objPath, nextLevel));
    return fault !== undefined ? { kind: "fault", fault } : { kind: "unknown" };
  }

  /** Value of a parameter, or for a partial path ("X.") whether its subtree was
   * read, in this transaction. */
  valueState(name: string): ValueState {
    const tx = this.tx;
    const v = tx.values.get(name);
    if (v !== undefined) return { kind: "value", value: v };
    if (this.isAbsent(name)) return { kind: "absent" };
    const fault = tx.nameFaults.get(name);
    if (fault !== undefined) return { kind: "fault", fault };
    if (name.endsWith(".")) {
      if (tx.readSubtrees.has(name)) return { kind: "value", value: "" };
      // Inside a subtree read whole in this transaction, the object exists iff
      // some value read now lies under it (persistent names may be stale).
      if (!this.ancestorRead(name)) return { kind: "unknown" };
      for (const k of tx.values.keys()) if (k.startsWith(name)) return { kind: "value", value: "" };
      return { kind: "absent" };
    }
    // A partial-path GPV of an ancestor returned the whole subtree: a name not
    // in it does not exist.
    return this.ancestorRead(name) ? { kind: "absent" } : { kind: "unknown" };
  }

  /** Parameters with values read in this transaction under `objPath`, in the
   * order the CPE sent them. */
  valuesUnder(objPath: string): [string, string][] {
    const out: [string, string][] = [];
    for (const [k, v] of this.tx.values) if (k.startsWith(objPath)) out.push([k, v]);
    return out;
  }

  /** Parameter names under `objPath` from the node tree (all levels). */
  paramsUnder(objPath: string): string[] {
    const out: string[] = [];
    const kids = this.tree.get(objPath);
    if (kids === undefined) return out;
    for (const rel of kids.keys()) {
      if (rel.endsWith(".")) out.push(...this.paramsUnder(objPath + rel));
      else out.push(objPath + rel);
    }
    return out;
  }

  /** True when the batch holding `name` faulted, so it must be asked alone. */
  mustAskAlone(name: string): boolean {
    return this.tx.split.has(name);
  }
  attempted(req: AcsRequest): boolean {
    return this.tx.attempted.has(rpcKey(req));
  }
  spvOutcome(parameterList: ParameterValue[]): SpvOutcome | undefined {
    return this.tx.spv.get(rpcKey({ method: "SetParameterValues", parameterList, parameterKey: "" }));
  }
  /** AddObject outcomes on `table` in this transaction, in sending order. */
  addOutcomes(table: string): readonly AddOutcome[] {
    return this.tx.adds.get(table) ?? [];
  }
  deleteOutcome(instance: string): DeleteOutcome | undefined {
    return this.tx.deletes.get(instance);
  }
  /** Outcome of an RPC the model does not interpret (Reboot, Download, …) in
   * this transaction; undefined until it ran. */
  outcomeOf(req: AcsRequest): RpcOutcome | undefined {
    return this.tx.others.get(rpcKey(req));
  }
  /** Per-parameter faults from every SPV of this transaction. */
  spvParamFault(name: string): { faultCode: number; faultString: string } | undefined {
    return this.tx.spvParamFaults.get(name);
  }

  // ---- recording (recordOutcomes) -----------------------------------------

  record(req: AcsRequest, outcome: RpcOutcome): void {
    this.tx.attempted.add(rpcKey(req));
    switch (req.method) {
      case "GetParameterValues":
        this.recordGpv(req.parameterNames, outcome);
        return;
      case "GetParameterNames":
        this.recordGpn(req.parameterPath, req.nextLevel, outcome);
        return;
      case "SetParameterValues":
        this.recordSpv(req.parameterList, outcome);
        return;
      case "AddObject":
        this.recordAdd(req.objectName, outcome);
        return;
      case "DeleteObject":
        // Filed only; the instance leaves the tree at the next transaction.
        this.tx.deletes.set(req.objectName, outcome.ok ? { ok: true } : { ok: false, fault: outcome.fault });
        return;
      default:
        this.tx.others.set(rpcKey(req), outcome);
        return;
    }
  }

  private recordGpv(names: string[], outcome: RpcOutcome): void {
    const tx = this.tx;
    if (!outcome.ok) {
      if (isRecoveredGpvFault(outcome.fault, names.length)) {
        // TR-069 A.3.2.2: one bad name faults the whole call; ask each alone.
        for (const n of names) tx.split.add(n);
      } else if (names[0] !== undefined) {
        this.recordNameFault(names[0], outcome.fault);
      }
      return;
    }
    if (outcome.response.method !== "GetParameterValuesResponse") return;
    const returned = new Set<string>();
    for (const p of outcome.response.parameterList) {
      tx.values.set(p.name, p.value);
      returned.add(p.name);
      this.addNode(p.name, undefined, p.type === "" ? undefined : p.type);
    }
    for (const n of names) {
      if (n.endsWith(".") || n === "") tx.readSubtrees.add(n);
      // Some CPEs omit unknown names instead of faulting (SimulaTR69#10).
      else if (!returned.has(n)) this.markAbsent(n);
    }
  }

  private recordGpn(path: string, nextLevel: boolean, outcome: RpcOutcome): void {
    const tx = this.tx;
    if (!outcome.ok) {
      if (outcome.fault.faultCode === FAULT_INVALID_NAME) this.markAbsent(path);
      else tx.nameFaults.set(gpnName(path, nextLevel), outcome.fault);
      return;
    }
    if (outcome.response.method !== "GetParameterNamesResponse") return;
    const list = outcome.response.parameterList;
    if (!path.endsWith(".")) {
      for (const p of list) this.addNode(p.name, p.writable, undefined);
      return;
    }
    if (nextLevel) {
      this.replaceChildren(path, list.filter((p) => splitPath(p.name)[0] === path));
      for (const p of list) if (splitPath(p.name)[0] !== path) this.addNode(p.name, p.writable, undefined);
      tx.listedLevel.add(path);
      return;
    }
    this.recordSubtree(path, list);
    tx.subtrees.add(path);
  }

  /** GPN NextLevel=false: every object in the subtree now has a complete child
   * list. CPEs omit intermediate objects, so parents are re-derived from names
   * (as genieacs does). */
  private recordSubtree(path: string, list: ParameterInfo[]): void {
    const byParent = new Map<string, ParameterInfo[]>([[path, []]]);
    const ensure = (obj: string): void => {
      if (!obj.startsWith(path) || byParent.has(obj)) return;
      const parent = splitPath(obj)[0];
      ensure(parent);
      byParent.set(obj, []);
      const siblings = byParent.get(parent);
      if (siblings !== undefined && !siblings.some((x) => x.name === obj)) siblings.push({ name: obj, writable: false });
    };
    for (const p of list) {
      if (p.name === path || !p.name.startsWith(path)) continue;
      const parent = splitPath(p.name)[0];
      ensure(parent);
      const siblings = byParent.get(parent);
      const dup = siblings?.findIndex((s) => s.name === p.name) ?? -1;
      if (dup >= 0) siblings?.splice(dup, 1);
      siblings?.push(p);
      if (p.name.endsWith(".")) ensure(p.name);
    }
    for (const [obj, kids] of byParent) this.replaceChildren(obj, kids);
  }

  private recordSpv(list: ParameterValue[], outcome: RpcOutcome): void {
    const key = rpcKey({ method: "SetParameterValues", parameterList: list, parameterKey: "" });
    if (outcome.ok) {
      this.tx.spv.set(key, { ok: true });
      for (const p of list) this.tx.values.set(p.name, p.value);
      return;
    }
    this.tx.spv.set(key, { ok: false, fault: outcome.fault });
    for (const f of outcome.fault.setParameterValuesFaults) {
      this.tx.spvParamFaults.set(f.parameterName, { faultCode: f.faultCode, faultString: f.faultString });
      if (f.faultCode === FAULT_INVALID_NAME) this.forget(f.parameterName);
    }
  }

  private recordAdd(table: string, outcome: RpcOutcome): void {
    const list = this.tx.adds.get(table) ?? [];
    this.tx.adds.set(table, list);
    const instance = outcome.ok && outcome.response.method === "AddObjectResponse" ? outcome.response.instanceNumber : 0;
    list.push(outcome.ok ? { ok: true, instance } : { ok: false, fault: outcome.fault });
    if (!outcome.ok) return;
    // A new instance: the table's child list is incomplete until re-listed,
    // and a subtree listed or read earlier in this transaction misses it.
    this.listed.delete(table);
    this.tx.listedLevel.delete(table);
    for (const set of [this.tx.subtrees, this.tx.readSubtrees]) for (const p of [...set]) if (table.startsWith(p)) set.delete(p);
  }

  private recordNameFault(name: string, fault: CwmpFault): void {
    if (fault.faultCode === FAULT_INVALID_NAME) this.markAbsent(name);
    else this.tx.nameFaults.set(name, fault);
  }

  // ---- tree maintenance ----------------------------------------------------

  private markAbsent(name: string): void {
    this.tx.absent.add(name);
    // The CPE says it does not exist: drop it without un-listing the parent,
    // whose child list stays correct minus this name.
    this.forget(name);
  }

  private isAbsent(name: string): boolean {
    if (this.tx.absent.size === 0) return false;
    for (let p = name; p !== ""; p = splitPath(p)[0]) if (this.tx.absent.has(p)) return true;
    return false;
  }

  private subtreeListed(objPath: string): boolean {
    if (this.tx.subtrees.size === 0) return false;
    for (let p = objPath; p !== ""; p = splitPath(p)[0]) if (this.tx.subtrees.has(p)) return true;
    return false;
  }

  private ancestorRead(name: string): boolean {
    if (this.tx.readSubtrees.size === 0) return false;
    for (let p = splitPath(name)[0]; ; p = splitPath(p)[0]) {
      if (this.tx.readSubtrees.has(p)) return true;
      if (p === "") return false;
    }
  }

  private node(path: string): NodeInfo | undefined {
    const [parent, rel] = splitPath(path);
    return this.tree.get(parent)?.get(rel);
  }

  private addNode(path: string, w: boolean | undefined, t: string | undefined): void {
    const [parent, rel] = splitPath(path);
    if (rel === "") return;
    let kids = this.tree.get(parent);
    if (kids === undefined) {
      kids = new Map();
      // Names are cut from SOAP bodies: stored copies do not keep those alive.
      this.tree.set(detached(parent), kids);
      if (parent !== "") this.addNode(parent, undefined, undefined);
    }
    const old = kids.get(rel);
    if (old === undefined) kids.set(detached(rel), { w, t: t === undefined ? undefined : intern(t) });
    else {
      if (w !== undefined) old.w = w;
      if (t !== undefined) old.t = intern(t);
    }
    if (rel.endsWith(".") && !this.tree.has(path)) this.tree.set(path, new Map());
  }

  private replaceChildren(objPath: string, list: ParameterInfo[]): void {
    const old = this.tree.get(objPath) ?? new Map<string, NodeInfo>();
    const fresh = new Map<string, NodeInfo>();
    for (const p of list) {
      const rel = splitPath(p.name)[1];
      fresh.set(detached(rel), { w: p.writable, t: old.get(rel)?.t });
    }
    // Instances that disappeared take their whole subtree with them.
    for (const rel of old.keys()) if (rel.endsWith(".") && !fresh.has(rel)) this.forget(objPath + rel);
    if (objPath !== "" && !this.node(objPath)) this.addNode(objPath, undefined, undefined);
    this.tree.set(objPath, fresh);
    for (const rel of fresh.keys()) if (rel.endsWith(".") && !this.tree.has(objPath + rel)) this.tree.set(objPath + rel, new Map());
    this.listed.add(objPath);
    this.tx.listedLevel.add(objPath);
  }

  /** Drop a node and (for objects) everything under it. */
  private forget(path: string): void {
    const [parent, rel] = splitPath(path);
    this.tree.get(parent)?.delete(rel);
    if (!path.endsWith(".")) return;
    for (const k of [...this.tree.keys()]) if (k.startsWith(path)) this.tree.delete(k);
    for (const k of [...this.listed]) if (k.startsWith(path)) this.listed.delete(k);
  }
}

/** Key under which a GPN fault is filed (distinct from GPV names). */
function gpnName(path: string, nextLevel: boolean): string {
  return `\u0000gpn${nextLevel ? "1" : "0"}:${path}`;
}

/** Files every RPC outcome in the model (the engine calls this after each
 * round of RPCs). Outcomes beyond the last one received are ignored, so a
 * planner simply asks again for what is missing. */
export function recordOutcomes(model: DeviceModel, rpcs: AcsRequest[], outcomes: RpcOutcome[]): void {
  rpcs.forEach((req, i) => {
    const outcome = outcomes[i];
    if (outcome !== undefined) model.record(req, outcome);
  });
}
