// protobufjs plain object -> Msg (messages.ts). Oneofs become discriminated
// unions here; an unset oneof or unknown enum throws PlainShapeError, which
// decode.ts turns into a result value (R-ENC.2, R-ENC.5).
import type * as M from "./messages.js";
import type { Plain } from "./proto.js";
import { PlainShapeError, bool, enumName, list, num, oneof, str, strMap, strs, sub } from "./msg-plain.js";

const REQUEST_MSG_TYPE: Record<M.Request["type"], M.MsgType> = {
  get: "GET",
  getSupportedDm: "GET_SUPPORTED_DM",
  getInstances: "GET_INSTANCES",
  set: "SET",
  add: "ADD",
  delete: "DELETE",
  operate: "OPERATE",
  notify: "NOTIFY",
  getSupportedProtocol: "GET_SUPPORTED_PROTO",
  register: "REGISTER",
  deregister: "DEREGISTER",
};

const RESPONSE_MSG_TYPE: Record<M.Response["type"], M.MsgType> = {
  getResp: "GET_RESP",
  getSupportedDmResp: "GET_SUPPORTED_DM_RESP",
  getInstancesResp: "GET_INSTANCES_RESP",
  setResp: "SET_RESP",
  addResp: "ADD_RESP",
  deleteResp: "DELETE_RESP",
  operateResp: "OPERATE_RESP",
  notifyResp: "NOTIFY_RESP",
  getSupportedProtocolResp: "GET_SUPPORTED_PROTO_RESP",
  registerResp: "REGISTER_RESP",
  deregisterResp: "DEREGISTER_RESP",
};

/** The msg_type that matches a body. R-MSG.10: msg_type is informational and
 * the body wins, so a decoded header always carries this value. */
export function msgTypeForBody(body: M.Body): M.MsgType {
  switch (body.kind) {
    case "request":
      return REQUEST_MSG_TYPE[body.request.type];
    case "response":
      return RESPONSE_MSG_TYPE[body.response.type];
    case "error":
      return "ERROR";
  }
}

const failure = (o: Plain): { errCode: number; errMsg: string } => ({
  errCode: num(o, "errCode"),
  errMsg: str(o, "errMsg"),
});

const paramErrors = (o: Plain, key: string): M.ParameterError[] =>
  list(o, key).map((e) => ({ param: str(e, "param"), ...failure(e) }));

function uspError(o: Plain): M.UspError {
  return {
    ...failure(o),
    paramErrs: list(o, "paramErrs").map((e) => ({ paramPath: str(e, "paramPath"), ...failure(e) })),
  };
}

// ---- requests -----------------------------------------------------------

const settings = (o: Plain): M.SetParamSetting[] =>
  list(o, "paramSettings").map((s) => ({ param: str(s, "param"), value: str(s, "value"), required: bool(s, "required") }));

function operationComplete(o: Plain): M.OperationComplete {
  const base = { objPath: str(o, "objPath"), commandName: str(o, "commandName"), commandKey: str(o, "commandKey") };
  const which = oneof(o, "operationResp");
  switch (which) {
    case "reqOutputArgs":
      return { ...base, result: { type: "reqOutputArgs", outputArgs: strMap(sub(o, which), "outputArgs") } };
    case "cmdFailure":
      return { ...base, result: { type: "cmdFailure", ...failure(sub(o, which)) } };
  }
  throw new PlainShapeError(`OperationComplete: unexpected oneof member ${which}`);
}

function notification(o: Plain): M.Notification {
  const which = oneof(o, "notification");
  const n = (): Plain => sub(o, which);
  switch (which) {
    case "event":
      return { type: "event", event: { objPath: str(n(), "objPath"), eventName: str(n(), "eventName"), params: strMap(n(), "params") } };
    case "valueChange":
      return { type: "valueChange", valueChange: { paramPath: str(n(), "paramPath"), paramValue: str(n(), "paramValue") } };
    case "objCreation":
      return { type: "objCreation", objCreation: { objPath: str(n(), "objPath"), uniqueKeys: strMap(n(), "uniqueKeys") } };
    case "objDeletion":
      return { type: "objDeletion", objDeletion: { objPath: str(n(), "objPath") } };
    case "operComplete":
      return { type: "operComplete", operComplete: operationComplete(n()) };
    case "onBoardReq":
      return {
        type: "onBoardReq",
        onBoardReq: {
          oui: str(n(), "oui"),
          productClass: str(n(), "productClass"),
          serialNumber: str(n(), "serialNumber"),
          agentSupportedProtocolVersions: str(n(), "agentSupportedProtocolVersions"),
        },
      };
  }
  throw new PlainShapeError(`Notify: unexpected oneof member ${which}`);
}

function request(o: Plain): M.Request {
  const which = oneof(o, "reqType");
  const r = sub(o, which);
  switch (which) {
    case "get":
      return { type: "get", get: { paramPaths: strs(r, "paramPaths"), maxDepth: num(r, "maxDepth") } };
    case "getSupportedDm":
      return {
        type: "getSupportedDm",
        getSupportedDm: {
          objPaths: strs(r, "objPaths"),
          firstLevelOnly: bool(r, "firstLevelOnly"),
          returnCommands: bool(r, "returnCommands"),
          returnEvents: bool(r, "returnEvents"),
          returnParams: bool(r, "returnParams"),
          returnUniqueKeySets: bool(r, "returnUniqueKeySets"),
        },
      };
    case "getInstances":
      return { type: "getInstances", getInstances: { objPaths: strs(r, "objPaths"), firstLevelOnly: bool(r, "firstLevelOnly") } };
    case "set":
      return {
        type: "set",
        set: {
          allowPartial: bool(r, "allowPartial"),
          updateObjs: list(r, "updateObjs").map((u) => ({ objPath: str(u, "objPath"), paramSettings: settings(u) })),
        },
      };
    case "add":
      return {
        type: "add",
        add: {
          allowPartial: bool(r, "allowPartial"),
          createObjs: list(r, "createObjs").map((c) => ({ objPath: str(c, "objPath"), paramSettings: settings(c) })),
        },
      };
    case "delete":
      return { type: "delete", delete: { allowPartial: bool(r, "allowPartial"), objPaths: strs(r, "objPaths") } };
    case "operate":
      return {
        type: "operate",
        operate: {
          command: str(r, "command"),
          commandKey: str(r, "commandKey"),
          sendResp: bool(r, "sendResp"),
          inputArgs: strMap(r, "inputArgs"),
        },
      };
    case "notify":
      return {
        type: "notify",
        notify: { subscriptionId: str(r, "subscriptionId"), sendResp: bool(r, "sendResp"), notification: notification(r) },
      };
    case "getSupportedProtocol":
      return {
        type: "getSupportedProtocol",
        getSupportedProtocol: { controllerSupportedProtocolVersions: str(r, "controllerSupportedProtocolVersions") },
      };
    case "register":
      return {
        type: "register",
        register: { allowPartial: bool(r, "allowPartial"), regPaths: list(r, "regPaths").map((p) => ({ path: str(p, "path") })) },
      };
    case "deregister":
      return { type: "deregister", deregister: { paths: strs(r, "paths") } };
  }
  throw new PlainShapeError(`Request: unexpected oneof member ${which}`);
}

// ---- responses ----------------------------------------------------------

/** Reads an OperationStatus oneof, handing the chosen member to a builder. */
function operStatus<T>(o: Plain, onFailure: (f: Plain) => T, onSuccess: (s: Plain) => T): T {
  const status = sub(o, "operStatus");
  const which = oneof(status, "operStatus");
  if (which === "operFailure") return onFailure(sub(status, which));
  if (which === "operSuccess") return onSuccess(sub(status, which));
  throw new PlainShapeError(`OperationStatus: unexpected oneof member ${which}`);
}

const simpleFailure = (f: Plain): { type: "operFailure"; errCode: number; errMsg: string } => ({ type: "operFailure", ...failure(f) });

function supportedObj(s: Plain): M.SupportedObjectResult {
  return {
    supportedObjPath: str(s, "supportedObjPath"),
    access: enumName(s, "access", ["OBJ_READ_ONLY", "OBJ_ADD_DELETE", "OBJ_ADD_ONLY", "OBJ_DELETE_ONLY"] as const),
    isMultiInstance: bool(s, "isMultiInstance"),
    supportedCommands: list(s, "supportedCommands").map((c) => ({
      commandName: str(c, "commandName"),
      inputArgNames: strs(c, "inputArgNames"),
      outputArgNames: strs(c, "outputArgNames"),
      commandType: enumName(c, "commandType", ["CMD_UNKNOWN", "CMD_SYNC", "CMD_ASYNC"] as const),
    })),
    supportedEvents: list(s, "supportedEvents").map((e) => ({ eventName: str(e, "eventName"), argNames: strs(e, "argNames") })),
    supportedParams: list(s, "supportedParams").map((p) => ({
      paramName: str(p, "paramName"),
      access: enumName(p, "access", ["PARAM_READ_ONLY", "PARAM_READ_WRITE", "PARAM_WRITE_ONLY"] as const),
      valueType: enumName(p, "valueType", PARAM_VALUE_TYPES),
      valueChange: enumName(p, "valueChange", ["VALUE_CHANGE_UNKNOWN", "VALUE_CHANGE_ALLOWED", "VALUE_CHANGE_WILL_IGNORE"] as const),
    })),
    divergentPaths: strs(s, "divergentPaths"),
    uniqueKeySets: list(s, "uniqueKeySets").map((k) => ({ keyNames: strs(k, "keyNames") })),
  };
}

const PARAM_VALUE_TYPES: readonly M.ParamValueType[] = [
  "PARAM_UNKNOWN",
  "PARAM_BASE_64",
  "PARAM_BOOLEAN",
  "PARAM_DATE_TIME",
  "PARAM_DECIMAL",
  "PARAM_HEX_BINARY",
  "PARAM_INT",
  "PARAM_LONG",
  "PARAM_STRING",
  "PARAM_UNSIGNED_INT",
  "PARAM_UNSIGNED_LONG",
];

function operationResult(o: Plain): M.OperateResp["operationResults"][number] {
  const executedCommand = str(o, "executedCommand");
  const which = oneof(o, "operationResp");
  switch (which) {
    case "reqObjPath":
      return { executedCommand, result: { type: "reqObjPath", reqObjPath: str(o, which) } };
    case "reqOutputArgs":
      return { executedCommand, result: { type: "reqOutputArgs", outputArgs: strMap(sub(o, which), "outputArgs") } };
    case "cmdFailure":
      return { executedCommand, result: { type: "cmdFailure", ...failure(sub(o, which)) } };
  }
  throw new PlainShapeError(`OperationResult: unexpected oneof member ${which}`);
}

function response(o: Plain): M.Response {
  const which = oneof(o, "respType");
  const r = sub(o, which);
  switch (which) {
    case "getResp":
      return {
        type: "getResp",
        getResp: {
          reqPathResults: list(r, "reqPathResults").map((p) => ({
            requestedPath: str(p, "requestedPath"),
            ...failure(p),
            resolvedPathResults: list(p, "resolvedPathResults").map((x) => ({
              resolvedPath: str(x, "resolvedPath"),
              resultParams: strMap(x, "resultParams"),
            })),
          })),
        },
      };
    case "getSupportedDmResp":
      return {
        type: "getSupportedDmResp",
        getSupportedDmResp: {
          reqObjResults: list(r, "reqObjResults").map((x) => ({
            reqObjPath: str(x, "reqObjPath"),
            ...failure(x),
            dataModelInstUri: str(x, "dataModelInstUri"),
            supportedObjs: list(x, "supportedObjs").map(supportedObj),
          })),
        },
      };
    case "getInstancesResp":
      return {
        type: "getInstancesResp",
        getInstancesResp: {
          reqPathResults: list(r, "reqPathResults").map((p) => ({
            requestedPath: str(p, "requestedPath"),
            ...failure(p),
            currInsts: list(p, "currInsts").map((c) => ({
              instantiatedObjPath: str(c, "instantiatedObjPath"),
              uniqueKeys: strMap(c, "uniqueKeys"),
            })),
          })),
        },
      };
    case "setResp":
      return {
        type: "setResp",
        setResp: {
          updatedObjResults: list(r, "updatedObjResults").map((u) => ({
            requestedPath: str(u, "requestedPath"),
            operStatus: operStatus<M.SetOperStatus>(
              u,
              (f) => ({
                type: "operFailure",
                ...failure(f),
                updatedInstFailures: list(f, "updatedInstFailures").map((x) => ({
                  affectedPath: str(x, "affectedPath"),
                  paramErrs: paramErrors(x, "paramErrs"),
                })),
              }),
              (s) => ({
                type: "operSuccess",
                updatedInstResults: list(s, "updatedInstResults").map((x) => ({
                  affectedPath: str(x, "affectedPath"),
                  paramErrs: paramErrors(x, "paramErrs"),
                  updatedParams: strMap(x, "updatedParams"),
                })),
              }),
            ),
          })),
        },
      };
    case "addResp":
      return {
        type: "addResp",
        addResp: {
          createdObjResults: list(r, "createdObjResults").map((c) => ({
            requestedPath: str(c, "requestedPath"),
            operStatus: operStatus<M.AddOperStatus>(c, simpleFailure, (s) => ({
              type: "operSuccess",
              instantiatedPath: str(s, "instantiatedPath"),
              paramErrs: paramErrors(s, "paramErrs"),
              uniqueKeys: strMap(s, "uniqueKeys"),
            })),
          })),
        },
      };
    case "deleteResp":
      return {
        type: "deleteResp",
        deleteResp: {
          deletedObjResults: list(r, "deletedObjResults").map((d) => ({
            requestedPath: str(d, "requestedPath"),
            operStatus: operStatus<M.DeleteOperStatus>(d, simpleFailure, (s) => ({
              type: "operSuccess",
              affectedPaths: strs(s, "affectedPaths"),
              unaffectedPathErrs: list(s, "unaffectedPathErrs").map((e) => ({
                unaffectedPath: str(e, "unaffectedPath"),
                ...failure(e),
              })),
            })),
          })),
        },
      };
    case "operateResp":
      return { type: "operateResp", operateResp: { operationResults: list(r, "operationResults").map(operationResult) } };
    case "notifyResp":
      return { type: "notifyResp", notifyResp: { subscriptionId: str(r, "subscriptionId") } };
    case "getSupportedProtocolResp":
      return {
        type: "getSupportedProtocolResp",
        getSupportedProtocolResp: { agentSupportedProtocolVersions: str(r, "agentSupportedProtocolVersions") },
      };
    case "registerResp":
      return {
        type: "registerResp",
        registerResp: {
          registeredPathResults: list(r, "registeredPathResults").map((x) => ({
            requestedPath: str(x, "requestedPath"),
            operStatus: operStatus<M.RegisterOperStatus>(x, simpleFailure, (s) => ({
              type: "operSuccess",
              registeredPath: str(s, "registeredPath"),
            })),
          })),
        },
      };
    case "deregisterResp":
      return {
        type: "deregisterResp",
        deregisterResp: {
          deregisteredPathResults: list(r, "deregisteredPathResults").map((x) => ({
            requestedPath: str(x, "requestedPath"),
            operStatus: operStatus<M.DeregisterOperStatus>(x, simpleFailure, (s) => ({
              type: "operSuccess",
              deregisteredPath: strs(s, "deregisteredPath"),
            })),
          })),
        },
      };
  }
  throw new PlainShapeError(`Response: unexpected oneof member ${which}`);
}

/** Converts the body of a decoded usp.Msg. Throws PlainShapeError. */
export function plainToBody(body: Plain): M.Body {
  const which = oneof(body, "msgBody");
  switch (which) {
    case "request":
      return { kind: "request", request: request(sub(body, which)) };
    case "response":
      return { kind: "response", response: response(sub(body, which)) };
    case "error":
      return { kind: "error", error: uspError(sub(body, which)) };
  }
  throw new PlainShapeError(`Body: unexpected oneof member ${which}`);
}
