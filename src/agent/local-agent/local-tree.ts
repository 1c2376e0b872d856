// A parameter tree served by the gateway itself (Device.LocalAgent., DESIGN
// decision 8), answering the same CWMP RPCs a CPE answers, with the CPE's
// semantics (TR-069 A.3.2). The translation planners therefore need no second
// code path: their GetParameterNames/Values, SetParameterValues, AddObject and
// DeleteObject for gateway-served paths are simply executed here.
import type {
  AddObject,
  CpeResponse,
  CwmpFault,
  DeleteObject,
  GetParameterNames,
  GetParameterValues,
  ParameterInfo,
  ParameterValue,
  RpcOutcome,
  SetParameterValues,
  SetParameterValuesFault,
} from "../../cwmp/rpc.js";

export interface LocalParam {
  type: string;
  writable: boolean;
  /** Current value; a function for values computed when read (UpTime, counts). */
  value: string | (() => string);
  /** CWMP fault code (9006/9007) for a value that may not be written, else undefined. */
  validate?: (value: string) => number | undefined;
}

export interface TableTemplate {
  /** Controllers may add and delete rows (TR-181 access readWrite). */
  writable: boolean;
  /** Parameters of a new row, relative names; `value` may use the instance number. */
  params: Record<string, (instance: number) => LocalParam>;
}

const FAULT_TEXT: Record<number, string> = {
  9003: "Invalid arguments",
  9005: "Invalid parameter name",
  9006: "Invalid parameter type",
  9007: "Invalid parameter value",
  9008: "Attempt to set a non-writable parameter",
};

function fault(code: number, details: SetParameterValuesFault[] = []): RpcOutcome {
  return { ok: false, fault: { faultCode: code, faultString: FAULT_TEXT[code] ?? "Fault", setParameterValuesFaults: details } };
}

function ok(response: CpeResponse): RpcOutcome {
  return { ok: true, response };
}

export class LocalTree {
  /** Object paths ("Device.LocalAgent.MTP.1.") → whether they are deletable rows. */
  private readonly objects = new Map<string, { deletable: boolean }>();
  private readonly params = new Map<string, LocalParam>();
  /** Table path ("Device.LocalAgent.Subscription.") → template and next instance number. */
  private readonly tables = new Map<string, { template: TableTemplate; next: number }>();

  constructor(readonly root: string) {
    this.objects.set(root, { deletable: false });
  }

  addObject(path: string, deletable = false): void {
    this.objects.set(path, { deletable });
  }

  addParam(name: string, param: LocalParam): void {
    this.params.set(name, param);
  }

  defineTable(path: string, template: TableTemplate): void {
    this.objects.set(path, { deletable: false });
    this.tables.set(path, { template, next: 1 });
  }

  /** Adds a row (also used to restore persisted rows with their own numbers). */
  createRow(table: string, instance?: number): number {
    const def = this.tables.get(table);
    if (def === undefined) throw new Error(`not a table: ${table}`);
    // Instance numbers are never reused (TR-369 R-ARC.8 / TR-069 A.3.2.6).
    const number = instance ?? def.next;
    def.next = Math.max(def.next, number + 1);
    const row = `${table}${number}.`;
    this.objects.set(row, { deletable: def.template.writable });
    for (const [rel, make] of Object.entries(def.template.params)) this.params.set(row + rel, make(number));
    return number;
  }

  /** The instance number the table's next row gets (numbers are never reused). */
  nextInstance(table: string): number {
    return this.tables.get(table)?.next ?? 1;
  }

  /** Removes a row the gateway manages itself (e.g. a finished
   * Device.LocalAgent.Request.{i}), whatever controllers may do with it. */
  removeRow(row: string): boolean {
    if (!this.objects.has(row)) return false;
    for (const name of [...this.params.keys()]) if (name.startsWith(row)) this.params.delete(name);
    for (const path of [...this.objects.keys()]) if (path.startsWith(row)) this.objects.delete(path);
    return true;
  }

  rows(table: string): number[] {
    const out: number[] = [];
    for (const path of this.objects.keys()) {
      const rest = path.startsWith(table) ? path.slice(table.length) : "";
      if (/^\d+\.$/.test(rest)) out.push(Number.parseInt(rest, 10));
    }
    return out.sort((a, b) => a - b);
  }

  value(name: string): string | undefined {
    const param = this.params.get(name);
    if (param === undefined) return undefined;
    return typeof param.value === "function" ? param.value() : param.value;
  }

  /** Sets a value directly (the gateway's own updates, e.g. Request.{i}.Status). */
  setValue(name: string, value: string): void {
    const param = this.params.get(name);
    if (param !== undefined) param.value = value;
  }

  execute(rpc: GetParameterNames | GetParameterValues | SetParameterValues | AddObject | DeleteObject): RpcOutcome {
    switch (rpc.method) {
      case "GetParameterNames":
        return this.getParameterNames(rpc);
      case "GetParameterValues":
        return this.getParameterValues(rpc);
      case "SetParameterValues":
        return this.setParameterValues(rpc);
      case "AddObject":
        return this.addRow(rpc);
      case "DeleteObject":
        return this.deleteRow(rpc);
    }
  }

  private getParameterNames(rpc: GetParameterNames): RpcOutcome {
    const path = rpc.parameterPath;
    if (this.params.has(path)) {
      // TR-069 A.3.2.3: a full parameter name with NextLevel=true is invalid.
      if (rpc.nextLevel) return fault(9003);
      return ok({ method: "GetParameterNamesResponse", parameterList: [{ name: path, writable: this.params.get(path)?.writable ?? false }] });
    }
    if (!this.objects.has(path)) return fault(9005);
    const list: ParameterInfo[] = rpc.nextLevel ? [] : [{ name: path, writable: this.objectWritable(path) }];
    for (const name of this.names()) {
      if (!name.startsWith(path) || name === path) continue;
      if (rpc.nextLevel && !isDirectChild(path, name)) continue;
      list.push({ name, writable: name.endsWith(".") ? this.objectWritable(name) : (this.params.get(name)?.writable ?? false) });
    }
    return ok({ method: "GetParameterNamesResponse", parameterList: list });
  }

  private getParameterValues(rpc: GetParameterValues): RpcOutcome {
    const list: ParameterValue[] = [];
    for (const requested of rpc.parameterNames) {
      if (requested.endsWith(".")) {
        if (!this.objects.has(requested)) return fault(9005);
        for (const [name, param] of this.params) if (name.startsWith(requested)) list.push(this.valueOf(name, param));
      } else {
        const param = this.params.get(requested);
        // TR-069 A.3.2.2: one unknown name fails the whole call.
        if (param === undefined) return fault(9005);
        list.push(this.valueOf(requested, param));
      }
    }
    return ok({ method: "GetParameterValuesResponse", parameterList: list });
  }

  /** Atomic, as TR-069 A.3.2.1 requires: all values are checked before any is applied. */
  private setParameterValues(rpc: SetParameterValues): RpcOutcome {
    const faults: SetParameterValuesFault[] = [];
    for (const item of rpc.parameterList) {
      const param = this.params.get(item.name);
      const code = param === undefined ? 9005 : !param.writable ? 9008 : param.validate?.(item.value);
      if (code !== undefined) faults.push({ parameterName: item.name, faultCode: code, faultString: FAULT_TEXT[code] ?? "Fault" });
    }
    if (faults.length > 0) return fault(9003, faults);
    for (const item of rpc.parameterList) {
      const param = this.params.get(item.name);
      if (param !== undefined) param.value = normalise(param.type, item.value);
    }
    return ok({ method: "SetParameterValuesResponse", status: 0 });
  }

  private addRow(rpc: AddObject): RpcOutcome {
    const table = this.tables.get(rpc.objectName);
    if (table === undefined) return fault(this.objects.has(rpc.objectName) ? 9003 : 9005);
    if (!table.template.writable) return fault(9003);
    return ok({ method: "AddObjectResponse", instanceNumber: this.createRow(rpc.objectName), status: 0 });
  }

  private deleteRow(rpc: DeleteObject): RpcOutcome {
    const row = this.objects.get(rpc.objectName);
    if (row === undefined) return fault(9005);
    if (!row.deletable) return fault(9003);
    this.removeRow(rpc.objectName);
    return ok({ method: "DeleteObjectResponse", status: 0 });
  }

  private objectWritable(path: string): boolean {
    return this.tables.get(path)?.template.writable ?? this.objects.get(path)?.deletable ?? false;
  }

  private valueOf(name: string, param: LocalParam): ParameterValue {
    return { name, value: typeof param.value === "function" ? param.value() : param.value, type: param.type };
  }

  /** Objects and parameters in a stable order: objects before their contents. */
  private names(): string[] {
    return [...this.objects.keys(), ...this.params.keys()].sort(comparePaths);
  }
}

function isDirectChild(parent: string, name: string): boolean {
  const rest = name.slice(parent.length);
  const body = rest.endsWith(".") ? rest.slice(0, -1) : rest;
  return body !== "" && !body.includes(".");
}

/** Booleans are stored in canonical form, whatever literal the controller used. */
function normalise(type: string, value: string): string {
  if (type !== "xsd:boolean") return value;
  return value === "1" || value.toLowerCase() === "true" ? "true" : "false";
}

function comparePaths(a: string, b: string): number {
  const as = a.split(".");
  const bs = b.split(".");
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i] as string;
    const y = bs[i] as string;
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : Number.NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : Number.NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return as.length - bs.length;
}

export { fault as localFault, type CwmpFault };
