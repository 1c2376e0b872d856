// Msg (messages.ts) -> protobufjs plain object, the inverse of msg-decode.ts.
// Discriminated unions become the single set member of their oneof; proto3
// defaults are dropped later by encodePlain, so everything is written here.
import type * as M from "./messages.js";
import type { Plain } from "./proto.js";

const failure = (f: { errCode: number; errMsg: string }): Plain => ({ errCode: f.errCode, errMsg: f.errMsg });

const paramErrors = (errs: M.ParameterError[]): Plain[] =>
  errs.map((e) => ({ param: e.param, errCode: e.errCode, errMsg: e.errMsg }));

const settings = (s: M.SetParamSetting[]): Plain[] => s.map((p) => ({ param: p.param, value: p.value, required: p.required }));

function operationComplete(o: M.OperationComplete): Plain {
  const base: Plain = { objPath: o.objPath, commandName: o.commandName, commandKey: o.commandKey };
  switch (o.result.type) {
    case "reqOutputArgs":
      return { ...base, reqOutputArgs: { outputArgs: o.result.outputArgs } };
    case "cmdFailure":
      return { ...base, cmdFailure: failure(o.result) };
  }
}

function notification(n: M.Notification): Plain {
  switch (n.type) {
    case "event":
      return { event: { ...n.event } };
    case "valueChange":
      return { valueChange: { ...n.valueChange } };
    case "objCreation":
      return { objCreation: { ...n.objCreation } };
    case "objDeletion":
      return { objDeletion: { ...n.objDeletion } };
    case "operComplete":
      return { operComplete: operationComplete(n.operComplete) };
    case "onBoardReq":
      return { onBoardReq: { ...n.onBoardReq } };
  }
}

function request(r: M.Request): Plain {
  switch (r.type) {
    case "get":
      return { get: { ...r.get } };
    case "getSupportedDm":
      return { getSupportedDm: { ...r.getSupportedDm } };
    case "getInstances":
      return { getInstances: { ...r.getInstances } };
    case "set":
      return {
        set: {
          allowPartial: r.set.allowPartial,
          updateObjs: r.set.updateObjs.map((u) => ({ objPath: u.objPath, paramSettings: settings(u.paramSettings) })),
        },
      };
    case "add":
      return {
        add: {
          allowPartial: r.add.allowPartial,
          createObjs: r.add.createObjs.map((c) => ({ objPath: c.objPath, paramSettings: settings(c.paramSettings) })),
        },
      };
    case "delete":
      return { delete: { ...r.delete } };
    case "operate":
      return { operate: { ...r.operate } };
    case "notify":
      return {
        notify: {
          subscriptionId: r.notify.subscriptionId,
          sendResp: r.notify.sendResp,
          ...notification(r.notify.notification),
        },
      };
    case "getSupportedProtocol":
      return { getSupportedProtocol: { ...r.getSupportedProtocol } };
    case "register":
      return { register: { allowPartial: r.register.allowPartial, regPaths: r.register.regPaths.map((p) => ({ path: p.path })) } };
    case "deregister":
      return { deregister: { paths: r.deregister.paths } };
  }
}

/** OperationStatus for Add/Delete/Register/Deregister/Set: the failure and
 * success members both carry everything except the discriminant. */
function operStatus(s: { type: "operFailure" | "operSuccess" }): Plain {
  const { type, ...rest } = s;
  return { operStatus: { [type]: rest } };
}

function setOperStatus(s: M.SetOperStatus): Plain {
  switch (s.type) {
    case "operFailure":
      return {
        operStatus: {
          operFailure: {
            ...failure(s),
            updatedInstFailures: s.updatedInstFailures.map((f) => ({
              affectedPath: f.affectedPath,
              paramErrs: paramErrors(f.paramErrs),
            })),
          },
        },
      };
    case "operSuccess":
      return {
        operStatus: {
          operSuccess: {
            updatedInstResults: s.updatedInstResults.map((u) => ({
              affectedPath: u.affectedPath,
              paramErrs: paramErrors(u.paramErrs),
              updatedParams: u.updatedParams,
            })),
          },
        },
      };
  }
}

function supportedObj(s: M.SupportedObjectResult): Plain {
  return {
    ...s,
    supportedCommands: s.supportedCommands.map((c) => ({ ...c })),
    supportedEvents: s.supportedEvents.map((e) => ({ ...e })),
    supportedParams: s.supportedParams.map((p) => ({ ...p })),
    uniqueKeySets: s.uniqueKeySets.map((k) => ({ keyNames: k.keyNames })),
  };
}

function operationResult(o: M.OperateResp["operationResults"][number]): Plain {
  const base: Plain = { executedCommand: o.executedCommand };
  switch (o.result.type) {
    case "reqObjPath":
      return { ...base, reqObjPath: o.result.reqObjPath };
    case "reqOutputArgs":
      return { ...base, reqOutputArgs: { outputArgs: o.result.outputArgs } };
    case "cmdFailure":
      return { ...base, cmdFailure: failure(o.result) };
  }
}

function response(r: M.Response): Plain {
  switch (r.type) {
    case "getResp":
      return {
        getResp: {
          reqPathResults: r.getResp.reqPathResults.map((p) => ({
            ...p,
            resolvedPathResults: p.resolvedPathResults.map((x) => ({ ...x })),
          })),
        },
      };
    case "getSupportedDmResp":
      return {
        getSupportedDmResp: {
          reqObjResults: r.getSupportedDmResp.reqObjResults.map((x) => ({ ...x, supportedObjs: x.supportedObjs.map(supportedObj) })),
        },
      };
    case "getInstancesResp":
      return {
        getInstancesResp: {
          reqPathResults: r.getInstancesResp.reqPathResults.map((p) => ({ ...p, currInsts: p.currInsts.map((c) => ({ ...c })) })),
        },
      };
    case "setResp":
      return {
        setResp: {
          updatedObjResults: r.setResp.updatedObjResults.map((u) => ({ requestedPath: u.requestedPath, ...setOperStatus(u.operStatus) })),
        },
      };
    case "addResp":
      return {
        addResp: {
          createdObjResults: r.addResp.createdObjResults.map((c) => {
            const s = c.operStatus;
            const status = s.type === "operSuccess" ? { ...s, paramErrs: paramErrors(s.paramErrs) } : s;
            return { requestedPath: c.requestedPath, ...operStatus(status) };
          }),
        },
      };
    case "deleteResp":
      return {
        deleteResp: {
          deletedObjResults: r.deleteResp.deletedObjResults.map((d) => {
            const s = d.operStatus;
            const status = s.type === "operSuccess" ? { ...s, unaffectedPathErrs: s.unaffectedPathErrs.map((e) => ({ ...e })) } : s;
            return { requestedPath: d.requestedPath, ...operStatus(status) };
          }),
        },
      };
    case "operateResp":
      return { operateResp: { operationResults: r.operateResp.operationResults.map(operationResult) } };
    case "notifyResp":
      return { notifyResp: { ...r.notifyResp } };
    case "getSupportedProtocolResp":
      return { getSupportedProtocolResp: { ...r.getSupportedProtocolResp } };
    case "registerResp":
      return {
        registerResp: {
          registeredPathResults: r.registerResp.registeredPathResults.map((x) => ({
            requestedPath: x.requestedPath,
            ...operStatus(x.operStatus),
          })),
        },
      };
    case "deregisterResp":
      return {
        deregisterResp: {
          deregisteredPathResults: r.deregisterResp.deregisteredPathResults.map((x) => ({
            requestedPath: x.requestedPath,
            ...operStatus(x.operStatus),
          })),
        },
      };
  }
}

function body(b: M.Body): Plain {
  switch (b.kind) {
    case "request":
      return { request: request(b.request) };
    case "response":
      return { response: response(b.response) };
    case "error":
      return {
        error: {
          ...failure(b.error),
          paramErrs: b.error.paramErrs.map((e) => ({ paramPath: e.paramPath, errCode: e.errCode, errMsg: e.errMsg })),
        },
      };
  }
}

/** The plain form of a whole usp.Msg. */
export function msgToPlain(msg: M.Msg): Plain {
  return { header: { msgId: msg.header.msgId, msgType: msg.header.msgType }, body: body(msg.body) };
}
