// CWMP message model, part 2: parameter attributes, file transfers and
// software-module management (TR-069 A.3.2.4-A.3.2.10, A.4.1, A.4.2), with
// the struct shapes of cwmp-1-2.xsd. rpc.ts re-exports everything here and
// puts these bodies into its unions, so importers only ever use rpc.ts.
import type { FaultStruct } from "./rpc.js";


/** SetParameterAttributesStruct. `name` may be a partial path ("X.Y.").
 * Notification: 0 off, 1 passive, 2 active (1.4 adds 3-6, lightweight). */
export interface SetParameterAttributesStruct {
  name: string;
  notificationChange: boolean;
  notification: number;
  accessListChange: boolean;
  /** Only defined entry: "Subscriber". */
  accessList: string[];
}
/** ParameterAttributeStruct of GetParameterAttributesResponse. */
export interface ParameterAttributeStruct {
  name: string;
  notification: number;
  accessList: string[];
}
/** TimeWindowStruct of ScheduleDownload; WindowStart/End are seconds after
 * the request was received. WindowMode: "1 At Any Time", "2 Immediately",
 * "3 When Idle", "4 Confirmation Needed". */
export interface TimeWindowStruct {
  windowStart: number;
  windowEnd: number;
  windowMode: string;
  userMessage: string;
  maxRetries: number;
}
/** AllQueuedTransferStruct; state 1 not yet started, 2 in progress, 3 completed. */
export interface AllQueuedTransferStruct {
  commandKey: string;
  state: number;
  isDownload: boolean;
  fileType: string;
  fileSize: number;
  targetFileName: string;
}
/** QueuedTransferStruct (GetQueuedTransfers, superseded by GetAllQueuedTransfers). */
export interface QueuedTransferStruct {
  commandKey: string;
  state: number;
}
/** ChangeDUState operations (OperationStruct subtypes, sent with
 * xsi:type="cwmp:InstallOpStruct" etc.). Optional elements are omitted from
 * the wire when undefined. */
export interface InstallOpStruct {
  type: "Install";
  url: string;
  uuid?: string;
  username?: string;
  password?: string;
  executionEnvRef?: string;
}
/** No UUID and no URL means "update every installed DU". */
export interface UpdateOpStruct {
  type: "Update";
  uuid?: string;
  version?: string;
  url?: string;
  username?: string;
  password?: string;
}
export interface UninstallOpStruct {
  type: "Uninstall";
  uuid: string;
  version?: string;
  executionEnvRef?: string;
}
export type OperationStruct = InstallOpStruct | UpdateOpStruct | UninstallOpStruct;
/** OpResultStruct of DUStateChangeComplete, one per operation, in order.
 * CurrentState: "Installed" | "Uninstalled" | "Failed". `fault` is the
 * DeploymentUnitFaultStruct (faultCode 0 = success). */
export interface OpResultStruct {
  uuid: string;
  deploymentUnitRef: string;
  version: string;
  currentState: string;
  resolved: boolean;
  /** Comma-separated ExecutionUnit references. */
  executionUnitRefList: string;
  startTime: string;
  completeTime: string;
  fault: FaultStruct;
}
/** AutonOpResultStruct: "Install" | "Update" | "Uninstall". */
export interface AutonOpResultStruct extends OpResultStruct {
  operationPerformed: string;
}
/** ArgStruct of RequestDownload's FileTypeArg. */
export interface ArgStruct {
  name: string;
  value: string;
}

// ACS -> CPE requests
export interface SetParameterAttributes {
  method: "SetParameterAttributes";
  parameterList: SetParameterAttributesStruct[];
}
export interface GetParameterAttributes {
  method: "GetParameterAttributes";
  parameterNames: string[];
}
/** TR-069 A.3.2.8: all ten children, always, in this order. */
export interface Download {
  method: "Download";
  commandKey: string;
  /** DownloadFileType, e.g. "1 Firmware Upgrade Image". */
  fileType: string;
  url: string;
  username: string;
  password: string;
  /** 0 = unknown. */
  fileSize: number;
  targetFileName: string;
  delaySeconds: number;
  successUrl: string;
  failureUrl: string;
}
export interface Upload {
  method: "Upload";
  commandKey: string;
  /** UploadFileType, e.g. "1 Vendor Configuration File". */
  fileType: string;
  url: string;
  username: string;
  password: string;
  delaySeconds: number;
}
export interface ScheduleDownload {
  method: "ScheduleDownload";
  commandKey: string;
  fileType: string;
  url: string;
  username: string;
  password: string;
  fileSize: number;
  targetFileName: string;
  /** One or two windows. */
  timeWindowList: TimeWindowStruct[];
}
export interface CancelTransfer {
  method: "CancelTransfer";
  commandKey: string;
}
export interface ChangeDUState {
  method: "ChangeDUState";
  operations: OperationStruct[];
  commandKey: string;
}
export interface ScheduleInform {
  method: "ScheduleInform";
  delaySeconds: number;
  commandKey: string;
}
export interface GetQueuedTransfers {
  method: "GetQueuedTransfers";
}
export interface GetAllQueuedTransfers {
  method: "GetAllQueuedTransfers";
}

// CPE -> ACS responses
export interface SetParameterAttributesResponse {
  method: "SetParameterAttributesResponse";
}
export interface GetParameterAttributesResponse {
  method: "GetParameterAttributesResponse";
  parameterList: ParameterAttributeStruct[];
}
/** Status 0 = done and applied, 1 = not yet completed (a TransferComplete
 * follows); times are Unknown Time (0001-01-01T00:00:00Z) when Status is 1. */
export interface DownloadResponse {
  method: "DownloadResponse";
  status: number;
  startTime: string;
  completeTime: string;
}
export interface UploadResponse {
  method: "UploadResponse";
  status: number;
  startTime: string;
  completeTime: string;
}
export interface ScheduleDownloadResponse {
  method: "ScheduleDownloadResponse";
}
export interface CancelTransferResponse {
  method: "CancelTransferResponse";
}
export interface ChangeDUStateResponse {
  method: "ChangeDUStateResponse";
}
export interface ScheduleInformResponse {
  method: "ScheduleInformResponse";
}
export interface GetQueuedTransfersResponse {
  method: "GetQueuedTransfersResponse";
  transferList: QueuedTransferStruct[];
}
export interface GetAllQueuedTransfersResponse {
  method: "GetAllQueuedTransfersResponse";
  transferList: AllQueuedTransferStruct[];
}

// CPE -> ACS requests
export interface AutonomousTransferComplete {
  method: "AutonomousTransferComplete";
  announceUrl: string;
  transferUrl: string;
  isDownload: boolean;
  /** TransferFileType: a DownloadFileType or an UploadFileType. */
  fileType: string;
  fileSize: number;
  targetFileName: string;
  faultStruct: FaultStruct;
  startTime: string;
  completeTime: string;
}
export interface DUStateChangeComplete {
  method: "DUStateChangeComplete";
  results: OpResultStruct[];
  commandKey: string;
}
export interface AutonomousDUStateChangeComplete {
  method: "AutonomousDUStateChangeComplete";
  results: AutonOpResultStruct[];
}
export interface RequestDownload {
  method: "RequestDownload";
  fileType: string;
  fileTypeArg: ArgStruct[];
}
export interface Kicked {
  method: "Kicked";
  command: string;
  referer: string;
  arg: string;
  next: string;
}

// ACS -> CPE responses
export interface AutonomousTransferCompleteResponse {
  method: "AutonomousTransferCompleteResponse";
}
export interface DUStateChangeCompleteResponse {
  method: "DUStateChangeCompleteResponse";
}
export interface AutonomousDUStateChangeCompleteResponse {
  method: "AutonomousDUStateChangeCompleteResponse";
}
export interface RequestDownloadResponse {
  method: "RequestDownloadResponse";
}
export interface KickedResponse {
  method: "KickedResponse";
  nextUrl: string;
}

/** Every body defined in this file. */
export type TransferBody =
  | SetParameterAttributes
  | GetParameterAttributes
  | Download
  | Upload
  | ScheduleDownload
  | CancelTransfer
  | ChangeDUState
  | ScheduleInform
  | GetQueuedTransfers
  | GetAllQueuedTransfers
  | SetParameterAttributesResponse
  | GetParameterAttributesResponse
  | DownloadResponse
  | UploadResponse
  | ScheduleDownloadResponse
  | CancelTransferResponse
  | ChangeDUStateResponse
  | ScheduleInformResponse
  | GetQueuedTransfersResponse
  | GetAllQueuedTransfersResponse
  | AutonomousTransferComplete
  | DUStateChangeComplete
  | AutonomousDUStateChangeComplete
  | RequestDownload
  | Kicked
  | AutonomousTransferCompleteResponse
  | DUStateChangeCompleteResponse
  | AutonomousDUStateChangeCompleteResponse
  | RequestDownloadResponse
  | KickedResponse;

/** Method names of TransferBody; the Record makes the compiler check the list
 * is complete. */
const TRANSFER_METHOD_FLAGS: Readonly<Record<TransferBody["method"], true>> = {
  SetParameterAttributes: true,
  GetParameterAttributes: true,
  Download: true,
  Upload: true,
  ScheduleDownload: true,
  CancelTransfer: true,
  ChangeDUState: true,
  ScheduleInform: true,
  GetQueuedTransfers: true,
  GetAllQueuedTransfers: true,
  SetParameterAttributesResponse: true,
  GetParameterAttributesResponse: true,
  DownloadResponse: true,
  UploadResponse: true,
  ScheduleDownloadResponse: true,
  CancelTransferResponse: true,
  ChangeDUStateResponse: true,
  ScheduleInformResponse: true,
  GetQueuedTransfersResponse: true,
  GetAllQueuedTransfersResponse: true,
  AutonomousTransferComplete: true,
  DUStateChangeComplete: true,
  AutonomousDUStateChangeComplete: true,
  RequestDownload: true,
  Kicked: true,
  AutonomousTransferCompleteResponse: true,
  DUStateChangeCompleteResponse: true,
  AutonomousDUStateChangeCompleteResponse: true,
  RequestDownloadResponse: true,
  KickedResponse: true,
};

export function isTransferBody(body: { method: string }): body is TransferBody {
  return Object.hasOwn(TRANSFER_METHOD_FLAGS, body.method);
}
