/**
 * /ui/events/<id> and /api/events/<id> of the real app over HTTP: every column, details as JSON
 * (a megabyte of it too), the message with every version written through the real MessageStore,
 * a file change's diff, the events of the same correlation id; 404 for an unknown id, 400 for a
 * non-id; hostile text as text. The events list links each row to its detail.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HOSTILE, seedMessage } from "./pages-seed.ts";
import { ask, bearer, login, startWeb } from "./support.ts";

const T0 = Date.UTC(2026, 10, 1, 8, 30);
const DIFF = "--- a/notes.txt\n+++ b/notes.txt\n@@ -1,2 +1,2 @@\n keep\n-<b>old</b>\n+<i>new</i>\n";

describe("event detail", () => {
  it("shows every column, the message with all its versions, and links to the chat", async (t) => {
    const f = await startWeb(t);
    seedMessage(f, T0);
    const [id] = f.seed([
      {
        source: "telegram",
        type: "message.deleted",
        status: "success",
        occurredAt: T0 + 3,
        chatId: -1001234,
        messageId: 7,
        details: { deletion: "deleted", note: HOSTILE },
        correlationId: "batch-1",
      },
    ]);
    const api = await ask(f, `/api/events/${id}`, { headers: bearer() });
    assert.equal(api.status, 200);
    const body = api.json();
    assert.equal(body.event.id, id);
    assert.equal(body.event.chat_id, -1001234);
    assert.deepEqual(JSON.parse(body.event.details), { deletion: "deleted", note: HOSTILE });
    assert.equal(body.message.message.text, `третий ${HOSTILE}`);
    assert.deepEqual(
      body.message.revisions.map((r: { version: number; text: string }) => [r.version, r.text]),
      [
        [0, "первый вариант"],
        [1, "второй <b>вариант</b>"],
        [2, `третий ${HOSTILE}`],
      ],
    );
    assert.equal(body.message.chatName, `Chat ${HOSTILE}`);

    const cookie = await login(f);
    const ui = await ask(f, `/ui/events/${id}`, { headers: { cookie } });
    assert.equal(ui.status, 200);
    for (const column of [
      "occurred_at",
      "recorded_at",
      "source",
      "correlation_id",
      "duration_ms",
      "checksum",
    ])
      assert.match(ui.text, new RegExp(`<dt>${column}</dt>`));
    assert.match(ui.text, /<pre class="json">\{\n {2}&quot;deletion&quot;: &quot;deleted&quot;,/);
    assert.match(ui.text, /первый вариант/);
    assert.match(ui.text, /второй &lt;b&gt;вариант&lt;\/b&gt;/);
    assert.match(ui.text, /Every version \(3\)/);
    assert.match(ui.text, /href="\/ui\/chats\/-1001234\?around=7"/);
    assert.doesNotMatch(ui.text, /<script>alert/);
    assert.doesNotMatch(ui.text, /\u202E/);
    assert.match(ui.text, /U\+202E/);
  });

  it("renders a file change's diff line by line and lists the same correlation id", async (t) => {
    const f = await startWeb(t);
    const ids = f.seed([
      {
        source: "fs",
        type: "file.modified",
        status: "success",
        occurredAt: T0,
        path: `/srv/docs/${HOSTILE}.txt`,
        details: { root: "/srv/docs", diff: DIFF },
        correlationId: "scan-9",
      },
      {
        source: "fs",
        type: "file.created",
        status: "success",
        occurredAt: T0 + 1,
        path: "/srv/docs/b.txt",
        correlationId: "scan-9",
      },
      {
        source: "fs",
        type: "file.created",
        status: "success",
        occurredAt: T0 + 2,
        path: "/srv/docs/c.txt",
        correlationId: "other",
      },
    ]);
    const cookie = await login(f);
    const ui = await ask(f, `/ui/events/${ids[0]}`, { headers: { cookie } });
    assert.equal(ui.status, 200);
    assert.match(ui.text, /<span class="d-del">-&lt;b&gt;old&lt;\/b&gt;<\/span>/);
    assert.match(ui.text, /<span class="d-add">\+&lt;i&gt;new&lt;\/i&gt;<\/span>/);
    assert.match(ui.text, /<span class="d-hunk">@@ -1,2 \+1,2 @@<\/span>/);
    assert.match(ui.text, new RegExp(`href="/ui/events/${ids[1]}"`));
    assert.doesNotMatch(ui.text, new RegExp(`href="/ui/events/${ids[2]}"`));
    assert.match(ui.text, /href="\/ui\/files\/history\?path=%2Fsrv%2Fdocs%2F%3Cscript%3E/);
    assert.doesNotMatch(ui.text, /<script>alert/);
    const api = (await ask(f, `/api/events/${ids[0]}`, { headers: bearer() })).json();
    assert.deepEqual(
      api.related.map((r: { id: number }) => r.id),
      [ids[0], ids[1]],
    );
    assert.equal(api.message, null);
  });

  it("shows a megabyte of details whole, folded, and answers it whole as JSON", async (t) => {
    const f = await startWeb(t);
    const big = `${"x".repeat(1024 * 1024)}</pre><script>alert(1)</script>`;
    const [id] = f.seed([
      { source: "system", type: "big.one", status: "warning", occurredAt: T0, details: { big } },
    ]);
    const cookie = await login(f);
    const ui = await ask(f, `/ui/events/${id}`, { headers: { cookie } });
    assert.equal(ui.status, 200);
    assert.match(ui.text, /<details class="fold"><summary>JSON \(1,048,6\d\d characters\) — large, folded/);
    assert.ok(ui.text.includes("x".repeat(1024 * 1024)), "the whole value is on the page");
    assert.match(ui.text, /&lt;\/pre&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(ui.text, /<script>alert/);
    assert.match(ui.text, /<\/html>\s*$/);
    const api = await ask(f, `/api/events/${id}`, { headers: bearer() });
    assert.equal(JSON.parse(api.json().event.details).big, big);
  });

  it("shows details that are not JSON as stored", async (t) => {
    const f = await startWeb(t);
    const [id] = f.seed([{ source: "system", type: "odd", status: "success", occurredAt: T0 }]);
    f.app.store.sqlite.prepare("UPDATE events SET details = ? WHERE id = ?").run("{not json <b>", id);
    const ui = await ask(f, `/ui/events/${id}`, { headers: bearer() });
    assert.equal(ui.status, 200);
    assert.match(ui.text, /not valid JSON: shown as stored/);
    assert.match(ui.text, /\{not json &lt;b&gt;/);
  });

  it("answers 404 for an unknown id and 400 for one that is not an id", async (t) => {
    const f = await startWeb(t);
    const missing = await ask(f, "/api/events/999999", { headers: bearer() });
    assert.equal(missing.status, 404);
    assert.match(missing.json().error, /no event 999999/);
    assert.equal((await ask(f, "/ui/events/999999", { headers: bearer() })).status, 404);
    for (const bad of ["abc", "0", "-1", "1.5", "99999999999999999999", "%3Cscript%3E"]) {
      const api = await ask(f, `/api/events/${bad}`, { headers: bearer() });
      assert.equal(api.status, 400, bad);
      assert.equal(api.json().parameter, "id");
      const ui = await ask(f, `/ui/events/${bad}`, { headers: bearer() });
      assert.equal(ui.status, 400, bad);
      assert.match(ui.text, /class="problem"/);
      assert.doesNotMatch(ui.text, /<script>/);
    }
    assert.equal((await ask(f, "/api/events/1")).status, 401);
    assert.equal((await ask(f, "/ui/events/1")).status, 303);
  });

  it("links each row of the events list to its detail", async (t) => {
    const f = await startWeb(t);
    const [id] = f.seed([
      { source: "system", type: "x.y", status: "success", occurredAt: T0, project: "seed" },
    ]);
    const list = await ask(f, "/ui/events?project=seed", { headers: bearer() });
    assert.match(list.text, new RegExp(`<a href="/ui/events/${id}"`));
  });
});
