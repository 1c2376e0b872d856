// R-MQTT.10: the MQTT reconnect schedule, from the TR-181
// ConnectRetryTime / ConnectRetryIntervalMultiplier / ConnectRetryMaxInterval text.
import t from "tap";
import { connectRetryWaitMs, DEFAULT_CONNECT_RETRY } from "../src/usp/mtp/mqtt-retry.js";

t.test("with the TR-181 defaults retry n waits 5·2^(n-1) to 5·2^n seconds", async (t) => {
  t.equal(connectRetryWaitMs(1, DEFAULT_CONNECT_RETRY, 0), 5_000, "first retry: at least 5 s");
  t.equal(connectRetryWaitMs(1, DEFAULT_CONNECT_RETRY, 0.999999), 10_000, "and at most 10 s");
  t.equal(connectRetryWaitMs(2, DEFAULT_CONNECT_RETRY, 0), 10_000);
  t.equal(connectRetryWaitMs(2, DEFAULT_CONNECT_RETRY, 0.5), 15_000, "the random value picks a point in the range");
  t.equal(connectRetryWaitMs(3, DEFAULT_CONNECT_RETRY, 0.999999), 40_000);
});

t.test("from the 11th retry on n stays 10", async (t) => {
  t.equal(connectRetryWaitMs(10, DEFAULT_CONNECT_RETRY, 0), 5 * 2 ** 9 * 1000);
  t.equal(connectRetryWaitMs(11, DEFAULT_CONNECT_RETRY, 0), 5 * 2 ** 9 * 1000);
  t.equal(connectRetryWaitMs(500, DEFAULT_CONNECT_RETRY, 0.5), 3_840_000, "halfway between 2560 s and 5120 s");
});

t.test("ConnectRetryMaxInterval caps the wait", async (t) => {
  const policy = { connectRetryTime: 5, intervalMultiplier: 2000, maxInterval: 60 };
  t.equal(connectRetryWaitMs(4, policy, 0), 40_000, "below the cap: unchanged");
  t.equal(connectRetryWaitMs(5, policy, 0), 60_000, "80 s becomes 60 s");
  t.equal(connectRetryWaitMs(10, policy, 0.5), 60_000);
});

t.test("multiplier 1000 keeps the wait at ConnectRetryTime", async (t) => {
  const policy = { connectRetryTime: 2, intervalMultiplier: 1000, maxInterval: 30720 };
  t.equal(connectRetryWaitMs(1, policy, 0.7), 2_000);
  t.equal(connectRetryWaitMs(9, policy, 0.2), 2_000);
});
