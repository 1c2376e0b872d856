// What an idle agent keeps in memory (issue 6, fleet memory): no Device.LocalAgent.
// tree for an agent without subscriptions, and no long-lived string that pins
// the SOAP body it was cut from.
import t from "tap";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { LocalAgents } from "../src/agent/local-agent/local-agents.js";
import { SUBSCRIPTION_TABLE } from "../src/agent/local-agent/local-agent-model.js";
import { ON_BOARDING_ROWS } from "../src/agent/local-agent/on-boarding.js";
import { decodeEnvelope } from "../src/cwmp/soap-decode.js";
import { detached } from "../src/detached-string.js";
import { MemoryStore } from "../src/store/memory.js";
import type { StoredRow } from "../src/store/store.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Heap kept by `count` values cut (by `cut`) from 200 KB documents that are then dropped. */
function retainedByCuts(cut: (doc: string) => string, count: number): { kept: string[]; bytes: number } {
  const before = heapAfterGc();
  const kept: string[] = [];
  for (let i = 0; i < count; i++) {
    const doc = `${"<x>filler</x>".repeat(16_000)}<Name>Device.DeviceInfo.SoftwareVersion.${i}</Name>`;
    kept.push(cut(doc));
  }
  return { kept, bytes: heapAfterGc() - before };
}

const nameIn = (doc: string): string => doc.slice(doc.lastIndexOf("<Name>") + 6, doc.lastIndexOf("</Name>"));

t.test("detached(): an equal string that does not keep the document it was cut from alive", async (t) => {
  // The control shows the measurement can fail: plain substrings pin every 200 KB document.
  const plain = retainedByCuts(nameIn, 40);
  t.ok(plain.bytes > 40 * 150_000, `plain substrings keep the documents: ${plain.bytes} bytes`);
  plain.kept.length = 0;
  const own = retainedByCuts((doc) => detached(nameIn(doc)), 40);
  // 40 pinned documents would be 8 MB; the rest is the heap's own noise.
  t.ok(own.bytes < 2_000_000, `detached copies keep only themselves: ${own.bytes} bytes`);
  t.equal(own.kept[7], "Device.DeviceInfo.SoftwareVersion.7");
  t.equal(detached("short"), "short");
  t.equal(detached(""), "");
});

t.test("an Inform's DeviceId strings are copies: the endpoint id does not pin the Inform", async (t) => {
  const informFor = (i: number): string =>
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap:Header><cwmp:ID soap:mustUnderstand="1">1</cwmp:ID></soap:Header><soap:Body><cwmp:Inform>` +
    `<DeviceId><Manufacturer>Simulated Networks Incorporated</Manufacturer><OUI>C0FFEE</OUI><ProductClass>HomeGatewayProduct-2000</ProductClass><SerialNumber>SERIALNUMBER-${String(i).padStart(8, "0")}</SerialNumber></DeviceId>` +
    `<Event><EventStruct><EventCode>2 PERIODIC</EventCode><CommandKey></CommandKey></EventStruct></Event><MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-11-24T10:00:00Z</CurrentTime><RetryCount>0</RetryCount>` +
    `<ParameterList><!-- ${"padding ".repeat(25_000)} --></ParameterList></cwmp:Inform></soap:Body></soap:Envelope>`;
  const before = heapAfterGc();
  const ids: { manufacturer: string; productClass: string; serialNumber: string }[] = [];
  for (let i = 0; i < 40; i++) {
    const decoded = decodeEnvelope(informFor(i));
    if (!decoded.ok || decoded.envelope.body.method !== "Inform") throw new Error("Inform not decoded");
    ids.push(decoded.envelope.body.deviceId);
  }
  const bytes = heapAfterGc() - before;
  t.equal(ids[3]?.serialNumber, "SERIALNUMBER-00000003");
  t.equal(ids[3]?.productClass, "HomeGatewayProduct-2000");
  t.ok(bytes < 2_000_000, `40 DeviceIds of 200 KB Informs keep ${bytes} bytes (8 MB if they pinned the Informs)`);
});

t.test("subscribedTree(): no tree is built for an agent without Subscription rows", async (t) => {
  const store = new MemoryStore();
  const built: string[] = [];
  const agents = new LocalAgents({
    store,
    maxCached: 10,
    contextFor: (endpointId) => ({ endpointId, softwareVersion: "0.1.0", startedAt: 0, now: () => 0, mtps: [{ protocol: "MQTT" }], controllers: [{ endpointId: "proto::c1", protocol: "MQTT" }] }),
    onSubscriptionsChanged: () => undefined,
    onTreeBuilt: (endpointId) => void built.push(endpointId),
  });
  t.equal(await agents.subscribedTree("os::C0FFEE-none"), undefined, "no rows: no tree");
  t.same(built, [], "and none was built");

  await store.putAgentRows("os::C0FFEE-subscribed", SUBSCRIPTION_TABLE, [{ instance: 3, values: { Enable: "true", ID: "s3", NotifType: "Event", ReferenceList: "Device.Boot!" } }]);
  const tree = await agents.subscribedTree("os::C0FFEE-subscribed");
  t.equal(tree?.value(`${SUBSCRIPTION_TABLE}3.ID`), "s3", "stored rows: the tree with them");
  t.same(built, ["os::C0FFEE-subscribed"]);
  t.equal(await agents.subscribedTree("os::C0FFEE-subscribed"), tree, "then served from the cache");

  // A tree built for another reason (a controller's Get of Device.LocalAgent.) is used as it is.
  const full = await agents.tree("os::C0FFEE-none");
  t.equal(await agents.subscribedTree("os::C0FFEE-none"), full);
});

t.test("subscribedTree(): an agent known to have no rows costs no store read, until a tree of it is built", async (t) => {
  class CountingStore extends MemoryStore {
    subscriptionReads = 0;
    override async getAgentRows(endpointId: string, table: string): Promise<StoredRow[]> {
      if (table === SUBSCRIPTION_TABLE) this.subscriptionReads += 1;
      return super.getAgentRows(endpointId, table);
    }
  }
  const store = new CountingStore();
  const agents = new LocalAgents({
    store,
    // One cached tree, so that building B's evicts A's.
    maxCached: 1,
    contextFor: (endpointId) => ({ endpointId, softwareVersion: "0.1.0", startedAt: 0, now: () => 0, mtps: [{ protocol: "MQTT" }], controllers: [{ endpointId: "proto::c1", protocol: "MQTT" }] }),
    onSubscriptionsChanged: () => undefined,
  });
  t.equal(await agents.subscribedTree("os::C0FFEE-A"), undefined);
  t.equal(await agents.subscribedTree("os::C0FFEE-A"), undefined);
  t.equal(store.subscriptionReads, 1, "the second Inform reads nothing");

  // A controller adds a Subscription (the tree is built), then the tree leaves the cache.
  const added = await agents.execute("os::C0FFEE-A", { method: "AddObject", objectName: SUBSCRIPTION_TABLE, parameterKey: "" }, "proto::c1");
  t.ok(added.ok);
  await agents.tree("os::C0FFEE-B");
  const tree = await agents.subscribedTree("os::C0FFEE-A");
  t.not(tree, undefined, "read again from the store, not answered from the stale 'no rows'");
  t.equal(tree?.rows(SUBSCRIPTION_TABLE).length, 1);
});

t.test("onBoardingTree(): no tree for an agent that kept the default on-boarding values", async (t) => {
  const store = new MemoryStore();
  const built: string[] = [];
  const agents = new LocalAgents({
    store,
    maxCached: 10,
    contextFor: (endpointId) => ({ endpointId, softwareVersion: "0.1.0", startedAt: 0, now: () => 0, mtps: [{ protocol: "MQTT" }], controllers: [{ endpointId: "proto::c1", protocol: "MQTT" }] }),
    onSubscriptionsChanged: () => undefined,
    onTreeBuilt: (endpointId) => void built.push(endpointId),
  });
  t.equal(await agents.onBoardingTree("os::C0FFEE-default"), undefined);
  t.same(built, [], "none was built");
  await store.putAgentRows("os::C0FFEE-set", ON_BOARDING_ROWS, [{ instance: 1, values: { EndpointID: "proto::c1", OnBoardingComplete: "false", OnBoardingRestartTime: "30" } }]);
  const tree = await agents.onBoardingTree("os::C0FFEE-set");
  t.equal(tree?.value("Device.LocalAgent.Controller.1.OnBoardingRestartTime"), "30", "stored values: the tree with them");
});
