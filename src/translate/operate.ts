// USP Operate (TR-369 "Defined Operations Mechanism") translated to CWMP, the
// obuspa handle_operate.c spine without its globals: resolve the command path
// to concrete commands, run each one's CWMP RPCs, one OperationResult per
// command. Path errors are message errors, as obuspa answers a failed
// PATH_RESOLVER_ResolveDevicePath with ERROR_RESP_CreateSingle: 7008 for bad
// syntax, 7026 for a command this agent or CPE does not have, 7016 for a
// missing instance. What fails while running a command goes in its cmd_failure
// (R-OPR.1), including missing or bad input arguments (7027, R-OPR.5).
// Async commands answer req_obj_path "Device.LocalAgent.Request.N" (R-OPR.0;
// the form of the TR-369 Operate example and obuspa AddOperRes_ReqObjPath).
// Pure: CommandKeys, Request numbers and the running commands come in ctx.operate.
import type { Operate, OperationResultResp, Response } from "../usp/messages.js";
import { USP_ERR, uspError } from "../usp/errors.js";
import { parsePath, type UspPath } from "../usp/path.js";
import type { Plan, UspReply } from "./plan.js";
import type { TranslationContext } from "./context.js";
import { commandSpecFor, noEffects, type CommandSpec, type OperateEffects, type OperateEnv } from "./commands.js";
import { resolveObjects } from "./resolve.js";
import { wantsToRpcs } from "./rpc-plan.js";
import { commandStep, type CommandInput, type CommandStep } from "./operate-steps.js";
import type { AcsRequest } from "../cwmp/rpc.js";

const DEFAULT_ENV: OperateEnv = { commandKeyBase: "c2u", nextRequestInstance: 1, running: [] };
const REQUEST_TABLE = "Device.LocalAgent.Request.";

export function planOperate(op: Operate, ctx: TranslationContext): Plan {
  const parsed = parsePath(op.command);
  if (!parsed.ok) return errorPlan(USP_ERR.INVALID_PATH_SYNTAX, `invalid command path ${op.command}: ${parsed.error}`);
  const path = parsed.path;
  if (path.kind !== "command") return errorPlan(USP_ERR.INVALID_PATH, `${op.command} is not a command path`);
  const spec = commandSpecFor(op.command);
  if (spec === undefined) return errorPlan(USP_ERR.INVALID_PATH, `${op.command} is not a command this agent supports`);
  const objects = resolveCommandObjects(path, ctx);
  if (objects.kind !== "ok") return objects.plan;
  const env = ctx.operate ?? DEFAULT_ENV;
  const commandName = lastName(path);
  const steps = objects.value.map((obj, index): [string, CommandStep] => [obj, commandStep(input(spec, obj, commandName, index, op, env), ctx)]);
  const rpcs = dedupe(steps.flatMap(([, s]) => (s.kind === "rpcs" ? s.rpcs : [])));
  if (rpcs.length > 0) return { kind: "rpcs", rpcs };
  return assemble(steps.map(([obj, s]) => [obj + commandName + "()", s]), path.isSearch, env);
}

/** R-OPR.4: with send_resp=false no OperateResp is sent, except one carrying a
 * cmd_failure (which the spec lets the agent send); USP Errors always go. */
export function operateReplyWanted(op: Operate, reply: UspReply): boolean {
  if (op.sendResp || reply.kind === "error") return true;
  const response: Response = reply.response;
  return response.type === "operateResp" && response.operateResp.operationResults.some((r) => r.result.type === "cmdFailure");
}

function input(spec: CommandSpec, obj: string, commandName: string, index: number, op: Operate, env: OperateEnv): CommandInput {
  return { spec, obj, command: `${obj}${commandName}()`, index, op, env };
}

type Resolved = { kind: "ok"; value: string[] } | { kind: "plan"; plan: Plan };

/** The objects the command runs on: the one named (checked by its command's
 * own RPCs), or those a wildcard / search / reference selects (R-OPR.2). */
function resolveCommandObjects(path: UspPath, ctx: TranslationContext): Resolved {
  const follows = path.segments.some((s) => s.kind === "follow");
  if (!path.isSearch && !follows) {
    const source = path.source;
    return { kind: "ok", value: [source.slice(0, source.lastIndexOf(".") + 1)] };
  }
  const step = resolveObjects(path, "get", ctx);
  switch (step.kind) {
    case "ok":
      return { kind: "ok", value: step.value };
    case "error":
      return { kind: "plan", plan: errorPlan(step.errCode, step.errMsg) };
    case "need":
      return { kind: "plan", plan: { kind: "rpcs", rpcs: wantsToRpcs(step.wants, ctx) } };
  }
}

/** Builds the OperateResp (or, for one named command whose path is wrong, the
 * Error) and the effects, numbering the Request rows of started commands in
 * the order of the results. */
function assemble(steps: [string, CommandStep][], isSearch: boolean, env: OperateEnv): Plan {
  const only = steps[0];
  if (!isSearch && steps.length === 1 && only !== undefined && only[1].kind === "pathError") {
    return errorPlan(only[1].errCode, only[1].errMsg);
  }
  const effects: OperateEffects = noEffects();
  let nextInstance = env.nextRequestInstance;
  const operationResults: { executedCommand: string; result: OperationResultResp }[] = [];
  for (const [executedCommand, step] of steps) {
    let result: OperationResultResp;
    switch (step.kind) {
      case "pathError":
      case "failure":
        result = { type: "cmdFailure", errCode: step.errCode, errMsg: step.errMsg };
        break;
      case "done":
        result = { type: "reqOutputArgs", outputArgs: {} };
        if (step.reboot !== undefined) effects.reboots.push(step.reboot);
        if (step.factoryReset === true) effects.factoryReset = true;
        if (step.canceled !== undefined) effects.canceled.push(step.canceled);
        if (step.onBoardRequest !== undefined) effects.onBoardRequests.push(step.onBoardRequest);
        break;
      case "started": {
        const requestInstance = nextInstance++;
        effects.started.push({ ...step.started, requestInstance });
        result = { type: "reqObjPath", reqObjPath: `${REQUEST_TABLE}${requestInstance}` };
        break;
      }
      case "rpcs":
        throw new Error("assemble called with a command still waiting for RPCs");
    }
    operationResults.push({ executedCommand, result });
  }
  return { kind: "respond", reply: { kind: "response", response: { type: "operateResp", operateResp: { operationResults } } }, effects };
}

function lastName(path: UspPath): string {
  const last = path.segments[path.segments.length - 1];
  return last?.kind === "name" ? last.name : "";
}

function dedupe(rpcs: AcsRequest[]): AcsRequest[] {
  const seen = new Set<string>();
  return rpcs.filter((r) => {
    const key = JSON.stringify(r);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function errorPlan(code: number, message: string): Plan {
  return { kind: "respond", reply: { kind: "error", error: uspError(code, message) } };
}
