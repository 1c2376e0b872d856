// How an async command ends, from what the CPE reports (pure): a
// TransferComplete (TR-069 A.4.1.3: FaultStruct 0 = success), a
// DUStateChangeComplete (A.4.1.15, one OpResultStruct per operation), the
// diagnostics results read back after "8 DIAGNOSTICS COMPLETE" (TR-181
// DiagnosticsState and result parameters, renamed to the USP output
// arguments), and the image running after Activate()'s reboot. The result is
// what goes into the OperationComplete notification.
import type { DUStateChangeComplete, ParameterValue, RpcOutcome, TransferComplete } from "../cwmp/rpc.js";
import { USP_ERR } from "../usp/errors.js";
import { supportedPathOf, type CommandKind, type CommandSpec } from "./commands.js";
import { mapFault } from "./faults.js";

export type CommandResult = { type: "reqOutputArgs"; outputArgs: Record<string, string> } | { type: "cmdFailure"; errCode: number; errMsg: string };

export function success(outputArgs: Record<string, string> = {}): CommandResult {
  return { type: "reqOutputArgs", outputArgs };
}

export function commandFailure(errCode: number, errMsg: string): CommandResult {
  return { type: "cmdFailure", errCode, errMsg };
}

/** Download() closed by its TransferComplete; a transfer fault (9010-9020) is
 * a 7022 carrying the CPE's text. */
export function transferResult(tc: TransferComplete): CommandResult {
  if (tc.faultStruct.faultCode === 0) return success();
  const m = mapFault(tc.faultStruct, "operate");
  return commandFailure(m.errCode, m.errMsg);
}

/** InstallDU()/Update()/Uninstall() closed by DUStateChangeComplete: one
 * operation was sent, so its first result is the command's. InstallDU()
 * reports UUID and Version, and ExecEnvRef as asked for (the result struct has
 * no execution environment). */
export function duStateChangeResult(kind: CommandKind, complete: DUStateChangeComplete, execEnvRef: string | undefined): CommandResult {
  const result = complete.results[0];
  if (result === undefined) return commandFailure(USP_ERR.COMMAND_FAILURE, "DUStateChangeComplete carried no result");
  if (result.fault.faultCode !== 0) {
    const m = mapFault(result.fault, "operate");
    return commandFailure(m.errCode, m.errMsg);
  }
  if (result.currentState === "Failed") return commandFailure(USP_ERR.COMMAND_FAILURE, `the deployment unit ${result.uuid} is in state Failed`);
  if (kind !== "installDu") return success();
  return success({ UUID: result.uuid, Version: result.version, ExecEnvRef: execEnvRef ?? "" });
}

/** InstallDU()'s ExecEnvRef when the controller named none: the new
 * DeploymentUnit's ExecutionEnvRef, read back (empty if unreadable). */
export function withExecEnvRef(result: CommandResult, outcome: RpcOutcome): CommandResult {
  if (result.type !== "reqOutputArgs") return result;
  const value = outcome.ok && outcome.response.method === "GetParameterValuesResponse" ? (outcome.response.parameterList[0]?.value ?? "") : "";
  return success({ ...result.outputArgs, ExecEnvRef: value.replace(/\.$/, "") });
}

export type DiagnosticsOutcome = { kind: "running" } | { kind: "done"; result: CommandResult };

/** The diagnostics command from a GetParameterValues of its object (e.g.
 * "Device.IP.Diagnostics.IPPing."): still Requested → running (the "8
 * DIAGNOSTICS COMPLETE" was another test's); Complete → every output argument
 * the CPE has; an Error_* state → Status only (TR-181: other results are then
 * indeterminate); None or Canceled → the test was stopped (7022). */
export function diagnosticsResult(spec: CommandSpec, obj: string, outcome: RpcOutcome): DiagnosticsOutcome {
  if (!outcome.ok) {
    const m = mapFault(outcome.fault, "operate");
    return { kind: "done", result: commandFailure(m.errCode, `reading the results: ${m.errMsg}`) };
  }
  if (outcome.response.method !== "GetParameterValuesResponse") return { kind: "done", result: commandFailure(USP_ERR.COMMAND_FAILURE, "unexpected answer reading the results") };
  const values = outcome.response.parameterList;
  const raw = values.find((p) => p.name === `${obj}DiagnosticsState`)?.value ?? "";
  // "Completed" is an older TR-181 spelling of Complete in Download/UploadDiagnostics.
  const status = raw === "Completed" ? "Complete" : raw;
  if (status === "Requested") return { kind: "running" };
  if (status === "None" || status === "Canceled" || status === "") {
    return { kind: "done", result: commandFailure(USP_ERR.COMMAND_FAILURE, `the CPE stopped the test (DiagnosticsState ${raw || "missing"})`) };
  }
  if (status !== "Complete") return { kind: "done", result: success({ Status: status }) };
  return { kind: "done", result: success(outputArgs(spec, obj, values, status)) };
}

function outputArgs(spec: CommandSpec, obj: string, values: ParameterValue[], status: string): Record<string, string> {
  const wanted = new Set(spec.output);
  const out: Record<string, string> = { Status: status };
  for (const p of values) {
    if (!p.name.startsWith(obj)) continue;
    const rel = p.name.slice(obj.length);
    // Result tables (RouteHops.1.Host) keep their instance numbers.
    if (rel !== "Status" && wanted.has(supportedPathOf(`.${rel}`).slice(1))) out[rel] = p.value;
  }
  return out;
}

/** Activate() after the CPE booted: TR-181 ActiveFirmwareImage names the
 * running image; a CPE without it is taken at its word. */
export function activateResult(image: string, outcome: RpcOutcome): CommandResult {
  if (!outcome.ok || outcome.response.method !== "GetParameterValuesResponse") return success();
  const active = outcome.response.parameterList[0]?.value.replace(/\.$/, "");
  if (active === undefined || active === "" || active === image) return success();
  return commandFailure(USP_ERR.COMMAND_FAILURE, `the CPE booted ${active}, not ${image}`);
}
