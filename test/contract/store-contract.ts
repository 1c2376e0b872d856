// The Store contract: every backend runs this same suite (STYLE.md §2 src/store/).
import type { Test } from "tap";
import type { CwmpSession } from "../../src/cwmp/session.js";
import type { DeviceRecord, PendingRequest, Store } from "../../src/store/store.js";

export interface StoreFactory {
  /** A fresh, empty store whose clock the test controls. */
  create(clock: { now: number }): Promise<Store>;
}

export function device(endpointId: string): DeviceRecord {
  return {
    endpointId,
    deviceId: { manufacturer: "Acme", oui: "00256D", productClass: "GW", serialNumber: endpointId.split("-").pop() ?? "" },
    rootObject: "Device.",
    cwmpNamespace: "urn:dslforum-org:cwmp-1-0",
    connectionRequestUrl: "http://127.0.0.1:1/cr",
    lastInformAt: 1,
    firstSeenAt: 1,
    softwareVersion: "1.0",
  };
}

export function pending(endpointId: string, requestId: string, deadline: number): PendingRequest {
  return {
    requestId,
    endpointId,
    controllerId: "proto::c",
    msgId: `m-${requestId}`,
    request: { type: "get", get: { paramPaths: ["Device.DeviceInfo."], maxDepth: 0 } },
    replyTo: { mtp: "mqtt", topic: "ctl" },
    recordVersion: "1.4",
    receivedAt: 0,
    deadline,
  };
}

export function storeContract(t: Test, factory: StoreFactory): void {
  t.test("devices: put, get, list, delete; values are copies", async (t) => {
    const store = await factory.create({ now: 0 });
    t.equal(await store.getDevice("os::00256D-A"), undefined);
    const a = device("os::00256D-A");
    await store.putDevice(a);
    await store.putDevice(device("os::00256D-B"));
    t.same(await store.getDevice("os::00256D-A"), a);
    a.softwareVersion = "changed";
    t.equal((await store.getDevice("os::00256D-A"))?.softwareVersion, "1.0", "the store keeps its own copy");
    t.same((await store.listDevices()).map((d) => d.endpointId).sort(), ["os::00256D-A", "os::00256D-B"]);
    await store.putDevice({ ...device("os::00256D-A"), softwareVersion: "2.0" });
    t.equal((await store.getDevice("os::00256D-A"))?.softwareVersion, "2.0", "put replaces");
    await store.deleteDevice("os::00256D-A");
    t.equal(await store.getDevice("os::00256D-A"), undefined);
    await store.close();
  });

  t.test("requests: FIFO per device, taken exactly once", async (t) => {
    const store = await factory.create({ now: 0 });
    await store.enqueueRequest(pending("e1", "r1", 100));
    await store.enqueueRequest(pending("e1", "r2", 100));
    await store.enqueueRequest(pending("e2", "r3", 100));
    t.same((await store.pendingRequests("e1")).map((r) => r.requestId), ["r1", "r2"]);
    t.same(await store.pendingRequests("e1").then((r) => r[0]), pending("e1", "r1", 100), "stored whole");
    t.same(await store.pendingRequests("nobody"), []);
    t.equal(await store.takeRequest("e1", "r1"), true);
    t.equal(await store.takeRequest("e1", "r1"), false, "a second take fails: one answer only");
    t.equal(await store.takeRequest("e2", "r1"), false, "take is per device");
    t.same((await store.pendingRequests("e1")).map((r) => r.requestId), ["r2"]);
    await store.close();
  });

  t.test("agent rows: per agent and table, replaced whole, dropped with the device", async (t) => {
    const store = await factory.create({ now: 0 });
    const rows = [{ instance: 3, values: { ID: "s-3", Enable: "true" } }];
    t.same(await store.getAgentRows("e1", "Device.LocalAgent.Subscription."), []);
    await store.putAgentRows("e1", "Device.LocalAgent.Subscription.", rows);
    await store.putAgentRows("e2", "Device.LocalAgent.Subscription.", []);
    t.same(await store.getAgentRows("e1", "Device.LocalAgent.Subscription."), rows);
    t.same(await store.getAgentRows("e1", "Device.LocalAgent.Request."), [], "per table");
    t.same(await store.getAgentRows("e2", "Device.LocalAgent.Subscription."), [], "per agent");
    await store.putDevice(device("e1"));
    await store.deleteDevice("e1");
    t.same(await store.getAgentRows("e1", "Device.LocalAgent.Subscription."), []);
    await store.close();
  });

  t.test("deleting a device drops its queue and lock", async (t) => {
    const store = await factory.create({ now: 0 });
    await store.putDevice(device("e9"));
    await store.enqueueRequest(pending("e9", "r9", 10));
    await store.acquireSessionLock("e9", "s", 60_000);
    await store.deleteDevice("e9");
    t.same(await store.pendingRequests("e9"), []);
    t.same(await store.expiredRequests(1000), []);
    t.equal(await store.acquireSessionLock("e9", "other", 1000), true);
    await store.close();
  });

  t.test("requests: expiry lists what is past its deadline", async (t) => {
    const store = await factory.create({ now: 0 });
    await store.enqueueRequest(pending("e1", "early", 50));
    await store.enqueueRequest(pending("e2", "late", 500));
    t.same((await store.expiredRequests(49)).map((r) => r.requestId), []);
    t.same((await store.expiredRequests(50)).map((r) => r.requestId), ["early"]);
    t.same((await store.expiredRequests(1000)).map((r) => r.requestId).sort(), ["early", "late"]);
    await store.close();
  });

  t.test("TR-069 §3.7.1.4 session lock: one holder per device, lapses after its TTL", async (t) => {
    const clock = { now: 1000 };
    const store = await factory.create(clock);
    t.equal(await store.acquireSessionLock("e1", "s1", 100), true);
    t.equal(await store.acquireSessionLock("e1", "s2", 100), false, "held by s1");
    t.equal(await store.acquireSessionLock("e1", "s1", 100), true, "the holder may refresh");
    t.equal(await store.acquireSessionLock("e2", "s2", 100), true, "locks are per device");
    await store.releaseSessionLock("e1", "s2");
    t.equal(await store.acquireSessionLock("e1", "s3", 100), false, "only the holder releases");
    await store.releaseSessionLock("e1", "s1");
    t.equal(await store.acquireSessionLock("e1", "s3", 100), true, "free after release");
    // Backends expire locks by the injected clock (memory) or by real time
    // (Redis): move both past the TTL.
    clock.now += 101;
    await new Promise((resolve) => setTimeout(resolve, 150));
    t.equal(await store.acquireSessionLock("e1", "s4", 100), true, "a lapsed lock can be taken");
    await store.close();
  });

  t.test("session lock owner: who holds it, none once released or lapsed", async (t) => {
    const clock = { now: 1000 };
    const store = await factory.create(clock);
    t.equal(await store.sessionLockOwner("e1"), undefined);
    await store.acquireSessionLock("e1", "s1", 100);
    t.equal(await store.sessionLockOwner("e1"), "s1");
    await store.releaseSessionLock("e1", "s1");
    t.equal(await store.sessionLockOwner("e1"), undefined);
    await store.acquireSessionLock("e1", "s2", 100);
    await lapse(clock, 100);
    t.equal(await store.sessionLockOwner("e1"), undefined, "a lapsed lock has no owner");
    await store.close();
  });

  t.test("CWMP sessions: saved whole, loaded by id, deleted, lapse after their TTL", async (t) => {
    const clock = { now: 1000 };
    const store = await factory.create(clock);
    const session = cwmpSession("s1");
    t.equal(await store.loadCwmpSession("s1"), undefined);
    await store.saveCwmpSession("s1", session, 60_000);
    t.same(await store.loadCwmpSession("s1"), session, "stored whole, request included");
    session.rpcCount = 99;
    t.equal((await store.loadCwmpSession("s1"))?.rpcCount, 3, "the store keeps its own copy");
    await store.saveCwmpSession("s1", { ...cwmpSession("s1"), state: { phase: "cpeTurn" } }, 60_000);
    t.same((await store.loadCwmpSession("s1"))?.state, { phase: "cpeTurn" }, "save replaces");
    await store.deleteCwmpSession("s1");
    t.equal(await store.loadCwmpSession("s1"), undefined);
    await store.deleteCwmpSession("s1");
    await store.saveCwmpSession("s2", cwmpSession("s2"), 100);
    await lapse(clock, 100);
    t.equal(await store.loadCwmpSession("s2"), undefined, "lapsed");
    await store.close();
  });

  t.test("session work logs: saved whole, loaded by id, deleted, lapse after their TTL", async (t) => {
    const clock = { now: 1000 };
    const store = await factory.create(clock);
    const gpv = { method: "GetParameterValues" as const, parameterNames: ["Device.DeviceInfo.UpTime"] };
    const log = {
      requestId: "r1",
      steps: [{ request: gpv, outcome: { ok: true as const, response: { method: "GetParameterValuesResponse" as const, parameterList: [{ name: "Device.DeviceInfo.UpTime", value: "7", type: "xsd:unsignedInt" }] } } }],
      inFlight: gpv,
    };
    t.equal(await store.loadSessionWork("s1"), undefined);
    await store.saveSessionWork("s1", log, 60_000);
    t.same(await store.loadSessionWork("s1"), log, "stored whole");
    log.requestId = "changed";
    t.equal((await store.loadSessionWork("s1"))?.requestId, "r1", "the store keeps its own copy");
    await store.saveSessionWork("s1", { ...log, requestId: "r2", steps: [] }, 60_000);
    t.equal((await store.loadSessionWork("s1"))?.requestId, "r2", "save replaces");
    await store.deleteSessionWork("s1");
    t.equal(await store.loadSessionWork("s1"), undefined);
    await store.saveSessionWork("s2", log, 100);
    await lapse(clock, 100);
    t.equal(await store.loadSessionWork("s2"), undefined, "lapsed");
    await store.close();
  });

  t.test("wake-up claims: one winner per device per TTL", async (t) => {
    const clock = { now: 1000 };
    const store = await factory.create(clock);
    t.equal(await store.claimWakeUp("e1", 100), true);
    t.equal(await store.claimWakeUp("e1", 100), false, "claimed already");
    t.equal(await store.claimWakeUp("e2", 100), true, "per device");
    await lapse(clock, 100);
    t.equal(await store.claimWakeUp("e1", 100), true, "free again after the TTL");
    await store.close();
  });
}

/** Moves both clocks past a TTL: backends expire by the injected clock (memory) or real time (Redis). */
async function lapse(clock: { now: number }, ttlMs: number): Promise<void> {
  clock.now += ttlMs + 1;
  await new Promise((resolve) => setTimeout(resolve, ttlMs + 50));
}

function cwmpSession(id: string): CwmpSession {
  return {
    id,
    endpointId: "os::00256D-A",
    cwmpNamespace: "urn:dslforum-org:cwmp-1-2",
    useCwmpVersion: "1.2",
    state: { phase: "awaitingResponse", requestId: `${id}-3`, request: { method: "GetParameterValues", parameterNames: ["Device.DeviceInfo."] } },
    rpcCount: 3,
    startedAt: 900,
    lastActivityAt: 1000,
  };
}
