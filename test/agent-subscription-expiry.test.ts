// Subscription.{i}.TimeToLive (TP-469 1.55): a row is removed TimeToLive
// seconds after its CreationDate, by LocalAgents on the next access or on its
// timer, persisted, and also after a gateway restart (a new LocalAgents over
// the same store). The clock is a test clock; the timer is real (delay 0 once
// the clock is past the expiry).
import t from "tap";
import { LocalAgents } from "../src/agent/local-agent/local-agents.js";
import { SUBSCRIPTION_TABLE } from "../src/agent/local-agent/local-agent-model.js";
import { enabledSubscriptions } from "../src/agent/notify/subscriptions.js";
import { MemoryStore } from "../src/store/memory.js";

const AGENT = "os::00256D-TTL1";
const CONTROLLER = "proto::c1";

function harness(store: MemoryStore, clock: { now: number }): { agents: LocalAgents; changed: string[] } {
  const changed: string[] = [];
  const agents = new LocalAgents({
    store,
    maxCached: 4,
    contextFor: (endpointId) => ({
      endpointId,
      softwareVersion: "0.1.0",
      startedAt: clock.now,
      now: () => clock.now,
      mtps: [{ protocol: "MQTT", responseTopic: `usp/v1/agent/${endpointId}` }],
      controllers: [{ endpointId: CONTROLLER, protocol: "MQTT", topic: "usp/v1/controller/c1" }],
    }),
    onSubscriptionsChanged: (endpointId) => changed.push(endpointId),
  });
  t.teardown(() => agents.stop());
  return { agents, changed };
}

async function addSubscription(agents: LocalAgents, ttl: string): Promise<number> {
  const added = await agents.execute(AGENT, { method: "AddObject", objectName: SUBSCRIPTION_TABLE, parameterKey: "" }, CONTROLLER);
  if (!added.ok || added.response.method !== "AddObjectResponse") throw new Error(JSON.stringify(added));
  const i = added.response.instanceNumber;
  const set = await agents.execute(
    AGENT,
    {
      method: "SetParameterValues",
      parameterKey: "",
      parameterList: [
        { name: `${SUBSCRIPTION_TABLE}${i}.Enable`, value: "true", type: "xsd:boolean" },
        { name: `${SUBSCRIPTION_TABLE}${i}.NotifType`, value: "ValueChange", type: "xsd:string" },
        { name: `${SUBSCRIPTION_TABLE}${i}.ReferenceList`, value: "Device.Time.LocalTimeZone", type: "xsd:string" },
        { name: `${SUBSCRIPTION_TABLE}${i}.TimeToLive`, value: ttl, type: "xsd:unsignedInt" },
      ],
    },
    CONTROLLER,
  );
  if (!set.ok) throw new Error(JSON.stringify(set));
  return i;
}

async function rowsOf(agents: LocalAgents): Promise<number[]> {
  const listed = await agents.execute(AGENT, { method: "GetParameterNames", parameterPath: SUBSCRIPTION_TABLE, nextLevel: true }, CONTROLLER);
  if (!listed.ok || listed.response.method !== "GetParameterNamesResponse") throw new Error(JSON.stringify(listed));
  return listed.response.parameterList.map((p) => Number.parseInt(p.name.slice(SUBSCRIPTION_TABLE.length), 10));
}

const waitFor = async (cond: () => boolean, timeoutMs = 1_000): Promise<boolean> => {
  for (let waited = 0; waited < timeoutMs && !cond(); waited += 10) await new Promise((r) => setTimeout(r, 10));
  return cond();
};

t.test("Subscription.TimeToLive (TP-469 1.55): a row goes TimeToLive seconds after its CreationDate; TimeToLive 0 never expires", async (t) => {
  const clock = { now: Date.parse("2026-11-24T10:00:00Z") };
  const store = new MemoryStore(() => clock.now);
  const { agents, changed } = harness(store, clock);
  const expiring = await addSubscription(agents, "60");
  const forever = await addSubscription(agents, "0");
  clock.now += 59_000;
  t.same(await rowsOf(agents), [expiring, forever], "still there 59 s after creation");
  t.equal(enabledSubscriptions(await agents.tree(AGENT), clock.now).length, 2);
  clock.now += 1_000;
  t.same(
    enabledSubscriptions(await agents.tree(AGENT), clock.now).map((s) => s.instance),
    [forever],
    "an expired row notifies nothing, even before it is removed",
  );
  changed.length = 0;
  t.same(await rowsOf(agents), [forever], "gone at 60 s, on the next access");
  t.same(changed, [AGENT], "subscriptions changed: notification attributes follow");
  t.same(
    (await store.getAgentRows(AGENT, SUBSCRIPTION_TABLE)).map((r) => r.instance),
    [forever],
    "and gone from the store",
  );
});

t.test("Subscription.TimeToLive (TP-469 1.55): the timer removes a row that nothing reads", async (t) => {
  const clock = { now: Date.parse("2026-11-24T11:00:00Z") };
  const store = new MemoryStore(() => clock.now);
  const { agents, changed } = harness(store, clock);
  await addSubscription(agents, "1");
  changed.length = 0;
  // The timer was armed for 1 s of real time; when it fires the test clock
  // is past the expiry.
  clock.now += 2_000;
  t.ok(await waitFor(() => changed.length > 0, 3_000), "removed, and the subscription change reported");
  t.same(await store.getAgentRows(AGENT, SUBSCRIPTION_TABLE), [], "the row is gone from the store");
});

t.test("Subscription.TimeToLive (TP-469 1.55): the expiry survives a restart (CreationDate and TimeToLive are persisted)", async (t) => {
  const clock = { now: Date.parse("2026-11-24T12:00:00Z") };
  const store = new MemoryStore(() => clock.now);
  const before = harness(store, clock);
  await addSubscription(before.agents, "30");
  before.agents.stop();
  clock.now += 31_000;
  const after = harness(store, clock);
  t.same(enabledSubscriptions(await after.agents.tree(AGENT), clock.now), [], "not processed after the restart");
  t.ok(await waitFor(() => after.changed.length > 0), "removed by the timer armed when the tree was rebuilt");
  t.same(await store.getAgentRows(AGENT, SUBSCRIPTION_TABLE), []);
});
