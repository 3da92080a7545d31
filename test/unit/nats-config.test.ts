import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { defaultAgentId } from "../../src/config/nats.ts";
import { ConfigError, loadAgentConfig, loadConfig } from "../../src/config.ts";
import { tempDir } from "../support/tmp.ts";

function problem(load: () => unknown): ConfigError {
  try {
    load();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err;
  }
  assert.fail("expected a ConfigError");
}

const AGENT = { NATS_URL: "nats://127.0.0.1:4222", WATCH_CONFIG: "/tmp/watch.json" };

describe("NATS settings", () => {
  it("NATS_URL alone is enough for run: the recorder of remote agents", () => {
    const c = loadConfig({ NATS_URL: "nats://127.0.0.1:4222" });
    assert.equal(c.telegram, null);
    assert.deepEqual(c.nats?.servers, ["nats://127.0.0.1:4222"]);
    assert.equal(c.nats?.auth, null);
  });

  it("the agent needs NATS_URL and a watch config, each named when missing", () => {
    assert.equal(problem(() => loadAgentConfig({ WATCH_CONFIG: "/tmp/w.json" })).variable, "NATS_URL");
    assert.equal(problem(() => loadAgentConfig({ NATS_URL: "127.0.0.1:4222" })).variable, "WATCH_CONFIG");
    const c = loadAgentConfig({ ...AGENT, AGENT_ID: "build-01" });
    assert.equal(c.nats.agentId, "build-01");
  });

  it("a wrong value names its variable", () => {
    assert.equal(problem(() => loadAgentConfig({ ...AGENT, AGENT_ID: "a.b" })).variable, "AGENT_ID");
    assert.equal(problem(() => loadAgentConfig({ ...AGENT, AGENT_ID: "a*" })).variable, "AGENT_ID");
    assert.equal(problem(() => loadAgentConfig({ ...AGENT, NATS_URL: "http://x:1" })).variable, "NATS_URL");
    assert.equal(
      problem(() => loadAgentConfig({ ...AGENT, NATS_URL: "nats://u:p@x:1" })).variable,
      "NATS_URL",
    );
    assert.equal(problem(() => loadAgentConfig({ ...AGENT, NATS_USER: "a" })).variable, "NATS_PASSWORD");
    assert.equal(problem(() => loadAgentConfig({ ...AGENT, NATS_PASSWORD: "a" })).variable, "NATS_USER");
    assert.equal(
      problem(() => loadAgentConfig({ ...AGENT, NATS_CREDS: "/nonexistent/x.creds" })).variable,
      "NATS_CREDS",
    );
    assert.equal(
      problem(() => loadAgentConfig({ ...AGENT, NATS_CA: "/nonexistent/ca.pem" })).variable,
      "NATS_CA",
    );
    assert.equal(problem(() => loadConfig({ NATS_TOKEN: "t0ken" })).variable, "NATS_URL");
    const both = problem(() => loadAgentConfig({ ...AGENT, NATS_TOKEN: "secret-token", NATS_USER: "u" }));
    assert.equal(both.variable, "NATS_TOKEN");
    assert.doesNotMatch(both.message, /secret-token/);
  });

  it("a client certificate needs both halves, each file readable", (t) => {
    const dir = tempDir(t);
    const cert = path.join(dir, "c.pem");
    writeFileSync(cert, "x");
    assert.equal(problem(() => loadAgentConfig({ ...AGENT, NATS_CERT: cert })).variable, "NATS_KEY");
    const c = loadAgentConfig({ ...AGENT, NATS_CERT: cert, NATS_KEY: cert, NATS_CA: cert });
    assert.deepEqual(c.nats.tls, { caFile: cert, certFile: cert, keyFile: cert });
  });

  it("the default agent id is the host name made one subject token", () => {
    assert.equal(defaultAgentId("build.example.org"), "build-example-org");
    assert.equal(defaultAgentId("laptop"), "laptop");
  });
});
