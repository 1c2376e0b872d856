// Per-transaction knowledge of a DeviceModel: everything that is only true for
// the USP request being translated (values, faults, what was asked). Split out
// of device-model.ts to keep that file about the persistent tree.
import type { AcsRequest, CwmpFault, RpcOutcome } from "../cwmp/rpc.js";

export type SpvOutcome = { ok: true } | { ok: false; fault: CwmpFault };

/** Outcome of one AddObject: the CPE's InstanceNumber, or its fault. */
export type AddOutcome = { ok: true; instance: number } | { ok: false; fault: CwmpFault };

/** Outcome of one DeleteObject. */
export type DeleteOutcome = { ok: true } | { ok: false; fault: CwmpFault };

export class Transaction {
  /** Parameter values read (or written) in this transaction. */
  readonly values = new Map<string, string>();
  /** Partial paths whose GPV succeeded: their whole subtree is in `values`. */
  readonly readSubtrees = new Set<string>();
  /** Objects whose direct children were listed (GPN NextLevel=true). */
  readonly listedLevel = new Set<string>();
  /** Objects listed with GPN NextLevel=false: their whole subtree is listed. */
  readonly subtrees = new Set<string>();
  /** Names/paths the CPE answered 9005 for (or silently omitted). */
  readonly absent = new Set<string>();
  /** Names whose multi-name GPV faulted: ask each one alone. */
  readonly split = new Set<string>();
  /** Other faults on a single name (GPV) or object (GPN). */
  readonly nameFaults = new Map<string, CwmpFault>();
  /** rpcKey of every RPC already run, so nothing is asked twice. */
  readonly attempted = new Set<string>();
  readonly spv = new Map<string, SpvOutcome>();
  readonly spvParamFaults = new Map<string, { faultCode: number; faultString: string }>();
  /** AddObject outcomes per table, in the order the AddObjects were sent: two
   * AddObjects on the same table are the same RPC, so only their position
   * tells them apart. */
  readonly adds = new Map<string, AddOutcome[]>();
  /** DeleteObject outcomes per instance path. */
  readonly deletes = new Map<string, DeleteOutcome>();
  /** Outcomes of the other RPCs (Reboot, Download, ChangeDUState… run by
   * Operate) by rpcKey: they change nothing the model tracks. */
  readonly others = new Map<string, RpcOutcome>();
}

/** Identity of an RPC for "never ask the same thing twice in one transaction". */
export function rpcKey(req: AcsRequest): string {
  switch (req.method) {
    case "GetParameterValues":
      return `GPV\n${req.parameterNames.join("\n")}`;
    case "GetParameterNames":
      return `GPN${req.nextLevel ? "1" : "0"}\n${req.parameterPath}`;
    case "SetParameterValues":
      return `SPV\n${req.parameterList.map((p) => `${p.name}=${p.type}=${p.value}`).join("\n")}`;
    default:
      return JSON.stringify(req);
  }
}
