/** The pause between retries doubles up to its ceiling and starts over after a success. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GrowingPause } from "../../src/growing-pause.ts";

describe("growing pause", () => {
  it("doubles up to the ceiling, and starts over after reset", () => {
    const p = new GrowingPause(1000, 5000);
    assert.deepEqual([p.next(), p.next(), p.next(), p.next(), p.next()], [1000, 2000, 4000, 5000, 5000]);
    p.reset();
    assert.equal(p.next(), 1000);
  });
});
