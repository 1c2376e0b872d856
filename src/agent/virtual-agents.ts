// The set of virtual agents: one per CPE that has informed. Registers the
// CPE in the store on every Inform, and announces each agent to every
// configured controller with its MTP Connect record when it comes online
// (R-MTP.6), and again whenever the MTP channel is re-established.
import type { Logger } from "pino";
import type { CwmpEnvelope, Inform } from "../cwmp/rpc.js";
import type { DeviceRecord, ReplyAddress, Store } from "../store/store.js";
import type { Mtp } from "../usp/mtp/mtp.js";
import { endpointIdFor, type EndpointIdScheme } from "./endpoint-id.js";

export interface ControllerConfig {
  endpointId: string;
  address: ReplyAddress;
}

export interface VirtualAgentsDeps {
  store: Store;
  mtp: Mtp;
  logger: Logger;
  controllers: ControllerConfig[];
  scheme: EndpointIdScheme;
  now: () => number;
}

const CONNECTION_REQUEST_URL = /\.ManagementServer\.ConnectionRequestURL$/;
const SOFTWARE_VERSION = /\.DeviceInfo\.SoftwareVersion$/;

export class VirtualAgents {
  /** Agents whose Connect record went out on the current MTP channel. */
  private readonly announced = new Set<string>();

  constructor(private readonly deps: VirtualAgentsDeps) {}

  async isKnown(endpointId: string): Promise<boolean> {
    return (await this.deps.store.getDevice(endpointId)) !== undefined;
  }

  controllerAddress(controllerId: string): ReplyAddress | undefined {
    return this.deps.controllers.find((c) => c.endpointId === controllerId)?.address;
  }

  /** Records the CPE and its Inform; returns the agent's endpoint id. */
  async register(inform: Inform, envelope: CwmpEnvelope): Promise<string> {
    const endpointId = endpointIdFor(inform.deviceId, this.deps.scheme);
    const previous = await this.deps.store.getDevice(endpointId);
    const now = this.deps.now();
    const rootObject = inform.parameterList.some((p) => p.name.startsWith("InternetGatewayDevice.")) ? "InternetGatewayDevice." : "Device.";
    const device: DeviceRecord = {
      endpointId,
      deviceId: inform.deviceId,
      rootObject,
      cwmpNamespace: envelope.cwmpNamespace,
      connectionRequestUrl: valueOf(inform, CONNECTION_REQUEST_URL) ?? previous?.connectionRequestUrl ?? "",
      ...(previous?.connectionRequestAuth !== undefined ? { connectionRequestAuth: previous.connectionRequestAuth } : {}),
      lastInformAt: now,
      firstSeenAt: previous?.firstSeenAt ?? now,
      softwareVersion: valueOf(inform, SOFTWARE_VERSION) ?? previous?.softwareVersion ?? "",
    };
    await this.deps.store.putDevice(device);
    if (previous === undefined) this.deps.logger.info({ endpointId, root: rootObject }, "new CPE: virtual agent online");
    if (!this.announced.has(endpointId)) await this.announce(endpointId);
    return endpointId;
  }

  /** The MTP channel came (back) up: every known agent announces itself again. */
  async announceAll(): Promise<void> {
    this.announced.clear();
    for (const device of await this.deps.store.listDevices()) await this.announce(device.endpointId);
  }

  private async announce(endpointId: string): Promise<void> {
    this.announced.add(endpointId);
    for (const controller of this.deps.controllers) {
      try {
        await this.deps.mtp.sendConnectRecord(endpointId, controller.endpointId, controller.address);
      } catch (err) {
        this.announced.delete(endpointId);
        this.deps.logger.warn({ endpointId, controller: controller.endpointId, err: (err as Error).message }, "could not send Connect record");
      }
    }
  }
}

function valueOf(inform: Inform, pattern: RegExp): string | undefined {
  return inform.parameterList.find((p) => pattern.test(p.name))?.value;
}
