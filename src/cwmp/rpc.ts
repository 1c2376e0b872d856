// CWMP (TR-069) message model shared by the ACS side (gateway) and the CPE
// simulator. One discriminated union covers every method in both directions;
// the `method` tag is the RPC's exact element name, so a switch on it reads like
// the spec. The SOAP codec (soap-decode.ts / soap-encode.ts) converts between
// this model and XML; nothing else in the project touches SOAP.

import type {
  SetParameterAttributesStruct,
  ParameterAttributeStruct,
  TimeWindowStruct,
  AllQueuedTransferStruct,
  QueuedTransferStruct,
  InstallOpStruct,
  UpdateOpStruct,
  UninstallOpStruct,
  OperationStruct,
  OpResultStruct,
  AutonOpResultStruct,
  ArgStruct,
  SetParameterAttributes,
  GetParameterAttributes,
  Download,
  Upload,
  ScheduleDownload,
  CancelTransfer,
  ChangeDUState,
  ScheduleInform,
  GetQueuedTransfers,
  GetAllQueuedTransfers,
  SetParameterAttributesResponse,
  GetParameterAttributesResponse,
  DownloadResponse,
  UploadResponse,
  ScheduleDownloadResponse,
  CancelTransferResponse,
  ChangeDUStateResponse,
  ScheduleInformResponse,
  GetQueuedTransfersResponse,
  GetAllQueuedTransfersResponse,
  AutonomousTransferComplete,
  DUStateChangeComplete,
  AutonomousDUStateChangeComplete,
  RequestDownload,
  Kicked,
  AutonomousTransferCompleteResponse,
  DUStateChangeCompleteResponse,
  AutonomousDUStateChangeCompleteResponse,
  RequestDownloadResponse,
  KickedResponse,
} from "./rpc-transfers.js";
export * from "./rpc-transfers.js";

/** One parameter value as carried in ParameterValueStruct. `type` is the xsi:type
 * as written on the wire with its conventional prefix, e.g. "xsd:string". */
export interface ParameterValue {
  name: string;
  value: string;
  type: string;
}

/** ParameterInfoStruct from GetParameterNamesResponse. Object names end in ".". */
export interface ParameterInfo {
  name: string;
  writable: boolean;
}

export interface SetParameterValuesFault {
  parameterName: string;
  faultCode: number;
  faultString: string;
}

/** A CWMP fault (the cwmp:Fault inside a SOAP Fault's detail). */
export interface CwmpFault {
  faultCode: number;
  faultString: string;
  /** Only for SetParameterValues (TR-069 A.3.2.1). */
  setParameterValuesFaults: SetParameterValuesFault[];
}

export interface DeviceIdStruct {
  manufacturer: string;
  oui: string;
  productClass: string;
  serialNumber: string;
}

export interface EventStruct {
  eventCode: string;
  commandKey: string;
}

/** TransferComplete's FaultStruct: faultCode 0 means success. */
export interface FaultStruct {
  faultCode: number;
  faultString: string;
}

// ---- CPE -> ACS requests -------------------------------------------------
export interface Inform {
  method: "Inform";
  deviceId: DeviceIdStruct;
  event: EventStruct[];
  maxEnvelopes: number;
  currentTime: string;
  retryCount: number;
  parameterList: ParameterValue[];
}
export interface TransferComplete {
  method: "TransferComplete";
  commandKey: string;
  faultStruct: FaultStruct;
  startTime: string;
  completeTime: string;
}
/** GetRPCMethods is valid in both directions (TR-069 A.3.1.1 / A.4.1.1). */
export interface GetRPCMethods {
  method: "GetRPCMethods";
}

// ---- ACS -> CPE responses to CPE requests --------------------------------
export interface InformResponse {
  method: "InformResponse";
  maxEnvelopes: number;
}
export interface TransferCompleteResponse {
  method: "TransferCompleteResponse";
}
export interface GetRPCMethodsResponse {
  method: "GetRPCMethodsResponse";
  methodList: string[];
}

// ---- ACS -> CPE requests -------------------------------------------------
export interface GetParameterNames {
  method: "GetParameterNames";
  parameterPath: string;
  nextLevel: boolean;
}
export interface GetParameterValues {
  method: "GetParameterValues";
  parameterNames: string[];
}
export interface SetParameterValues {
  method: "SetParameterValues";
  parameterList: ParameterValue[];
  parameterKey: string;
}
export interface AddObject {
  method: "AddObject";
  objectName: string;
  parameterKey: string;
}
export interface DeleteObject {
  method: "DeleteObject";
  objectName: string;
  parameterKey: string;
}
export interface Reboot {
  method: "Reboot";
  commandKey: string;
}
export interface FactoryReset {
  method: "FactoryReset";
}

// ---- CPE -> ACS responses to ACS requests --------------------------------
export interface GetParameterNamesResponse {
  method: "GetParameterNamesResponse";
  parameterList: ParameterInfo[];
}
export interface GetParameterValuesResponse {
  method: "GetParameterValuesResponse";
  parameterList: ParameterValue[];
}
export interface SetParameterValuesResponse {
  method: "SetParameterValuesResponse";
  status: number;
}
export interface AddObjectResponse {
  method: "AddObjectResponse";
  instanceNumber: number;
  status: number;
}
export interface DeleteObjectResponse {
  method: "DeleteObjectResponse";
  status: number;
}
export interface RebootResponse {
  method: "RebootResponse";
}
export interface FactoryResetResponse {
  method: "FactoryResetResponse";
}

/** A SOAP Fault body, either direction. */
export interface Fault {
  method: "Fault";
  faultcode: string; // SOAP faultcode text, "Client" or "Server"
  faultstring: string; // SOAP faultstring, normally "CWMP fault"
  fault: CwmpFault;
}

/** A method element we do not implement. Decoding it is not an error: the
 * session answers it with fault 8000 / 9000 as the direction requires. */
export interface UnknownMethod {
  method: "Unknown";
  name: string;
}

export type CpeRequest =
  | Inform
  | TransferComplete
  | GetRPCMethods
  | AutonomousTransferComplete
  | DUStateChangeComplete
  | AutonomousDUStateChangeComplete
  | RequestDownload
  | Kicked;
export type AcsResponse =
  | InformResponse
  | TransferCompleteResponse
  | GetRPCMethodsResponse
  | AutonomousTransferCompleteResponse
  | DUStateChangeCompleteResponse
  | AutonomousDUStateChangeCompleteResponse
  | RequestDownloadResponse
  | KickedResponse;
export type AcsRequest =
  | GetRPCMethods
  | GetParameterNames
  | GetParameterValues
  | SetParameterValues
  | AddObject
  | DeleteObject
  | Reboot
  | FactoryReset
  | SetParameterAttributes
  | GetParameterAttributes
  | Download
  | Upload
  | ScheduleDownload
  | CancelTransfer
  | ChangeDUState
  | ScheduleInform
  | GetQueuedTransfers
  | GetAllQueuedTransfers;
export type CpeResponse =
  | GetRPCMethodsResponse
  | GetParameterNamesResponse
  | GetParameterValuesResponse
  | SetParameterValuesResponse
  | AddObjectResponse
  | DeleteObjectResponse
  | RebootResponse
  | FactoryResetResponse
  | SetParameterAttributesResponse
  | GetParameterAttributesResponse
  | DownloadResponse
  | UploadResponse
  | ScheduleDownloadResponse
  | CancelTransferResponse
  | ChangeDUStateResponse
  | ScheduleInformResponse
  | GetQueuedTransfersResponse
  | GetAllQueuedTransfersResponse;

/** Every body the codec can decode or encode. */
export type CwmpBody =
  | CpeRequest
  | AcsResponse
  | AcsRequest
  | CpeResponse
  | Fault
  | UnknownMethod;

export interface CwmpHeader {
  /** cwmp:ID; "" when the CPE omitted it (MikroTik, genieacs#233). */
  id: string;
  /** cwmp:HoldRequests (ACS->CPE, deprecated; decoded, never sent by us). */
  holdRequests?: boolean;
  /** cwmp:SessionTimeout (CWMP 1.3+, Inform only). */
  sessionTimeout?: number;
  /** cwmp:SupportedCWMPVersions (1.4, Inform), e.g. "1.0,1.1,1.2,1.3,1.4". */
  supportedCwmpVersions?: string;
  /** cwmp:UseCWMPVersion (1.4, InformResponse). */
  useCwmpVersion?: string;
}

/** One SOAP envelope. `cwmpNamespace` is the exact URI the sender used for the
 * cwmp prefix (e.g. "urn:dslforum-org:cwmp-1-0"); replies echo it. */
export interface CwmpEnvelope {
  cwmpNamespace: string;
  header: CwmpHeader;
  body: CwmpBody;
}

/** Result of an ACS RPC as the session engine hands it to translation:
 * the CPE's response, or its fault as a value. */
export type RpcOutcome =
  | { ok: true; response: CpeResponse }
  | { ok: false; fault: CwmpFault };

export const CWMP_NAMESPACE_1_0 = "urn:dslforum-org:cwmp-1-0";
/** TR-069 Unknown Time (TR-106 §3.2): start/complete times the CPE does not know. */
export const UNKNOWN_TIME = "0001-01-01T00:00:00Z";
