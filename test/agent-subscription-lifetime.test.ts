// Subscription rows that end without a Delete: TimeToLive (TP-469 1.55), a
// row is removed TimeToLive seconds after its CreationDate, and Recipient
// (1.78), a row whose Controller is no longer configured is removed. Done by
// LocalAgents on the next access or on its timer, persisted, and also after a
// gateway restart (a new LocalAgents over the same store, maybe with another
// configuration). The clock is a test clock; the timer is real (delay 0 once
// the clock is past the expiry).
import t from "tap";
import { LocalAgents } from "../src/agent/local-agent/local-agents.js";
import { SUBSCRIPTION_TABLE } from "../src/agent/local-agent/local-agent-model.js";
import { enabledSubscriptions } from "../src/agent/notify/subscriptions.js";
import { MemoryStore } from "../src/store/memory.js";

const AGENT = "os::00256D-TTL1";
const CONTROLLER = "proto::c1";

function harness(store: MemoryStore, clock: { now: number }, controllers = [CONTROLLER]): { agents: LocalAgents; changed: string[] } {
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
      controllers: controllers.map((endpointId) => ({ endpointId, protocol: "MQTT" as const, topic: `usp/v1/controller/${endpointId}` })),
    }),
    onSubscriptionsChanged: (endpointId) => changed.push(endpointId),
  });
  t.teardown(() => agents.stop());
  return { agents, changed };
}

async function addSubscription(agents: LocalAgents, ttl: string, controller = CONTROLLER): Promise<number> {
  const added = await agents.execute(AGENT, { method: "AddObject", objectName: SUBSCRIPTION_TABLE, parameterKey: "" }, controller);
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
    controller,
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

const C2 = "proto::c2";
const recipients = async (store: MemoryStore): Promise<[number, string, string][]> =>
  (await store.getAgentRows(AGENT, SUBSCRIPTION_TABLE)).map((r) => [r.instance, r.values.Recipient ?? "", r.values.RecipientEndpointID ?? ""]);

t.test("Subscription.Recipient (TP-469 1.78): a row whose Controller left the configuration is removed after the restart", async (t) => {
  const clock = { now: Date.parse("2026-11-24T13:00:00Z") };
  const store = new MemoryStore(() => clock.now);
  const before = harness(store, clock, [CONTROLLER, C2]);
  const kept = await addSubscription(before.agents, "0", CONTROLLER);
  const orphan = await addSubscription(before.agents, "0", C2);
  t.same(await recipients(store), [
    [kept, "Device.LocalAgent.Controller.1", CONTROLLER],
    [orphan, "Device.LocalAgent.Controller.2", C2],
  ], "the Recipient's EndpointID is stored with the row");
  before.agents.stop();
  const after = harness(store, clock, [CONTROLLER]);
  t.same(enabledSubscriptions(await after.agents.tree(AGENT), clock.now).map((s) => s.instance), [kept], "only the configured Controller's row is processed");
  t.ok(await waitFor(() => after.changed.length > 0), "the other is removed at once, without any access");
  t.same(await recipients(store), [[kept, "Device.LocalAgent.Controller.1", CONTROLLER]]);
});

t.test("Subscription.Recipient (TP-469 1.78): a configuration that renumbers the Controllers keeps each row with its Controller", async (t) => {
  const clock = { now: Date.parse("2026-11-24T14:00:00Z") };
  const store = new MemoryStore(() => clock.now);
  const before = harness(store, clock, [CONTROLLER, C2]);
  const row = await addSubscription(before.agents, "0", C2);
  before.agents.stop();
  const after = harness(store, clock, [C2]);
  const tree = await after.agents.tree(AGENT);
  t.equal(tree.value(`${SUBSCRIPTION_TABLE}${row}.Recipient`), "Device.LocalAgent.Controller.1", "C2 is Controller.1 now");
  t.same(enabledSubscriptions(tree, clock.now).map((s) => [s.instance, s.recipient]), [[row, "Device.LocalAgent.Controller.1"]]);
});

t.test("Subscription.Recipient (TP-469 1.78): a row stored without the Recipient's EndpointID keeps its Recipient path", async (t) => {
  const clock = { now: Date.parse("2026-11-24T15:00:00Z") };
  const store = new MemoryStore(() => clock.now);
  const values = { Enable: "true", ID: "old", Recipient: "Device.LocalAgent.Controller.1", NotifType: "Event", ReferenceList: "Device.Boot!" };
  await store.putAgentRows(AGENT, SUBSCRIPTION_TABLE, [{ instance: 4, values }, { instance: 5, values: { ...values, ID: "gone", Recipient: "Device.LocalAgent.Controller.7" } }]);
  const { agents } = harness(store, clock);
  t.same(enabledSubscriptions(await agents.tree(AGENT), clock.now).map((s) => s.id), ["old"], "Controller.7 does not exist: that row is not processed");
  t.same(await rowsOf(agents), [4]);
});
