// Operate end to end (simulated TR-181 CPE → gateway → MQTT → test
// controller): Device.Reboot() answered once the CPE accepted the Reboot and
// followed by a Boot! carrying Cause RemoteReboot and the controller's
// command_key; send_resp=false (R-OPR.4); Device.FactoryReset() and the
// RemoteFactoryReset Boot!; the spec's error codes for bad commands.
import t from "tap";
import { startFleet } from "../src/sim/fleet.js";
import type { Msg, Notify, Operate, OperationResultResp } from "../src/usp/messages.js";
import { testBroker } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController, type ReceivedRecord } from "./helpers/usp-controller.js";

const broker = await testBroker();
const gw = await startTestGateway(broker.url);
const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
const fleet = await startFleet({ acsUrl: gw.gateway.acsUrl, count: 1, serialPrefix: `OP${process.pid}-`, oui: "00256D", crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
t.teardown(async () => {
  await fleet.stop();
  await controller.close();
  await gw.stop();
  await broker.close();
});
await fleet.bootAll();
const cpe = fleet.cpes[0];
if (cpe === undefined) throw new Error("no CPE");
const agentId = `os::00256D-${cpe.serial}`;
const topic = gw.agentTopic(agentId);

function notifyOf(r: ReceivedRecord): Notify | undefined {
  const body = r.msg?.body;
  return body?.kind === "request" && body.request.type === "notify" ? body.request.notify : undefined;
}

function operate(command: string, commandKey: string, inputArgs: Record<string, string> = {}, sendResp = true): { type: "operate"; operate: Operate } {
  return { type: "operate", operate: { command, commandKey, sendResp, inputArgs } };
}

function results(msg: Msg): { executedCommand: string; result: OperationResultResp }[] {
  const body = msg.body;
  if (body.kind !== "response" || body.response.type !== "operateResp") throw new Error(`not an OperateResp: ${JSON.stringify(body)}`);
  return body.response.operateResp.operationResults;
}

async function subscribe(id: string, notifType: string, referenceList: string): Promise<void> {
  const msg = await controller.request(agentId, topic, {
    type: "add",
    add: {
      allowPartial: false,
      createObjs: [
        {
          objPath: "Device.LocalAgent.Subscription.",
          paramSettings: [
            { param: "ID", value: id, required: true },
            { param: "NotifType", value: notifType, required: true },
            { param: "ReferenceList", value: referenceList, required: true },
            { param: "Enable", value: "true", required: true },
          ],
        },
      ],
    },
  });
  if (msg.body.kind !== "response") throw new Error(`subscribe failed: ${JSON.stringify(msg.body)}`);
}

await subscribe("boot", "Event", "Device.Boot!");

const bootWith = (commandKey: string) => (x: ReceivedRecord): boolean => {
  const n = notifyOf(x)?.notification;
  return n?.type === "event" && n.event.eventName === "Boot!" && n.event.params.CommandKey === commandKey;
};

t.test("TP-469 Device.Reboot(): OperateResp once the CPE accepted the Reboot, then Boot! with Cause RemoteReboot and the command_key", async (t) => {
  const sessions = cpe.log.length;
  const msg = await controller.request(agentId, topic, operate("Device.Reboot()", "reboot-e2e-1"));
  t.same(results(msg), [{ executedCommand: "Device.Reboot()", result: { type: "reqOutputArgs", outputArgs: {} } }]);
  const boot = await controller.waitFor(bootWith("reboot-e2e-1"));
  const n = notifyOf(boot)?.notification;
  if (n?.type !== "event") return t.fail("no event");
  t.same(n.event, { objPath: "Device.", eventName: "Boot!", params: { CommandKey: "reboot-e2e-1", Cause: "RemoteReboot", FirmwareUpdated: "false", ParameterMap: "{}" } });
  await cpe.whenIdle();
  const rebootSession = cpe.log.slice(sessions).find((s) => s.methods.includes("Reboot"));
  t.ok(rebootSession, "the CPE ran the Reboot RPC");
  const bootSession = cpe.log.slice(sessions).find((s) => s.events.includes("M Reboot"));
  t.ok(bootSession?.events.includes("1 BOOT"), "and informed 1 BOOT + M Reboot after it");
});

t.test("R-OPR.4 send_resp=false: no OperateResp, the command still runs", async (t) => {
  const msgId = await controller.send(agentId, topic, operate("Device.Reboot()", "reboot-quiet", {}, false));
  await controller.waitFor(bootWith("reboot-quiet"));
  await new Promise((r) => setTimeout(r, 200));
  t.equal(controller.countFor(msgId), 0, "nothing answered the Operate");
});

t.test("Device.FactoryReset(): OperateResp, then Boot! with Cause RemoteFactoryReset after 0 BOOTSTRAP", async (t) => {
  const msg = await controller.request(agentId, topic, operate("Device.FactoryReset()", "reset-1"));
  t.same(results(msg), [{ executedCommand: "Device.FactoryReset()", result: { type: "reqOutputArgs", outputArgs: {} } }]);
  // A factory reset drops the subscription rows only on the CPE; the agent's own (gateway) rows stay.
  const boot = await controller.waitFor((x) => {
    const n = notifyOf(x)?.notification;
    return n?.type === "event" && n.event.eventName === "Boot!" && n.event.params.Cause === "RemoteFactoryReset";
  });
  t.ok(boot);
});

t.test("bad commands: unknown command Error 7026 (obuspa), missing mandatory argument cmd_failure 7027 (R-OPR.5), bad path 7008", async (t) => {
  const unknown = await controller.request(agentId, topic, operate("Device.WiFi.Radio.1.Explode()", "x"));
  t.match(unknown.body, { kind: "error", error: { errCode: 7026 } });
  const missing = await controller.request(agentId, topic, operate("Device.IP.Diagnostics.IPPing()", "x", { Host: "192.0.2.1" }));
  t.match(results(missing), [{ executedCommand: "Device.IP.Diagnostics.IPPing()", result: { type: "cmdFailure", errCode: 7027 } }]);
  const syntax = await controller.request(agentId, topic, operate("Device..Reboot()", "x"));
  t.match(syntax.body, { kind: "error", error: { errCode: 7008 } });
});
