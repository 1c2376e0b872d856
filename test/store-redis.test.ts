// The Redis backend runs the same contract suite as the memory one, against
// the real Redis on 127.0.0.1:6379, each store under a prefix of its own.
import t from "tap";
import { Redis } from "ioredis";
import { RedisStore } from "../src/store/redis.js";
import { storeContract } from "./contract/store-contract.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const runPrefix = `cwmp2usp-test:${process.pid}-${Math.random().toString(16).slice(2, 8)}:`;
let n = 0;

storeContract(t, {
  create: async () => {
    n += 1;
    const store = new RedisStore({ url: REDIS_URL, keyPrefix: `${runPrefix}${n}:` });
    await store.connect();
    return store;
  },
});

t.test("state survives a new connection (a gateway restart)", async (t) => {
  const prefix = `${runPrefix}restart:`;
  const first = new RedisStore({ url: REDIS_URL, keyPrefix: prefix });
  await first.connect();
  await first.putDevice({
    endpointId: "os::00256D-R1",
    deviceId: { manufacturer: "A", oui: "00256D", productClass: "P", serialNumber: "R1" },
    rootObject: "Device.",
    cwmpNamespace: "urn:dslforum-org:cwmp-1-0",
    connectionRequestUrl: "http://127.0.0.1:1/",
    lastInformAt: 5,
    firstSeenAt: 5,
    softwareVersion: "1",
  });
  await first.close();
  const second = new RedisStore({ url: REDIS_URL, keyPrefix: prefix });
  await second.connect();
  t.equal((await second.getDevice("os::00256D-R1"))?.softwareVersion, "1");
  await second.deleteDevice("os::00256D-R1");
  await second.close();
});

t.test("an unreachable Redis is a clear start-up error", async (t) => {
  const store = new RedisStore({ url: "redis://127.0.0.1:1", keyPrefix: runPrefix });
  await t.rejects(store.connect(), /ECONNREFUSED|connect/);
  await store.close();
});

t.teardown(async () => {
  // Leave nothing behind in the shared Redis.
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});
