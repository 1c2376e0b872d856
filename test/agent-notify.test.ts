// Subscription matching, the meaning of Informs for subscribers, and the
// Notify retry schedule (TR-369 R-NOT.1–4).
import t from "tap";
import { pino } from "pino";
import { interpretInform } from "../src/agent/notify/inform-events.js";
import { Notifier } from "../src/agent/notify/notifier.js";
import { covers, subscribersTo, type Subscription } from "../src/agent/notify/subscriptions.js";
import type { Inform } from "../src/cwmp/rpc.js";
import type { Msg } from "../src/usp/messages.js";

t.test("ReferenceList coverage: exact paths, object paths, wildcards and search expressions", async (t) => {
  t.ok(covers("Device.WiFi.SSID.1.SSID", "Device.WiFi.SSID.1.SSID"));
  t.notOk(covers("Device.WiFi.SSID.1.SSID", "Device.WiFi.SSID.2.SSID"));
  t.ok(covers("Device.WiFi.", "Device.WiFi.SSID.2.SSID"), "an object path covers everything below it");
  t.ok(covers("Device.WiFi.SSID.*.SSID", "Device.WiFi.SSID.7.SSID"));
  t.notOk(covers("Device.WiFi.SSID.*.SSID", "Device.WiFi.SSID.7.Enable"));
  t.ok(covers("Device.WiFi.SSID.[Enable==true].SSID", "Device.WiFi.SSID.3.SSID"), "expressions act as wildcards");
  t.ok(covers("Device.Boot!", "Device.Boot!"));
  t.ok(covers("Device.", "Device.Boot!"));
  t.notOk(covers("Device.LocalAgent.", "Device.Boot!"));
  t.ok(covers("Device.NAT.PortMapping.", "Device.NAT.PortMapping.3."), "ObjectCreation on a table");
  t.notOk(covers("Device.NAT.PortMapping.1.", "Device.NAT.PortMapping.3."));
});

t.test("only subscriptions of the right type covering the path are chosen", async (t) => {
  const sub = (id: string, notifType: string, refs: string[]): Subscription => ({
    instance: 1,
    id,
    recipient: "Device.LocalAgent.Controller.1",
    notifType,
    referenceList: refs,
    notifRetry: false,
    notifExpiration: 0,
    triggerAction: "Notify",
    triggerConfigSettings: "",
  });
  const subs = [sub("a", "Event", ["Device.Boot!"]), sub("b", "ValueChange", ["Device.Boot!"]), sub("c", "Event", ["Device.LocalAgent.Periodic!", "Device."])];
  t.same(subscribersTo(subs, "Event", "Device.Boot!").map((s) => s.id), ["a", "c"]);
});

const inform = (events: [string, string][], params: [string, string][] = []): Inform => ({
  method: "Inform",
  deviceId: { manufacturer: "A", oui: "00256D", productClass: "GW", serialNumber: "S" },
  event: events.map(([eventCode, commandKey]) => ({ eventCode, commandKey })),
  maxEnvelopes: 1,
  currentTime: "",
  retryCount: 0,
  parameterList: params.map(([name, value]) => ({ name, value, type: "xsd:string" })),
});

t.test("1 BOOT + M Reboot → Boot! with Cause RemoteReboot and the CommandKey", async (t) => {
  const meaning = interpretInform(inform([["1 BOOT", ""], ["M Reboot", "ck-1"]], [["Device.DeviceInfo.SoftwareVersion", "2.0"]]), {
    previousSoftwareVersion: "1.0",
    remoteFactoryResetPending: false,
  });
  t.same(meaning.events, [{ objPath: "Device.", eventName: "Boot!", params: { CommandKey: "ck-1", Cause: "RemoteReboot", FirmwareUpdated: "true", ParameterMap: "{}" } }]);
  t.equal(meaning.onBoard, false);
});

t.test("1 BOOT alone → LocalReboot; 0 BOOTSTRAP → LocalFactoryReset and an OnBoardRequest", async (t) => {
  const local = interpretInform(inform([["1 BOOT", ""]]), { previousSoftwareVersion: undefined, remoteFactoryResetPending: false });
  t.equal(local.events[0]?.params.Cause, "LocalReboot");
  t.equal(local.events[0]?.params.FirmwareUpdated, "false");
  const bootstrap = interpretInform(inform([["0 BOOTSTRAP", ""], ["1 BOOT", ""]]), { previousSoftwareVersion: undefined, remoteFactoryResetPending: false });
  t.equal(bootstrap.events[0]?.params.Cause, "LocalFactoryReset");
  t.equal(bootstrap.onBoard, true);
  const remote = interpretInform(inform([["0 BOOTSTRAP", ""]]), { previousSoftwareVersion: undefined, remoteFactoryResetPending: true });
  t.equal(remote.events[0]?.params.Cause, "RemoteFactoryReset");
});

t.test("2 PERIODIC → Device.LocalAgent.Periodic!; 4 VALUE CHANGE → changed parameters only", async (t) => {
  const periodic = interpretInform(inform([["2 PERIODIC", ""]]), { previousSoftwareVersion: undefined, remoteFactoryResetPending: false });
  t.same(periodic.events, [{ objPath: "Device.LocalAgent.", eventName: "Periodic!", params: {} }]);
  const change = interpretInform(
    inform([["4 VALUE CHANGE", ""]], [["Device.DeviceInfo.SoftwareVersion", "1.0"], ["Device.ManagementServer.ConnectionRequestURL", "http://x"], ["Device.WiFi.SSID.1.SSID", "new"]]),
    { previousSoftwareVersion: "1.0", remoteFactoryResetPending: false },
  );
  t.same(change.valueChanges, [{ paramPath: "Device.WiFi.SSID.1.SSID", value: "new" }], "forced Inform parameters that did not change are not value changes");
  t.same(change.events, []);
});

t.test("R-NOT.2 retry waits grow as m·(k/1000)^n, capped from the 10th retry", async (t) => {
  const notifier = (random: number): Notifier =>
    new Notifier({ logger: pino({ level: "silent" }), send: async () => true, now: Date.now, random: () => random, minWaitSeconds: 5, intervalMultiplier: 2000 });
  t.same([1, 2, 3, 10, 11, 30].map((n) => notifier(0).retryDelayMs(n)), [5000, 10000, 20000, 2560000, 2560000, 2560000]);
  t.same([1, 2, 10].map((n) => notifier(1).retryDelayMs(n)), [10000, 20000, 5120000]);
});

t.test("R-NOT.1 a Notify with send_resp is re-sent until its NotifyResp; R-NOT.10 the response stops it", async (t) => {
  const sent: Msg[] = [];
  const notifier = new Notifier({
    logger: pino({ level: "silent" }),
    send: async (_e, _c, msg) => {
      sent.push(msg);
      return true;
    },
    now: Date.now,
    random: () => 0,
    minWaitSeconds: 0.05,
    intervalMultiplier: 1000,
  });
  t.teardown(() => notifier.stop());
  const msgId = await notifier.notify({ endpointId: "e", controllerId: "c", subscriptionId: "s", sendResp: true, notification: { type: "objDeletion", objDeletion: { objPath: "Device.X.1." } } });
  await new Promise((r) => setTimeout(r, 180));
  t.ok(sent.length >= 3, `re-sent (${sent.length} sends)`);
  t.ok(sent.every((m) => m.header.msgId === msgId), "retries carry the same msg_id");
  t.equal(notifier.acknowledge(msgId), true);
  const count = sent.length;
  await new Promise((r) => setTimeout(r, 150));
  t.equal(sent.length, count, "no retry after the NotifyResp");
  t.equal(notifier.acknowledge(msgId), false);
  // The NotifyResp is reported once, to whoever asked (OnBoardingRestartTime).
  let acks = 0;
  const onBoard = await notifier.notify({ endpointId: "e", controllerId: "c", subscriptionId: "", sendResp: true, notification: { type: "objDeletion", objDeletion: { objPath: "Device.X.3." } }, onAcknowledged: () => (acks += 1) });
  t.equal(acks, 0, "not before the NotifyResp");
  notifier.acknowledge(onBoard);
  notifier.acknowledge(onBoard);
  t.equal(acks, 1, "once, when it arrives");
  await notifier.notify({ endpointId: "e", controllerId: "c", subscriptionId: "s", sendResp: false, notification: { type: "objDeletion", objDeletion: { objPath: "Device.X.2." } } });
  t.equal(notifier.pendingCount(), 0, "send_resp=false is never retried");
});

t.test("NotifExpiration stops retries", async (t) => {
  let sends = 0;
  let clock = 0;
  const notifier = new Notifier({ logger: pino({ level: "silent" }), send: async () => ++sends > 0, now: () => clock, random: () => 0, minWaitSeconds: 5, intervalMultiplier: 2000 });
  await notifier.notify({ endpointId: "e", controllerId: "c", subscriptionId: "s", sendResp: true, notification: { type: "objDeletion", objDeletion: { objPath: "Device.X.1." } }, expirationSeconds: 3 });
  t.equal(notifier.pendingCount(), 0, "the first retry (≥ 5 s) would fall after the 3 s expiration");
  clock = 0;
  notifier.stop();
});
