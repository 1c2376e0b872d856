// TP-469 section 1, the Operate cases (TR-369 "Defined Operations
// Mechanism"): Device.Reboot() becomes a CWMP Reboot and its Boot! event,
// the IP diagnostics async commands whose Request row lives until the CPE's
// "8 DIAGNOSTICS COMPLETE" Inform, which becomes the OperationComplete
// notification.
import t from "tap";
import type { Msg, Notify, OperationComplete } from "../src/usp/messages.js";
import type { ReceivedRecord } from "./helpers/usp-controller.js";
import { get, getResp, notifyOf, sleep, startBench, subscribe } from "./tp469/harness.js";

const bench = await startBench({ serialPrefix: "TPO" });
t.teardown(() => bench.stop());
const { cpe, controller, agentId, agentTopic, gw } = bench;

await subscribe(bench, { id: "op-boot", notifType: "Event", referenceList: "Device.Boot!" });
await subscribe(bench, { id: "op-done", notifType: "OperationComplete", referenceList: "Device.IP.Diagnostics." });

const IPPING = "Device.IP.Diagnostics.IPPing()";
const DOWNLOAD = "Device.IP.Diagnostics.DownloadDiagnostics()";
const IPPING_OUTPUT = ["Status", "IPAddressUsed", "SuccessCount", "FailureCount", "AverageResponseTime", "MinimumResponseTime", "MaximumResponseTime", "AverageResponseTimeDetailed", "MinimumResponseTimeDetailed", "MaximumResponseTimeDetailed"];
const PING_ARGS = { ProtocolVersion: "Any", Host: "127.0.0.1", NumberOfRepetitions: "2", Timeout: "1000", DataBlockSize: "64" };

function operate(command: string, commandKey: string, sendResp: boolean, inputArgs: Record<string, string> = {}): { type: "operate"; operate: { command: string; commandKey: string; sendResp: boolean; inputArgs: Record<string, string> } } {
  return { type: "operate", operate: { command, commandKey, sendResp, inputArgs } };
}

function operateResults(msg: Msg): Extract<Extract<Msg["body"], { kind: "response" }>["response"], { type: "operateResp" }>["operateResp"]["operationResults"] {
  if (msg.header.msgType !== "OPERATE_RESP" || msg.body.kind !== "response" || msg.body.response.type !== "operateResp") throw new Error(`expected OPERATE_RESP, got ${JSON.stringify(msg.body)}`);
  return msg.body.response.operateResp.operationResults;
}

const notifyWith = (id: string, match: (n: Notify) => boolean): Promise<ReceivedRecord> =>
  controller.waitFor((r) => {
    const n = notifyOf(r);
    return n?.subscriptionId === id && match(n);
  }, 20_000);
const bootFor = (commandKey: string): Promise<ReceivedRecord> => notifyWith("op-boot", (n) => n.notification.type === "event" && n.notification.event.params.CommandKey === commandKey);
const completionOf = async (commandKey: string): Promise<OperationComplete> => {
  const n = notifyOf(await notifyWith("op-done", (x) => x.notification.type === "operComplete" && x.notification.operComplete.commandKey === commandKey));
  if (n?.notification.type !== "operComplete") throw new Error("no OperationComplete");
  return n.notification.operComplete;
};
const requestRows = async (): Promise<string[]> =>
  (getResp(await bench.ask(get(["Device.LocalAgent.Request."]))).reqPathResults[0]?.resolvedPathResults ?? []).map((r) => r.resolvedPath);

t.test("TP-469 1.61 Operate message using Reboot() with send_resp true", async (t) => {
  const reboots = cpe.log.filter((s) => s.methods.includes("Reboot")).length;
  const results = operateResults(await bench.ask(operate("Device.Reboot()", "tp-1-61", true)));
  t.same(results, [{ executedCommand: "Device.Reboot()", result: { type: "reqOutputArgs", outputArgs: {} } }], "a sync command answers with its (no) output args");
  const boot = notifyOf(await bootFor("tp-1-61"));
  t.same(boot?.notification, { type: "event", event: { objPath: "Device.", eventName: "Boot!", params: { CommandKey: "tp-1-61", Cause: "RemoteReboot", FirmwareUpdated: "false", ParameterMap: "{}" } } }, "the CPE rebooted: Boot! with the command_key");
  t.equal(cpe.log.filter((s) => s.methods.includes("Reboot")).length, reboots + 1, "one CWMP Reboot");
});

t.test("TP-469 1.62 Operate message using Reboot() with send_resp false", async (t) => {
  const msgId = await controller.send(agentId, agentTopic, operate("Device.Reboot()", "tp-1-62", false));
  const boot = notifyOf(await bootFor("tp-1-62"));
  t.match(boot?.notification, { type: "event", event: { eventName: "Boot!", params: { CommandKey: "tp-1-62", Cause: "RemoteReboot" } } }, "the CPE rebooted");
  await sleep(500);
  t.equal(controller.countFor(msgId), 0, "R-OPR.4 no OperateResp");
});

t.test("TP-469 1.64 Asynchronous operation with send_resp true", async (t) => {
  // The simulated download takes 1.5 s (sim:// URL), long enough to read the Request row meanwhile.
  const results = operateResults(await bench.ask(operate(DOWNLOAD, "tp-1-64", true, { DownloadURL: "sim://ok/tp-1-64.bin?delayMs=1500" })));
  t.equal(results.length, 1);
  t.equal(results[0]?.executedCommand, DOWNLOAD);
  const result = results[0]?.result;
  if (result?.type !== "reqObjPath") return t.fail(`expected req_obj_path, got ${JSON.stringify(result)}`);
  t.match(result.reqObjPath, /^Device\.LocalAgent\.Request\.[1-9][0-9]*$/, "R-OPR.0 the Request object of the running command");
  const row = getResp(await bench.ask(get([`${result.reqObjPath}.`]))).reqPathResults[0]?.resolvedPathResults[0]?.resultParams;
  t.match(row, { Originator: gw.controllerId, Command: DOWNLOAD, CommandKey: "tp-1-64", Status: /^(Requested|Active)$/ }, "the Request row while the command runs");
  const done = await completionOf("tp-1-64");
  t.equal(done.objPath, "Device.IP.Diagnostics.");
  t.equal(done.commandName, "DownloadDiagnostics()");
  t.match(done.result, { type: "reqOutputArgs", outputArgs: { Status: "Complete" } }, "completed with output args");
  await sleep(300);
  t.notOk((await requestRows()).includes(`${result.reqObjPath}.`), "the Request row is gone once the command completed");
});

t.test("TP-469 1.65 Asynchronous operation with send_resp false", async (t) => {
  const msgId = await controller.send(agentId, agentTopic, operate(DOWNLOAD, "tp-1-65", false, { DownloadURL: "sim://ok/tp-1-65.bin?delayMs=300" }));
  const done = await completionOf("tp-1-65");
  t.match(done, { objPath: "Device.IP.Diagnostics.", commandName: "DownloadDiagnostics()", commandKey: "tp-1-65", result: { type: "reqOutputArgs", outputArgs: { Status: "Complete" } } }, "OperationComplete still arrives");
  t.equal(controller.countFor(msgId), 0, "R-OPR.4 no OperateResp");
});

t.test("TP-469 1.79 Operate message using input arguments", async (t) => {
  const args = { ...PING_ARGS, Host: "127.0.0.2", NumberOfRepetitions: "3", DataBlockSize: "128", DSCP: "10" };
  const results = operateResults(await bench.ask(operate(IPPING, "tp-1-79", true, args)));
  t.equal(results[0]?.result.type, "reqObjPath");
  const done = await completionOf("tp-1-79");
  for (const [name, value] of Object.entries({ Host: "127.0.0.2", NumberOfRepetitions: "3", DataBlockSize: "128", DSCP: "10" })) {
    t.equal(cpe.model.value(`Device.IP.Diagnostics.IPPing.${name}`), value, `the CPE ran the test with ${name}=${value}`);
  }
  if (done.result.type !== "reqOutputArgs") return t.fail(JSON.stringify(done.result));
  t.same(Object.keys(done.result.outputArgs).sort(), [...IPPING_OUTPUT].sort(), "every output argument of IPPing()");
  t.equal(Number(done.result.outputArgs.SuccessCount) + Number(done.result.outputArgs.FailureCount), 3, "as many echoes as asked for");
});

t.test("TP-469 1.91 Unknown arguments in an Operate message", async (t) => {
  const results = operateResults(await bench.ask(operate(IPPING, "tp-1-91", true, { ...PING_ARGS, NoSuchArgument: "x" })));
  t.equal(results[0]?.result.type, "reqObjPath", "R-OPR.6 an unknown input argument is ignored, the command runs");
  const done = await completionOf("tp-1-91");
  t.match(done.result, { type: "reqOutputArgs", outputArgs: { Status: "Complete" } });
});

t.test("TP-469 1.92 Agent uses default values for Operate arguments", async (t) => {
  // A first run sets DSCP; the second leaves it out, so the TR-181 default (0) applies.
  operateResults(await bench.ask(operate(IPPING, "tp-1-92-a", true, { ...PING_ARGS, DSCP: "7" })));
  await completionOf("tp-1-92-a");
  operateResults(await bench.ask(operate(IPPING, "tp-1-92-b", true, PING_ARGS)));
  const done = await completionOf("tp-1-92-b");
  t.equal(done.result.type, "reqOutputArgs");
  t.equal(cpe.model.value("Device.IP.Diagnostics.IPPing.DSCP"), "0", "the omitted DSCP ran with its default, 0");
});

t.test("TP-469 1.100 Command with missing mandatory input_args", async (t) => {
  const before = await requestRows();
  const { Host: _host, ...withoutHost } = PING_ARGS;
  const results = operateResults(await bench.ask(operate(IPPING, "tp-1-100", true, withoutHost)));
  t.equal(results.length, 1);
  t.equal(results[0]?.executedCommand, IPPING);
  t.match(results[0]?.result, { type: "cmdFailure", errCode: 7027 }, "R-OPR.5 7027 Invalid command arguments");
  t.match(results[0]?.result.type === "cmdFailure" ? results[0].result.errMsg : "", /Host/, "err_msg names the missing argument");
  t.same(await requestRows(), before, "no Request row was made");
});
