/**
 * The retry policy: the pause between retries doubles up to its ceiling and starts over after a
 * success; a rule per failure caps it lower and keeps it a warning for a while.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RetryPolicy } from "../../src/retry-policy.ts";
import { recordingLogger } from "../support/log-lines.ts";

/** A logged entry with the fields `logFailure` adds. */
interface Entry {
  level: number;
  msg: string;
  items?: number;
  retryInMs: number;
  err: { message: string };
}

describe("retry policy", () => {
  it("doubles up to the ceiling, and starts over after a success", () => {
    const p = new RetryPolicy({ firstPauseMs: 1000, maxPauseMs: 5000 });
    const next = () => p.failed(new Error("x")).retryInMs;
    assert.deepEqual([next(), next(), next(), next(), next()], [1000, 2000, 4000, 5000, 5000]);
    p.succeeded();
    assert.equal(next(), 1000);
  });

  it("counts failures, and the time they have lasted, since the last success", () => {
    const p = new RetryPolicy({ firstPauseMs: 1000, maxPauseMs: 5000 });
    assert.equal(p.failures, 0);
    assert.equal(p.failing, false);
    assert.equal(p.failingForMs(50_000), 0);
    p.failed(new Error("x"), 10_000);
    p.failed(new Error("x"), 12_000);
    assert.equal(p.failures, 2);
    assert.equal(p.failing, true);
    assert.equal(p.failingForMs(17_000), 7_000);
    p.succeeded();
    assert.equal(p.failures, 0);
    assert.equal(p.failing, false);
    assert.equal(p.failingForMs(50_000), 0);
  });

  it("a rule caps the pause of its failures and keeps them warnings for a while; others are errors", () => {
    const quick = { maxPauseMs: 1500, warnForMs: 3000 };
    const p = new RetryPolicy({
      firstPauseMs: 1000,
      maxPauseMs: 10_000,
      ruleFor: (err) => (err === "quick" ? quick : {}),
    });
    assert.deepEqual(
      [0, 2999, 3000].map((at) => p.failed("quick", at)),
      [
        { retryInMs: 1000, level: "warn" },
        { retryInMs: 1500, level: "warn" },
        { retryInMs: 1500, level: "error" },
      ],
    );
    assert.deepEqual(p.failed("slow", 3001), { retryInMs: 8000, level: "error" });
  });

  it("logs a failure at its level with the pause, shortened when the caller asks", () => {
    const { logger, lines } = recordingLogger();
    const p = new RetryPolicy({
      firstPauseMs: 1000,
      maxPauseMs: 10_000,
      ruleFor: () => ({ warnForMs: 60_000 }),
    });
    assert.equal(p.logFailure(logger, new Error("busy"), "step failed", { items: 3 }), 1000);
    assert.equal(p.logFailure(logger, new Error("busy"), "step failed", {}, 500), 500);
    assert.deepEqual(
      (lines as unknown as Entry[]).map((l) => [l.level, l.msg, l.items, l.retryInMs, l.err.message]),
      [
        [40, "step failed", 3, 1000, "busy"],
        [40, "step failed", undefined, 500, "busy"],
      ],
    );
  });
});
