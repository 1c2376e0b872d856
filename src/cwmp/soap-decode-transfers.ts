// Decoders for the attribute, transfer and software-module bodies
// (rpc-transfers.ts). Tolerant like soap-decode.ts: children by localName in
// any order, missing values become defaults with a warning, and the
// ChangeDUState / DUStateChangeComplete wire variants seen in CPE stacks are
// accepted (cwmp.md §3 "ChangeDUState operations").

import type {
  AutonOpResultStruct,
  CwmpBody,
  FaultStruct,
  OperationStruct,
  OpResultStruct,
  TimeWindowStruct,
} from "./rpc.js";
import { arrayItems, readBoolean, readInt, readString, type Warnings } from "./soap-values.js";
import { child, type XmlElement } from "./xml.js";

type Decoder = (el: XmlElement, w: Warnings) => CwmpBody;

/** Decodes a body of rpc-transfers.ts, or undefined if `el` is not one. */
export function decodeTransferBody(el: XmlElement, w: Warnings): CwmpBody | undefined {
  const empty = EMPTY_BODIES.get(el.localName);
  if (empty !== undefined) return { method: empty } as CwmpBody;
  return DECODERS.get(el.localName)?.(el, w);
}

/** Bodies without arguments (cwmp-1-2.xsd empty complexType). */
const EMPTY_BODIES = new Map<string, CwmpBody["method"]>(
  (
    [
      "SetParameterAttributesResponse",
      "ScheduleDownloadResponse",
      "CancelTransferResponse",
      "ChangeDUStateResponse",
      "ScheduleInformResponse",
      "GetQueuedTransfers",
      "GetAllQueuedTransfers",
      "AutonomousTransferCompleteResponse",
      "DUStateChangeCompleteResponse",
      "AutonomousDUStateChangeCompleteResponse",
      "RequestDownloadResponse",
    ] as const
  ).map((m) => [m, m]),
);

function strings(el: XmlElement, name: string, w: Warnings): string[] {
  return arrayItems(el, name, w).map((item) => item.text.trim());
}

/** Optional string children (OpStruct fields): absent stays undefined, no warning. */
function optionalText(el: XmlElement, name: string): string | undefined {
  return child(el, name)?.text.trim();
}

function readFault(el: XmlElement, name: string, what: string, w: Warnings): FaultStruct {
  const f = child(el, name);
  if (f === undefined) {
    w.push(`missing <${name}> in ${what}; assuming success`);
    return { faultCode: 0, faultString: "" };
  }
  return { faultCode: readInt(f, "FaultCode", w), faultString: readString(f, "FaultString", w) };
}

function decodeSetParameterAttributes(el: XmlElement, w: Warnings): CwmpBody {
  return {
    method: "SetParameterAttributes",
    parameterList: arrayItems(el, "ParameterList", w).map((item) => {
      const notificationChange = readBoolean(item, "NotificationChange", w);
      // GenieACS sends <Notification></Notification> when NotificationChange
      // is false (cwmp.md §3); that is not worth a warning.
      const notifEl = child(item, "Notification");
      const notification = !notificationChange && notifEl?.text.trim() === "" ? 0 : readInt(item, "Notification", w);
      const accessListChange = readBoolean(item, "AccessListChange", w);
      const accessList = child(item, "AccessList") === undefined && !accessListChange ? [] : strings(item, "AccessList", w);
      return { name: readString(item, "Name", w), notificationChange, notification, accessListChange, accessList };
    }),
  };
}

function decodeGetParameterAttributesResponse(el: XmlElement, w: Warnings): CwmpBody {
  return {
    method: "GetParameterAttributesResponse",
    parameterList: arrayItems(el, "ParameterList", w).map((item) => ({
      name: readString(item, "Name", w),
      notification: readInt(item, "Notification", w),
      accessList: strings(item, "AccessList", w),
    })),
  };
}

function decodeDownload(el: XmlElement, w: Warnings): CwmpBody {
  return {
    method: "Download",
    commandKey: readString(el, "CommandKey", w),
    fileType: readString(el, "FileType", w),
    url: readString(el, "URL", w),
    username: readString(el, "Username", w),
    password: readString(el, "Password", w),
    fileSize: readInt(el, "FileSize", w),
    targetFileName: readString(el, "TargetFileName", w),
    delaySeconds: readInt(el, "DelaySeconds", w),
    successUrl: readString(el, "SuccessURL", w),
    failureUrl: readString(el, "FailureURL", w),
  };
}

function decodeTransferResponse(method: "DownloadResponse" | "UploadResponse"): Decoder {
  return (el, w) => ({
    method,
    status: readInt(el, "Status", w),
    startTime: readString(el, "StartTime", w),
    completeTime: readString(el, "CompleteTime", w),
  });
}

function decodeUpload(el: XmlElement, w: Warnings): CwmpBody {
  return {
    method: "Upload",
    commandKey: readString(el, "CommandKey", w),
    fileType: readString(el, "FileType", w),
    url: readString(el, "URL", w),
    username: readString(el, "Username", w),
    password: readString(el, "Password", w),
    delaySeconds: readInt(el, "DelaySeconds", w),
  };
}

function decodeTimeWindow(el: XmlElement, w: Warnings): TimeWindowStruct {
  return {
    windowStart: readInt(el, "WindowStart", w),
    windowEnd: readInt(el, "WindowEnd", w),
    windowMode: readString(el, "WindowMode", w),
    userMessage: readString(el, "UserMessage", w),
    maxRetries: readInt(el, "MaxRetries", w),
  };
}

function decodeScheduleDownload(el: XmlElement, w: Warnings): CwmpBody {
  return {
    method: "ScheduleDownload",
    commandKey: readString(el, "CommandKey", w),
    fileType: readString(el, "FileType", w),
    url: readString(el, "URL", w),
    username: readString(el, "Username", w),
    password: readString(el, "Password", w),
    fileSize: readInt(el, "FileSize", w),
    targetFileName: readString(el, "TargetFileName", w),
    timeWindowList: arrayItems(el, "TimeWindowList", w).map((item) => decodeTimeWindow(item, w)),
  };
}

const OP_TYPES = ["Install", "Update", "Uninstall"] as const;
type OpType = (typeof OP_TYPES)[number];

/** "cwmp:InstallOpStruct", "InstallOpStruct" (no prefix) or any other prefix. */
function opTypeOf(qname: string | undefined): OpType | undefined {
  const local = qname?.trim().replace(/^.*:/, "");
  return OP_TYPES.find((t) => local === `${t}OpStruct`);
}

/** An Operations element without any xsi:type: guessed from its children
 * (TR-069 A.4.1.14: only Install requires URL, only Uninstall requires UUID
 * without URL). */
function guessOpType(el: XmlElement, w: Warnings): OpType {
  const has = (n: string): boolean => child(el, n) !== undefined;
  const guess: OpType = has("URL") ? (has("Version") ? "Update" : "Install") : has("UUID") ? "Uninstall" : "Update";
  w.push(`Operations without xsi:type; taken as ${guess}OpStruct`);
  return guess;
}

function decodeOperation(el: XmlElement, type: OpType, w: Warnings): OperationStruct {
  const opt = (name: string): string | undefined => optionalText(el, name);
  const defined = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  switch (type) {
    case "Install":
      return defined({ type, url: readString(el, "URL", w), uuid: opt("UUID"), username: opt("Username"), password: opt("Password"), executionEnvRef: opt("ExecutionEnvRef") });
    case "Update":
      return defined({ type, uuid: opt("UUID"), version: opt("Version"), url: opt("URL"), username: opt("Username"), password: opt("Password") });
    case "Uninstall":
      return defined({ type, uuid: readString(el, "UUID", w), version: opt("Version"), executionEnvRef: opt("ExecutionEnvRef") });
  }
}

/** Operations in document order, from three wire forms: the XSD's repeated
 * <Operations xsi:type="cwmp:InstallOpStruct"> (prefix optional), a wrapper
 * <Operations> holding <InstallOpStruct> items, and bare <cwmp:InstallOpStruct>
 * children (one Erlang library, cwmp.md §3). */
function decodeOperations(el: XmlElement, w: Warnings): OperationStruct[] {
  const ops: OperationStruct[] = [];
  for (const c of el.children) {
    const bare = opTypeOf(c.localName);
    if (bare !== undefined) {
      ops.push(decodeOperation(c, bare, w));
      continue;
    }
    if (c.localName !== "Operations") continue;
    const typed = opTypeOf(c.attributes.get("type"));
    const nested = c.children.filter((n) => opTypeOf(n.localName) !== undefined);
    if (typed !== undefined) ops.push(decodeOperation(c, typed, w));
    else if (nested.length > 0) for (const n of nested) ops.push(decodeOperation(n, opTypeOf(n.localName) ?? "Update", w));
    else ops.push(decodeOperation(c, guessOpType(c, w), w));
  }
  if (ops.length === 0) w.push("ChangeDUState without Operations");
  return ops;
}

function decodeOpResult(el: XmlElement, w: Warnings): OpResultStruct {
  return {
    uuid: readString(el, "UUID", w),
    deploymentUnitRef: readString(el, "DeploymentUnitRef", w),
    version: readString(el, "Version", w),
    currentState: readString(el, "CurrentState", w),
    resolved: readBoolean(el, "Resolved", w),
    executionUnitRefList: readString(el, "ExecutionUnitRefList", w),
    startTime: readString(el, "StartTime", w),
    completeTime: readString(el, "CompleteTime", w),
    fault: readFault(el, "Fault", "OpResultStruct", w),
  };
}

/** Result structs in document order: the XSD's repeated <Results> elements,
 * or one <Results soap-enc:arrayType="cwmp:OpResultStruct[n]"> array of
 * <OpResultStruct> items as some CPE stacks write it. */
function resultElements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (c.localName !== "Results") continue;
    const isStruct = child(c, "UUID") !== undefined || child(c, "CurrentState") !== undefined;
    out.push(...(isStruct ? [c] : c.children));
  }
  return out;
}

function decodeDUStateChangeComplete(el: XmlElement, w: Warnings): CwmpBody {
  // CommandKey is minOccurs=0 in cwmp-1-2.xsd: absent is "" without a warning.
  return {
    method: "DUStateChangeComplete",
    results: resultElements(el).map((r) => decodeOpResult(r, w)),
    commandKey: optionalText(el, "CommandKey") ?? "",
  };
}

function decodeAutonomousDUStateChangeComplete(el: XmlElement, w: Warnings): CwmpBody {
  const results: AutonOpResultStruct[] = resultElements(el).map((r) => ({
    ...decodeOpResult(r, w),
    operationPerformed: readString(r, "OperationPerformed", w),
  }));
  return { method: "AutonomousDUStateChangeComplete", results };
}

function decodeAutonomousTransferComplete(el: XmlElement, w: Warnings): CwmpBody {
  return {
    method: "AutonomousTransferComplete",
    announceUrl: readString(el, "AnnounceURL", w),
    transferUrl: readString(el, "TransferURL", w),
    isDownload: readBoolean(el, "IsDownload", w),
    fileType: readString(el, "FileType", w),
    fileSize: readInt(el, "FileSize", w),
    targetFileName: readString(el, "TargetFileName", w),
    faultStruct: readFault(el, "FaultStruct", "AutonomousTransferComplete", w),
    startTime: readString(el, "StartTime", w),
    completeTime: readString(el, "CompleteTime", w),
  };
}

const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ["SetParameterAttributes", decodeSetParameterAttributes],
  ["GetParameterAttributes", (el, w) => ({ method: "GetParameterAttributes", parameterNames: strings(el, "ParameterNames", w) })],
  ["GetParameterAttributesResponse", decodeGetParameterAttributesResponse],
  ["Download", decodeDownload],
  ["DownloadResponse", decodeTransferResponse("DownloadResponse")],
  ["Upload", decodeUpload],
  ["UploadResponse", decodeTransferResponse("UploadResponse")],
  ["ScheduleDownload", decodeScheduleDownload],
  ["CancelTransfer", (el, w) => ({ method: "CancelTransfer", commandKey: readString(el, "CommandKey", w) })],
  ["ChangeDUState", (el, w) => ({ method: "ChangeDUState", operations: decodeOperations(el, w), commandKey: optionalText(el, "CommandKey") ?? "" })],
  ["ScheduleInform", (el, w) => ({ method: "ScheduleInform", delaySeconds: readInt(el, "DelaySeconds", w), commandKey: readString(el, "CommandKey", w) })],
  [
    "GetQueuedTransfersResponse",
    (el, w) => ({
      method: "GetQueuedTransfersResponse",
      transferList: arrayItems(el, "TransferList", w).map((q) => ({ commandKey: readString(q, "CommandKey", w), state: readInt(q, "State", w) })),
    }),
  ],
  [
    "GetAllQueuedTransfersResponse",
    (el, w) => ({
      method: "GetAllQueuedTransfersResponse",
      transferList: arrayItems(el, "TransferList", w).map((q) => ({
        commandKey: readString(q, "CommandKey", w),
        state: readInt(q, "State", w),
        isDownload: readBoolean(q, "IsDownload", w),
        fileType: readString(q, "FileType", w),
        fileSize: readInt(q, "FileSize", w),
        targetFileName: readString(q, "TargetFileName", w),
      })),
    }),
  ],
  ["AutonomousTransferComplete", decodeAutonomousTransferComplete],
  ["DUStateChangeComplete", decodeDUStateChangeComplete],
  ["AutonomousDUStateChangeComplete", decodeAutonomousDUStateChangeComplete],
  [
    "RequestDownload",
    (el, w) => ({
      method: "RequestDownload",
      fileType: readString(el, "FileType", w),
      fileTypeArg: arrayItems(el, "FileTypeArg", w).map((a) => ({ name: readString(a, "Name", w), value: readString(a, "Value", w) })),
    }),
  ],
  [
    "Kicked",
    (el, w) => ({
      method: "Kicked",
      command: readString(el, "Command", w),
      referer: readString(el, "Referer", w),
      arg: readString(el, "Arg", w),
      next: readString(el, "Next", w),
    }),
  ],
  ["KickedResponse", (el, w) => ({ method: "KickedResponse", nextUrl: readString(el, "NextURL", w) })],
]);
