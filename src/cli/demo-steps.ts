// The walkthrough of `cwmp2usp demo`: what a USP controller sends and sees,
// step by step, against one virtual agent. Each step prints the request, then
// the answer exactly as the controller CLI would (usp-format.ts).
import type { Cpe } from "../sim/cpe.js";
import type { Msg, Notify, Request } from "../usp/messages.js";
import { USP_ERR } from "../usp/errors.js";
import type { TextSink } from "./progress.js";
import type { RequestOutcome, UspClient } from "./usp-client.js";
import { formatMsg, formatNotify } from "./usp-format.js";

export interface DemoContext {
  client: UspClient;
  agentId: string;
  /** The simulated CPE behind the agent (to power-cycle it when Operate is missing). */
  cpe: Cpe;
  out: TextSink;
  timeoutMs: number;
}

const SSID_PATH = "Device.WiFi.SSID.1.";
const NEW_SSID = "cwmp2usp-demo";
const BOOT_SUBSCRIPTION_ID = "demo-boot";
/** R-NOT.0a: a notification follows its state change within about 10 s. */
const NOTIFY_WAIT_MS = 15_000;

function say(ctx: DemoContext, text = ""): void {
  ctx.out.write(`${text}\n`);
}

function describeRequest(request: Request): string {
  switch (request.type) {
    case "get":
      return `Get ${request.get.paramPaths.join(" ")}`;
    case "set":
      return `Set ${request.set.updateObjs.map((o) => `${o.objPath} ${o.paramSettings.map((p) => `${p.param}=${p.value}`).join(" ")}`).join("; ")}`;
    case "add":
      return `Add ${request.add.createObjs.map((o) => `${o.objPath} ${o.paramSettings.map((p) => `${p.param}=${p.value}`).join(" ")}`).join("; ")}`;
    case "operate":
      return `Operate ${request.operate.command} (command_key ${request.operate.commandKey})`;
    default:
      return request.type;
  }
}

/** Sends one request and prints it and its answer (or that none came). */
async function exchange(ctx: DemoContext, request: Request): Promise<RequestOutcome> {
  say(ctx, `   → ${describeRequest(request)}`);
  const outcome = await ctx.client.request(ctx.agentId, request, { timeoutMs: ctx.timeoutMs });
  if (outcome.kind === "timeout") {
    say(ctx, `   ← no answer within ${ctx.timeoutMs / 1000} s`);
    return outcome;
  }
  say(ctx, `   ← ${outcome.msg.header.msgType} after ${(outcome.elapsedMs / 1000).toFixed(1)} s`);
  for (const line of formatMsg(outcome.msg)) say(ctx, `     ${line}`);
  return outcome;
}

function isResponse(outcome: RequestOutcome, type: string): outcome is Extract<RequestOutcome, { kind: "response" }> {
  return outcome.kind === "response" && outcome.msg.body.kind === "response" && outcome.msg.body.response.type === type;
}

export async function stepGet(ctx: DemoContext): Promise<boolean> {
  say(ctx, "1. Get: the CPE has no CWMP session open, so the gateway sends it a Connection Request,");
  say(ctx, "   runs GetParameterNames/GetParameterValues in the session that follows, and answers.");
  const outcome = await exchange(ctx, { type: "get", get: { paramPaths: ["Device.DeviceInfo.SoftwareVersion", "Device.WiFi.SSID.*.SSID"], maxDepth: 0 } });
  say(ctx);
  return isResponse(outcome, "getResp");
}

export async function stepSet(ctx: DemoContext): Promise<boolean> {
  say(ctx, `2. Set: one atomic SetParameterValues on the CPE, then a Get shows the new value.`);
  const set = await exchange(ctx, {
    type: "set",
    set: { allowPartial: false, updateObjs: [{ objPath: SSID_PATH, paramSettings: [{ param: "SSID", value: NEW_SSID, required: true }] }] },
  });
  if (!isResponse(set, "setResp")) return false;
  const get = await exchange(ctx, { type: "get", get: { paramPaths: [`${SSID_PATH}SSID`], maxDepth: 0 } });
  say(ctx);
  return isResponse(get, "getResp") && formatMsg(get.msg).some((line) => line.endsWith(`= ${NEW_SSID}`));
}

/** Subscribes to Device.Boot!, asks for Device.Reboot(), and shows the Boot!
 * event. Informational: a gateway without Operate still passes the demo. */
export async function stepReboot(ctx: DemoContext): Promise<void> {
  say(ctx, "3. Reboot: subscribe to the Boot! event, then Operate Device.Reboot().");
  const subscribed = await exchange(ctx, {
    type: "add",
    add: {
      allowPartial: false,
      createObjs: [
        {
          objPath: "Device.LocalAgent.Subscription.",
          paramSettings: Object.entries({ Enable: "true", ID: BOOT_SUBSCRIPTION_ID, NotifType: "Event", ReferenceList: "Device.Boot!" }).map(([param, value]) => ({ param, value, required: true })),
        },
      ],
    },
  });
  const boot = isResponse(subscribed, "addResp") ? waitForBoot(ctx) : undefined;
  const operate = await exchange(ctx, { type: "operate", operate: { command: "Device.Reboot()", commandKey: "demo-reboot", sendResp: true, inputArgs: {} } });
  let rebooting = operate.kind === "response" && commandsSucceeded(operate.msg);
  if (rebooting) {
    say(ctx, "   The gateway ran a CWMP Reboot; the CPE restarts and informs \"1 BOOT\" and \"M Reboot\",");
    say(ctx, "   which the gateway turns into a Boot! event with Cause RemoteReboot:");
  } else if (operate.kind === "error" && operate.msg.body.kind === "error" && operate.msg.body.error.errCode === USP_ERR.MESSAGE_NOT_SUPPORTED) {
    // A gateway built without Operate: say so, and still show the event.
    say(ctx, "   note: this gateway does not implement Operate, so the USP Error above is its honest");
    say(ctx, `   answer. The simulated CPE is power-cycled instead: it informs "1 BOOT", which becomes Boot!.`);
    void ctx.cpe.boot();
    rebooting = true;
  }
  if (boot === undefined || !rebooting) {
    say(ctx, "   (no Boot! event to wait for)");
    boot?.cancel();
  } else {
    const notify = await boot.promise;
    say(ctx, notify === undefined ? `   ← no Boot! notification within ${NOTIFY_WAIT_MS / 1000} s` : `   ← Notify ${formatNotify(notify)}`);
  }
  say(ctx);
}

function commandsSucceeded(msg: Msg): boolean {
  return msg.body.kind === "response" && msg.body.response.type === "operateResp" && msg.body.response.operateResp.operationResults.every((r) => r.result.type !== "cmdFailure");
}

function waitForBoot(ctx: DemoContext): { promise: Promise<Notify | undefined>; cancel: () => void } {
  let stop = (): void => undefined;
  let cancel = (): void => undefined;
  const promise = new Promise<Notify | undefined>((resolve) => {
    const timer = setTimeout(() => cancel(), NOTIFY_WAIT_MS);
    cancel = () => {
      clearTimeout(timer);
      stop();
      resolve(undefined);
    };
    stop = ctx.client.onNotify(ctx.agentId, (notify: Notify, msg: Msg) => {
      if (notify.subscriptionId !== BOOT_SUBSCRIPTION_ID) return;
      if (notify.sendResp) void ctx.client.acknowledge(ctx.agentId, msg, notify.subscriptionId).catch(() => undefined);
      clearTimeout(timer);
      stop();
      resolve(notify);
    });
  });
  return { promise, cancel: () => cancel() };
}
