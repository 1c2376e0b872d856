// Readable text for what a USP controller receives: one renderer per
// response type, an Error, a Notify. Pure (values in, lines out) so the
// controller CLI and the demo print the same thing and tests can compare text.
import type {
  AddResp,
  DeleteResp,
  GetInstancesResp,
  GetResp,
  GetSupportedDMResp,
  Msg,
  Notify,
  OperateResp,
  ParameterError,
  Response,
  SetResp,
  SupportedObjectResult,
  UspError,
} from "../usp/messages.js";

const INDENT = "  ";

/** The lines a controller operator wants to see for a received Msg. */
export function formatMsg(msg: Msg): string[] {
  switch (msg.body.kind) {
    case "response":
      return formatResponse(msg.body.response);
    case "error":
      return formatError(msg.body.error);
    case "request":
      return msg.body.request.type === "notify" ? [formatNotify(msg.body.request.notify)] : [`${msg.header.msgType} request (not expected by a controller)`];
  }
}

export function formatError(error: UspError): string[] {
  return [`USP Error ${error.errCode}: ${error.errMsg}`, ...error.paramErrs.map((p) => `${INDENT}${p.paramPath}  error ${p.errCode}: ${p.errMsg}`)];
}

export function formatResponse(response: Response): string[] {
  switch (response.type) {
    case "getResp":
      return formatGetResp(response.getResp);
    case "setResp":
      return formatSetResp(response.setResp);
    case "addResp":
      return formatAddResp(response.addResp);
    case "deleteResp":
      return formatDeleteResp(response.deleteResp);
    case "getInstancesResp":
      return formatGetInstancesResp(response.getInstancesResp);
    case "getSupportedDmResp":
      return formatSupportedDmResp(response.getSupportedDmResp);
    case "operateResp":
      return formatOperateResp(response.operateResp);
    case "getSupportedProtocolResp":
      return [`agent supports USP ${response.getSupportedProtocolResp.agentSupportedProtocolVersions}`];
    case "notifyResp":
      return [`NotifyResp for subscription ${response.notifyResp.subscriptionId}`];
    case "registerResp":
      return response.registerResp.registeredPathResults.map((r) =>
        r.operStatus.type === "operSuccess" ? `${r.requestedPath}  registered ${r.operStatus.registeredPath}` : `${r.requestedPath}  failed ${r.operStatus.errCode}: ${r.operStatus.errMsg}`,
      );
    case "deregisterResp":
      return response.deregisterResp.deregisteredPathResults.map((r) =>
        r.operStatus.type === "operSuccess" ? `${r.requestedPath}  deregistered ${r.operStatus.deregisteredPath.join(", ")}` : `${r.requestedPath}  failed ${r.operStatus.errCode}: ${r.operStatus.errMsg}`,
      );
  }
}

function formatGetResp(resp: GetResp): string[] {
  const lines: string[] = [];
  for (const result of resp.reqPathResults) {
    if (result.errCode !== 0) {
      lines.push(`${result.requestedPath}  error ${result.errCode}: ${result.errMsg}`);
      continue;
    }
    lines.push(result.requestedPath);
    const values = result.resolvedPathResults.flatMap((r) => Object.entries(r.resultParams).map(([name, value]) => `${INDENT}${r.resolvedPath}${name} = ${value}`));
    // An object path may resolve to objects without parameters of their own (max_depth, empty tables).
    if (values.length === 0) lines.push(...(result.resolvedPathResults.length === 0 ? [`${INDENT}(nothing there)`] : result.resolvedPathResults.map((r) => `${INDENT}${r.resolvedPath}`)));
    else lines.push(...values);
  }
  return lines;
}

function paramErrLines(errs: ParameterError[], prefix: string): string[] {
  return errs.map((e) => `${INDENT}${prefix}${e.param}  error ${e.errCode}: ${e.errMsg}`);
}

function formatSetResp(resp: SetResp): string[] {
  const lines: string[] = [];
  for (const obj of resp.updatedObjResults) {
    const status = obj.operStatus;
    if (status.type === "operFailure") {
      lines.push(`${obj.requestedPath}  failed ${status.errCode}: ${status.errMsg}`);
      for (const f of status.updatedInstFailures) lines.push(...paramErrLines(f.paramErrs, f.affectedPath));
      continue;
    }
    lines.push(`${obj.requestedPath}  set`);
    for (const inst of status.updatedInstResults) {
      for (const [name, value] of Object.entries(inst.updatedParams)) lines.push(`${INDENT}${inst.affectedPath}${name} = ${value}`);
      lines.push(...paramErrLines(inst.paramErrs, inst.affectedPath));
    }
  }
  return lines;
}

function keyList(keys: Record<string, string>): string {
  return Object.entries(keys)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

function formatAddResp(resp: AddResp): string[] {
  const lines: string[] = [];
  for (const obj of resp.createdObjResults) {
    const status = obj.operStatus;
    if (status.type === "operFailure") {
      lines.push(`${obj.requestedPath}  failed ${status.errCode}: ${status.errMsg}`);
      continue;
    }
    lines.push(`${obj.requestedPath}  created ${status.instantiatedPath}`);
    if (Object.keys(status.uniqueKeys).length > 0) lines.push(`${INDENT}unique keys: ${keyList(status.uniqueKeys)}`);
    lines.push(...paramErrLines(status.paramErrs, status.instantiatedPath));
  }
  return lines;
}

function formatDeleteResp(resp: DeleteResp): string[] {
  const lines: string[] = [];
  for (const obj of resp.deletedObjResults) {
    const status = obj.operStatus;
    if (status.type === "operFailure") {
      lines.push(`${obj.requestedPath}  failed ${status.errCode}: ${status.errMsg}`);
      continue;
    }
    lines.push(status.affectedPaths.length === 0 ? `${obj.requestedPath}  nothing to delete` : `${obj.requestedPath}  deleted`);
    for (const path of status.affectedPaths) lines.push(`${INDENT}${path}`);
    for (const e of status.unaffectedPathErrs) lines.push(`${INDENT}${e.unaffectedPath}  error ${e.errCode}: ${e.errMsg}`);
  }
  return lines;
}

function formatGetInstancesResp(resp: GetInstancesResp): string[] {
  const lines: string[] = [];
  for (const result of resp.reqPathResults) {
    if (result.errCode !== 0) {
      lines.push(`${result.requestedPath}  error ${result.errCode}: ${result.errMsg}`);
      continue;
    }
    lines.push(result.currInsts.length === 0 ? `${result.requestedPath}  (no instances)` : result.requestedPath);
    for (const inst of result.currInsts) {
      const keys = keyList(inst.uniqueKeys);
      lines.push(`${INDENT}${inst.instantiatedObjPath}${keys === "" ? "" : `  ${keys}`}`);
    }
  }
  return lines;
}

const ACCESS: Record<string, string> = {
  OBJ_READ_ONLY: "read-only",
  OBJ_ADD_DELETE: "add/delete",
  OBJ_ADD_ONLY: "add only",
  OBJ_DELETE_ONLY: "delete only",
  PARAM_READ_ONLY: "read-only",
  PARAM_READ_WRITE: "read-write",
  PARAM_WRITE_ONLY: "write-only",
};

function supportedObjectLines(obj: SupportedObjectResult): string[] {
  const kind = obj.isMultiInstance ? "table" : "object";
  const lines = [`${INDENT}${obj.supportedObjPath}  ${kind}, ${ACCESS[obj.access] ?? obj.access}`];
  for (const p of obj.supportedParams) {
    lines.push(`${INDENT}${INDENT}${p.paramName}  ${p.valueType.replace(/^PARAM_/, "").toLowerCase()}, ${ACCESS[p.access] ?? p.access}`);
  }
  for (const c of obj.supportedCommands) {
    const args = `in: ${c.inputArgNames.join(", ") || "-"}; out: ${c.outputArgNames.join(", ") || "-"}`;
    lines.push(`${INDENT}${INDENT}${c.commandName}  command ${c.commandType.replace(/^CMD_/, "").toLowerCase()} (${args})`);
  }
  for (const e of obj.supportedEvents) lines.push(`${INDENT}${INDENT}${e.eventName}  event (args: ${e.argNames.join(", ") || "-"})`);
  for (const k of obj.uniqueKeySets) lines.push(`${INDENT}${INDENT}unique key: ${k.keyNames.join(" + ")}`);
  return lines;
}

function formatSupportedDmResp(resp: GetSupportedDMResp): string[] {
  const lines: string[] = [];
  for (const result of resp.reqObjResults) {
    if (result.errCode !== 0) {
      lines.push(`${result.reqObjPath}  error ${result.errCode}: ${result.errMsg}`);
      continue;
    }
    lines.push(result.dataModelInstUri === "" ? result.reqObjPath : `${result.reqObjPath}  (${result.dataModelInstUri})`);
    for (const obj of result.supportedObjs) lines.push(...supportedObjectLines(obj));
  }
  return lines;
}

function formatOperateResp(resp: OperateResp): string[] {
  const lines: string[] = [];
  for (const op of resp.operationResults) {
    const result = op.result;
    switch (result.type) {
      case "reqObjPath":
        lines.push(`${op.executedCommand}  running as ${result.reqObjPath}`);
        break;
      case "reqOutputArgs":
        lines.push(`${op.executedCommand}  done`);
        for (const [name, value] of Object.entries(result.outputArgs)) lines.push(`${INDENT}${name} = ${value}`);
        break;
      case "cmdFailure":
        lines.push(`${op.executedCommand}  failed ${result.errCode}: ${result.errMsg}`);
        break;
    }
  }
  return lines;
}

function spaced(text: string): string {
  return text === "" ? "" : ` ${text}`;
}

/** One line per notification. */
export function formatNotify(notify: Notify): string {
  const n = notify.notification;
  const tail = `(subscription ${notify.subscriptionId})`;
  switch (n.type) {
    case "valueChange":
      return `ValueChange ${n.valueChange.paramPath} = ${n.valueChange.paramValue}  ${tail}`;
    case "objCreation":
      return `ObjectCreation ${n.objCreation.objPath}${spaced(keyList(n.objCreation.uniqueKeys))}  ${tail}`;
    case "objDeletion":
      return `ObjectDeletion ${n.objDeletion.objPath}  ${tail}`;
    case "event":
      return `Event ${n.event.objPath}${n.event.eventName}${spaced(keyList(n.event.params))}  ${tail}`;
    case "operComplete": {
      const r = n.operComplete.result;
      const outcome = r.type === "cmdFailure" ? `failed ${r.errCode}: ${r.errMsg}` : `done${spaced(keyList(r.outputArgs))}`;
      return `OperationComplete ${n.operComplete.objPath}${n.operComplete.commandName} (key ${n.operComplete.commandKey}) ${outcome}  ${tail}`;
    }
    case "onBoardReq":
      return `OnBoardRequest ${n.onBoardReq.oui}-${n.onBoardReq.productClass}-${n.onBoardReq.serialNumber} USP ${n.onBoardReq.agentSupportedProtocolVersions}  ${tail}`;
  }
}
