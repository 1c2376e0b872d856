// TP-469 section 1, the notification cases. ValueChange goes through CWMP
// active notification: a subscription makes the gateway set Notification=2
// on the CPE (SetParameterAttributes), a change on the CPE brings a
// "4 VALUE CHANGE" Inform, and that becomes the Notify. The retry cases
// (1.54, 1.56) wait for the R-NOT.2 schedule (first retry 5-10 s after the
// Notify), so their Notifies are set off before the first case and the other
// cases run meanwhile.
import mqtt from "mqtt";
import t, { type Test } from "tap";
import { decodeMsg, decodeRecord } from "../src/usp/decode.js";
import { writeParameter } from "../src/sim/fleet.js";
import type { Notify } from "../src/usp/messages.js";
import type { ReceivedRecord } from "./helpers/usp-controller.js";
import { add, addResp, del, deleteResp, event, get, getResp, notifiesFor, notifyOf, notifyResp, p, set, sleep, startBench, subscribe } from "./tp469/harness.js";

const bench = await startBench({ serialPrefix: "TPN" });
const { cpe, controller, gw, agentId } = bench;
// When each Notify reached the controller's topic, by msg_id (a second MQTT
// client, so retry intervals can be measured after the fact).
const arrivals = new Map<string, number[]>();
const clock = await mqtt.connectAsync(bench.broker.url, { protocolVersion: 5, clientId: `tp469-clock-${process.pid}`, reconnectPeriod: 0 });
clock.on("message", (_topic, payload) => {
  const record = decodeRecord(new Uint8Array(payload));
  if (!record.ok || record.record.recordType.type !== "noSessionContext") return;
  const msg = decodeMsg(record.record.recordType.payload);
  if (msg.ok) arrivals.set(msg.msg.header.msgId, [...(arrivals.get(msg.msg.header.msgId) ?? []), Date.now()]);
});
await clock.subscribeAsync(gw.controllerTopic, { qos: 1 });
t.teardown(async () => {
  await clock.endAsync();
  await bench.stop();
});

/** Waits until the gateway has set the CPE's Notification attribute. */
async function attributeBecomes(name: string, notification: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (cpe.model.attribute(name).notification === notification) return true;
    await sleep(100);
  }
  return false;
}

const waitNotify = (id: string, match: (n: Notify) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedRecord> =>
  controller.waitFor((r) => {
    const n = notifyOf(r);
    return n?.subscriptionId === id && match(n);
  }, timeoutMs);

const valueChange = (paramPath: string, paramValue: string): Notify["notification"] => ({ type: "valueChange", valueChange: { paramPath, paramValue } });

// Set off the retry cases first (see the header).
await subscribe(bench, { id: "vc-1-54", notifType: "ValueChange", referenceList: "Device.Time.NTPServer1", notifRetry: true });
await subscribe(bench, { id: "vc-1-56", notifType: "ValueChange", referenceList: "Device.Time.NTPServer2", notifRetry: true, notifExpiration: 4 });
const retryArmed = (await attributeBecomes("Device.Time.NTPServer1", 2)) && (await attributeBecomes("Device.Time.NTPServer2", 2));
writeParameter(cpe, "Device.Time.NTPServer1", "ntp-1-54.example");
writeParameter(cpe, "Device.Time.NTPServer2", "ntp-1-56.example");
const first154 = await waitNotify("vc-1-54");
const first156 = await waitNotify("vc-1-56");
const sent156At = Date.now();

t.test("TP-469 1.52 Notify - Subscription creation using Value Change", async (t) => {
  const instance = await subscribe(bench, { id: "vc-1-52", notifType: "ValueChange", referenceList: "Device.WiFi.SSID.1.SSID" });
  t.match(instance, /^Device\.LocalAgent\.Subscription\.\d+\.$/);
  t.ok(await attributeBecomes("Device.WiFi.SSID.1.SSID", 2), "the gateway asked the CPE for active notification");
  writeParameter(cpe, "Device.WiFi.SSID.1.SSID", "tp-1-52-local");
  const local = await waitNotify("vc-1-52");
  t.equal(local.msg?.header.msgType, "NOTIFY");
  t.equal(local.record.fromId, agentId);
  t.equal(local.record.toId, gw.controllerId);
  t.equal(local.topic, gw.controllerTopic, "to the controller's configured topic");
  t.same(notifyOf(local), { subscriptionId: "vc-1-52", sendResp: false, notification: valueChange("Device.WiFi.SSID.1.SSID", "tp-1-52-local") });
  // A change made by the controller's own Set is notified too (usp.md §5).
  await bench.ask(set(false, [{ objPath: "Device.WiFi.SSID.1.", paramSettings: [p("SSID", "tp-1-52-set")] }]));
  const byController = await waitNotify("vc-1-52", (n) => JSON.stringify(n).includes("tp-1-52-set"), 3000);
  t.same(notifyOf(byController)?.notification, valueChange("Device.WiFi.SSID.1.SSID", "tp-1-52-set"));
});

t.test("TP-469 1.53 Notify - Subscription Deletion Using Value Change", async (t) => {
  const instance = await subscribe(bench, { id: "vc-1-53", notifType: "ValueChange", referenceList: "Device.WiFi.SSID.2.SSID" });
  t.ok(await attributeBecomes("Device.WiFi.SSID.2.SSID", 2));
  writeParameter(cpe, "Device.WiFi.SSID.2.SSID", "tp-1-53-before");
  t.same(notifyOf(await waitNotify("vc-1-53"))?.notification, valueChange("Device.WiFi.SSID.2.SSID", "tp-1-53-before"), "notified while subscribed");
  const removed = deleteResp(await bench.ask(del(false, [instance])));
  t.same(removed.deletedObjResults[0]?.operStatus, { type: "operSuccess", affectedPaths: [instance], unaffectedPathErrs: [] });
  t.ok(await attributeBecomes("Device.WiFi.SSID.2.SSID", 0), "the gateway turned active notification off again");
  writeParameter(cpe, "Device.WiFi.SSID.2.SSID", "tp-1-53-after");
  await cpe.inform([event("2 PERIODIC")]);
  await sleep(500);
  t.equal(notifiesFor(bench, "vc-1-53").length, 1, "no Notify after the subscription is deleted");
});

t.test("TP-469 1.55 Subscription Expiration using Value Change", async (t) => {
  // TimeToLive: the subscription is deleted 2 s after it was created.
  const instance = await subscribe(bench, { id: "vc-1-55", notifType: "ValueChange", referenceList: "Device.Time.LocalTimeZone" });
  await bench.ask(set(false, [{ objPath: instance, paramSettings: [p("TimeToLive", "2")] }]));
  await sleep(3000);
  const left = getResp(await bench.ask(get([`Device.LocalAgent.Subscription.[ID=="vc-1-55"].ID`])));
  t.same(left.reqPathResults[0]?.resolvedPathResults, [], "the subscription is gone");
  writeParameter(cpe, "Device.Time.LocalTimeZone", "UTC0");
  await cpe.inform([event("2 PERIODIC")]);
  await sleep(1000);
  t.equal(notifiesFor(bench, "vc-1-55").length, 0, "and notifies nothing");
});

t.test("TP-469 1.84 Notification - Subscription using search paths", async (t) => {
  // Radio 2 is the 5GHz one: only its Channel is referenced by the search path.
  await subscribe(bench, { id: "vc-1-84", notifType: "ValueChange", referenceList: 'Device.WiFi.Radio.[OperatingFrequencyBand=="5GHz"].Channel' });
  t.ok(await attributeBecomes("Device.WiFi.Radio.2.Channel", 2), "active notification on the matching instance");
  writeParameter(cpe, "Device.WiFi.Radio.1.Channel", "11");
  writeParameter(cpe, "Device.WiFi.Radio.2.Channel", "48");
  await waitNotify("vc-1-84", (n) => JSON.stringify(n).includes("Radio.2"));
  await cpe.inform([event("2 PERIODIC")]);
  await sleep(500);
  t.same(
    notifiesFor(bench, "vc-1-84").map((r) => notifyOf(r)?.notification),
    [valueChange("Device.WiFi.Radio.2.Channel", "48")],
    "the instance the expression matches, and only it",
  );
});

t.test("TP-469 1.54 Notification Retry using Value Change", async (t) => {
  t.ok(retryArmed, "active notification was set on the CPE");
  const firstNotify = notifyOf(first154);
  t.same(firstNotify, { subscriptionId: "vc-1-54", sendResp: true, notification: valueChange("Device.Time.NTPServer1", "ntp-1-54.example") }, "NotifRetry=true: send_resp true");
  const msgId = first154.msg?.header.msgId ?? "";
  const again = await controller.waitFor((r) => r.msg?.header.msgId === msgId && r !== first154, 12_000);
  t.same(notifyOf(again), firstNotify, "the same Notify is sent again");
  t.equal(again.msg?.header.msgId, msgId, "with the same msg_id");
  for (let i = 0; i < 40 && (arrivals.get(msgId)?.length ?? 0) < 2; i++) await sleep(50);
  const [sent, resent] = arrivals.get(msgId) ?? [];
  const waited = ((resent ?? 0) - (sent ?? 0)) / 1000;
  t.ok(waited >= 4.5 && waited <= 11, `R-NOT.2 the first retry ${waited.toFixed(1)} s later, in 5-10 s`);
  await notifyResp(bench, msgId, "vc-1-54");
  await sleep(300);
  const count = controller.countFor(msgId);
  t.ok(count >= 2, `${count} copies until the NotifyResp`);
});

t.test("TP-469 1.56 Notification Retry Expiration using Value Change", async (t) => {
  t.same(notifyOf(first156), { subscriptionId: "vc-1-56", sendResp: true, notification: valueChange("Device.Time.NTPServer2", "ntp-1-56.example") });
  // NotifExpiration=4 s ends retrying before the first retry (5-10 s) is due.
  const msgId = first156.msg?.header.msgId ?? "";
  await sleep(Math.max(0, sent156At + 10_500 - Date.now()));
  t.equal(controller.countFor(msgId), 1, "never re-sent after NotifExpiration");
});

t.test("TP-469 1.57 ObjectCreation Notification", async (t) => {
  await subscribe(bench, { id: "oc-1-57", notifType: "ObjectCreation", referenceList: "Device.NAT.PortMapping." });
  const resp = addResp(
    await bench.ask(add(false, [{ objPath: "Device.NAT.PortMapping.", paramSettings: [p("ExternalPort", "8157"), p("InternalPort", "80"), p("InternalClient", "192.168.1.57"), p("Protocol", "UDP")] }])),
  );
  const status = resp.createdObjResults[0]?.operStatus;
  if (status?.type !== "operSuccess") return t.fail(JSON.stringify(resp));
  const r = await waitNotify("oc-1-57");
  t.equal(r.msg?.header.msgType, "NOTIFY");
  t.same(notifyOf(r), {
    subscriptionId: "oc-1-57",
    sendResp: false,
    notification: { type: "objCreation", objCreation: { objPath: status.instantiatedPath, uniqueKeys: { Alias: `cpe-${/([0-9]+)\.$/.exec(status.instantiatedPath)?.[1] ?? ""}`, RemoteHost: "", ExternalPort: "8157", Protocol: "UDP" } } },
  }, "obj_path of the new instance and its unique keys");
});

t.test("TP-469 1.58 ObjectDeletion Notification", async (t) => {
  await subscribe(bench, { id: "od-1-58", notifType: "ObjectDeletion", referenceList: "Device.DNS.Client.Server.*." });
  const resp = deleteResp(await bench.ask(del(false, ["Device.DNS.Client.Server.2."])));
  t.same(resp.deletedObjResults[0]?.operStatus, { type: "operSuccess", affectedPaths: ["Device.DNS.Client.Server.2."], unaffectedPathErrs: [] });
  const r = await waitNotify("od-1-58");
  t.equal(r.msg?.header.msgType, "NOTIFY");
  t.same(notifyOf(r), { subscriptionId: "od-1-58", sendResp: false, notification: { type: "objDeletion", objDeletion: { objPath: "Device.DNS.Client.Server.2." } } });
});

t.test("TP-469 1.59 Event Notification using Periodic!", async (t) => {
  await subscribe(bench, { id: "ev-1-59", notifType: "Event", referenceList: "Device.LocalAgent.Periodic!" });
  // The CPE's own periodic Inform timer (TR-069 §3.2.1), every second.
  cpe.model.setValue("Device.ManagementServer.PeriodicInformInterval", "1");
  cpe.model.setValue("Device.ManagementServer.PeriodicInformEnable", "true");
  cpe.startPeriodic();
  try {
    const r = await waitNotify("ev-1-59");
    t.equal(r.msg?.header.msgType, "NOTIFY");
    t.same(notifyOf(r), { subscriptionId: "ev-1-59", sendResp: false, notification: { type: "event", event: { objPath: "Device.LocalAgent.", eventName: "Periodic!", params: {} } } });
    const second = await controller.waitFor((x) => notifyOf(x)?.subscriptionId === "ev-1-59" && x !== r, 5000);
    t.not(second.msg?.header.msgId, r.msg?.header.msgId, "each period is a new Notify");
  } finally {
    cpe.stopPeriodic();
    cpe.model.setValue("Device.ManagementServer.PeriodicInformEnable", "false");
  }
});

t.test("TP-469 1.60 OnBoardRequest Notification", async (t) => {
  // Sent when the CPE first informed (0 BOOTSTRAP), while the bench started.
  const r = await controller.waitFor((x) => x.record.fromId === agentId && notifyOf(x)?.notification.type === "onBoardReq");
  t.equal(r.msg?.header.msgType, "NOTIFY");
  t.equal(r.record.toId, gw.controllerId);
  t.equal(r.topic, gw.controllerTopic);
  t.same(notifyOf(r), {
    subscriptionId: "",
    sendResp: true,
    notification: { type: "onBoardReq", onBoardReq: { oui: "00256D", productClass: cpe.model.deviceId().productClass, serialNumber: cpe.serial, agentSupportedProtocolVersions: "1.0,1.1,1.2,1.3,1.4" } },
  }, "R-NOT.7 no subscription_id; R-NOT.6 send_resp true; the CPE's DeviceId");
  const msgId = r.msg?.header.msgId ?? "";
  t.ok(controller.countFor(msgId) >= 2, "retried with the same msg_id while unanswered (R-NOT.6a; the bench started over 10 s ago)");
  await notifyResp(bench, msgId, "");
});

t.test("Controller.{i}.SendOnBoardRequest(): OperateResp, then an OnBoardRequest to that Controller (what TP-469 1.60 operates)", async (t) => {
  const before = new Set(controller.received.map((x) => x.msg?.header.msgId));
  const resp = await bench.ask({ type: "operate", operate: { command: "Device.LocalAgent.Controller.1.SendOnBoardRequest()", commandKey: "onboard-1", sendResp: true, inputArgs: {} } });
  t.same(resp.body, {
    kind: "response",
    response: { type: "operateResp", operateResp: { operationResults: [{ executedCommand: "Device.LocalAgent.Controller.1.SendOnBoardRequest()", result: { type: "reqOutputArgs", outputArgs: {} } }] } },
  });
  const r = await controller.waitFor((x) => x.record.fromId === agentId && notifyOf(x)?.notification.type === "onBoardReq" && !before.has(x.msg?.header.msgId));
  t.equal(r.record.toId, gw.controllerId, "to the Controller of row 1");
  t.match(notifyOf(r), { subscriptionId: "", sendResp: true, notification: { type: "onBoardReq", onBoardReq: { oui: "00256D", serialNumber: cpe.serial } } });
  await notifyResp(bench, r.msg?.header.msgId ?? "", "");
  const missing = await bench.ask({ type: "operate", operate: { command: "Device.LocalAgent.Controller.9.SendOnBoardRequest()", commandKey: "onboard-2", sendResp: true, inputArgs: {} } });
  t.match(missing.body, { kind: "error", error: { errCode: 7016 } }, "no such Controller row");
});

/** A ValueChange subscription on `monitored` whose trigger writes SSID.2's
 * SSID (TR-181 TriggerAction). Each case monitors a parameter of its own, and
 * not a forced Inform parameter (ProvisioningCode is in every Inform, so its
 * presence says nothing about a change, inform-events.ts). */
async function triggerCase(t: Test, id: string, action: "Config" | "NotifyAndConfig", ssid: string, monitored: string, value: string): Promise<void> {
  const instance = await subscribe(bench, { id, notifType: "ValueChange", referenceList: monitored });
  const settings = set(false, [{ objPath: instance, paramSettings: [p("TriggerAction", action), p("TriggerConfigSettings", `Device.WiFi.SSID.2.SSID=${ssid}`)] }]);
  const accepted = (await bench.ask(settings)).header.msgType === "SET_RESP";
  t.ok(accepted, "TriggerAction and TriggerConfigSettings are accepted");
  if (!accepted) throw new Error("nothing to trigger");
  t.ok(await attributeBecomes(monitored, 2));
  writeParameter(cpe, monitored, value);
  for (let i = 0; i < 50 && cpe.model.value("Device.WiFi.SSID.2.SSID") !== ssid; i++) await sleep(200);
  t.equal(cpe.model.value("Device.WiFi.SSID.2.SSID"), ssid, "the trigger applied TriggerConfigSettings");
}

t.test("TP-469 1.93 Subscription using TriggerAction Config", async (t) => {
  await triggerCase(t, "tr-1-93", "Config", "tp-1-93", "Device.DNS.Client.Server.1.DNSServer", "10.1.93.1");
  await sleep(500);
  t.equal(notifiesFor(bench, "tr-1-93").length, 0, "Config alone sends no Notify");
});

t.test("TP-469 1.94 Subscription using TriggerAction NotifyAndConfig", async (t) => {
  await triggerCase(t, "tr-1-94", "NotifyAndConfig", "tp-1-94", "Device.IP.Interface.1.MaxMTUSize", "1494");
  t.same(notifyOf(await waitNotify("tr-1-94", () => true, 3000))?.notification, valueChange("Device.IP.Interface.1.MaxMTUSize", "1494"), "and the Notify");
});

/** Sets the first Controller row's onboarding parameters; the SetResp must come. */
async function setOnBoarding(t: Test, settings: ReturnType<typeof p>[]): Promise<boolean> {
  const resp = await bench.ask(set(false, [{ objPath: "Device.LocalAgent.Controller.1.", paramSettings: settings }]));
  t.equal(resp.header.msgType, "SET_RESP", `Controller.{i}.${settings.map((s) => s.param).join(", ")} can be set`);
  return resp.header.msgType === "SET_RESP";
}

const onBoardRequests = (): ReceivedRecord[] => controller.received.filter((r) => notifyOf(r)?.notification.type === "onBoardReq");

/** The next OnBoardRequest with a msg_id not seen before. */
async function nextOnBoardRequest(timeoutMs: number): Promise<ReceivedRecord> {
  const seen = new Set(onBoardRequests().map((r) => r.msg?.header.msgId));
  return controller.waitFor((r) => notifyOf(r)?.notification.type === "onBoardReq" && !seen.has(r.msg?.header.msgId), timeoutMs);
}

t.test("TP-469 1.101 OnBoardRequest Notification - OnBoardingComplete set to false", async (t) => {
  const next = nextOnBoardRequest(5000);
  if (!(await setOnBoarding(t, [p("OnBoardingRestartTime", "0"), p("OnBoardingComplete", "false")]))) return;
  const again = await next;
  t.same(notifyOf(again), {
    subscriptionId: "",
    sendResp: true,
    notification: { type: "onBoardReq", onBoardReq: { oui: "00256D", productClass: cpe.model.deviceId().productClass, serialNumber: cpe.serial, agentSupportedProtocolVersions: "1.0,1.1,1.2,1.3,1.4" } },
  }, "R-NOT.5 a new OnBoardRequest follows, with the CPE's DeviceId");
  await notifyResp(bench, again.msg?.header.msgId ?? "", "");
  await setOnBoarding(t, [p("OnBoardingComplete", "true")]);
});

t.test("TP-469 1.102 OnBoardRequest Notification - OnBoardingRestartTime", async (t) => {
  const first = nextOnBoardRequest(5000);
  if (!(await setOnBoarding(t, [p("OnBoardingRestartTime", "2"), p("OnBoardingComplete", "false")]))) return;
  const r1 = await first;
  const second = nextOnBoardRequest(6000);
  const ackedAt = Date.now();
  await notifyResp(bench, r1.msg?.header.msgId ?? "", "");
  const r2 = await second;
  t.ok(Date.now() - ackedAt >= 1900, `sent again OnBoardingRestartTime (2 s) after the NotifyResp (${Date.now() - ackedAt} ms)`);
  t.same([notifyOf(r2)?.subscriptionId, notifyOf(r2)?.sendResp, notifyOf(r2)?.notification.type], ["", true, "onBoardReq"]);
  // The Controller completes onboarding: no more re-sends.
  await setOnBoarding(t, [p("OnBoardingComplete", "true")]);
  const count = onBoardRequests().length;
  await notifyResp(bench, r2.msg?.header.msgId ?? "", "");
  await sleep(3000);
  t.equal(onBoardRequests().length, count, "none after OnBoardingComplete is true");
});

t.test("TP-469 1.103 OnBoardRequest Notification - OnBoardingRestartTime disabled", async (t) => {
  const first = nextOnBoardRequest(5000);
  if (!(await setOnBoarding(t, [p("OnBoardingRestartTime", "0"), p("OnBoardingComplete", "false")]))) return;
  const r1 = await first;
  const count = onBoardRequests().length;
  await notifyResp(bench, r1.msg?.header.msgId ?? "", "");
  await sleep(3000);
  t.equal(onBoardRequests().length, count, "OnBoardingRestartTime 0: not sent again after the NotifyResp");
  await setOnBoarding(t, [p("OnBoardingComplete", "true")]);
});
