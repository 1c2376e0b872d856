// TR-181 firmware image banks on a simulated CPE (Device.DeviceInfo.
// FirmwareImage.{i}., ActiveFirmwareImage, BootFirmwareImage): a profile
// that has the table keeps each image's Name, Version and Status, and the
// CPE boots the image BootFirmwareImage names. Profiles without the table
// (TR-098) keep the simpler behaviour of transfers.ts (the upgrade sets
// SoftwareVersion directly).
// - Download "1 Firmware Upgrade Image": the image goes into a bank that is
//   not active, BootFirmwareImage points at it and the CPE reboots into it.
// - Download "6 Stored Firmware Image" (TR-069 Amd 6): the image goes into the
//   bank TargetFileName names; nothing is activated.
// - BootFirmwareImage may only name an image whose Available is true and
//   whose Status is Active or Available (TR-181: 9007 otherwise).
// - A reboot activates the BootFirmwareImage image: ActiveFirmwareImage, the
//   images' Status and DeviceInfo.SoftwareVersion follow it.
import type { DeviceModel } from "./device-model.js";

const IMAGES = "DeviceInfo.FirmwareImage.";
const ACTIVE = "DeviceInfo.ActiveFirmwareImage";
const BOOT = "DeviceInfo.BootFirmwareImage";

/** Whether the profile has firmware image banks. */
export function hasFirmwareImages(dm: DeviceModel): boolean {
  return dm.node(dm.profile.root + IMAGES)?.kind === "object";
}

/** "Device.DeviceInfo.FirmwareImage.2." for a reference to an existing image
 * ("Device.DeviceInfo.FirmwareImage.2" or with the dot), else undefined. */
function imageRow(dm: DeviceModel, reference: string): string | undefined {
  const row = reference.endsWith(".") ? reference : `${reference}.`;
  const table = dm.profile.root + IMAGES;
  if (!row.startsWith(table) || !/^\d+\.$/.test(row.slice(table.length))) return undefined;
  const node = dm.node(row);
  return node?.kind === "object" ? row : undefined;
}

function activeRow(dm: DeviceModel): string | undefined {
  return imageRow(dm, dm.value(dm.profile.root + ACTIVE) ?? "");
}

/** 9007 when a SetParameterValues would point BootFirmwareImage at an image
 * that cannot boot; undefined for every other parameter. */
export function checkBootImageWrite(dm: DeviceModel, name: string, value: string): 9007 | undefined {
  if (name !== dm.profile.root + BOOT) return undefined;
  const row = imageRow(dm, value);
  if (row === undefined) return 9007;
  const status = dm.value(`${row}Status`);
  return dm.value(`${row}Available`) === "true" && (status === "Active" || status === "Available") ? undefined : 9007;
}

/** The bank a "1 Firmware Upgrade Image" download goes into: the first one not active. */
export function upgradeBank(dm: DeviceModel): string | undefined {
  if (!hasFirmwareImages(dm)) return undefined;
  const table = dm.profile.root + IMAGES;
  const active = activeRow(dm);
  return dm
    .children(table)
    .filter((name) => /^\d+\.$/.test(name.slice(table.length)))
    .find((row) => row !== active);
}

/** The bank a "6 Stored Firmware Image" download goes into (TargetFileName),
 * or undefined when it names no image, or the active one (still in use). */
export function storedBank(dm: DeviceModel, targetFileName: string): string | undefined {
  const row = imageRow(dm, targetFileName);
  return row === undefined || row === activeRow(dm) ? undefined : row;
}

export function imageDownloadStarted(dm: DeviceModel, bank: string): void {
  dm.setValue(`${bank}Status`, "Downloading");
}

/** A download into `bank` ended: the image is stored (Name from the URL, the
 * version its file name carries) or the bank says DownloadFailed. */
export function imageDownloadEnded(dm: DeviceModel, bank: string, ok: boolean, url: string, version: string | undefined): void {
  if (!ok) {
    dm.setValue(`${bank}Status`, "DownloadFailed");
    dm.setValue(`${bank}Available`, "false");
    return;
  }
  const name = url.replace(/[?#].*$/, "").split("/").filter((s) => s !== "").pop() ?? "";
  dm.setValue(`${bank}Name`, name);
  dm.setValue(`${bank}Version`, version ?? name);
  dm.setValue(`${bank}Status`, "Available");
  dm.setValue(`${bank}Available`, "true");
}

/** "1 Firmware Upgrade Image": the stored image is the one the next boot loads. */
export function bootFrom(dm: DeviceModel, bank: string): void {
  dm.setValue(dm.profile.root + BOOT, bank.slice(0, -1));
}

/** At boot: the BootFirmwareImage image becomes the active one, if it can. */
export function activateBootImage(dm: DeviceModel): void {
  if (!hasFirmwareImages(dm)) return;
  const boot = imageRow(dm, dm.value(dm.profile.root + BOOT) ?? "");
  const active = activeRow(dm);
  if (boot === undefined || boot === active || checkBootImageWrite(dm, dm.profile.root + BOOT, boot) !== undefined) return;
  if (active !== undefined) dm.setValue(`${active}Status`, "Available");
  dm.setValue(`${boot}Status`, "Active");
  dm.setValue(dm.profile.root + ACTIVE, boot.slice(0, -1));
  dm.setValue(dm.profile.root + "DeviceInfo.SoftwareVersion", dm.value(`${boot}Version`) ?? "");
}
