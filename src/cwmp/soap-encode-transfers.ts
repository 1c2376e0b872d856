// Encoders for the attribute, transfer and software-module bodies
// (rpc-transfers.ts). Written strictly, like soap-encode.ts: children in the
// cwmp-1-2.xsd sequence order, every required child present even when empty
// (cwmp.md §8 item 19), SOAP arrays with an exact arrayType count.

import type {
  AllQueuedTransferStruct,
  AutonOpResultStruct,
  AutonomousTransferComplete,
  ChangeDUState,
  Download,
  DownloadResponse,
  GetParameterAttributesResponse,
  Kicked,
  OperationStruct,
  OpResultStruct,
  QueuedTransferStruct,
  RequestDownload,
  ScheduleDownload,
  SetParameterAttributes,
  TimeWindowStruct,
  TransferBody,
  Upload,
  UploadResponse,
} from "./rpc.js";
import { array, bit, faultStruct, leaf, method, stringList } from "./soap-values.js";

/** The switch for the bodies of rpc-transfers.ts; exhaustive over TransferBody. */
export function encodeTransferBody(body: TransferBody): string {
  switch (body.method) {
    case "SetParameterAttributes":
      return encodeSetParameterAttributes(body);
    case "GetParameterAttributes":
      return method(body.method, stringList("ParameterNames", body.parameterNames));
    case "GetParameterAttributesResponse":
      return encodeGetParameterAttributesResponse(body);
    case "Download":
      return encodeDownload(body);
    case "DownloadResponse":
    case "UploadResponse":
      return encodeTransferResponse(body);
    case "Upload":
      return encodeUpload(body);
    case "ScheduleDownload":
      return encodeScheduleDownload(body);
    case "CancelTransfer":
      return method(body.method, leaf("CommandKey", body.commandKey));
    case "ChangeDUState":
      return encodeChangeDUState(body);
    case "ScheduleInform":
      // TR-069 A.4.1.2: DelaySeconds, then CommandKey.
      return method(body.method, leaf("DelaySeconds", body.delaySeconds) + leaf("CommandKey", body.commandKey));
    case "GetQueuedTransfersResponse":
      return method(body.method, array("TransferList", "cwmp:QueuedTransferStruct", body.transferList.map(queuedTransfer)));
    case "GetAllQueuedTransfersResponse":
      return method(body.method, array("TransferList", "cwmp:AllQueuedTransferStruct", body.transferList.map(allQueuedTransfer)));
    case "AutonomousTransferComplete":
      return encodeAutonomousTransferComplete(body);
    case "DUStateChangeComplete":
      return method(body.method, body.results.map((r) => `<Results>${opResult(r)}</Results>`).join("") + leaf("CommandKey", body.commandKey));
    case "AutonomousDUStateChangeComplete":
      return method(body.method, body.results.map(autonOpResult).join(""));
    case "RequestDownload":
      return encodeRequestDownload(body);
    case "Kicked":
      return encodeKicked(body);
    case "KickedResponse":
      return method(body.method, leaf("NextURL", body.nextUrl));
    case "SetParameterAttributesResponse":
    case "ScheduleDownloadResponse": // no arguments: an open/close pair
    case "CancelTransferResponse":
    case "ChangeDUStateResponse":
    case "ScheduleInformResponse":
    case "GetQueuedTransfers":
    case "GetAllQueuedTransfers":
    case "AutonomousTransferCompleteResponse":
    case "DUStateChangeCompleteResponse":
    case "AutonomousDUStateChangeCompleteResponse":
    case "RequestDownloadResponse":
      return method(body.method, "");
    default: {
      const unhandled: never = body;
      throw new Error(`unhandled CWMP body ${JSON.stringify(unhandled)}`);
    }
  }
}

function encodeSetParameterAttributes(body: SetParameterAttributes): string {
  // cwmp.md §1.4 (GenieACS): all five children, flags as true/false, an
  // AccessList array even when empty.
  const items = body.parameterList.map(
    (p) =>
      `<SetParameterAttributesStruct>${leaf("Name", p.name)}${leaf("NotificationChange", String(p.notificationChange))}` +
      `${leaf("Notification", p.notification)}${leaf("AccessListChange", String(p.accessListChange))}` +
      `${stringList("AccessList", p.accessList)}</SetParameterAttributesStruct>`,
  );
  return method(body.method, array("ParameterList", "cwmp:SetParameterAttributesStruct", items));
}

function encodeGetParameterAttributesResponse(body: GetParameterAttributesResponse): string {
  const items = body.parameterList.map(
    (p) =>
      `<ParameterAttributeStruct>${leaf("Name", p.name)}${leaf("Notification", p.notification)}` +
      `${stringList("AccessList", p.accessList)}</ParameterAttributeStruct>`,
  );
  return method(body.method, array("ParameterList", "cwmp:ParameterAttributeStruct", items));
}

function encodeDownload(body: Download): string {
  // TR-069 A.3.2.8 / cwmp.md §8 item 19: all ten children, in this order.
  return method(
    body.method,
    leaf("CommandKey", body.commandKey) +
      leaf("FileType", body.fileType) +
      leaf("URL", body.url) +
      leaf("Username", body.username) +
      leaf("Password", body.password) +
      leaf("FileSize", body.fileSize) +
      leaf("TargetFileName", body.targetFileName) +
      leaf("DelaySeconds", body.delaySeconds) +
      leaf("SuccessURL", body.successUrl) +
      leaf("FailureURL", body.failureUrl),
  );
}

function encodeTransferResponse(body: DownloadResponse | UploadResponse): string {
  return method(body.method, leaf("Status", body.status) + leaf("StartTime", body.startTime) + leaf("CompleteTime", body.completeTime));
}

function encodeUpload(body: Upload): string {
  // TR-069 A.4.1.5: six children, in this order.
  return method(
    body.method,
    leaf("CommandKey", body.commandKey) +
      leaf("FileType", body.fileType) +
      leaf("URL", body.url) +
      leaf("Username", body.username) +
      leaf("Password", body.password) +
      leaf("DelaySeconds", body.delaySeconds),
  );
}

function timeWindow(w: TimeWindowStruct): string {
  return (
    `<TimeWindowStruct>${leaf("WindowStart", w.windowStart)}${leaf("WindowEnd", w.windowEnd)}` +
    `${leaf("WindowMode", w.windowMode)}${leaf("UserMessage", w.userMessage)}${leaf("MaxRetries", w.maxRetries)}</TimeWindowStruct>`
  );
}

function encodeScheduleDownload(body: ScheduleDownload): string {
  // TR-069 A.4.1.10: Download's children without DelaySeconds and the
  // Success/Failure URLs, then TimeWindowList.
  return method(
    body.method,
    leaf("CommandKey", body.commandKey) +
      leaf("FileType", body.fileType) +
      leaf("URL", body.url) +
      leaf("Username", body.username) +
      leaf("Password", body.password) +
      leaf("FileSize", body.fileSize) +
      leaf("TargetFileName", body.targetFileName) +
      array("TimeWindowList", "cwmp:TimeWindowStruct", body.timeWindowList.map(timeWindow)),
  );
}

/** Optional elements of the OpStructs are left out when undefined: an empty
 * <UUID></UUID> would not match the XSD's UUID pattern. */
function optional(name: string, value: string | undefined): string {
  return value === undefined ? "" : leaf(name, value);
}

function operation(op: OperationStruct): string {
  // cwmp.md §3: CPE stacks compare the xsi:type string literally, so the
  // prefix is always "cwmp:".
  switch (op.type) {
    case "Install":
      return (
        `<Operations xsi:type="cwmp:InstallOpStruct">${leaf("URL", op.url)}${optional("UUID", op.uuid)}` +
        `${optional("Username", op.username)}${optional("Password", op.password)}${optional("ExecutionEnvRef", op.executionEnvRef)}</Operations>`
      );
    case "Update":
      return (
        `<Operations xsi:type="cwmp:UpdateOpStruct">${optional("UUID", op.uuid)}${optional("Version", op.version)}` +
        `${optional("URL", op.url)}${optional("Username", op.username)}${optional("Password", op.password)}</Operations>`
      );
    case "Uninstall":
      return (
        `<Operations xsi:type="cwmp:UninstallOpStruct">${leaf("UUID", op.uuid)}${optional("Version", op.version)}` +
        `${optional("ExecutionEnvRef", op.executionEnvRef)}</Operations>`
      );
  }
}

function encodeChangeDUState(body: ChangeDUState): string {
  // TR-069 A.4.1.14: Operations repeated (not a SOAP array), then CommandKey.
  return method(body.method, body.operations.map(operation).join("") + leaf("CommandKey", body.commandKey));
}

function queuedTransfer(q: QueuedTransferStruct): string {
  return `<QueuedTransferStruct>${leaf("CommandKey", q.commandKey)}${leaf("State", q.state)}</QueuedTransferStruct>`;
}

function allQueuedTransfer(q: AllQueuedTransferStruct): string {
  return (
    `<AllQueuedTransferStruct>${leaf("CommandKey", q.commandKey)}${leaf("State", q.state)}${leaf("IsDownload", bit(q.isDownload))}` +
    `${leaf("FileType", q.fileType)}${leaf("FileSize", q.fileSize)}${leaf("TargetFileName", q.targetFileName)}</AllQueuedTransferStruct>`
  );
}

function encodeAutonomousTransferComplete(body: AutonomousTransferComplete): string {
  return method(
    body.method,
    leaf("AnnounceURL", body.announceUrl) +
      leaf("TransferURL", body.transferUrl) +
      leaf("IsDownload", bit(body.isDownload)) +
      leaf("FileType", body.fileType) +
      leaf("FileSize", body.fileSize) +
      leaf("TargetFileName", body.targetFileName) +
      faultStruct("FaultStruct", body.faultStruct) +
      leaf("StartTime", body.startTime) +
      leaf("CompleteTime", body.completeTime),
  );
}

/** OpResultStruct's children in XSD order (TR-069 A.3.3.5). */
function opResult(r: OpResultStruct): string {
  return (
    leaf("UUID", r.uuid) +
    leaf("DeploymentUnitRef", r.deploymentUnitRef) +
    leaf("Version", r.version) +
    leaf("CurrentState", r.currentState) +
    leaf("Resolved", bit(r.resolved)) +
    leaf("ExecutionUnitRefList", r.executionUnitRefList) +
    leaf("StartTime", r.startTime) +
    leaf("CompleteTime", r.completeTime) +
    faultStruct("Fault", r.fault)
  );
}

function autonOpResult(r: AutonOpResultStruct): string {
  return `<Results>${opResult(r)}${leaf("OperationPerformed", r.operationPerformed)}</Results>`;
}

function encodeRequestDownload(body: RequestDownload): string {
  const args = body.fileTypeArg.map((a) => `<ArgStruct>${leaf("Name", a.name)}${leaf("Value", a.value)}</ArgStruct>`);
  return method(body.method, leaf("FileType", body.fileType) + array("FileTypeArg", "cwmp:ArgStruct", args));
}

function encodeKicked(body: Kicked): string {
  return method(
    body.method,
    leaf("Command", body.command) + leaf("Referer", body.referer) + leaf("Arg", body.arg) + leaf("Next", body.next),
  );
}
