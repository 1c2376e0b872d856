// A load balancer that sends every POST of a CWMP session to another gateway
// instance (round robin per request, as a plain L7 balancer does): each
// instance continues the request where the previous one left it, from the
// session's work log, so multi-RPC requests finish and nothing is done twice
// on the CPE (one Add creates one row). Two gateways in this process, on Redis
// and Mosquitto (shared subscription).
import t from "tap";
import { Redis } from "ioredis";
import { readParameter, startFleet } from "../src/sim/fleet.js";
import type { Msg, Request } from "../src/usp/messages.js";
import { testBroker, uniquePrefix } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway, type TestGateway } from "./helpers/gateway.js";
import { startBalancer } from "./helpers/http-balancer.js";
import { TestController } from "./helpers/usp-controller.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = uniquePrefix();
const keyPrefix = `cwmp2usp-test:${prefix}:`;

t.test("every POST to another instance: requests still finish, each RPC runs once", async (t) => {
  const broker = await testBroker();
  t.teardown(() => broker.close());
  if (broker.kind !== "mosquitto") return t.fail("needs Mosquitto on 127.0.0.1:1883 (MQTT 5 shared subscriptions); start it as .ci/run does");
  t.teardown(async () => {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  const shared = {
    store: { type: "redis", url: REDIS_URL, keyPrefix },
    mqtt: { agentTopic: `${prefix}/agent/{endpointId}`, sharedGroup: `g-${prefix}` },
    controllers: [{ endpointId: `proto::ctl-${prefix}`, mqttTopic: `${prefix}/controller` }],
  };
  const gateways: TestGateway[] = [];
  for (let i = 0; i < 2; i++) gateways.push(await startTestGateway(broker.url, shared));
  t.teardown(() => Promise.all(gateways.map((g) => g.stop())));
  const balancer = await startBalancer(gateways.map((g) => g.gateway.acsUrl), { moveEvery: 1 });
  t.teardown(() => balancer.close());
  const fleet = await startFleet({ acsUrl: balancer.url, count: 1, serialPrefix: `MV${process.pid}-`, oui: "00256D", crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
  t.teardown(() => fleet.stop());
  await fleet.bootAll();
  const cpe = fleet.cpes[0];
  if (cpe === undefined) return t.fail("no CPE");
  const agentId = `os::00256D-${cpe.serial}`;
  const controller = await TestController.connect(broker.url, shared.controllers[0]?.endpointId ?? "", `${prefix}/controller`);
  t.teardown(() => controller.close());
  const ask = (request: Request): Promise<Msg> => controller.request(agentId, `${prefix}/agent/${agentId}`, request, 20_000);

  const get = await ask({ type: "get", get: { paramPaths: ["Device.IP.Interface.*.Name"], maxDepth: 0 } });
  if (get.body.kind !== "response" || get.body.response.type !== "getResp") return t.fail(JSON.stringify(get.body));
  t.same(
    get.body.response.getResp.reqPathResults[0]?.resolvedPathResults.map((r) => r.resultParams.Name),
    [readParameter(cpe, "Device.IP.Interface.1.Name"), readParameter(cpe, "Device.IP.Interface.2.Name")],
    "a wildcard Get (GetParameterNames, then GetParameterValues) finishes",
  );

  const rowsBefore = Number(readParameter(cpe, "Device.NAT.PortMappingNumberOfEntries"));
  const add = await ask({
    type: "add",
    add: {
      allowPartial: false,
      createObjs: [
        {
          objPath: "Device.NAT.PortMapping.",
          paramSettings: [
            { param: "ExternalPort", value: "8443", required: true },
            { param: "InternalPort", value: "443", required: true },
            { param: "InternalClient", value: "192.168.1.20", required: true },
          ],
        },
      ],
    },
  });
  if (add.body.kind !== "response" || add.body.response.type !== "addResp") return t.fail(JSON.stringify(add.body));
  const status = add.body.response.addResp.createdObjResults[0]?.operStatus;
  if (status?.type !== "operSuccess") return t.fail(JSON.stringify(status));
  t.equal(readParameter(cpe, `${status.instantiatedPath}ExternalPort`), "8443", "the CPE holds the new row");
  t.equal(Number(readParameter(cpe, "Device.NAT.PortMappingNumberOfEntries")), rowsBefore + 1, "one AddObject for one Add, though every step ran on another instance");
  t.ok(balancer.stats.moved > 0 && balancer.stats.served.every((n) => n > 0), `POSTs alternated between the instances (${balancer.stats.served.join("/")})`);
});
