// Issue 5 "several instances": three gateway processes share Redis and
// Mosquitto (MQTT 5 shared subscription), behind a round-robin HTTP balancer
// that also moves connections between instances mid-session. Simulated CPEs
// spread their sessions across the three; a controller sends many Gets; one
// instance is killed (SIGKILL) while it holds queued requests and sessions.
// Every USP request still gets exactly one answer, counted by msg_id.
import t from "tap";
import { Redis } from "ioredis";
import { startFleet, type Fleet } from "../src/sim/fleet.js";
import { RedisStore } from "../src/store/redis.js";
import type { Request } from "../src/usp/messages.js";
import { testBroker, uniquePrefix } from "./helpers/broker.js";
import { startClusterNode, stopAll, type ClusterNode } from "./helpers/cluster.js";
import { CR_PASSWORD, CR_USERNAME } from "./helpers/gateway.js";
import { startBalancer } from "./helpers/http-balancer.js";
import { TestController } from "./helpers/usp-controller.js";

// Three gateways compiling the TypeScript sources on start (no fresh dist/) take a while on a busy machine.
t.setTimeout(300_000);

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const CPES = 12;
// Full, partial and wildcard paths: one RPC or several (GetParameterNames, then GetParameterValues).
const PATHS = ["Device.DeviceInfo.SoftwareVersion", "Device.IP.Interface.*.Name", "Device.DeviceInfo.", "Device.ManagementServer.PeriodicInformInterval"];

const prefix = uniquePrefix();
const keyPrefix = `cwmp2usp-test:${prefix}:`;
const controllerId = `proto::ctl-${prefix}`;
const controllerTopic = `${prefix}/controller`;
const agentTopic = `${prefix}/agent/{endpointId}`;

function nodeConfig(brokerUrl: string): Record<string, unknown> {
  return {
    cwmp: { host: "127.0.0.1", port: 0, sessionTimeoutSeconds: 4, connectionRequest: { username: CR_USERNAME, password: CR_PASSWORD, timeoutSeconds: 2 } },
    mqtt: { url: brokerUrl, version: 5, agentTopic, sharedGroup: `cwmp2usp-${prefix}` },
    controllers: [{ endpointId: controllerId, mqttTopic: controllerTopic }],
    store: { type: "redis", url: REDIS_URL, keyPrefix },
    requestTimeoutSeconds: 60,
    requestRewakeSeconds: 3,
    ops: { enabled: false },
    log: { level: "debug" },
  };
}

/** msg_ids of the requests one instance queued, from its debug log. */
function queuedBy(node: ClusterNode): Set<string> {
  return new Set(node.logs.filter((l) => l.msg === "USP request queued").map((l) => String(l.msgId)));
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

t.test("3 instances, one killed mid-traffic: every USP request gets exactly one answer", async (t) => {
  const broker = await testBroker();
  t.teardown(() => broker.close());
  if (broker.kind !== "mosquitto") {
    // aedes has no shared subscriptions; .ci/run starts Mosquitto before the tests.
    return t.fail("the cluster test needs Mosquitto on 127.0.0.1:1883 (MQTT 5 shared subscriptions); start it as .ci/run does");
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
  } catch (err) {
    return t.fail(`the cluster test needs Redis at ${REDIS_URL}: ${(err as Error).message}`);
  }
  t.teardown(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const nodes = await Promise.all(["a", "b", "c"].map((name) => startClusterNode(name, nodeConfig(broker.url))));
  t.teardown(() => stopAll(nodes));
  const balancer = await startBalancer(nodes.map((n) => n.acsUrl), { moveEvery: 3 });
  t.teardown(() => balancer.close());
  const fleet: Fleet = await startFleet({ acsUrl: balancer.url, count: CPES, serialPrefix: `CL${process.pid}-`, oui: "00256D", crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
  t.teardown(() => fleet.stop());
  const booted = await fleet.bootAll();
  t.ok(booted.every((r) => r.ok), "every CPE informed through the balancer");
  const controller = await TestController.connect(broker.url, controllerId, controllerTopic);
  t.teardown(() => controller.close());
  const store = new RedisStore({ url: REDIS_URL, keyPrefix });
  await store.connect();
  t.teardown(() => store.close());

  const agents = fleet.cpes.map((cpe) => `os::00256D-${cpe.serial}`);
  const sent: string[] = [];
  const wave = async (perAgent: number): Promise<void> => {
    for (let i = 0; i < perAgent; i++) {
      for (const agentId of agents) {
        const request: Request = { type: "get", get: { paramPaths: [PATHS[(sent.length + i) % PATHS.length] ?? "Device."], maxDepth: 0 } };
        sent.push(await controller.send(agentId, agentTopic.replace("{endpointId}", agentId), request));
      }
    }
  };
  const answered = (): number => sent.filter((id) => controller.countFor(id) > 0).length;
  const queuedInStore = async (): Promise<number> => (await Promise.all(agents.map((a) => store.pendingRequests(a)))).reduce((n, q) => n + q.length, 0);

  // The first wave is queued while the CPEs' POSTs are held at the balancer,
  // so every Record is in the store before anything dies (QoS 1 acknowledges
  // on receipt: a Record still being routed would die with its instance).
  balancer.hold();
  await wave(3);
  await until("the first wave to be queued", async () => (await queuedInStore()) === sent.length, 20_000);
  const victim = nodes[1] as ClusterNode;
  const victimQueued = [...queuedBy(victim)];
  t.ok(victimQueued.length > 0, `instance b queued requests of the first wave (${victimQueued.length})`);

  // Traffic flows until b runs requests in CWMP sessions; then the network
  // stalls again and b dies with those sessions open. It dies between two
  // POSTs, not while it answers: a reply is published after the request is
  // taken from the store, and dying in between would lose that one reply.
  balancer.release();
  await until("b to run a request in a session", () => victim.logs.some((l) => l.msg === "request joins CWMP session"), 20_000);
  balancer.hold();
  await until("b's POSTs in flight to be answered", () => balancer.stats.inFlight[1] === 0, 20_000);
  const unansweredOfVictim = victimQueued.filter((id) => controller.countFor(id) === 0);
  await victim.kill("SIGKILL");
  t.ok(unansweredOfVictim.length > 0, `instance b held unanswered requests when killed (${unansweredOfVictim.length})`);
  balancer.release();

  // The broker has dropped b's subscription once its socket closed.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await wave(2);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await wave(1);

  await until("an answer to every request", () => answered() === sent.length, 60_000).catch((err: Error) => t.fail(err.message));
  await new Promise((resolve) => setTimeout(resolve, 1500)); // late duplicates would show up here
  const counts = sent.map((id) => controller.countFor(id));
  t.same(counts.filter((c) => c !== 1), [], `exactly one answer to each of the ${sent.length} requests`);
  const errors = sent.map((id) => controller.received.find((r) => r.msg?.header.msgId === id)?.msg?.body).filter((b) => b?.kind !== "response");
  t.same(errors, [], "every answer is the Get's response, none an error");
  t.ok(unansweredOfVictim.every((id) => controller.countFor(id) === 1), "the killed instance's queued requests were answered by the others");
  const runningOnVictim = new Set(victim.logs.filter((l) => l.msg === "request joins CWMP session").map((l) => String(l.msgId)));
  const continued = nodes.flatMap((n) => n.logs).filter((l) => l.msg === "request continues where another gateway instance left it" && runningOnVictim.has(String(l.msgId)));
  t.comment(`${continued.length} request(s) b was running went on in its sessions at another instance`);

  t.ok(balancer.stats.served.every((n) => n > 0), `sessions spread over the three instances (${balancer.stats.served.join("/")} POSTs)`);
  const resumed = nodes.flatMap((n) => n.logs).filter((l) => l.msg === "CWMP session resumed from the store").length;
  t.ok(resumed > 0, `sessions went on at another instance (${resumed} resumed, ${balancer.stats.moved} moved POSTs)`);
});
