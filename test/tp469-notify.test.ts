// TP-469 section 1, the notification cases. ValueChange goes through CWMP
// active notification: a subscription makes the gateway set Notification=2
// on the CPE (SetParameterAttributes), a change on the CPE brings a
// "4 VALUE CHANGE" Inform, and that becomes the Notify. The retry cases
// (1.54, 1.56) wait for the R-NOT.2 schedule (first retry 5-10 s after the
// Notify), so their Notifies are set off before the first case and the other
// cases run meanwhile.
import t from "tap";
import { writeParameter } from "../src/sim/fleet.js";
import type { Notify } from "../src/usp/messages.js";
import type { ReceivedRecord } from "./helpers/usp-controller.js";
import { add, addResp, del, deleteResp, event, notifiesFor, notifyOf, notifyResp, p, set, sleep, startBench, subscribe } from "./tp469/harness.js";
import { expectedFailure } from "./tp469/expected-failure.js";

const bench = await startBench({ serialPrefix: "TPN" });
t.teardown(() => bench.stop());
const { cpe, controller, gw, agentId } = bench;

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

expectedFailure(t, "TP-469 1.52 Notify - Subscription creation using Value Change", async (t) => {
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

t.test("TP-469 1.54 Notification Retry using Value Change", async (t) => {
  t.ok(retryArmed, "active notification was set on the CPE");
  const firstNotify = notifyOf(first154);
  t.same(firstNotify, { subscriptionId: "vc-1-54", sendResp: true, notification: valueChange("Device.Time.NTPServer1", "ntp-1-54.example") }, "NotifRetry=true: send_resp true");
  const msgId = first154.msg?.header.msgId ?? "";
  const receivedAt = Date.now();
  const again = await controller.waitFor((r) => r.msg?.header.msgId === msgId && r !== first154, 12_000);
  t.same(notifyOf(again), firstNotify, "the same Notify is sent again");
  t.equal(again.msg?.header.msgId, msgId, "with the same msg_id");
  t.ok(Date.now() - receivedAt <= 11_000, "within the first R-NOT.2 interval (5-10 s)");
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
    notification: { type: "objCreation", objCreation: { objPath: status.instantiatedPath, uniqueKeys: { Alias: "", RemoteHost: "", ExternalPort: "8157", Protocol: "UDP" } } },
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
