// R-MQTT.10: how long the MQTT client waits before connection attempt n
// after a failure, from Device.MQTT.Client.{i}.ConnectRetryTime,
// ConnectRetryIntervalMultiplier and ConnectRetryMaxInterval (TR-181 2.19).
// Pure, with the randomness injected, so the schedule is testable.

export interface ConnectRetryPolicy {
  /** ConnectRetryTime, in seconds (TR-181 default 5). */
  connectRetryTime: number;
  /** ConnectRetryIntervalMultiplier, in thousandths (default 2000, i.e. ×2). */
  intervalMultiplier: number;
  /** ConnectRetryMaxInterval, in seconds (default 30720). */
  maxInterval: number;
}

export const DEFAULT_CONNECT_RETRY: ConnectRetryPolicy = { connectRetryTime: 5, intervalMultiplier: 2000, maxInterval: 30720 };

/** The wait before retry `retryCount` (1-based): a random value between
 * t·(k/1000)^(n-1) and t·(k/1000)^n seconds, n capped at 10 ("starting with
 * the 11th retry always the value n = 10 is used"), and never more than
 * ConnectRetryMaxInterval. `random` is a value in [0, 1). */
export function connectRetryWaitMs(retryCount: number, policy: ConnectRetryPolicy, random: number): number {
  const n = Math.min(Math.max(retryCount, 1), 10);
  const factor = policy.intervalMultiplier / 1000;
  const low = policy.connectRetryTime * factor ** (n - 1);
  const high = policy.connectRetryTime * factor ** n;
  const seconds = Math.min(low + (high - low) * random, policy.maxInterval);
  return Math.round(seconds * 1000);
}
