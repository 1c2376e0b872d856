// Operate end to end (simulated TR-181 CPE → gateway → MQTT → test
// controller): Device.Reboot() answered once the CPE accepted the Reboot and
// followed by a Boot! carrying Cause RemoteReboot and the controller's
// command_key; send_resp=false (R-OPR.4); Device.FactoryReset() and the
// RemoteFactoryReset Boot!; the spec's error codes for bad commands.
import http from "node:http";
import type { AddressInfo } from "node:net";
import t from "tap";
import { readParameter, startFleet } from "../src/sim/fleet.js";
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

t.test("Device.Reboot(): OperateResp once the CPE accepted the Reboot, then Boot! with Cause RemoteReboot and the command_key", async (t) => {
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

t.test("IP.Interface.{i}.Reset() (sync) sets the CWMP Reset parameter true", async (t) => {
  const msg = await controller.request(agentId, topic, operate("Device.IP.Interface.1.Reset()", "reset-if"));
  t.same(results(msg), [{ executedCommand: "Device.IP.Interface.1.Reset()", result: { type: "reqOutputArgs", outputArgs: {} } }]);
  t.equal(readParameter(cpe, "Device.IP.Interface.1.Reset"), "true");
  const missing = await controller.request(agentId, topic, operate("Device.IP.Interface.99.Reset()", "reset-none"));
  t.match(missing.body, { kind: "error" }, "a missing interface is a path error");
});

t.test("bad commands: unknown command Error 7026 (obuspa), missing mandatory argument cmd_failure 7027 (R-OPR.5), bad path 7008", async (t) => {
  const unknown = await controller.request(agentId, topic, operate("Device.WiFi.Radio.1.Explode()", "x"));
  t.match(unknown.body, { kind: "error", error: { errCode: 7026 } });
  const missing = await controller.request(agentId, topic, operate("Device.IP.Diagnostics.IPPing()", "x", { Host: "192.0.2.1" }));
  t.match(results(missing), [{ executedCommand: "Device.IP.Diagnostics.IPPing()", result: { type: "cmdFailure", errCode: 7027 } }]);
  const syntax = await controller.request(agentId, topic, operate("Device..Reboot()", "x"));
  t.match(syntax.body, { kind: "error", error: { errCode: 7008 } });
});

// ---- async commands (the simulated CPE runs diagnostics after the session
// and informs "8 DIAGNOSTICS COMPLETE"; sim/diagnostics.ts) ----

await subscribe("diag-done", "OperationComplete", "Device.IP.Diagnostics.");

const completeWith = (commandKey: string) => (x: ReceivedRecord): boolean => {
  const n = notifyOf(x)?.notification;
  return n?.type === "operComplete" && n.operComplete.commandKey === commandKey;
};

async function requestRows(): Promise<string[]> {
  const msg = await controller.request(agentId, topic, { type: "getInstances", getInstances: { objPaths: ["Device.LocalAgent.Request."], firstLevelOnly: true } });
  const body = msg.body;
  if (body.kind !== "response" || body.response.type !== "getInstancesResp") throw new Error(JSON.stringify(body));
  return body.response.getInstancesResp.reqPathResults[0]?.currInsts.map((i) => i.instantiatedObjPath) ?? [];
}

t.test("IPPing(): R-OPR.0 req_obj_path of a Request, then OperationComplete with the results as output args; the Request is gone", async (t) => {
  const args = { Host: "127.0.0.1", ProtocolVersion: "IPv4", NumberOfRepetitions: "2", Timeout: "1000", DataBlockSize: "64" };
  const msg = await controller.request(agentId, topic, operate("Device.IP.Diagnostics.IPPing()", "ping-1", args));
  const [result] = results(msg);
  t.equal(result?.executedCommand, "Device.IP.Diagnostics.IPPing()");
  t.match(result?.result, { type: "reqObjPath", reqObjPath: /^Device\.LocalAgent\.Request\.\d+$/ });
  const done = notifyOf(await controller.waitFor(completeWith("ping-1")));
  t.equal(done?.subscriptionId, "diag-done");
  const n = done?.notification;
  if (n?.type !== "operComplete") return t.fail("no OperationComplete");
  t.equal(n.operComplete.objPath, "Device.IP.Diagnostics.");
  t.equal(n.operComplete.commandName, "IPPing()");
  t.match(n.operComplete.result, { type: "reqOutputArgs", outputArgs: { Status: "Complete", IPAddressUsed: "127.0.0.1", SuccessCount: "2", FailureCount: "0" } });
  t.same(await requestRows(), [], "R-OPR.0 the Request row is removed when the command completes");
});

t.test("TraceRoute(): result rows come back as RouteHops.{i}.* output args", async (t) => {
  await controller.request(agentId, topic, operate("Device.IP.Diagnostics.TraceRoute()", "trace-1", { Host: "127.0.0.1", ProtocolVersion: "Any" }));
  const n = notifyOf(await controller.waitFor(completeWith("trace-1")))?.notification;
  if (n?.type !== "operComplete") return t.fail("no OperationComplete");
  t.match(n.operComplete.result, { type: "reqOutputArgs", outputArgs: { Status: "Complete", "RouteHops.1.HostAddress": "127.0.0.1", "RouteHops.1.ErrorCode": "0" } });
});

t.test("Request.{i}.Cancel() of a running DownloadDiagnostics(): the row is Active meanwhile, Cancel answers {}, the command ends with 7023", async (t) => {
  // A file server that answers slowly, so the test is still running when canceled.
  const server = http.createServer((_req, res) => void setTimeout(() => res.end("x".repeat(1024)), 1500).unref());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/file.bin`;
  const started = results(await controller.request(agentId, topic, operate("Device.IP.Diagnostics.DownloadDiagnostics()", "dl-diag-1", { DownloadURL: url })))[0]?.result;
  if (started?.type !== "reqObjPath") return t.fail(JSON.stringify(started));
  const row = started.reqObjPath;
  const got = await controller.request(agentId, topic, { type: "get", get: { paramPaths: [`${row}.`], maxDepth: 0 } });
  if (got.body.kind !== "response" || got.body.response.type !== "getResp") return t.fail(JSON.stringify(got.body));
  t.match(got.body.response.getResp.reqPathResults[0]?.resolvedPathResults[0]?.resultParams, {
    Originator: gw.controllerId,
    Command: "Device.IP.Diagnostics.DownloadDiagnostics()",
    CommandKey: "dl-diag-1",
    Status: "Active",
  });
  const canceled = await controller.request(agentId, topic, operate(`${row}.Cancel()`, "cancel-1"));
  t.same(results(canceled), [{ executedCommand: `${row}.Cancel()`, result: { type: "reqOutputArgs", outputArgs: {} } }]);
  const n = notifyOf(await controller.waitFor(completeWith("dl-diag-1")))?.notification;
  if (n?.type !== "operComplete") return t.fail("no OperationComplete");
  t.match(n.operComplete.result, { type: "cmdFailure", errCode: 7023 });
  t.same(await requestRows(), []);
});

// ---- software modules (the simulated CPE installs sim:// URLs after the
// session and sends DUStateChangeComplete; sim/software-modules.ts) ----

t.test("InstallDU() then DeploymentUnit.{i}.Uninstall(): ChangeDUState, closed by DUStateChangeComplete with UUID, Version, ExecEnvRef", async (t) => {
  await subscribe("du-done", "OperationComplete", "Device.SoftwareModules.");
  const started = results(await controller.request(agentId, topic, operate("Device.SoftwareModules.InstallDU()", "install-1", { URL: "sim://ok/weather-2.4.1.ipk" })))[0]?.result;
  t.match(started, { type: "reqObjPath", reqObjPath: /^Device\.LocalAgent\.Request\.\d+$/ });
  const installed = notifyOf(await controller.waitFor(completeWith("install-1")))?.notification;
  if (installed?.type !== "operComplete") return t.fail("no OperationComplete");
  t.equal(installed.operComplete.objPath, "Device.SoftwareModules.");
  t.equal(installed.operComplete.commandName, "InstallDU()");
  const out = installed.operComplete.result;
  if (out.type !== "reqOutputArgs") return t.fail(JSON.stringify(out));
  t.match(out.outputArgs, { UUID: /^[0-9a-f-]{36}$/, Version: "2.4.1", ExecEnvRef: /^Device\.SoftwareModules\.ExecEnv\.\d+$/ });
  const found = await controller.request(agentId, topic, { type: "get", get: { paramPaths: [`Device.SoftwareModules.DeploymentUnit.[UUID=="${out.outputArgs.UUID ?? ""}"].Name`], maxDepth: 0 } });
  if (found.body.kind !== "response" || found.body.response.type !== "getResp") return t.fail(JSON.stringify(found.body));
  const unit = found.body.response.getResp.reqPathResults[0]?.resolvedPathResults[0]?.resolvedPath;
  if (unit === undefined) return t.fail("the installed DeploymentUnit is not there");
  await controller.request(agentId, topic, operate(`${unit}Uninstall()`, "uninstall-1"));
  const removed = notifyOf(await controller.waitFor(completeWith("uninstall-1")))?.notification;
  t.match(removed, { type: "operComplete", operComplete: { objPath: unit, commandName: "Uninstall()", result: { type: "reqOutputArgs", outputArgs: {} } } });
});

t.test("InstallDU() the CPE cannot fetch: OperationComplete with cmd_failure 7022 carrying the CWMP fault", async (t) => {
  await controller.request(agentId, topic, operate("Device.SoftwareModules.InstallDU()", "install-bad", { URL: "sim://fault/9016/missing.ipk" }));
  const n = notifyOf(await controller.waitFor(completeWith("install-bad")))?.notification;
  t.match(n, { type: "operComplete", operComplete: { result: { type: "cmdFailure", errCode: 7022, errMsg: /^CPE fault 9016/ } } });
});
