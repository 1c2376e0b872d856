// The pure parts of the WebSocket binding: where endpoint ids go in the
// handshake and the session retry schedule.
import t from "tap";
import {
  agentClientUrl,
  agentFromResourcePath,
  agentResourcePath,
  bbfExtensionEid,
  encodeEidQueryValue,
  onlyBbfExtension,
  retryWaitMs,
} from "../src/usp/mtp/websocket-handshake.js";

t.test("R-WS.10c the eid query value percent-encodes % (doc::agent%21 → doc::agent%2521)", async (t) => {
  t.equal(encodeEidQueryValue("doc::agent%21"), "doc::agent%2521");
  t.equal(encodeEidQueryValue("os::00256D-AB 1&x"), "os::00256D-AB%201%26x");
});

t.test("R-WS.10b eid joins an existing query with &", async (t) => {
  t.equal(agentClientUrl("ws://c:8080/usp", "os::1-2"), "ws://c:8080/usp?eid=os::1-2");
  t.equal(agentClientUrl("wss://c/usp?token=x", "os::1-2"), "wss://c/usp?token=x&eid=os::1-2");
  t.equal(agentClientUrl("ws://c/usp?", "os::1-2"), "ws://c/usp?eid=os::1-2");
  t.equal(agentClientUrl("ws://c/usp#frag", "os::1-2"), "ws://c/usp?eid=os::1-2");
});

t.test("R-WS.10a R-WS.11a the deprecated bbf-usp-protocol extension's eid", async (t) => {
  t.equal(bbfExtensionEid('bbf-usp-protocol; eid="proto::ctl"'), "proto::ctl");
  t.equal(bbfExtensionEid("permessage-deflate, bbf-usp-protocol;eid=proto::x"), "proto::x");
  t.equal(bbfExtensionEid("permessage-deflate"), undefined);
  t.equal(bbfExtensionEid(undefined), undefined);
  t.ok(onlyBbfExtension('bbf-usp-protocol; eid="a"'));
  t.notOk(onlyBbfExtension('permessage-deflate, bbf-usp-protocol; eid="a"'));
});

t.test("R-WS.2 each agent is its own resource below the server path", async (t) => {
  const path = agentResourcePath("/usp/", "os::00256D-A%2FB");
  t.equal(path, "/usp/os%3A%3A00256D-A%252FB");
  t.equal(agentFromResourcePath("/usp", path), "os::00256D-A%2FB");
  t.equal(agentFromResourcePath("/usp", "/usp/os::1-2"), "os::1-2");
  t.equal(agentFromResourcePath("/usp", "/usp/"), undefined);
  t.equal(agentFromResourcePath("/usp", "/other/os::1-2"), undefined);
  t.equal(agentFromResourcePath("/usp", "/usp/a/b"), undefined);
  t.equal(agentFromResourcePath("/usp", "/usp/%E0%A4%A"), undefined, "bad percent-encoding");
});

t.test("R-WS.19 retry waits follow m·(k/1000)^(n-1) … m·(k/1000)^n, capped from the 10th retry", async (t) => {
  const defaults = { minimumWaitMs: 5000, intervalMultiplier: 2000 };
  t.equal(retryWaitMs(1, defaults, 0), 5000);
  t.equal(retryWaitMs(1, defaults, 0.999999), 10000);
  t.equal(retryWaitMs(2, defaults, 0), 10000);
  t.equal(retryWaitMs(4, defaults, 0.5), 60000);
  t.equal(retryWaitMs(10, defaults, 0), 2_560_000);
  t.equal(retryWaitMs(10, defaults, 0.5), 3_840_000);
  t.equal(retryWaitMs(25, defaults, 0), 2_560_000, "#10 and subsequent");
  t.equal(retryWaitMs(3, { minimumWaitMs: 1000, intervalMultiplier: 1500 }, 0), 2250);
});
