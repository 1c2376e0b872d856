// The set of virtual agents: one per CPE that has informed. Registers the
// CPE in the store on every Inform, and announces each agent to every
// configured controller on each of the controller's MTPs when it comes online
// (R-MTP.6), and again whenever that MTP's channel is re-established.
import type { Logger } from "pino";
import type { CwmpEnvelope, Inform } from "../cwmp/rpc.js";
import type { DeviceRecord, ReplyAddress, Store } from "../store/store.js";
import { mtpFor, type Mtp, type MtpName } from "../usp/mtp/mtp.js";
import { endpointIdFor, type EndpointIdScheme } from "./endpoint-id.js";

export interface ControllerConfig {
  endpointId: string;
  /** Where the controller is reached, one per MTP it uses; the first one
   * answers requests that carry no reply-to and carries Notifies. */
  addresses: ReplyAddress[];
}

export interface VirtualAgentsDeps {
  store: Store;
  mtps: readonly Mtp[];
  logger: Logger;
  controllers: ControllerConfig[];
  scheme: EndpointIdScheme;
  now: () => number;
}

const CONNECTION_REQUEST_URL = /\.ManagementServer\.ConnectionRequestURL$/;
const SOFTWARE_VERSION = /\.DeviceInfo\.SoftwareVersion$/;

export class VirtualAgents {
  /** Agents whose Connect records went out on the current channel of each MTP. */
  private readonly announced = new Map<MtpName, Set<string>>();

  constructor(private readonly deps: VirtualAgentsDeps) {}

  async isKnown(endpointId: string): Promise<boolean> {
    return (await this.deps.store.getDevice(endpointId)) !== undefined;
  }

  controllerAddress(controllerId: string): ReplyAddress | undefined {
    return this.deps.controllers.find((c) => c.endpointId === controllerId)?.addresses[0];
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
    for (const mtp of this.deps.mtps) {
      if (!this.announcedOn(mtp.name).has(endpointId)) await this.announce(endpointId, mtp.name);
    }
    return endpointId;
  }

  /** An MTP's channel came (back) up: every known agent announces itself again on it. */
  async announceAll(mtpName: MtpName): Promise<void> {
    this.announcedOn(mtpName).clear();
    for (const device of await this.deps.store.listDevices()) await this.announce(device.endpointId, mtpName);
  }

  private announcedOn(mtpName: MtpName): Set<string> {
    let set = this.announced.get(mtpName);
    if (set === undefined) {
      set = new Set();
      this.announced.set(mtpName, set);
    }
    return set;
  }

  private async announce(endpointId: string, mtpName: MtpName): Promise<void> {
    const announced = this.announcedOn(mtpName);
    announced.add(endpointId);
    for (const controller of this.deps.controllers) {
      for (const address of controller.addresses) {
        if (address.mtp !== mtpName) continue;
        try {
          await mtpFor(this.deps.mtps, address).sendConnectRecord(endpointId, controller.endpointId, address);
        } catch (err) {
          announced.delete(endpointId);
          this.deps.logger.warn({ endpointId, controller: controller.endpointId, mtp: mtpName, err: (err as Error).message }, "could not send Connect record");
        }
      }
    }
  }
}

function valueOf(inform: Inform, pattern: RegExp): string | undefined {
  return inform.parameterList.find((p) => pattern.test(p.name))?.value;
}
