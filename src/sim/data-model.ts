// The CPE side of every ACS→CPE RPC the simulator supports, one function per
// RPC named after it (genieacs-sim methods.js shape, STYLE.md §2 src/sim/).
// Each returns the CPE's response or a CwmpFault value and never throws on bad
// input: a fault is a normal answer in CWMP (TR-069 A.5).
import type {
  AddObject,
  AddObjectResponse,
  CpeResponse,
  CwmpBody,
  CwmpFault,
  DeleteObject,
  DeleteObjectResponse,
  FactoryResetResponse,
  GetParameterNames,
  GetParameterNamesResponse,
  GetParameterValues,
  GetParameterValuesResponse,
  GetRPCMethodsResponse,
  ParameterInfo,
  ParameterValue,
  Reboot,
  RebootResponse,
  RpcOutcome,
  ScheduleInform,
  ScheduleInformResponse,
  SetParameterValues,
  SetParameterValuesFault,
  SetParameterValuesResponse,
} from "../cwmp/rpc.js";
import { getParameterAttributes, setParameterAttributes } from "./attributes.js";
import { afterDiagnosticsWrite, checkDiagnosticsWrite } from "./diagnostics.js";
import { checkBootImageWrite } from "./firmware-images.js";
import { DeviceModel, factoryValues, type DeviceIdentity } from "./device-model.js";
import { changeDUState } from "./software-modules.js";
import { cancelTransfer, download, getAllQueuedTransfers, getQueuedTransfers, scheduleDownload, upload } from "./transfers.js";
import type { CompiledProfile } from "./profile.js";
import type { ParamDef } from "./tree.js";
import { checkValue } from "./values.js";

export { DeviceModel, factoryValues, type DeviceIdentity } from "./device-model.js";

/** TR-069 Table A.5 fault strings for the codes the simulator raises. */
export const FAULT_STRINGS: Readonly<Record<number, string>> = {
  9000: "Method not supported",
  9002: "Internal error",
  9003: "Invalid arguments",
  9005: "Invalid parameter name",
  9006: "Invalid parameter type",
  9007: "Invalid parameter value",
  9008: "Attempt to set a non-writable parameter",
  9009: "Notification request rejected",
};

/** The methods this CPE answers (TR-069 A.3.1.1 GetRPCMethods). */
export const CPE_RPC_METHODS: readonly string[] = [
  "GetRPCMethods",
  "GetParameterNames",
  "GetParameterValues",
  "SetParameterValues",
  "AddObject",
  "DeleteObject",
  "Reboot",
  "FactoryReset",
  "SetParameterAttributes",
  "GetParameterAttributes",
  "Download",
  "Upload",
  "ScheduleDownload",
  "CancelTransfer",
  "GetQueuedTransfers",
  "GetAllQueuedTransfers",
  "ScheduleInform",
  "ChangeDUState",
];

export function cwmpFault(faultCode: number, setParameterValuesFaults: SetParameterValuesFault[] = []): CwmpFault {
  return { faultCode, faultString: FAULT_STRINGS[faultCode] ?? "Fault", setParameterValuesFaults };
}

export function isCwmpFault(value: object): value is CwmpFault {
  return "faultCode" in value && "setParameterValuesFaults" in value;
}

export function createDeviceModel(
  profile: CompiledProfile,
  identity: DeviceIdentity,
  extra: Record<string, string> = {},
  clock: () => number = Date.now,
): DeviceModel {
  return new DeviceModel(profile, factoryValues(profile, identity, extra), clock, identity.serialNumber);
}

function info(name: string, writable: boolean): ParameterInfo {
  return { name, writable };
}

/** TR-069 A.3.2.3. "" is the root object; a name ending in "." is an object;
 * NextLevel=true lists only direct children, NextLevel=false the named node
 * plus its whole subtree. NextLevel=true on a parameter is 9003. */
export function getParameterNames(dm: DeviceModel, req: GetParameterNames): GetParameterNamesResponse | CwmpFault {
  const path = req.parameterPath;
  if (path === "") {
    if (!dm.profile.quirks.rootGpn) return cwmpFault(9005);
    if (req.nextLevel) return { method: "GetParameterNamesResponse", parameterList: [info(dm.profile.root, false)] };
  }
  const start = path === "" ? dm.profile.root : path;
  const def = dm.node(start);
  if (def === undefined) return cwmpFault(9005);
  if (def.kind === "param") {
    if (req.nextLevel) return cwmpFault(9003);
    return { method: "GetParameterNamesResponse", parameterList: [info(start, def.writable)] };
  }
  const parameterList: ParameterInfo[] = [];
  if (req.nextLevel) {
    for (const child of dm.children(start)) parameterList.push(info(child, dm.node(child)?.writable ?? false));
  } else {
    dm.walk(start, (name, node) => parameterList.push(info(name, node.writable)));
  }
  return { method: "GetParameterNamesResponse", parameterList };
}

function valueOf(dm: DeviceModel, name: string, def: ParamDef): ParameterValue {
  return { name, value: dm.reported(name, def), type: `xsd:${def.type}` };
}

/** TR-069 A.3.2.2. Full names and partial paths ("" = everything); one
 * unknown name fails the whole call with 9005. */
export function getParameterValues(dm: DeviceModel, req: GetParameterValues): GetParameterValuesResponse | CwmpFault {
  const parameterList: ParameterValue[] = [];
  for (const requested of req.parameterNames) {
    const path = requested === "" ? dm.profile.root : requested;
    const def = dm.node(path);
    if (def === undefined) return cwmpFault(9005);
    if (def.kind === "param") {
      parameterList.push(valueOf(dm, path, def));
      continue;
    }
    // Picky CPEs only take full names (DESIGN decision 6).
    if (!dm.profile.quirks.partialPathGpv) return cwmpFault(9005);
    dm.walk(path, (name, node) => {
      if (node.kind === "param") parameterList.push(valueOf(dm, name, node));
    });
  }
  return { method: "GetParameterValuesResponse", parameterList };
}

function spvFault(parameterName: string, faultCode: number): SetParameterValuesFault {
  return { parameterName, faultCode, faultString: FAULT_STRINGS[faultCode] ?? "Fault" };
}

/** TR-069 A.3.2.1. Atomic: every value is checked first, and one bad value
 * means nothing is applied and the answer is 9003 with one
 * SetParameterValuesFault per bad parameter. ParameterKey changes only on
 * success. */
export function setParameterValues(dm: DeviceModel, req: SetParameterValues): SetParameterValuesResponse | CwmpFault {
  const faults: SetParameterValuesFault[] = [];
  const accepted: Array<readonly [string, string]> = [];
  const seen = new Set<string>();
  for (const { name, value } of req.parameterList) {
    const def = dm.node(name);
    if (seen.has(name)) {
      // The same name twice in one SPV is invalid arguments (cwmp.md §3).
      faults.push(spvFault(name, 9003));
      continue;
    }
    seen.add(name);
    if (def?.kind !== "param") faults.push(spvFault(name, 9005));
    else if (!def.writable) faults.push(spvFault(name, 9008));
    else {
      const check = checkValue(def, value, dm.profile.quirks);
      const diagnostics = check.ok ? (checkDiagnosticsWrite(dm, name, check.value) ?? checkBootImageWrite(dm, name, check.value)) : undefined;
      if (!check.ok) faults.push(spvFault(name, check.faultCode));
      else if (diagnostics !== undefined) faults.push(spvFault(name, diagnostics));
      else accepted.push([name, check.value]);
    }
  }
  if (faults.length > 0) return cwmpFault(9003, faults);
  for (const [name, value] of accepted) dm.setValue(name, value);
  afterDiagnosticsWrite(dm, accepted.map(([name]) => name));
  dm.setValue(dm.profile.managementServer + "ParameterKey", req.parameterKey);
  return { method: "SetParameterValuesResponse", status: 0 };
}

/** TR-069 A.3.2.6. ObjectName is a table path ending in "."; the new row gets
 * the next number (never reused) and the profile's defaults. */
export function addObject(dm: DeviceModel, req: AddObject): AddObjectResponse | CwmpFault {
  const def = dm.node(req.objectName);
  if (def?.kind !== "object" || !def.table) return cwmpFault(9005);
  if (!def.writable) return cwmpFault(9003);
  const instanceNumber = dm.addInstance(req.objectName);
  dm.setValue(dm.profile.managementServer + "ParameterKey", req.parameterKey);
  return { method: "AddObjectResponse", instanceNumber, status: 0 };
}

/** TR-069 A.3.2.7. ObjectName is one instance ("…PortMapping.3."); its whole
 * subtree goes. */
export function deleteObject(dm: DeviceModel, req: DeleteObject): DeleteObjectResponse | CwmpFault {
  const def = dm.node(req.objectName);
  if (def?.kind !== "object" || !def.instance) return cwmpFault(9005);
  if (!def.writable) return cwmpFault(9003);
  dm.deleteInstance(req.objectName);
  dm.setValue(dm.profile.managementServer + "ParameterKey", req.parameterKey);
  return { method: "DeleteObjectResponse", status: 0 };
}

/** TR-069 A.3.2.8: the CPE reboots after the session and then informs with
 * "1 BOOT" and "M Reboot" carrying this CommandKey. */
export function reboot(dm: DeviceModel, req: Reboot): RebootResponse {
  dm.pending.reboot = { commandKey: req.commandKey };
  return { method: "RebootResponse" };
}

/** TR-069 A.4.1.6: reset after the session, then "0 BOOTSTRAP". */
export function factoryReset(dm: DeviceModel): FactoryResetResponse {
  dm.pending.factoryReset = true;
  return { method: "FactoryResetResponse" };
}

/** TR-069 A.4.1.2: "3 SCHEDULED" + "M ScheduleInform" after DelaySeconds
 * (which must be > 0). */
export function scheduleInform(dm: DeviceModel, req: ScheduleInform): ScheduleInformResponse | CwmpFault {
  if (req.delaySeconds <= 0) return cwmpFault(9003);
  dm.queueWork({ kind: "scheduleInform", delaySeconds: req.delaySeconds, commandKey: req.commandKey });
  return { method: "ScheduleInformResponse" };
}

export function getRPCMethods(): GetRPCMethodsResponse {
  return { method: "GetRPCMethodsResponse", methodList: [...CPE_RPC_METHODS] };
}

function outcome(result: CpeResponse | CwmpFault): RpcOutcome {
  return isCwmpFault(result) ? { ok: false, fault: result } : { ok: true, response: result };
}

/** Runs one ACS message against the device. Anything that is not an ACS→CPE
 * request the CPE implements gets 9000 Method not supported (TR-069 A.3.1). */
export function executeRpc(dm: DeviceModel, body: CwmpBody): RpcOutcome {
  switch (body.method) {
    case "GetRPCMethods":
      return outcome(getRPCMethods());
    case "GetParameterNames":
      return outcome(getParameterNames(dm, body));
    case "GetParameterValues":
      return outcome(getParameterValues(dm, body));
    case "SetParameterValues":
      return outcome(setParameterValues(dm, body));
    case "AddObject":
      return outcome(addObject(dm, body));
    case "DeleteObject":
      return outcome(deleteObject(dm, body));
    case "Reboot":
      return outcome(reboot(dm, body));
    case "FactoryReset":
      return outcome(factoryReset(dm));
    case "SetParameterAttributes":
      return outcome(setParameterAttributes(dm, body));
    case "GetParameterAttributes":
      return outcome(getParameterAttributes(dm, body));
    case "Download":
      return outcome(download(dm, body));
    case "Upload":
      return outcome(upload(dm, body));
    case "ScheduleDownload":
      return outcome(scheduleDownload(dm, body));
    case "CancelTransfer":
      return outcome(cancelTransfer(dm, body));
    case "GetQueuedTransfers":
      return outcome(getQueuedTransfers(dm));
    case "GetAllQueuedTransfers":
      return outcome(getAllQueuedTransfers(dm));
    case "ScheduleInform":
      return outcome(scheduleInform(dm, body));
    case "ChangeDUState":
      return outcome(changeDUState(dm, body));
    default:
      return { ok: false, fault: cwmpFault(9000) };
  }
}
