// Firmware commands end to end on a TR-181 CPE (simulated tr181-gateway with
// two Device.DeviceInfo.FirmwareImage.{i} banks → gateway → Mosquitto → test
// controller), the CPE fetching images from a local HTTP server:
// - FirmwareImage.2.Download() with AutoActivate false: CWMP Download "6
//   Stored Firmware Image" into bank 2, OperationComplete on TransferComplete,
//   no reboot, the running firmware unchanged;
// - FirmwareImage.2.Activate(): BootFirmwareImage set and the CPE rebooted,
//   OperationComplete once it runs image 2, Boot! with the command_key and
//   FirmwareUpdated true, the new SoftwareVersion;
// - Activate() of an image that is not Available: a command failure (9007);
// - FirmwareImage.1.Download() with AutoActivate true: "1 Firmware Upgrade
//   Image" into the bank not running, the CPE reboots into it by itself;
// - a download that fails (HTTP 404), and one into the running bank (refused).
import http from "node:http";
import type { AddressInfo } from "node:net";
import t from "tap";
import { readParameter, startFleet } from "../src/sim/fleet.js";
import type { Msg, Notify, Operate, OperationResultResp, Request } from "../src/usp/messages.js";
import { testBroker } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController, type ReceivedRecord } from "./helpers/usp-controller.js";
import { add, addResp, get, getResp, OUI, p, set, setResp } from "./tp469/harness.js";

const broker = await testBroker();
const gw = await startTestGateway(broker.url);
const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
const fleet = await startFleet({ acsUrl: gw.gateway.acsUrl, count: 1, serialPrefix: `FW${process.pid}-`, oui: OUI, crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
const fetched: string[] = [];
const files = http.createServer((req, res) => {
  fetched.push(req.url ?? "");
  if (req.url?.includes("missing") === true) res.writeHead(404).end();
  else res.writeHead(200, { "Content-Type": "application/octet-stream" }).end(Buffer.alloc(4096, 7));
});
await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
t.teardown(async () => {
  await fleet.stop();
  await controller.close();
  await gw.stop();
  await broker.close();
  await new Promise<void>((resolve) => files.close(() => resolve()));
});
await fleet.bootAll();
const cpe = fleet.cpes[0];
if (cpe === undefined) throw new Error("no CPE");
const agentId = `os::${OUI}-${cpe.serial}`;
const topic = gw.agentTopic(agentId);
const fileUrl = (name: string): string => `http://127.0.0.1:${(files.address() as AddressInfo).port}/fw/${name}`;
const ask = (request: Request): Promise<Msg> => controller.request(agentId, topic, request);
const IMAGES = "Device.DeviceInfo.FirmwareImage.";

function operate(command: string, commandKey: string, inputArgs: Record<string, string> = {}): Request {
  const op: Operate = { command, commandKey, sendResp: true, inputArgs };
  return { type: "operate", operate: op };
}

function results(msg: Msg): { executedCommand: string; result: OperationResultResp }[] {
  const body = msg.body;
  if (body.kind !== "response" || body.response.type !== "operateResp") throw new Error(`not an OperateResp: ${JSON.stringify(body)}`);
  return body.response.operateResp.operationResults;
}

function notifyOf(r: ReceivedRecord): Notify | undefined {
  const body = r.msg?.body;
  return body?.kind === "request" && body.request.type === "notify" ? body.request.notify : undefined;
}

async function subscribe(id: string, notifType: string, referenceList: string): Promise<void> {
  addResp(await ask(add(false, [{ objPath: "Device.LocalAgent.Subscription.", paramSettings: [p("ID", id), p("NotifType", notifType), p("ReferenceList", referenceList), p("Enable", "true")] }])));
}

/** Every parameter under `path`, by full name. */
async function read(path: string): Promise<Record<string, string>> {
  const r = getResp(await ask(get([path]))).reqPathResults[0];
  const out: Record<string, string> = {};
  for (const res of r?.resolvedPathResults ?? []) for (const [k, v] of Object.entries(res.resultParams)) out[res.resolvedPath + k] = v;
  return out;
}

const completion = (commandKey: string) => (r: ReceivedRecord): boolean => {
  const n = notifyOf(r)?.notification;
  return n?.type === "operComplete" && n.operComplete.commandKey === commandKey;
};
const bootWith = (match: (params: Record<string, string>) => boolean) => (r: ReceivedRecord): boolean => {
  const n = notifyOf(r)?.notification;
  return n?.type === "event" && n.event.eventName === "Boot!" && match(n.event.params);
};

await subscribe("fw-done", "OperationComplete", IMAGES);
await subscribe("fw-boot", "Event", "Device.Boot!");
await subscribe("fw-transfer", "Event", "Device.LocalAgent.TransferComplete!");

const transferComplete = (match: (params: Record<string, string>) => boolean) => (r: ReceivedRecord): boolean => {
  const n = notifyOf(r)?.notification;
  return n?.type === "event" && n.event.eventName === "TransferComplete!" && match(n.event.params);
};

t.test("the TR-181 CPE shows two image banks, image 1 running", async (t) => {
  const info = await read("Device.DeviceInfo.");
  t.equal(info["Device.DeviceInfo.ActiveFirmwareImage"], `${IMAGES}1`);
  t.equal(info["Device.DeviceInfo.BootFirmwareImage"], `${IMAGES}1`);
  t.equal(info["Device.DeviceInfo.FirmwareImageNumberOfEntries"], "2");
  t.same(
    [1, 2].map((i) => [info[`${IMAGES}${i}.Version`], info[`${IMAGES}${i}.Status`], info[`${IMAGES}${i}.Available`]]),
    [
      ["4.2.7-sim", "Active", "true"],
      ["4.1.9-sim", "Available", "true"],
    ],
  );
  t.equal(info["Device.DeviceInfo.SoftwareVersion"], "4.2.7-sim");
});

t.test("FirmwareImage.2.Download() AutoActivate=false: stored into image 2, nothing activated", async (t) => {
  const sessions = cpe.log.length;
  const started = results(await ask(operate(`${IMAGES}2.Download()`, "fw-store", { URL: fileUrl("hgw-5.0.1.bin"), AutoActivate: "false", FileSize: "4096" })));
  t.match(started, [{ executedCommand: `${IMAGES}2.Download()`, result: { type: "reqObjPath", reqObjPath: /^Device\.LocalAgent\.Request\.\d+$/ } }]);
  const done = notifyOf(await controller.waitFor(completion("fw-store"), 30_000));
  t.same(done, {
    subscriptionId: "fw-done",
    sendResp: false,
    notification: { type: "operComplete", operComplete: { objPath: `${IMAGES}2.`, commandName: "Download()", commandKey: "fw-store", result: { type: "reqOutputArgs", outputArgs: {} } } },
  });
  await cpe.whenIdle();
  const log = cpe.log.slice(sessions);
  t.ok(log.some((s) => s.methods.includes("Download")), "a CWMP Download reached the CPE");
  t.notOk(log.some((s) => s.events.includes("1 BOOT")), "the CPE did not reboot");
  t.ok(fetched.includes("/fw/hgw-5.0.1.bin"), "the CPE fetched the image");
  const transfer = notifyOf(await controller.waitFor(transferComplete((p) => p.CommandKey === "fw-store"), 30_000));
  t.equal(transfer?.subscriptionId, "fw-transfer");
  const ev = transfer?.notification.type === "event" ? transfer.notification.event : undefined;
  t.equal(ev?.objPath, "Device.LocalAgent.");
  t.match(ev?.params, {
    Command: `${IMAGES}2.Download()`,
    CommandKey: "fw-store",
    Requestor: gw.controllerId,
    TransferType: "Download",
    Affected: `${IMAGES}2`,
    TransferURL: fileUrl("hgw-5.0.1.bin"),
    FaultCode: "0",
    FaultString: "",
  });
  t.notSame(ev?.params.CompleteTime, "", "CompleteTime from the CPE's TransferComplete");
  const info = await read("Device.DeviceInfo.");
  t.same([info[`${IMAGES}2.Name`], info[`${IMAGES}2.Version`], info[`${IMAGES}2.Status`], info[`${IMAGES}2.Available`]], ["hgw-5.0.1.bin", "5.0.1", "Available", "true"]);
  t.equal(info["Device.DeviceInfo.ActiveFirmwareImage"], `${IMAGES}1`, "image 1 still runs");
  t.equal(info["Device.DeviceInfo.SoftwareVersion"], "4.2.7-sim");
});

t.test("FirmwareImage.2.Activate(): the CPE boots image 2; OperationComplete, Boot! with FirmwareUpdated true", async (t) => {
  const started = results(await ask(operate(`${IMAGES}2.Activate()`, "fw-activate")));
  t.match(started, [{ executedCommand: `${IMAGES}2.Activate()`, result: { type: "reqObjPath", reqObjPath: /^Device\.LocalAgent\.Request\.\d+$/ } }]);
  const done = notifyOf(await controller.waitFor(completion("fw-activate"), 30_000));
  t.same(done?.notification, { type: "operComplete", operComplete: { objPath: `${IMAGES}2.`, commandName: "Activate()", commandKey: "fw-activate", result: { type: "reqOutputArgs", outputArgs: {} } } });
  const boot = notifyOf(await controller.waitFor(bootWith((params) => params.CommandKey === "fw-activate"), 30_000));
  t.same(boot?.notification, { type: "event", event: { objPath: "Device.", eventName: "Boot!", params: { CommandKey: "fw-activate", Cause: "RemoteReboot", FirmwareUpdated: "true", ParameterMap: "{}" } } });
  t.equal(readParameter(cpe, "Device.DeviceInfo.SoftwareVersion"), "5.0.1");
  const info = await read("Device.DeviceInfo.");
  t.equal(info["Device.DeviceInfo.SoftwareVersion"], "5.0.1");
  t.equal(info["Device.DeviceInfo.ActiveFirmwareImage"], `${IMAGES}2`);
  t.equal(info["Device.DeviceInfo.BootFirmwareImage"], `${IMAGES}2`);
  t.same([info[`${IMAGES}1.Status`], info[`${IMAGES}2.Status`]], ["Available", "Active"]);
});

t.test("Activate() of an image that is not Available: command failure, no reboot", async (t) => {
  t.equal(setResp(await ask(set(false, [{ objPath: `${IMAGES}1.`, paramSettings: [p("Available", "false")] }]))).updatedObjResults[0]?.operStatus.type, "operSuccess");
  const sessions = cpe.log.length;
  const failed = results(await ask(operate(`${IMAGES}1.Activate()`, "fw-activate-bad")));
  t.match(failed, [{ executedCommand: `${IMAGES}1.Activate()`, result: { type: "cmdFailure", errCode: 7022 } }]);
  await cpe.whenIdle();
  t.notOk(cpe.log.slice(sessions).some((s) => s.methods.includes("Reboot")), "no Reboot was sent");
  t.equal(readParameter(cpe, "Device.DeviceInfo.ActiveFirmwareImage"), `${IMAGES}2`);
  t.equal(setResp(await ask(set(false, [{ objPath: `${IMAGES}1.`, paramSettings: [p("Available", "true")] }]))).updatedObjResults[0]?.operStatus.type, "operSuccess");
});

t.test("FirmwareImage.1.Download() AutoActivate=true: into the bank not running, the CPE reboots into it", async (t) => {
  const started = results(await ask(operate(`${IMAGES}1.Download()`, "fw-upgrade", { URL: fileUrl("hgw-6.1.0.bin"), AutoActivate: "true" })));
  t.match(started, [{ executedCommand: `${IMAGES}1.Download()`, result: { type: "reqObjPath", reqObjPath: /^Device\.LocalAgent\.Request\.\d+$/ } }]);
  const done = notifyOf(await controller.waitFor(completion("fw-upgrade"), 30_000));
  t.same(done?.notification, { type: "operComplete", operComplete: { objPath: `${IMAGES}1.`, commandName: "Download()", commandKey: "fw-upgrade", result: { type: "reqOutputArgs", outputArgs: {} } } });
  const boot = notifyOf(await controller.waitFor(bootWith((params) => params.FirmwareUpdated === "true" && params.CommandKey === ""), 30_000));
  // CWMP: the CPE reboots by itself to apply the image (no M Reboot), so LocalReboot.
  t.same(boot?.notification, { type: "event", event: { objPath: "Device.", eventName: "Boot!", params: { CommandKey: "", Cause: "LocalReboot", FirmwareUpdated: "true", ParameterMap: "{}" } } });
  const info = await read("Device.DeviceInfo.");
  t.equal(info["Device.DeviceInfo.SoftwareVersion"], "6.1.0");
  t.equal(info["Device.DeviceInfo.ActiveFirmwareImage"], `${IMAGES}1`);
  t.same([info[`${IMAGES}1.Name`], info[`${IMAGES}1.Version`], info[`${IMAGES}1.Status`]], ["hgw-6.1.0.bin", "6.1.0", "Active"]);
  t.equal(info[`${IMAGES}2.Status`], "Available");
});

t.test("a download that fails: OperationComplete with a CommandFailure, the bank says DownloadFailed", async (t) => {
  results(await ask(operate(`${IMAGES}2.Download()`, "fw-missing", { URL: fileUrl("missing-7.0.0.bin"), AutoActivate: "false" })));
  const done = notifyOf(await controller.waitFor(completion("fw-missing"), 30_000));
  const n = done?.notification;
  if (n?.type !== "operComplete") return t.fail("no OperationComplete");
  t.equal(n.operComplete.result.type, "cmdFailure");
  t.equal(readParameter(cpe, `${IMAGES}2.Status`), "DownloadFailed");
  const transfer = notifyOf(await controller.waitFor(transferComplete((p) => p.CommandKey === "fw-missing"), 30_000));
  const params = transfer?.notification.type === "event" ? transfer.notification.event.params : {};
  t.equal(params.FaultCode, "7022", "a CWMP transfer fault is a USP command failure code");
  t.match(params.FaultString, /90\d\d/, "with the CPE's CWMP fault in the text");
  t.equal(readParameter(cpe, "Device.DeviceInfo.SoftwareVersion"), "6.1.0");
});

t.test("Download() AutoActivate=false into the running image: refused by the CPE, a command failure (TP-469 9.7)", async (t) => {
  const active = readParameter(cpe, "Device.DeviceInfo.ActiveFirmwareImage");
  t.equal(active, `${IMAGES}1`);
  const refused = results(await ask(operate(`${IMAGES}1.Download()`, "fw-active-bank", { URL: fileUrl("hgw-8.0.0.bin"), AutoActivate: "false" })));
  t.match(refused, [{ executedCommand: `${IMAGES}1.Download()`, result: { type: "cmdFailure" } }]);
  t.notOk(fetched.includes("/fw/hgw-8.0.0.bin"), "nothing was fetched");
  t.equal(readParameter(cpe, `${IMAGES}1.Status`), "Active");
});

t.test("an autonomous transfer (10 AUTONOMOUS TRANSFER COMPLETE): TransferComplete! with no Command, CommandKey or Requestor", async (t) => {
  cpe.report({
    events: [{ eventCode: "10 AUTONOMOUS TRANSFER COMPLETE", commandKey: "" }],
    request: {
      method: "AutonomousTransferComplete",
      announceUrl: "",
      transferUrl: "http://files.example.net/cfg.xml",
      isDownload: true,
      fileType: "3 Vendor Configuration File",
      fileSize: 1234,
      targetFileName: "cfg.xml",
      faultStruct: { faultCode: 0, faultString: "" },
      startTime: "2026-11-24T05:00:00Z",
      completeTime: "2026-11-24T05:00:02Z",
    },
  });
  const r = notifyOf(await controller.waitFor(transferComplete((p) => p.TransferURL === "http://files.example.net/cfg.xml"), 30_000));
  t.same(r?.notification, {
    type: "event",
    event: {
      objPath: "Device.LocalAgent.",
      eventName: "TransferComplete!",
      params: {
        Command: "",
        CommandKey: "",
        Requestor: "",
        TransferType: "Download",
        Affected: "",
        TransferURL: "http://files.example.net/cfg.xml",
        StartTime: "2026-11-24T05:00:00Z",
        CompleteTime: "2026-11-24T05:00:02Z",
        FaultCode: "0",
        FaultString: "",
      },
    },
  });
});
