// Several gateway instances, one request queue in the store: an instance sends
// no Connection Request to a CPE that is in session on another instance (that
// session takes the work at its next ACS turn), requests left waiting by an
// instance that died get one new Connection Request per period from the
// survivors, and expiry leaves work of a CPE in session anywhere to it.
import t from "tap";
import { pino } from "pino";
import { RequestQueue, type RequestQueueDeps } from "../src/agent/request-queue.js";
import { MemoryStore } from "../src/store/memory.js";
import type { PendingRequest } from "../src/store/store.js";
import { device, pending } from "./contract/store-contract.js";

const EID = "os::00256D-Q1";
const TIMEOUT_MS = 60_000;
const REWAKE_MS = 10_000;

interface Harness {
  store: MemoryStore;
  clock: { now: number };
  /** Connection Requests sent, by instance name. */
  crs: string[];
  answers: { instance: string; msgId: string; code?: number }[];
  queue(name: string): RequestQueue;
}

function harness(): Harness {
  const clock = { now: 1_000_000 };
  const store = new MemoryStore(() => clock.now);
  const h: Harness = {
    store,
    clock,
    crs: [],
    answers: [],
    queue: (name) => {
      // Cast: gateway-side deps that this test does not exercise may be added by other features.
      const deps = {
        store,
        logger: pino({ level: "silent" }),
        requestTimeoutMs: TIMEOUT_MS,
        rewakeAfterMs: REWAKE_MS,
        now: () => clock.now,
        hasOpenSession: () => false,
        isRunning: () => false,
        hasGatewayTasks: () => false,
        tryLocally: async () => undefined,
        connectionRequest: async () => {
          h.crs.push(name);
          return { ok: true as const, status: 200 };
        },
        answer: async (p: PendingRequest, reply: { kind: string; error?: { errCode: number } }) => {
          h.answers.push({ instance: name, msgId: p.msgId, ...(reply.error !== undefined ? { code: reply.error.errCode } : {}) });
        },
      } as unknown as RequestQueueDeps;
      return new RequestQueue(deps);
    },
  };
  return h;
}

/** A request as the instance that accepted it left it in the store. */
async function queued(h: Harness, requestId: string): Promise<void> {
  await h.store.enqueueRequest({ ...pending(EID, requestId, h.clock.now + TIMEOUT_MS), receivedAt: h.clock.now });
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

t.test("no Connection Request to a CPE in session on another instance", async (t) => {
  const h = harness();
  await h.store.putDevice(device(EID));
  await h.store.acquireSessionLock(EID, "session-on-b", 60_000);
  await h.queue("a").accept({ endpointId: EID, controllerId: "proto::c", msgId: "m1", request: pending(EID, "x", 0).request, replyTo: { mtp: "mqtt", topic: "c" }, recordVersion: "1.4" });
  t.same(h.crs, [], "the session on b takes the request at its next ACS turn");
  t.equal((await h.store.pendingRequests(EID)).length, 1, "queued in the store, where b finds it");
  await h.store.releaseSessionLock(EID, "session-on-b");
  await h.queue("b").afterSession(EID);
  t.same(h.crs, ["b"], "had b's session ended without it, b wakes the CPE");
});

t.test("re-wake: waiting work gets one Connection Request per period across instances", async (t) => {
  const h = harness();
  await h.store.putDevice(device(EID));
  const a = h.queue("a");
  const b = h.queue("b");
  await queued(h, "r1");
  h.clock.now += REWAKE_MS / 2;
  await a.rewake();
  await b.rewake();
  await settle();
  t.same(h.crs, [], "not before the request has waited rewakeAfter");

  h.clock.now += REWAKE_MS / 2;
  await a.rewake();
  await b.rewake();
  await settle();
  t.equal(h.crs.length, 1, "one instance sends it");
  await a.rewake();
  await b.rewake();
  await settle();
  t.equal(h.crs.length, 1, "and none again within the period");

  await h.store.acquireSessionLock(EID, "session-somewhere", 60_000);
  h.clock.now += REWAKE_MS;
  await a.rewake();
  await b.rewake();
  await settle();
  t.equal(h.crs.length, 1, "none while the CPE is in session anywhere");

  await h.store.releaseSessionLock(EID, "session-somewhere");
  await b.rewake();
  await settle();
  t.equal(h.crs.length, 2, "again once no session is open and the period has passed");
  t.same(h.answers, [], "nothing answered: the request waits for the CPE");
});

t.test("expiry leaves work of a CPE in session anywhere to that session", async (t) => {
  const h = harness();
  await queued(h, "r2");
  await h.store.acquireSessionLock(EID, "session-on-b", 2 * TIMEOUT_MS);
  h.clock.now += TIMEOUT_MS;
  await h.queue("a").expire();
  t.same(h.answers, [], "b's session may be running it");
  await h.store.releaseSessionLock(EID, "session-on-b");
  await h.queue("a").expire();
  await h.queue("c").expire();
  t.same(h.answers, [{ instance: "a", msgId: "m-r2", code: 7000 }], "answered once, with the timeout error");
});
