/**
 * The FloodWait gate every call to Telegram goes through (src/telegram/requests.ts), with GramJS's
 * own `FloodWaitError`: the log chat's calls pass the wait on, background calls wait it out (on the
 * clock) and run again, up to a limit, and a stop ends every wait.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errors } from "telegram";
import { silentLogger } from "../../src/log.ts";
import { FloodWait } from "../../src/model/delivery.ts";
import { TelegramRequests } from "../../src/telegram/requests.ts";
import { AdjustableClock } from "../support/clock.ts";
import { waitFor } from "../support/wait-for.ts";

const floodWait = (seconds: number) =>
  new errors.FloodWaitError({ request: undefined, capture: String(seconds) } as never);

/** A call that answers FLOOD_WAIT_N for each of `waits`, then "done"; counts its runs. */
function callAnswering(...waits: number[]) {
  const call = async () => {
    call.runs++;
    const seconds = waits.shift();
    if (seconds !== undefined) throw floodWait(seconds);
    return "done";
  };
  call.runs = 0;
  return call;
}

describe("the FloodWait gate", () => {
  it("passes a FloodWait on as the feed's FloodWait, at once, and other errors unchanged", async () => {
    const requests = new TelegramRequests({ clock: new AdjustableClock(), log: silentLogger() });
    await assert.rejects(
      requests.passingOn(callAnswering(30)),
      (err) => err instanceof FloodWait && err.seconds === 30,
    );
    const other = new Error("CHAT_WRITE_FORBIDDEN");
    await assert.rejects(
      requests.passingOn(() => Promise.reject(other)),
      (err) => err === other,
    );
  });

  it("waits a FloodWait out on the clock and runs the call again", async () => {
    const clock = new AdjustableClock();
    const requests = new TelegramRequests({ clock, log: silentLogger() });
    const call = callAnswering(20, 40);
    const result = requests.waitingOut("test", call);
    await waitFor(() => clock.sleepers === 1, { what: "the first wait" });
    clock.advance(19_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(call.runs, 1, "not run again before the 20 s are over");
    clock.advance(1_000);
    await waitFor(() => call.runs === 2 && clock.sleepers === 1, { what: "the second wait" });
    clock.advance(40_000);
    assert.equal(await result, "done");
    assert.equal(call.runs, 3);
  });

  it("gives up when the waits would add up to more than the limit", async () => {
    const clock = new AdjustableClock();
    const requests = new TelegramRequests({ clock, log: silentLogger(), maxWaitMs: 60_000 });
    const call = callAnswering(50, 50);
    const result = requests.waitingOut("test", call);
    await waitFor(() => clock.sleepers === 1, { what: "the first wait" });
    clock.advance(50_000);
    await assert.rejects(result, (err) => err instanceof FloodWait && err.seconds === 50);
    assert.equal(call.runs, 2);
    await assert.rejects(
      requests.waitingOut("test", callAnswering(3_600)),
      (err) => err instanceof FloodWait && err.seconds === 3_600,
      "a wait longer than the limit is not waited at all",
    );
  });

  it("stop ends a wait at once, and later waits are not waited", async () => {
    const clock = new AdjustableClock();
    const requests = new TelegramRequests({ clock, log: silentLogger() });
    const call = callAnswering(300);
    const result = requests.waitingOut("test", call);
    await waitFor(() => clock.sleepers === 1, { what: "the wait" });
    requests.stop();
    await assert.rejects(result, FloodWait);
    assert.equal(call.runs, 1);
    assert.equal(clock.sleepers, 0);
    await assert.rejects(requests.waitingOut("test", callAnswering(1)), FloodWait);
  });
});
