// The USP Msg model (TR-369 1.4, usp-msg-1-4.proto) as TypeScript types.
// Field names are the proto's, camel-cased the way protobufjs does it
// (param_paths -> paramPaths); maps are plain records; fixed32 codes are
// numbers. The oneofs of the proto become discriminated unions here, so a
// switch on a message type is checked for exhaustiveness by the compiler.
// The codec (msg-decode.ts / msg-encode.ts) is the only place that converts.

export type MsgType =
  | "ERROR"
  | "GET"
  | "GET_RESP"
  | "NOTIFY"
  | "SET"
  | "SET_RESP"
  | "OPERATE"
  | "OPERATE_RESP"
  | "ADD"
  | "ADD_RESP"
  | "DELETE"
  | "DELETE_RESP"
  | "GET_SUPPORTED_DM"
  | "GET_SUPPORTED_DM_RESP"
  | "GET_INSTANCES"
  | "GET_INSTANCES_RESP"
  | "NOTIFY_RESP"
  | "GET_SUPPORTED_PROTO"
  | "GET_SUPPORTED_PROTO_RESP"
  | "REGISTER"
  | "REGISTER_RESP"
  | "DEREGISTER"
  | "DEREGISTER_RESP";

export interface Header {
  msgId: string;
  msgType: MsgType;
}

export interface Msg {
  header: Header;
  body: Body;
}

export type Body =
  | { kind: "request"; request: Request }
  | { kind: "response"; response: Response }
  | { kind: "error"; error: UspError };

export interface ParamError {
  paramPath: string;
  errCode: number;
  errMsg: string;
}

export interface UspError {
  errCode: number;
  errMsg: string;
  paramErrs: ParamError[];
}

// ---- requests ------------------------------------------------------------
export interface Get {
  paramPaths: string[];
  maxDepth: number;
}
export interface GetSupportedDM {
  objPaths: string[];
  firstLevelOnly: boolean;
  returnCommands: boolean;
  returnEvents: boolean;
  returnParams: boolean;
  returnUniqueKeySets: boolean;
}
export interface GetInstances {
  objPaths: string[];
  firstLevelOnly: boolean;
}
export interface SetParamSetting {
  param: string;
  value: string;
  required: boolean;
}
export interface UpdateObject {
  objPath: string;
  paramSettings: SetParamSetting[];
}
export interface Set {
  allowPartial: boolean;
  updateObjs: UpdateObject[];
}
export interface CreateObject {
  objPath: string;
  paramSettings: SetParamSetting[];
}
export interface Add {
  allowPartial: boolean;
  createObjs: CreateObject[];
}
export interface Delete {
  allowPartial: boolean;
  objPaths: string[];
}
export interface Operate {
  command: string;
  commandKey: string;
  sendResp: boolean;
  inputArgs: Record<string, string>;
}
export interface GetSupportedProtocol {
  controllerSupportedProtocolVersions: string;
}
export interface Register {
  allowPartial: boolean;
  regPaths: { path: string }[];
}
export interface Deregister {
  paths: string[];
}

export type Notification =
  | { type: "event"; event: { objPath: string; eventName: string; params: Record<string, string> } }
  | { type: "valueChange"; valueChange: { paramPath: string; paramValue: string } }
  | { type: "objCreation"; objCreation: { objPath: string; uniqueKeys: Record<string, string> } }
  | { type: "objDeletion"; objDeletion: { objPath: string } }
  | { type: "operComplete"; operComplete: OperationComplete }
  | { type: "onBoardReq"; onBoardReq: OnBoardRequest };

export interface OperationComplete {
  objPath: string;
  commandName: string;
  commandKey: string;
  result:
    | { type: "reqOutputArgs"; outputArgs: Record<string, string> }
    | { type: "cmdFailure"; errCode: number; errMsg: string };
}
export interface OnBoardRequest {
  oui: string;
  productClass: string;
  serialNumber: string;
  agentSupportedProtocolVersions: string;
}
export interface Notify {
  subscriptionId: string;
  sendResp: boolean;
  notification: Notification;
}

export type Request =
  | { type: "get"; get: Get }
  | { type: "getSupportedDm"; getSupportedDm: GetSupportedDM }
  | { type: "getInstances"; getInstances: GetInstances }
  | { type: "set"; set: Set }
  | { type: "add"; add: Add }
  | { type: "delete"; delete: Delete }
  | { type: "operate"; operate: Operate }
  | { type: "notify"; notify: Notify }
  | { type: "getSupportedProtocol"; getSupportedProtocol: GetSupportedProtocol }
  | { type: "register"; register: Register }
  | { type: "deregister"; deregister: Deregister };

// ---- responses -----------------------------------------------------------
export interface ResolvedPathResult {
  resolvedPath: string;
  resultParams: Record<string, string>;
}
export interface GetRequestedPathResult {
  requestedPath: string;
  errCode: number;
  errMsg: string;
  resolvedPathResults: ResolvedPathResult[];
}
export interface GetResp {
  reqPathResults: GetRequestedPathResult[];
}

export interface ParameterError {
  param: string;
  errCode: number;
  errMsg: string;
}
export interface UpdatedInstanceFailure {
  affectedPath: string;
  paramErrs: ParameterError[];
}
export interface UpdatedInstanceResult {
  affectedPath: string;
  paramErrs: ParameterError[];
  updatedParams: Record<string, string>;
}
export type SetOperStatus =
  | { type: "operFailure"; errCode: number; errMsg: string; updatedInstFailures: UpdatedInstanceFailure[] }
  | { type: "operSuccess"; updatedInstResults: UpdatedInstanceResult[] };
export interface UpdatedObjectResult {
  requestedPath: string;
  operStatus: SetOperStatus;
}
export interface SetResp {
  updatedObjResults: UpdatedObjectResult[];
}

export type AddOperStatus =
  | { type: "operFailure"; errCode: number; errMsg: string }
  | {
      type: "operSuccess";
      instantiatedPath: string;
      paramErrs: ParameterError[];
      uniqueKeys: Record<string, string>;
    };
export interface AddResp {
  createdObjResults: { requestedPath: string; operStatus: AddOperStatus }[];
}

export interface UnaffectedPathError {
  unaffectedPath: string;
  errCode: number;
  errMsg: string;
}
export type DeleteOperStatus =
  | { type: "operFailure"; errCode: number; errMsg: string }
  | { type: "operSuccess"; affectedPaths: string[]; unaffectedPathErrs: UnaffectedPathError[] };
export interface DeleteResp {
  deletedObjResults: { requestedPath: string; operStatus: DeleteOperStatus }[];
}

export interface CurrInstance {
  instantiatedObjPath: string;
  uniqueKeys: Record<string, string>;
}
export interface GetInstancesResp {
  reqPathResults: { requestedPath: string; errCode: number; errMsg: string; currInsts: CurrInstance[] }[];
}

export type ObjAccessType = "OBJ_READ_ONLY" | "OBJ_ADD_DELETE" | "OBJ_ADD_ONLY" | "OBJ_DELETE_ONLY";
export type ParamAccessType = "PARAM_READ_ONLY" | "PARAM_READ_WRITE" | "PARAM_WRITE_ONLY";
export type ParamValueType =
  | "PARAM_UNKNOWN"
  | "PARAM_BASE_64"
  | "PARAM_BOOLEAN"
  | "PARAM_DATE_TIME"
  | "PARAM_DECIMAL"
  | "PARAM_HEX_BINARY"
  | "PARAM_INT"
  | "PARAM_LONG"
  | "PARAM_STRING"
  | "PARAM_UNSIGNED_INT"
  | "PARAM_UNSIGNED_LONG";
export type ValueChangeType = "VALUE_CHANGE_UNKNOWN" | "VALUE_CHANGE_ALLOWED" | "VALUE_CHANGE_WILL_IGNORE";
export type CmdType = "CMD_UNKNOWN" | "CMD_SYNC" | "CMD_ASYNC";

export interface SupportedParamResult {
  paramName: string;
  access: ParamAccessType;
  valueType: ParamValueType;
  valueChange: ValueChangeType;
}
export interface SupportedCommandResult {
  commandName: string;
  inputArgNames: string[];
  outputArgNames: string[];
  commandType: CmdType;
}
export interface SupportedEventResult {
  eventName: string;
  argNames: string[];
}
export interface SupportedObjectResult {
  supportedObjPath: string;
  access: ObjAccessType;
  isMultiInstance: boolean;
  supportedCommands: SupportedCommandResult[];
  supportedEvents: SupportedEventResult[];
  supportedParams: SupportedParamResult[];
  divergentPaths: string[];
  uniqueKeySets: { keyNames: string[] }[];
}
export interface GetSupportedDMResp {
  reqObjResults: {
    reqObjPath: string;
    errCode: number;
    errMsg: string;
    dataModelInstUri: string;
    supportedObjs: SupportedObjectResult[];
  }[];
}

export type OperationResultResp =
  | { type: "reqObjPath"; reqObjPath: string }
  | { type: "reqOutputArgs"; outputArgs: Record<string, string> }
  | { type: "cmdFailure"; errCode: number; errMsg: string };
export interface OperateResp {
  operationResults: { executedCommand: string; result: OperationResultResp }[];
}

export interface NotifyResp {
  subscriptionId: string;
}
export interface GetSupportedProtocolResp {
  agentSupportedProtocolVersions: string;
}

export type RegisterOperStatus =
  | { type: "operFailure"; errCode: number; errMsg: string }
  | { type: "operSuccess"; registeredPath: string };
export interface RegisterResp {
  registeredPathResults: { requestedPath: string; operStatus: RegisterOperStatus }[];
}
export type DeregisterOperStatus =
  | { type: "operFailure"; errCode: number; errMsg: string }
  | { type: "operSuccess"; deregisteredPath: string[] };
export interface DeregisterResp {
  deregisteredPathResults: { requestedPath: string; operStatus: DeregisterOperStatus }[];
}

export type Response =
  | { type: "getResp"; getResp: GetResp }
  | { type: "getSupportedDmResp"; getSupportedDmResp: GetSupportedDMResp }
  | { type: "getInstancesResp"; getInstancesResp: GetInstancesResp }
  | { type: "setResp"; setResp: SetResp }
  | { type: "addResp"; addResp: AddResp }
  | { type: "deleteResp"; deleteResp: DeleteResp }
  | { type: "operateResp"; operateResp: OperateResp }
  | { type: "notifyResp"; notifyResp: NotifyResp }
  | { type: "getSupportedProtocolResp"; getSupportedProtocolResp: GetSupportedProtocolResp }
  | { type: "registerResp"; registerResp: RegisterResp }
  | { type: "deregisterResp"; deregisterResp: DeregisterResp };

/** The USP Record envelope (usp-record-1-4.proto). Only the record types a
 * virtual agent sends or must recognise are modelled in full. */
export type RecordType =
  | { type: "noSessionContext"; payload: Uint8Array }
  | { type: "sessionContext"; sessionId: string; sequenceId: string; expectedId: string; payloads: Uint8Array[] }
  | { type: "websocketConnect" }
  | { type: "mqttConnect"; version: "V3_1_1" | "V5"; subscribedTopic: string }
  | { type: "stompConnect"; version: "V1_2"; subscribedDestination: string }
  | { type: "disconnect"; reason: string; reasonCode: number }
  | { type: "udsConnect" };

export interface UspRecord {
  version: string;
  toId: string;
  fromId: string;
  payloadSecurity: "PLAINTEXT" | "TLS12";
  recordType: RecordType;
}
