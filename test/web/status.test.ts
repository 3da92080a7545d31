/**
 * /ui/status and /api/status of the real app (file audit alone) over HTTP: the same health facts
 * /health answers, the outbox backlog as stored, the watched roots, housekeeping; nothing secret
 * (the UI token) in either; a bad parameter is a 400.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { OutboxStore } from "../../src/store/outbox.ts";
import { tempDir } from "../support/tmp.ts";
import { ask, bearer, login, startWeb, TOKEN } from "./support.ts";

describe("status", () => {
  it("answers /health's facts with the outbox backlog and the watched roots", async (t) => {
    const f = await startWeb(t);
    await f.app.idle();
    const outbox = new OutboxStore(f.app.store.db);
    const now = Date.now();
    for (let i = 0; i < 3; i++)
      outbox.add(
        {
          kind: "file.digest",
          randomId: String(1000 + i),
          text: `<b>digest ${i}</b>`,
          entities: null,
          notBefore: now,
        },
        now,
      );
    const failed = outbox.add(
      { kind: "file.digest", randomId: "2000", text: "x", entities: null, notBefore: now },
      now,
    );
    outbox.markFailed(failed, 5, "boom");

    const health = await ask(f, "/health");
    const api = await ask(f, "/api/status", { headers: bearer() });
    assert.equal(api.status, 200);
    const body = api.json();
    assert.equal(body.healthy, health.status === 200);
    assert.equal(body.health.httpStatus, health.status);
    const live = health.json();
    assert.equal(body.health.body.status, live.status);
    assert.deepEqual(body.health.body.telegram, live.telegram);
    assert.deepEqual(body.health.body.watchers, live.watchers);
    assert.equal(body.database.outbox.pending, 3);
    assert.equal(body.database.outbox.failed, 1);
    assert.equal(body.database.roots.length, 1);
    assert.equal(body.database.roots[0].root, live.watchers.roots[0].root);
    assert.ok("housekeeping" in body.health);
    assert.ok(!api.text.includes(TOKEN), "no token in the answer");

    const cookie = await login(f);
    const ui = await ask(f, "/ui/status", { headers: { cookie } });
    assert.equal(ui.status, 200);
    assert.match(ui.text, /<h2>Telegram capture<\/h2>/);
    assert.match(ui.text, /<div class="label">pending<\/div><div class="value">3<\/div>/);
    assert.match(ui.text, /<div class="label">failed<\/div><div class="value">1<\/div>/);
    assert.match(ui.text, /<h2>Housekeeping<\/h2>/);
    assert.ok(ui.text.includes(live.watchers.roots[0].root));
    assert.match(ui.text, /data-refresh="30"/);
    assert.ok(!ui.text.includes(TOKEN), "no token on the page");
    assert.doesNotMatch(ui.text, /<script>(?!<\/script>)/);
    assert.match(ui.text, live.status === "ok" ? /Healthy/ : /Not healthy/);

    const off = await ask(f, "/ui/status?refresh=0", { headers: { cookie } });
    assert.doesNotMatch(off.text, /data-refresh/);
  });

  it("shows a watched root with a hostile name as text", async (t) => {
    const base = path.join(tempDir(t, "tl-status-"), "<img src=x onerror=alert(1)>\u202Eevil");
    const f = await startWeb(t, {}, base);
    await f.app.idle();
    const ui = await ask(f, "/ui/status", { headers: bearer() });
    assert.equal(ui.status, 200);
    assert.match(ui.text, /&lt;img src=x onerror=alert\(1\)&gt;<span class="ctl"[^>]*>U\+202E<\/span>evil/);
    assert.doesNotMatch(ui.text, /<img/);
    assert.doesNotMatch(ui.text, /\u202E/);
  });

  it("answers 400 naming a bad parameter, and needs a credential", async (t) => {
    const f = await startWeb(t);
    for (const q of ["refresh=2", "refresh=abc", "refresh=99999", "colour=red"]) {
      const ui = await ask(f, `/ui/status?${q}`, { headers: bearer() });
      assert.equal(ui.status, 400, q);
      assert.match(ui.text, /class="problem"/);
    }
    const api = await ask(f, "/api/status?x=1", { headers: bearer() });
    assert.equal(api.status, 400);
    assert.equal(api.json().parameter, "x");
    assert.equal((await ask(f, "/api/status")).status, 401);
    assert.equal((await ask(f, "/ui/status")).status, 303);
  });
});
