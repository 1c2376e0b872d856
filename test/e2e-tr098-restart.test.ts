// Issue 4 "Done when": the TR-181 instance numbers a TR-098 CPE's rows get
// survive a gateway restart on the Redis store and a CPE reboot that reverses
// the CPE's own rows. The first gateway numbers port mappings added over USP;
// a second gateway, started on the same Redis prefix, reads the instance map
// back and, after the CPE's reboot, still names each mapping (by ExternalPort)
// and each host (by PhysAddress) with the same number; an Add gets a number
// never given out before, the deleted row's included (TR-369 R-ARC.8).
// A 4 VALUE CHANGE names its row by TR-098 path only, so ValueChange is
// checked before and after the CPE's reboot, and with two gateway instances
// where the one that gets the change did not serve the reboot.
import t from "tap";
import { Redis } from "ioredis";
import { INSTANCE_MAP_TABLE } from "../src/agent/tr098/bridge.js";
import { readParameter, startFleet, writeParameter } from "../src/sim/fleet.js";
import { RedisStore } from "../src/store/redis.js";
import type { Notify } from "../src/usp/messages.js";
import { testBroker, uniquePrefix } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController, type ReceivedRecord } from "./helpers/usp-controller.js";
import { body, uspClient } from "./helpers/usp-client.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const keyPrefix = `cwmp2usp-test:${uniquePrefix()}:`;
const OUI = "202BC1";
const IGD = "InternetGatewayDevice.";
const IGD_PM = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.PortMapping.";
const IGD_HOSTS = "InternetGatewayDevice.LANDevice.1.Hosts.Host.";

const broker = await testBroker();
t.teardown(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await broker.close();
});

function notifyOf(r: ReceivedRecord): Notify | undefined {
  const b = r.msg?.body;
  return b?.kind === "request" && b.request.type === "notify" ? b.request.notify : undefined;
}

t.test("instance numbers of a TR-098 CPE survive a gateway restart on Redis and a CPE reboot that reverses its rows", async (t) => {
  const store = { type: "redis", url: REDIS_URL, keyPrefix };
  const first = await startTestGateway(broker.url, { store });
  const port = Number(new URL(first.gateway.acsUrl).port);
  const topics = { controllerId: first.controllerId, controllerTopic: first.controllerTopic, agentTopic: first.config.mqtt.agentTopic };
  const controller = await TestController.connect(broker.url, topics.controllerId, topics.controllerTopic);
  t.teardown(() => controller.close());
  const fleet = await startFleet({
    acsUrl: first.gateway.acsUrl,
    count: 1,
    profile: "huawei-bm632w-tr098",
    serialPrefix: `T98R${process.pid}-`,
    oui: OUI,
    crUsername: CR_USERNAME,
    crPassword: CR_PASSWORD,
    renumberOnReboot: [IGD_PM, IGD_HOSTS],
  });
  t.teardown(() => fleet.stop());
  await fleet.bootAll();
  const cpe = fleet.cpes[0];
  if (cpe === undefined) return t.fail("no CPE");
  const agentId = `os::${OUI}-${cpe.serial}`;
  const topic = first.agentTopic(agentId);

  const { ask, column, addPortMapping, subscribe } = uspClient(controller, agentId, topic);
  const cpeRowOf = (port: string): number | undefined => [1, 2, 3, 4, 5, 6].find((i) => readParameter(cpe, `${IGD_PM}${i}.ExternalPort`) === port);

  // ---- first gateway: three mappings, one deleted again ----
  const a = await addPortMapping("2001");
  const gone = await addPortMapping("2002");
  const b = await addPortMapping("2003");
  body(await ask({ type: "delete", delete: { allowPartial: false, objPaths: [gone] } }), "deleteResp");
  await subscribe("restart-vc", "ValueChange", `${b}Description`);
  for (let i = 0; i < 100 && cpe.model.attribute(`${IGD_PM}${cpeRowOf("2003") ?? 0}.PortMappingDescription`).notification !== 2; i++) await new Promise((r) => setTimeout(r, 100));
  const hostsBefore = await column("Device.Hosts.Host.", "PhysAddress");
  t.ok(hostsBefore.size >= 2, `the BM632w has hosts (${hostsBefore.size})`);
  const rowsBefore = { a: cpeRowOf("2001"), b: cpeRowOf("2003") };
  await first.stop();
  const direct = new RedisStore({ url: REDIS_URL, keyPrefix });
  await direct.connect();
  const saved = (await direct.getAgentRows(agentId, INSTANCE_MAP_TABLE))[0]?.values.json ?? "";
  await direct.close();
  const savedPm = (JSON.parse(saved === "" ? "{}" : saved) as Record<string, { next: number; rows: { n: number }[] }>)["Device.NAT.PortMapping."];
  t.same(savedPm?.rows.map((r) => r.n).sort(), [a, b].map((p) => Number(/\.(\d+)\.$/.exec(p)?.[1])).sort(), "the instance map is in Redis, not only in the first gateway's memory");
  const mark = controller.received.length;

  // ---- second gateway on the same Redis prefix, same ACS port and topics ----
  const second = await startTestGateway(broker.url, {
    store,
    cwmp: { port },
    mqtt: { agentTopic: topics.agentTopic },
    controllers: [{ endpointId: topics.controllerId, mqttTopic: topics.controllerTopic }],
  });
  t.teardown(() => second.stop());
  await controller.waitFor((r) => r.record.fromId === agentId && r.record.recordType.type === "mqttConnect" && controller.received.indexOf(r) >= mark, 15_000);

  // A change on the CPE reaches the new gateway before it has read the CPE's
  // tree: the Inform carries the one parameter, not the row's key.
  writeParameter(cpe, `${IGD_PM}${cpeRowOf("2003") ?? 0}.PortMappingDescription`, "renamed-on-cpe");
  const vc = notifyOf(await controller.waitFor((x) => notifyOf(x)?.subscriptionId === "restart-vc", 15_000));
  t.same(vc?.notification, { type: "valueChange", valueChange: { paramPath: `${b}Description`, paramValue: "renamed-on-cpe" } }, "ValueChange under the number the first gateway gave");

  await subscribe("restart-boot", "Event", "Device.Boot!");
  body(await ask({ type: "operate", operate: { command: "Device.Reboot()", commandKey: "restart-reboot", sendResp: true, inputArgs: {} } }), "operateResp");
  await controller.waitFor((x) => {
    const n = notifyOf(x)?.notification;
    return n?.type === "event" && n.event.eventName === "Boot!" && n.event.params.CommandKey === "restart-reboot";
  }, 30_000);
  await cpe.whenIdle();
  t.not(cpeRowOf("2001"), rowsBefore.a, "the CPE's own row of port 2001 moved at the reboot");
  t.not(cpeRowOf("2003"), rowsBefore.b, "and so did 2003's");
  // Again before any read of the renumbered tree: the changed parameter's TR-098
  // path is now the one 2001's row had before the reboot.
  const seenVc = controller.received.length;
  writeParameter(cpe, `${IGD_PM}${cpeRowOf("2003") ?? 0}.PortMappingDescription`, "renamed-after-reboot");
  const vc2 = notifyOf(await controller.waitFor((x) => notifyOf(x)?.subscriptionId === "restart-vc" && controller.received.indexOf(x) >= seenVc, 15_000));
  t.same(vc2?.notification, { type: "valueChange", valueChange: { paramPath: `${b}Description`, paramValue: "renamed-after-reboot" } }, "ValueChange under the same number after the CPE renumbered the row");

  const pm = await column("Device.NAT.PortMapping.", "ExternalPort");
  t.same([...pm.keys()].sort(), [a, b].sort(), "the new gateway lists exactly the two mappings left");
  t.equal(pm.get(a), "2001", `${a} is still the 2001 mapping`);
  t.equal(pm.get(b), "2003", `${b} is still the 2003 mapping`);
  const hostsAfter = await column("Device.Hosts.Host.", "PhysAddress");
  t.same(Object.fromEntries(hostsAfter), Object.fromEntries(hostsBefore), "every Host keeps its number, matched by PhysAddress");

  const fresh = await addPortMapping("2004");
  const number = (p: string): number => Number(/\.(\d+)\.$/.exec(p)?.[1]);
  t.ok(number(fresh) > Math.max(number(a), number(gone), number(b)), `${fresh} was never given out before (deleted: ${gone})`);
  t.equal((await column("Device.NAT.PortMapping.", "ExternalPort")).get(fresh), "2004");
});

t.test("two gateway instances on one Redis: a 4 VALUE CHANGE at the instance that did not see the CPE's reboot names the right row", async (t) => {
  const store = { type: "redis", url: REDIS_URL, keyPrefix: `${keyPrefix}two:` };
  const sharedGroup = `tr098-${process.pid}`;
  const a = await startTestGateway(broker.url, { store, mqtt: { sharedGroup } });
  t.teardown(() => a.stop());
  const b = await startTestGateway(broker.url, {
    store,
    mqtt: { sharedGroup, agentTopic: a.config.mqtt.agentTopic },
    controllers: [{ endpointId: a.controllerId, mqttTopic: a.controllerTopic }],
  });
  t.teardown(() => b.stop());
  const controller = await TestController.connect(broker.url, a.controllerId, a.controllerTopic);
  t.teardown(() => controller.close());
  const fleet = await startFleet({
    acsUrl: a.gateway.acsUrl,
    count: 1,
    profile: "huawei-bm632w-tr098",
    serialPrefix: `T98X${process.pid}-`,
    oui: OUI,
    crUsername: CR_USERNAME,
    crPassword: CR_PASSWORD,
    renumberOnReboot: [IGD_PM],
  });
  t.teardown(() => fleet.stop());
  const cpe = fleet.cpes[0];
  if (cpe === undefined) return t.fail("no CPE");
  await fleet.bootAll();
  const agentId = `os::${OUI}-${cpe.serial}`;
  const { ask, column, addPortMapping, subscribe } = uspClient(controller, agentId, a.agentTopic(agentId));
  const cpeRowOf = (port: string): number | undefined => [1, 2, 3].find((i) => readParameter(cpe, `${IGD_PM}${i}.ExternalPort`) === port);
  /** The CPE's sessions go to this instance from now on (its ACS URL, as a balancer would pin it). */
  const sessionsTo = async (gw: typeof a): Promise<void> => {
    await cpe.whenIdle();
    cpe.model.setValue(`${IGD}ManagementServer.URL`, gw.gateway.acsUrl);
  };

  await addPortMapping("5001");
  const second = await addPortMapping("5002");
  await subscribe("two-vc", "ValueChange", `${second}Description`);
  await sessionsTo(b);
  t.equal((await column("Device.NAT.PortMapping.", "ExternalPort")).get(second), "5002", "instance b read the tree (before the reboot)");
  await sessionsTo(a);
  await subscribe("two-boot", "Event", "Device.Boot!");
  const rowBefore = cpeRowOf("5002");
  body(await ask({ type: "operate", operate: { command: "Device.Reboot()", commandKey: "two-reboot", sendResp: true, inputArgs: {} } }), "operateResp");
  await controller.waitFor((x) => {
    const n = notifyOf(x)?.notification;
    return n?.type === "event" && n.event.params.CommandKey === "two-reboot";
  }, 30_000);
  await sessionsTo(b);
  t.not(cpeRowOf("5002"), rowBefore, "the reboot (served by instance a) moved the CPE's row");

  writeParameter(cpe, `${IGD_PM}${cpeRowOf("5002") ?? 0}.PortMappingDescription`, "changed-at-b");
  const vc = notifyOf(await controller.waitFor((x) => notifyOf(x)?.subscriptionId === "two-vc", 15_000));
  t.same(vc?.notification, { type: "valueChange", valueChange: { paramPath: `${second}Description`, paramValue: "changed-at-b" } });
});
