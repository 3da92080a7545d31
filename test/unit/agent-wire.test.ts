import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  agentOfSubject,
  decodeMessage,
  encodeMessage,
  messageIdOf,
  subjectOf,
} from "../../src/agents/wire.ts";

const EVENT = {
  source: "fs",
  type: "file.created",
  status: "success",
  occurredAt: 1_700_000_000_000,
  path: "/srv/a.txt",
  project: "p",
  details: { root: "/srv" },
};

const body = (event: unknown, head: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify({ v: 1, agent: "a1", host: "h", seq: 7, recordedAt: 1, ...head, event }));

describe("the agents' wire format", () => {
  it("round-trips an event, the stored JSON spliced in as it is", () => {
    const data = encodeMessage({ agent: "a1", host: "h", seq: 7, recordedAt: 1 }, JSON.stringify(EVENT));
    assert.deepEqual(decodeMessage(data), {
      v: 1,
      agent: "a1",
      host: "h",
      seq: 7,
      recordedAt: 1,
      event: EVENT,
    });
    assert.equal(subjectOf("a1"), "audit.fs.a1");
    assert.equal(agentOfSubject("audit.fs.a1"), "a1");
    assert.equal(agentOfSubject("audit.fs.a1.x"), null);
    assert.equal(messageIdOf("a1", 7), "a1:7");
  });

  it("refuses what an agent cannot have sent, saying why", () => {
    assert.throws(() => decodeMessage(Buffer.from("not json")));
    assert.throws(() => decodeMessage(body(EVENT, { v: 2 })), /version/);
    assert.throws(() => decodeMessage(body(EVENT, { seq: "7" })), /seq/);
    assert.throws(() => decodeMessage(body({ ...EVENT, source: "telegram" })), /source/);
    assert.throws(() => decodeMessage(body({ ...EVENT, status: "done" })), /status/);
    assert.throws(() => decodeMessage(body({ ...EVENT, details: "x" })), /details/);
    assert.throws(() => decodeMessage(body(null)), /event missing/);
  });
});
