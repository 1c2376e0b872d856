// Which local parameter changes a simulated CPE still has to report, and
// when an active notification may start a session (TR-069 §3.2.1:
// Notification 1 waits for the next Inform; 2 starts a session, at most one
// per ManagementServer.DefaultActiveNotificationThrottle seconds).
import type { DeviceModel } from "./device-model.js";

export interface NotifierHost {
  readonly model: DeviceModel;
  later(ms: number, fn: () => void): void;
  /** Starts a "4 VALUE CHANGE" session. */
  informValueChange(): void;
}

export class ChangeNotifier {
  private readonly changed = new Set<string>();
  private lastActiveAt: number | undefined;
  private waiting = false;

  constructor(private readonly host: NotifierHost) {}

  /** Names changed and not yet carried by an acknowledged Inform. */
  pending(): string[] {
    return [...this.changed];
  }

  /** An InformResponse arrived for an Inform that carried `names`. */
  reported(names: readonly string[]): void {
    for (const name of names) this.changed.delete(name);
  }

  /** A notified parameter changed; `active` asks for a session now, or as
   * soon as the throttle allows. */
  record(name: string, active: boolean): void {
    this.changed.add(name);
    if (active) this.activate();
  }

  private activate(): void {
    const now = this.host.model.now();
    const throttleMs = (Number(this.host.model.managementServer("DefaultActiveNotificationThrottle")) || 0) * 1000;
    const wait = this.lastActiveAt === undefined ? 0 : this.lastActiveAt + throttleMs - now;
    if (wait <= 0) {
      this.lastActiveAt = now;
      this.host.informValueChange();
      return;
    }
    if (this.waiting) return;
    this.waiting = true;
    this.host.later(wait, () => {
      this.waiting = false;
      // Another session may have carried the changes meanwhile.
      if (this.changed.size > 0) this.activate();
    });
  }
}
