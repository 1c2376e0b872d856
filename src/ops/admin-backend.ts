// The admin API's view of the gateway, built by gateway.ts from its parts.
// Forgetting a device is the one non-trivial operation: its queued requests
// must each still get exactly one answer (README invariant 3) before the
// store drops them.
import { SUBSCRIPTION_TABLE } from "../agent/local-agent/local-agent-model.js";
import type { ConnectionRequestOutcome } from "../cwmp/connection-request.js";
import type { DeviceRecord, PendingRequest, Store } from "../store/store.js";
import type { UspReply } from "../translate/plan.js";
import { USP_ERR, uspError } from "../usp/errors.js";
import type { AdminBackend } from "./admin-api.js";

export interface AdminBackendDeps {
  store: Store;
  now: () => number;
  hasOpenSession(endpointId: string): boolean;
  connectionRequest(device: DeviceRecord): Promise<ConnectionRequestOutcome>;
  /** Delivers the one answer to a request the caller has taken from the store. */
  answer(pending: PendingRequest, reply: UspReply): Promise<void>;
  /** Drops what the gateway cached of the device: its data model and its Device.LocalAgent. tree. */
  forgetCached(endpointId: string): void;
}

export function createAdminBackend(deps: AdminBackendDeps): AdminBackend {
  const { store } = deps;
  return {
    listDevices: () => store.listDevices(),
    getDevice: (endpointId) => store.getDevice(endpointId),
    pendingRequests: (endpointId) => store.pendingRequests(endpointId),
    hasOpenSession: (endpointId) => deps.hasOpenSession(endpointId),
    connectionRequest: (device) => deps.connectionRequest(device),
    subscriptions: async (endpointId) =>
      (await store.getAgentRows(endpointId, SUBSCRIPTION_TABLE)).map((row) => ({ path: `${SUBSCRIPTION_TABLE}${row.instance}.`, params: row.values })),
    now: deps.now,
    async forgetDevice(endpointId: string): Promise<number> {
      let answered = 0;
      for (const pending of await store.pendingRequests(endpointId)) {
        // Only the caller that takes a request answers it: one already taken
        // (running, or timed out meanwhile) is answered by its taker.
        if (!(await store.takeRequest(endpointId, pending.requestId))) continue;
        await deps.answer(pending, { kind: "error", error: uspError(USP_ERR.REQUEST_DENIED, "request cancelled: the device was removed from the gateway by an operator") });
        answered += 1;
      }
      await store.deleteDevice(endpointId);
      deps.forgetCached(endpointId);
      return answered;
    },
  };
}
