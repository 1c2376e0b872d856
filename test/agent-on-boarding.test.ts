// Controller.{i}.OnBoardingComplete and OnBoardingRestartTime are per agent
// and survive a gateway restart (a new LocalAgents over the same store), even
// one whose configuration renumbers the Controllers (stored by EndpointID).
import t from "tap";
import { LocalAgents } from "../src/agent/local-agent/local-agents.js";
import { ON_BOARDING_ROWS } from "../src/agent/local-agent/on-boarding.js";
import { MemoryStore } from "../src/store/memory.js";

const AGENT = "os::00256D-OB1";
const [C1, C2] = ["proto::c1", "proto::c2"];

function agents(store: MemoryStore, controllers: string[]): LocalAgents {
  const clock = Date.parse("2026-11-24T10:00:00Z");
  const la = new LocalAgents({
    store,
    maxCached: 4,
    contextFor: (endpointId) => ({
      endpointId,
      softwareVersion: "0.1.0",
      startedAt: clock,
      now: () => clock,
      mtps: [{ protocol: "MQTT", responseTopic: `usp/v1/agent/${endpointId}` }],
      controllers: controllers.map((endpointId) => ({ endpointId, protocol: "MQTT" as const, topic: `usp/v1/controller/${endpointId}` })),
    }),
    onSubscriptionsChanged: () => undefined,
  });
  t.teardown(() => la.stop());
  return la;
}

t.test("OnBoardingComplete and OnBoardingRestartTime are stored per agent and Controller, and put back after a restart", async (t) => {
  const store = new MemoryStore();
  const before = agents(store, [C1, C2]);
  const set = await before.execute(
    AGENT,
    {
      method: "SetParameterValues",
      parameterKey: "",
      parameterList: [
        { name: "Device.LocalAgent.Controller.2.OnBoardingComplete", value: "true", type: "xsd:boolean" },
        { name: "Device.LocalAgent.Controller.2.OnBoardingRestartTime", value: "30", type: "xsd:unsignedInt" },
      ],
    },
    C2,
  );
  t.ok(set.ok, "writable");
  t.same(
    (await store.getAgentRows(AGENT, ON_BOARDING_ROWS)).map((r) => r.values),
    [
      { EndpointID: C1, OnBoardingComplete: "false", OnBoardingRestartTime: "0" },
      { EndpointID: C2, OnBoardingComplete: "true", OnBoardingRestartTime: "30" },
    ],
  );
  const after = await agents(store, [C2]).tree(AGENT);
  t.equal(after.value("Device.LocalAgent.Controller.1.EndpointID"), C2, "C2 is Controller.1 now");
  t.equal(after.value("Device.LocalAgent.Controller.1.OnBoardingComplete"), "true");
  t.equal(after.value("Device.LocalAgent.Controller.1.OnBoardingRestartTime"), "30");
  t.equal((await agents(store, [C1, C2]).tree("os::00256D-OTHER")).value("Device.LocalAgent.Controller.2.OnBoardingComplete"), "false", "another agent has its own");
});
