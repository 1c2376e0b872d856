// Which vendor overlay, and so which DeviceProfile (CPE quirk flags), applies
// to each virtual agent: the one matching its Inform DeviceId (OUI,
// ProductClass), resolved once per device and cached. Informs fill the cache
// as they arrive; a device this instance has not seen inform (a session moved
// here from another instance, a restart) is looked up once in the store's
// device registry. Entries point at the overlays themselves, shared by every
// device they match, so the cache costs a map entry per device, bounded for
// fleets of 100k.
import { LRUCache } from "lru-cache";
import type { DeviceIdStruct } from "../cwmp/rpc.js";
import type { Store } from "../store/store.js";
import { DEFAULT_PROFILE, type DeviceProfile } from "../translate/plan.js";
import type { VendorOverlay, VendorOverlays } from "./overlays.js";

export interface DeviceProfilesDeps {
  overlays: VendorOverlays;
  store: Pick<Store, "getDevice">;
  /** Devices whose overlay is kept resolved. */
  maxCached: number;
}

/** Cached for devices no overlay matches (the cache holds no undefined). */
const NO_OVERLAY = Symbol("no vendor overlay");
type Resolved = VendorOverlay | typeof NO_OVERLAY;

export class DeviceProfiles {
  private readonly cache: LRUCache<string, Resolved>;

  constructor(private readonly deps: DeviceProfilesDeps) {
    this.cache = new LRUCache({ max: deps.maxCached });
  }

  /** At an Inform: the DeviceId is at hand, so a device that informs this
   * instance never costs a store read. Matched again at every Inform, since
   * a firmware update may change the ProductClass. */
  learn(endpointId: string, deviceId: DeviceIdStruct): VendorOverlay | undefined {
    const overlay = this.deps.overlays.match(deviceId.oui, deviceId.productClass);
    this.cache.set(endpointId, overlay ?? NO_OVERLAY);
    return overlay;
  }

  /** The overlay matching the device, if any (its `rules` are the TR-098
   * mapping engine's overrides for it). */
  async overlayFor(endpointId: string): Promise<VendorOverlay | undefined> {
    const cached = this.cache.get(endpointId);
    if (cached !== undefined) return cached === NO_OVERLAY ? undefined : cached;
    const device = await this.deps.store.getDevice(endpointId);
    // Unknown devices are not cached: they may inform later.
    if (device === undefined) return undefined;
    return this.learn(endpointId, device.deviceId);
  }

  /** The quirk flags the planners honour for the device. */
  async profileFor(endpointId: string): Promise<DeviceProfile> {
    return (await this.overlayFor(endpointId))?.profile ?? DEFAULT_PROFILE;
  }
}
