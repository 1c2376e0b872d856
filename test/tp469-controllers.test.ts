// TP-469 section 1, the case about Controller rows and the Subscriptions that
// name them. Controller rows come from the gateway's configuration (they
// cannot be added or deleted by USP), so a Controller goes away when the
// configuration drops it: the gateway is restarted with the Redis store and
// one controller fewer, and the Subscription rows whose Recipient was that
// Controller are gone, those of the remaining one kept.
import t from "tap";
import { Redis } from "ioredis";
import { startFleet } from "../src/sim/fleet.js";
import type { Msg, Request } from "../src/usp/messages.js";
import { testBroker, uniquePrefix } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController } from "./helpers/usp-controller.js";
import { add, addResp, getInstances, instancesResp, OUI, p } from "./tp469/harness.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const keyPrefix = `cwmp2usp-test:${uniquePrefix()}:`;
const broker = await testBroker();
t.teardown(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await broker.close();
});

const SUB = "Device.LocalAgent.Subscription.";

t.test("TP-469 1.78 Removal of subscriptions that have no associated controller", async (t) => {
  const store = { type: "redis", url: REDIS_URL, keyPrefix };
  const second = { endpointId: `proto::ctl2-${uniquePrefix()}`, mqttTopic: `${uniquePrefix()}/controller2` };
  const first = await startTestGateway(broker.url, { store });
  const c1 = { endpointId: first.controllerId, mqttTopic: first.controllerTopic };
  await first.stop();
  // The gateway with both controllers configured.
  const both = await startTestGateway(broker.url, { store, mqtt: { agentTopic: first.config.mqtt.agentTopic }, controllers: [c1, second] });
  const fleet = await startFleet({ acsUrl: both.gateway.acsUrl, count: 1, serialPrefix: `TPC${process.pid}-`, oui: OUI, crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
  t.teardown(() => fleet.stop());
  await fleet.bootAll();
  const cpe = fleet.cpes[0];
  if (cpe === undefined) return t.fail("no CPE");
  const agentId = `os::${OUI}-${cpe.serial}`;
  const agentTopic = both.agentTopic(agentId);
  const controller1 = await TestController.connect(broker.url, c1.endpointId, c1.mqttTopic);
  const controller2 = await TestController.connect(broker.url, second.endpointId, second.mqttTopic);
  t.teardown(() => Promise.all([controller1.close(), controller2.close()]).then(() => undefined));
  const ask = (c: TestController, request: Request): Promise<Msg> => c.request(agentId, agentTopic, request);
  const subscription = (id: string): Request => add(false, [{ objPath: SUB, paramSettings: [p("ID", id), p("Enable", "true"), p("NotifType", "Event"), p("ReferenceList", "Device.Boot!")] }]);
  const created = async (c: TestController, id: string): Promise<string> => {
    const status = addResp(await ask(c, subscription(id))).createdObjResults[0]?.operStatus;
    return status?.type === "operSuccess" ? status.instantiatedPath : "";
  };
  const kept = await created(controller1, "tp-1-78-kept");
  const orphan = await created(controller2, "tp-1-78-orphan");
  t.not(kept, "");
  t.not(orphan, "");
  const listed = async (c: TestController, path: string): Promise<string[]> =>
    (instancesResp(await ask(c, getInstances([path], true))).reqPathResults[0]?.currInsts ?? []).map((i) => i.instantiatedObjPath);
  t.same(await listed(controller1, SUB), [kept, orphan], "both Subscriptions exist while both controllers are configured");
  await both.stop();

  // The second controller leaves the configuration.
  const one = await startTestGateway(broker.url, { store, mqtt: { agentTopic: first.config.mqtt.agentTopic }, controllers: [c1] });
  t.teardown(() => one.stop());
  t.same(await listed(controller1, "Device.LocalAgent.Controller."), ["Device.LocalAgent.Controller.1."], "one Controller row");
  t.same(await listed(controller1, SUB), [kept], "the Subscription without a Controller is removed, the other kept");
});
