// Notifications end to end: a controller subscribes through
// Device.LocalAgent.Subscription. and hears of the CPE's boots and periodic
// Informs, of objects it creates, and gets an OnBoardRequest on first contact.
import t from "tap";
import { event } from "../src/sim/cpe.js";
import { startFleet } from "../src/sim/fleet.js";
import type { Msg, Notify } from "../src/usp/messages.js";
import { testBroker } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController, type ReceivedRecord } from "./helpers/usp-controller.js";

const broker = await testBroker();
const gw = await startTestGateway(broker.url);
const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
const fleet = await startFleet({ acsUrl: gw.gateway.acsUrl, count: 1, serialPrefix: `NT${process.pid}-`, oui: "00256D", crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
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

async function subscribe(id: string, notifType: string, referenceList: string, notifRetry = false): Promise<void> {
  const msg: Msg = await controller.request(agentId, topic, {
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
            { param: "NotifRetry", value: String(notifRetry), required: true },
            { param: "Enable", value: "true", required: true },
          ],
        },
      ],
    },
  });
  if (msg.body.kind !== "response") throw new Error(`subscribe failed: ${JSON.stringify(msg.body)}`);
}

t.test("R-NOT.5 a CPE's first contact (0 BOOTSTRAP) sends an OnBoardRequest, send_resp true, no subscription", async (t) => {
  const r = await controller.waitFor((x) => x.record.fromId === agentId && notifyOf(x)?.notification.type === "onBoardReq");
  const notify = notifyOf(r);
  t.equal(notify?.subscriptionId, "", "R-NOT.7 no subscription applies");
  t.equal(notify?.sendResp, true);
  t.same(notify?.notification, { type: "onBoardReq", onBoardReq: { oui: "00256D", productClass: cpe.model.deviceId().productClass, serialNumber: cpe.serial, agentSupportedProtocolVersions: "1.0,1.1,1.2,1.3,1.4" } });
  t.equal(r.topic, gw.controllerTopic, "Notifies go to the controller's configured topic");
});

t.test("TP-469 Boot! event: a subscribed controller hears of a CPE boot, with its Cause", async (t) => {
  await subscribe("boot-1", "Event", "Device.Boot!", true);
  const result = await cpe.inform([event("1 BOOT")]);
  t.ok(result.ok);
  const r = await controller.waitFor((x) => notifyOf(x)?.subscriptionId === "boot-1");
  const notify = notifyOf(r);
  t.equal(r.msg?.header.msgType, "NOTIFY");
  t.equal(notify?.sendResp, true, "NotifRetry=true asks for a NotifyResp");
  t.same(notify?.notification, { type: "event", event: { objPath: "Device.", eventName: "Boot!", params: { CommandKey: "", Cause: "LocalReboot", FirmwareUpdated: "false", ParameterMap: "{}" } } });
  // Acknowledge it (R-NOT.10), echoing the subscription id.
  await controller.sendRecord(topic, {
    version: "1.4",
    toId: agentId,
    fromId: gw.controllerId,
    payloadSecurity: "PLAINTEXT",
    recordType: {
      type: "noSessionContext",
      payload: (await import("../src/usp/encode.js")).encodeMsg({
        header: { msgId: r.msg?.header.msgId ?? "", msgType: "NOTIFY_RESP" },
        body: { kind: "response", response: { type: "notifyResp", notifyResp: { subscriptionId: "boot-1" } } },
      }),
    },
  });
});

t.test("Periodic! follows 2 PERIODIC Informs", async (t) => {
  await subscribe("periodic-1", "Event", "Device.LocalAgent.Periodic!");
  await cpe.inform([event("2 PERIODIC")]);
  const r = await controller.waitFor((x) => notifyOf(x)?.subscriptionId === "periodic-1");
  t.same(notifyOf(r)?.notification, { type: "event", event: { objPath: "Device.LocalAgent.", eventName: "Periodic!", params: {} } });
  t.equal(notifyOf(r)?.sendResp, false);
});

t.test("ObjectCreation and ObjectDeletion follow the controller's own Add and Delete", async (t) => {
  await subscribe("pm-created", "ObjectCreation", "Device.NAT.PortMapping.");
  await subscribe("pm-deleted", "ObjectDeletion", "Device.NAT.PortMapping.*.");
  const added = await controller.request(agentId, topic, {
    type: "add",
    add: {
      allowPartial: false,
      createObjs: [
        {
          objPath: "Device.NAT.PortMapping.",
          paramSettings: [
            { param: "ExternalPort", value: "8080", required: true },
            { param: "InternalPort", value: "80", required: true },
            { param: "Protocol", value: "TCP", required: true },
            { param: "InternalClient", value: "192.168.1.10", required: true },
          ],
        },
      ],
    },
  });
  if (added.body.kind !== "response" || added.body.response.type !== "addResp") return t.fail(JSON.stringify(added.body));
  const status = added.body.response.addResp.createdObjResults[0]?.operStatus;
  if (status?.type !== "operSuccess") return t.fail(JSON.stringify(status));
  const created = await controller.waitFor((x) => notifyOf(x)?.subscriptionId === "pm-created");
  t.same(notifyOf(created)?.notification, { type: "objCreation", objCreation: { objPath: status.instantiatedPath, uniqueKeys: status.uniqueKeys } });
  await controller.request(agentId, topic, { type: "delete", delete: { allowPartial: false, objPaths: [status.instantiatedPath] } });
  const deleted = await controller.waitFor((x) => notifyOf(x)?.subscriptionId === "pm-deleted");
  t.same(notifyOf(deleted)?.notification, { type: "objDeletion", objDeletion: { objPath: status.instantiatedPath } });
});

t.test("a disabled subscription is not notified", async (t) => {
  await controller.request(agentId, topic, {
    type: "set",
    set: { allowPartial: false, updateObjs: [{ objPath: 'Device.LocalAgent.Subscription.[ID=="periodic-1"].', paramSettings: [{ param: "Enable", value: "false", required: true }] }] },
  });
  const before = controller.received.filter((x) => notifyOf(x)?.subscriptionId === "periodic-1").length;
  await cpe.inform([event("2 PERIODIC")]);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(controller.received.filter((x) => notifyOf(x)?.subscriptionId === "periodic-1").length, before);
});

t.test("ObjectCreation/ObjectDeletion for rows the CPE adds or removes itself, noticed at its next session", async (t) => {
  await subscribe("cpe-created", "ObjectCreation", "Device.NAT.PortMapping.");
  await subscribe("cpe-deleted", "ObjectDeletion", "Device.NAT.PortMapping.*.");
  await cpe.inform([event("2 PERIODIC")]); // the baseline listing
  const instance = cpe.model.addInstance("Device.NAT.PortMapping.");
  await cpe.inform([event("2 PERIODIC")]);
  const path = `Device.NAT.PortMapping.${instance}.`;
  const created = await controller.waitFor((x) => notifyOf(x)?.subscriptionId === "cpe-created" && notifyOf(x)?.notification.type === "objCreation" && JSON.stringify(notifyOf(x)).includes(path));
  t.same(notifyOf(created)?.notification, { type: "objCreation", objCreation: { objPath: path, uniqueKeys: {} } });
  cpe.model.deleteInstance(path);
  await cpe.inform([event("2 PERIODIC")]);
  const deleted = await controller.waitFor((x) => notifyOf(x)?.subscriptionId === "cpe-deleted" && JSON.stringify(notifyOf(x)).includes(path));
  t.same(notifyOf(deleted)?.notification, { type: "objDeletion", objDeletion: { objPath: path } });
});
