// One concrete command of an Operate, as a step function: called every round
// with what the model learned, it returns the CWMP RPCs it still needs or how
// the command ended. The CWMP mapping per command (issue 3, cwmp.md §3):
// Reboot() → Reboot, FactoryReset() → FactoryReset, FirmwareImage.{i}.
// Download() → Download, Activate() → SetParameterValues BootFirmwareImage +
// Reboot, IP.Diagnostics.X() → SetParameterValues of the inputs with
// DiagnosticsState=Requested, InstallDU()/Update()/Uninstall() →
// ChangeDUState, Request.{i}.Cancel() → CancelTransfer or
// DiagnosticsState=Canceled. Every RPC is built deterministically from the
// request and ctx.operate, so the next round finds its outcome in the model.
import type { AcsRequest, ChangeDUState, CwmpFault, Download, OperationStruct, ParameterValue } from "../cwmp/rpc.js";
import type { Operate } from "../usp/messages.js";
import { USP_ERR } from "../usp/errors.js";
import type { TranslationContext } from "./context.js";
import { commandSpecFor, MAX_COMMAND_KEY_LENGTH, type CommandSpec, type OperateEnv, type StartedCommand } from "./commands.js";
import { faultMessage, mapFault } from "./faults.js";
import { instanceExistence } from "./object-kind.js";
import { readParameter } from "./resolve.js";
import { wantsToRpcs } from "./rpc-plan.js";
import { checkValue } from "./xsd.js";
import type { Step, Want } from "./context.js";

export interface CommandInput {
  spec: CommandSpec;
  /** The object the command is on, e.g. "Device.DeviceInfo.FirmwareImage.2.". */
  obj: string;
  /** The concrete command path. */
  command: string;
  /** Position among the commands the Operate resolved to. */
  index: number;
  op: Operate;
  env: OperateEnv;
}

export type CommandStep =
  | { kind: "rpcs"; rpcs: AcsRequest[] }
  /** The command path names nothing on the CPE: an Error for one named command. */
  | { kind: "pathError"; errCode: number; errMsg: string }
  | { kind: "failure"; errCode: number; errMsg: string }
  /** A sync command succeeded (req_output_args is empty for all of ours). */
  | { kind: "done"; reboot?: { cwmpCommandKey: string; commandKey: string }; factoryReset?: boolean; canceled?: number; onBoardRequest?: string }
  | { kind: "started"; started: Omit<StartedCommand, "requestInstance"> };

/** TR-069 Amd 6 DownloadFileType for an image stored without activating it;
 * "1 Firmware Upgrade Image" downloads and activates (cwmp.md §3). */
const FIRMWARE_UPGRADE = "1 Firmware Upgrade Image";
const STORED_FIRMWARE = "6 Stored Firmware Image";
const BOOT_FIRMWARE_IMAGE = "Device.DeviceInfo.BootFirmwareImage";

export function commandStep(input: CommandInput, ctx: TranslationContext): CommandStep {
  const args = checkArgs(input, ctx);
  if (typeof args === "string") return { kind: "failure", errCode: USP_ERR.INVALID_COMMAND_ARGS, errMsg: args };
  switch (input.spec.kind) {
    case "reboot":
      return rpcThen({ method: "Reboot", commandKey: commandKey(input) }, ctx, () => ({ kind: "done", reboot: { cwmpCommandKey: commandKey(input), commandKey: input.op.commandKey } }));
    case "factoryReset":
      return rpcThen({ method: "FactoryReset" }, ctx, () => ({ kind: "done", factoryReset: true }));
    case "firmwareDownload":
      return afterExists(input, ctx, () => firmwareDownload(input, args, ctx));
    case "firmwareActivate":
      return afterExists(input, ctx, () => firmwareActivate(input, args, ctx));
    case "diagnostics":
      return diagnostics(input, args, ctx);
    case "installDu":
      return afterListed("Device.SoftwareModules.", ctx, () => installDu(input, args, ctx));
    case "updateDu":
    case "uninstallDu":
      return afterExists(input, ctx, () => changeDeploymentUnit(input, args, ctx));
    case "sendOnBoardRequest":
      return afterExists(input, ctx, () => ({ kind: "done", onBoardRequest: input.obj.slice(0, -1) }));
    case "parameterReset":
      return afterListed(input.obj, ctx, (children) => parameterReset(input, children, ctx));
    case "cancel":
      return cancel(input, ctx);
  }
}

/** Reset() of an object whose CWMP form is a `Reset` parameter: SPV Reset=true. */
function parameterReset(input: CommandInput, children: string[], ctx: TranslationContext): CommandStep {
  if (!children.includes("Reset")) return { kind: "pathError", errCode: USP_ERR.INVALID_PATH, errMsg: `${input.command} is not supported by this CPE (no ${input.obj}Reset)` };
  const parameterList: ParameterValue[] = [{ name: `${input.obj}Reset`, value: ctx.profile.booleanLiteral, type: "xsd:boolean" }];
  const spv = ctx.model.spvOutcome(parameterList);
  if (spv === undefined) return { kind: "rpcs", rpcs: [{ method: "SetParameterValues", parameterList, parameterKey: "" }] };
  if (!spv.ok) return failure(spv.fault, USP_ERR.COMMAND_FAILURE);
  return { kind: "done" };
}

/** CWMP CommandKey of the input's command: `${base}-${index}`. */
export function commandKey(input: CommandInput): string {
  const key = `${input.env.commandKeyBase}-${input.index}`;
  // A longer key would be cut or refused by the CPE and never match again.
  if (key.length > MAX_COMMAND_KEY_LENGTH) throw new Error(`CWMP CommandKey longer than ${MAX_COMMAND_KEY_LENGTH}: ${key}`);
  return key;
}

/** R-OPR.5 mandatory arguments present, values of known arguments of their
 * type (booleans in the CPE's literal); unknown ones are ignored (R-OPR.6),
 * left-out ones take their default (R-OPR.7). Returns the checked values or
 * why the arguments are invalid (7027). */
function checkArgs(input: CommandInput, ctx: TranslationContext): Map<string, string> | string {
  const out = new Map<string, string>();
  for (const arg of input.spec.input) {
    const value = input.op.inputArgs[arg.name] ?? arg.default;
    if (value === undefined) {
      if (arg.mandatory) return `missing mandatory input argument ${arg.name} of ${input.command}`;
      continue;
    }
    const checked = checkValue(value, arg.type, ctx.profile.booleanLiteral);
    if (!checked.ok) return `input argument ${arg.name}: ${checked.errMsg}`;
    out.set(arg.name, checked.value);
  }
  return out;
}

/** Runs `rpc` once; on success continues with `then`, a CPE fault fails the command. */
function rpcThen(rpc: AcsRequest, ctx: TranslationContext, then: (response: unknown) => CommandStep): CommandStep {
  const outcome = ctx.model.outcomeOf(rpc);
  if (outcome === undefined) return { kind: "rpcs", rpcs: [rpc] };
  if (!outcome.ok) return failure(outcome.fault);
  return then(outcome.response);
}

function failure(fault: { faultCode: number; faultString: string }, code?: number): CommandStep {
  const m = mapFault(fault, "operate");
  return { kind: "failure", errCode: code ?? m.errCode, errMsg: m.errMsg };
}

/** The command's object instance exists on the CPE (7026 / 7016 otherwise). */
function afterExists(input: CommandInput, ctx: TranslationContext, then: () => CommandStep): CommandStep {
  const st = instanceExistence(input.obj, ctx);
  if (st.kind === "need") return { kind: "rpcs", rpcs: wantsToRpcs(st.wants, ctx) };
  if (st.kind === "error") return { kind: "pathError", errCode: st.errCode, errMsg: st.errMsg };
  if (st.value === "notInModel") return { kind: "pathError", errCode: USP_ERR.INVALID_PATH, errMsg: `${input.command}: ${input.obj} is not in this CPE's data model` };
  if (st.value === "missingInstance") return { kind: "pathError", errCode: USP_ERR.OBJECT_DOES_NOT_EXIST, errMsg: `Object ${input.obj} does not exist` };
  return then();
}

/** `obj` is in the CPE's tree (its children listed once), else 7026. */
function afterListed(obj: string, ctx: TranslationContext, then: (children: string[]) => CommandStep): CommandStep {
  const st = ctx.model.listState(obj, true);
  switch (st.kind) {
    case "unknown":
      return { kind: "rpcs", rpcs: wantsToRpcs([{ kind: "gpn", path: obj, nextLevel: true }], ctx) };
    case "absent":
      return { kind: "pathError", errCode: USP_ERR.INVALID_PATH, errMsg: `${obj} is not in this CPE's data model` };
    case "fault":
      return failure(st.fault);
    case "listed":
      return then(ctx.model.children(obj) ?? []);
  }
}

function firmwareDownload(input: CommandInput, args: Map<string, string>, ctx: TranslationContext): CommandStep {
  const autoActivate = ["true", "1"].includes(args.get("AutoActivate") ?? "");
  // CWMP Download has no checksum; CheckSumAlgorithm/CheckSum are not sent.
  const rpc: Download = {
    method: "Download",
    commandKey: commandKey(input),
    fileType: autoActivate ? FIRMWARE_UPGRADE : STORED_FIRMWARE,
    url: args.get("URL") ?? "",
    username: args.get("Username") ?? "",
    password: args.get("Password") ?? "",
    fileSize: Number(args.get("FileSize") ?? "0"),
    // Which image row to store into, for "6 Stored Firmware Image".
    targetFileName: autoActivate ? "" : input.obj.slice(0, -1),
    delaySeconds: 0,
    successUrl: "",
    failureUrl: "",
  };
  return rpcThen(rpc, ctx, (response) => {
    // TR-069 A.3.2.8: Status 0 = already downloaded and applied, no TransferComplete follows.
    const finishedNow = (response as { status?: number }).status === 0;
    return started(input, { finishedNow, transferUrl: rpc.url });
  });
}

/** Activate() (TR-181 FirmwareImage.{i}.Activate()): boot the image. CWMP has
 * no Activate RPC; TR-181 BootFirmwareImage names the image the next boot
 * loads, so it is set and the CPE rebooted (the Boot! with our CommandKey
 * closes the command). ScheduleDownload does not fit: it downloads again and
 * needs the URL. Time windows that open later are not supported. */
function firmwareActivate(input: CommandInput, args: Map<string, string>, ctx: TranslationContext): CommandStep {
  const start = Number(args.get("TimeWindow.1.Start") ?? "0");
  if (start > 0) {
    return { kind: "failure", errCode: USP_ERR.COMMAND_FAILURE, errMsg: "time windows starting later are not supported for CWMP CPEs (TimeWindow.1.Start must be 0)" };
  }
  const image = input.obj.slice(0, -1);
  const parameterList: ParameterValue[] = [{ name: BOOT_FIRMWARE_IMAGE, value: image, type: "xsd:string" }];
  const spv = ctx.model.spvOutcome(parameterList);
  if (spv === undefined) return { kind: "rpcs", rpcs: [{ method: "SetParameterValues", parameterList, parameterKey: "" }] };
  // 9007: the image is not available (TR-181 BootFirmwareImage): a command failure.
  if (!spv.ok) return failure(spv.fault, USP_ERR.COMMAND_FAILURE);
  return rpcThen({ method: "Reboot", commandKey: commandKey(input) }, ctx, () => started(input, { image }));
}

function diagnostics(input: CommandInput, args: Map<string, string>, ctx: TranslationContext): CommandStep {
  const obj = input.spec.diagnosticsObject ?? "";
  // R-OPR concurrent operations, option 1: a second run of the same test would
  // restart the first one on the CPE (TR-181 DiagnosticsState), so it is refused.
  if (input.env.running.some((r) => r.command === input.command)) {
    return { kind: "failure", errCode: USP_ERR.RESOURCES_EXCEEDED, errMsg: `${input.command} is already running on this CPE` };
  }
  return afterListed(obj, ctx, (children) => {
    if (!children.includes("DiagnosticsState")) {
      return { kind: "pathError", errCode: USP_ERR.INVALID_PATH, errMsg: `${obj}DiagnosticsState is not in this CPE's data model` };
    }
    // Arguments the CPE has no parameter for are not written (R-OPR.6); the
    // ones left out are written with their default (R-OPR.7), not left at
    // whatever an earlier test set.
    const parameterList: ParameterValue[] = input.spec.input
      .filter((a) => args.has(a.name) && children.includes(a.name))
      .map((a) => ({ name: obj + a.name, value: args.get(a.name) ?? "", type: a.type }));
    parameterList.push({ name: `${obj}DiagnosticsState`, value: "Requested", type: "xsd:string" });
    const spv = ctx.model.spvOutcome(parameterList);
    if (spv === undefined) return { kind: "rpcs", rpcs: [{ method: "SetParameterValues", parameterList, parameterKey: "" }] };
    if (!spv.ok) return spvFailure(spv.fault, obj);
    return started(input, { diagnosticsObject: obj });
  });
}

/** A refused diagnostics SPV names the argument at fault when the CPE says which. */
function spvFailure(fault: CwmpFault, obj: string): CommandStep {
  const first = fault.setParameterValuesFaults[0];
  if (first === undefined) return failure(fault);
  const m = mapFault(first, "operate");
  return { kind: "failure", errCode: m.errCode, errMsg: `input argument ${first.parameterName.slice(obj.length)}: ${faultMessage(first)}` };
}

function installDu(input: CommandInput, args: Map<string, string>, ctx: TranslationContext): CommandStep {
  const op: OperationStruct = { type: "Install", url: args.get("URL") ?? "", ...optional(args, { uuid: "UUID", username: "Username", password: "Password", executionEnvRef: "ExecutionEnvRef" }) };
  const execEnvRef = args.get("ExecutionEnvRef");
  return changeDuState(input, op, ctx, execEnvRef === undefined ? {} : { execEnvRef });
}

/** Update()/Uninstall() of DeploymentUnit.{i}: CWMP names the DU by UUID (and
 * Version, ExecutionEnvRef), read from the row first (TR-069 A.4.1.14). */
function changeDeploymentUnit(input: CommandInput, args: Map<string, string>, ctx: TranslationContext): CommandStep {
  const fields = input.spec.kind === "uninstallDu" ? ["UUID", "Version", "ExecutionEnvRef"] : ["UUID", "Version"];
  const values = readAll(fields.map((f) => input.obj + f), ctx);
  if (values.kind === "need") return { kind: "rpcs", rpcs: wantsToRpcs(values.wants, ctx) };
  if (values.kind === "error") return { kind: "failure", errCode: values.errCode, errMsg: values.errMsg };
  const [uuid = "", version = "", executionEnvRef = ""] = values.value;
  if (uuid === "") return { kind: "failure", errCode: USP_ERR.COMMAND_FAILURE, errMsg: `${input.obj}UUID is empty: CWMP cannot name this DeploymentUnit` };
  const op: OperationStruct =
    input.spec.kind === "uninstallDu"
      ? { type: "Uninstall", uuid, ...(version !== "" ? { version } : {}), ...(executionEnvRef !== "" ? { executionEnvRef } : {}) }
      : { type: "Update", uuid, ...(version !== "" ? { version } : {}), ...optional(args, { url: "URL", username: "Username", password: "Password" }) };
  return changeDuState(input, op, ctx, {});
}

function changeDuState(input: CommandInput, op: OperationStruct, ctx: TranslationContext, extra: Partial<StartedCommand>): CommandStep {
  const rpc: ChangeDUState = { method: "ChangeDUState", operations: [op], commandKey: commandKey(input) };
  return rpcThen(rpc, ctx, () => started(input, extra));
}

/** Request.{i}.Cancel() (TR-181: completes at once, the request then goes
 * Canceled): CancelTransfer for a firmware download (9021 when the CPE cannot
 * cancel it any more), DiagnosticsState=Canceled for a diagnostic (9007 from a
 * CPE without Canceled); CWMP cannot cancel a reboot or a DU change. */
function cancel(input: CommandInput, ctx: TranslationContext): CommandStep {
  const instance = Number(/\.(\d+)\.$/.exec(input.obj)?.[1] ?? "0");
  const target = input.env.running.find((r) => r.requestInstance === instance);
  if (target === undefined) return { kind: "pathError", errCode: USP_ERR.OBJECT_DOES_NOT_EXIST, errMsg: `Object ${input.obj} does not exist` };
  const canceled: CommandStep = { kind: "done", canceled: instance };
  if (target.kind === "firmwareDownload") return rpcThen({ method: "CancelTransfer", commandKey: target.cwmpCommandKey }, ctx, () => canceled);
  const obj = target.kind === "diagnostics" ? commandSpecFor(target.command)?.diagnosticsObject : undefined;
  if (obj === undefined) return { kind: "failure", errCode: USP_ERR.COMMAND_FAILURE, errMsg: `${target.command} cannot be canceled: CWMP has no way to cancel it` };
  const parameterList: ParameterValue[] = [{ name: `${obj}DiagnosticsState`, value: "Canceled", type: "xsd:string" }];
  const spv = ctx.model.spvOutcome(parameterList);
  if (spv === undefined) return { kind: "rpcs", rpcs: [{ method: "SetParameterValues", parameterList, parameterKey: "" }] };
  if (!spv.ok) return failure(spv.fault.setParameterValuesFaults[0] ?? spv.fault, USP_ERR.COMMAND_FAILURE);
  return canceled;
}

function started(input: CommandInput, extra: Partial<StartedCommand>): CommandStep {
  return { kind: "started", started: { command: input.command, kind: input.spec.kind, cwmpCommandKey: commandKey(input), finishedNow: false, ...extra } };
}

function readAll(names: string[], ctx: TranslationContext): Step<string[]> {
  const out: string[] = [];
  const wants: Want[] = [];
  for (const name of names) {
    const st = readParameter(name, "get", ctx);
    if (st.kind === "need") wants.push(...st.wants);
    else if (st.kind === "error") return st;
    else if (st.kind === "ok") out.push(st.value ?? "");
  }
  return wants.length > 0 ? { kind: "need", wants } : { kind: "ok", value: out };
}

/** Optional struct fields from the arguments the controller gave. */
function optional<K extends string>(args: Map<string, string>, fields: Record<K, string>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [field, name] of Object.entries(fields) as [K, string][]) {
    const value = args.get(name);
    if (value !== undefined) out[field] = value;
  }
  return out;
}
