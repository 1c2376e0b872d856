import t from "tap";
import { replyAddressOf } from "../src/usp/mtp/mqtt.js";

t.test("R-MQTT.26 an MQTT 5 Response Topic is where the reply goes", async (t) => {
  t.same(replyAddressOf("usp/v1/agent/os::1", { properties: { responseTopic: "usp/v1/controller/c1" } }), { mtp: "mqtt", topic: "usp/v1/controller/c1" });
});

t.test("R-MQTT.25 an MQTT 3.1.1 /reply-to= suffix is decoded (%2F → /)", async (t) => {
  t.same(replyAddressOf("usp/v1/agent/os::1/reply-to=usp%2Fv1%2Fcontroller%2Fc1", {}), { mtp: "mqtt", topic: "usp/v1/controller/c1" });
});

t.test("the Response Topic wins over a suffix", async (t) => {
  t.same(replyAddressOf("a/reply-to=b", { properties: { responseTopic: "c" } }), { mtp: "mqtt", topic: "c" });
});

t.test("no reply-to at all gives null (the controller's configured topic is used)", async (t) => {
  t.equal(replyAddressOf("usp/v1/agent/os::1", {}), null);
  t.equal(replyAddressOf("usp/v1/agent/os::1", { properties: { responseTopic: "" } }), null);
  t.equal(replyAddressOf("usp/v1/agent/os::1/reply-to=", {}), null);
});
