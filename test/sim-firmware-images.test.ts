// Firmware image banks of the simulated TR-181 CPE (src/sim/firmware-images.ts):
// which Downloads it accepts, what BootFirmwareImage may name, and what a
// reboot activates. The transfers themselves run end to end in
// test/e2e-firmware.test.ts.
import t from "tap";
import type { Download } from "../src/cwmp/rpc.js";
import { createDeviceModel, isCwmpFault, setParameterValues } from "../src/sim/data-model.js";
import { activateBootImage, upgradeBank } from "../src/sim/firmware-images.js";
import { loadProfile } from "../src/sim/profile.js";
import { download } from "../src/sim/transfers.js";

const IMAGES = "Device.DeviceInfo.FirmwareImage.";

function device(name = "tr181-gateway"): ReturnType<typeof createDeviceModel> {
  const loaded = loadProfile(name);
  if (!loaded.ok) throw new Error(loaded.error);
  return createDeviceModel(loaded.profile, { serialNumber: "FW0001", oui: "A1B2C3" });
}

function downloadRpc(fileType: string, targetFileName: string): Download {
  return { method: "Download", commandKey: "k", fileType, url: "http://127.0.0.1:1/hgw-5.0.1.bin", username: "", password: "", fileSize: 0, targetFileName, delaySeconds: 0, successUrl: "", failureUrl: "" };
}

const spv = (name: string, value: string) => ({ method: "SetParameterValues" as const, parameterList: [{ name, value, type: "xsd:string" }], parameterKey: "" });

t.test("BootFirmwareImage takes an Available image only (9007 otherwise)", async (t) => {
  const dm = device();
  t.same(setParameterValues(dm, spv("Device.DeviceInfo.BootFirmwareImage", `${IMAGES}2`)), { method: "SetParameterValuesResponse", status: 0 });
  for (const bad of [`${IMAGES}3`, "Device.DeviceInfo.", "nonsense"]) {
    const r = setParameterValues(dm, spv("Device.DeviceInfo.BootFirmwareImage", bad));
    t.ok(isCwmpFault(r) && r.setParameterValuesFaults[0]?.faultCode === 9007, `${bad}: 9007`);
  }
  dm.setValue(`${IMAGES}2.Available`, "false");
  const r = setParameterValues(dm, spv("Device.DeviceInfo.BootFirmwareImage", `${IMAGES}2`));
  t.ok(isCwmpFault(r) && r.setParameterValuesFaults[0]?.faultCode === 9007, "an image not Available: 9007");
});

t.test("a reboot activates BootFirmwareImage: ActiveFirmwareImage, Status and SoftwareVersion follow", async (t) => {
  const dm = device();
  activateBootImage(dm);
  t.equal(dm.value("Device.DeviceInfo.SoftwareVersion"), "4.2.7-sim", "booting the active image changes nothing");
  dm.setValue("Device.DeviceInfo.BootFirmwareImage", `${IMAGES}2`);
  activateBootImage(dm);
  t.same(
    ["Device.DeviceInfo.ActiveFirmwareImage", "Device.DeviceInfo.SoftwareVersion", `${IMAGES}1.Status`, `${IMAGES}2.Status`].map((n) => dm.value(n)),
    [`${IMAGES}2`, "4.1.9-sim", "Available", "Active"],
  );
  t.equal(upgradeBank(dm), `${IMAGES}1.`, "an upgrade goes into the bank not running");
});

t.test('Download file types: "6 Stored Firmware Image" needs an image bank that is not running', async (t) => {
  const dm = device();
  t.notOk(isCwmpFault(download(dm, downloadRpc("6 Stored Firmware Image", `${IMAGES}2`))), "into image 2: accepted");
  for (const target of [`${IMAGES}1`, `${IMAGES}7`, ""]) {
    const r = download(dm, downloadRpc("6 Stored Firmware Image", target));
    t.ok(isCwmpFault(r) && r.faultCode === 9003, `into "${target}": 9003`);
  }
  const tr098 = device("huawei-bm632w-tr098");
  const r = download(tr098, downloadRpc("6 Stored Firmware Image", `${IMAGES}2`));
  t.ok(isCwmpFault(r) && r.faultCode === 9003, "a CPE without image banks refuses file type 6");
  t.notOk(isCwmpFault(download(tr098, downloadRpc("1 Firmware Upgrade Image", ""))), "and still takes an upgrade image");
});
