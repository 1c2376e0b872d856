// `cwmp2usp sim`: a fleet of simulated CPEs (TR-181 by default, or another
// bundled profile such as the TR-098 huawei-bm632w-tr098) against an ACS, for
// labs and demos. Logs each session so an operator sees what the ACS asked for.
import type { Logger } from "pino";
import { startFleet, type Fleet } from "./fleet.js";

export interface SimulatorFleetOptions {
  acsUrl: string;
  count: number;
  serialPrefix: string;
  crUsername: string;
  crPassword: string;
  acsUsername: string;
  acsPassword: string;
  /** Bundled profile name or JSON path; "" for the default TR-181 one. */
  profile?: string;
  /** Tables each CPE renumbers at every reboot (FleetOptions.renumberOnReboot). */
  renumberOnReboot?: readonly string[];
  logger: Logger;
}

export async function startSimulatorFleet(options: SimulatorFleetOptions): Promise<Fleet> {
  const { logger } = options;
  if (!Number.isInteger(options.count) || options.count < 1) throw new Error(`--count must be a positive integer, got ${options.count}`);
  const fleet = await startFleet({
    acsUrl: options.acsUrl,
    count: options.count,
    serialPrefix: options.serialPrefix,
    ...(options.profile !== undefined && options.profile !== "" ? { profile: options.profile } : {}),
    ...(options.renumberOnReboot !== undefined && options.renumberOnReboot.length > 0 ? { renumberOnReboot: options.renumberOnReboot } : {}),
    ...(options.crUsername !== "" ? { crUsername: options.crUsername } : {}),
    ...(options.crPassword !== "" ? { crPassword: options.crPassword } : {}),
    ...(options.acsUsername !== "" ? { acsUsername: options.acsUsername } : {}),
    ...(options.acsPassword !== "" ? { acsPassword: options.acsPassword } : {}),
    onSession: (cpe, result) => {
      logger.info({ serial: cpe.serial, ok: result.ok, events: result.events, rpcs: result.methods, error: result.error }, "CWMP session");
    },
  });
  logger.info({ count: fleet.cpes.length, profile: fleet.cpes[0]?.model.profile.id, acsUrl: options.acsUrl, connectionRequestPort: fleet.connectionRequestPort }, "simulated CPEs started");
  await fleet.bootAll({ concurrency: 50 });
  return fleet;
}
