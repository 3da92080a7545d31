/**
 * /ui/files, /api/files and the file history pages of the real app over HTTP: the watched roots
 * with their state, the folders with most changes in a range, a file's every event across file and
 * folder renames (followed both ways) with its diffs, a path as a value only, 400s naming the
 * parameter, hostile paths as text.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seedRenames } from "./pages-seed.ts";
import { ask, bearer, login, startWeb } from "./support.ts";

const HOUR = 3_600_000;
const HOSTILE = "/srv/docs/<script>alert(1)</script>\u202Etxt.exe";

describe("files", () => {
  it("follows a file across its own and its folder's renames, both ways, with diffs", async (t) => {
    const f = await startWeb(t);
    const ids = seedRenames(f, Date.now() - 10 * HOUR);
    const chain = ids.slice(0, 6).reverse();
    for (const path of ["/srv/docs/a.txt", "/srv/docs/b.txt", "/srv/papers/b.txt"]) {
      const api = await ask(f, `/api/files/history?${new URLSearchParams({ path })}`, { headers: bearer() });
      assert.equal(api.status, 200, path);
      const h = api.json();
      assert.deepEqual(
        h.events.map((e: { id: number }) => e.id),
        chain,
        path,
      );
      assert.deepEqual([...h.names].sort(), ["/srv/docs/a.txt", "/srv/docs/b.txt", "/srv/papers/b.txt"]);
      assert.equal(h.names[0], path);
      assert.equal(h.renames.length, 2);
    }
    const cookie = await login(f);
    const ui = await ask(f, "/ui/files/history?path=%2Fsrv%2Fpapers%2Fb.txt", { headers: { cookie } });
    assert.equal(ui.status, 200);
    assert.match(ui.text, /<span class="d-del">-&lt;b&gt;one&lt;\/b&gt;<\/span>/);
    assert.match(ui.text, /<span class="d-add">\+two<\/span>/);
    assert.match(
      ui.text,
      /folder renamed<\/a>: <span class="mono"><bdi>\/srv\/docs\/b\.txt<\/bdi> → <bdi>\/srv\/papers\/b\.txt<\/bdi>/,
    );
    assert.match(ui.text, /<bdi>\/srv\/docs\/a\.txt<\/bdi> → <bdi>\/srv\/docs\/b\.txt<\/bdi>/);
    assert.doesNotMatch(ui.text, /other\.txt|c\.txt/);
    for (const id of chain) assert.match(ui.text, new RegExp(`href="/ui/events/${id}"`));
  });

  it("follows renames recorded after an earlier history was shown", async (t) => {
    const f = await startWeb(t);
    const t0 = Date.now() - 10 * HOUR;
    const history = async (path: string) =>
      (await ask(f, `/api/files/history?${new URLSearchParams({ path })}`, { headers: bearer() })).json();
    f.seed([
      { source: "fs", type: "file.created", status: "success", occurredAt: t0, path: "/srv/x/one.txt" },
    ]);
    assert.deepEqual((await history("/srv/x/one.txt")).names, ["/srv/x/one.txt"]);
    const [renameId] = f.seed([
      {
        source: "fs",
        type: "file.renamed",
        status: "success",
        occurredAt: t0 + HOUR,
        path: "/srv/x/two.txt",
        details: { oldPath: "/srv/x/one.txt" },
      },
    ]);
    assert.deepEqual((await history("/srv/x/one.txt")).names, ["/srv/x/one.txt", "/srv/x/two.txt"]);
    assert.deepEqual((await history("/srv/x/two.txt")).names, ["/srv/x/two.txt", "/srv/x/one.txt"]);
    // Retention removes the oldest rows, the rename among them: it no longer links the names.
    f.seed([
      {
        source: "fs",
        type: "file.modified",
        status: "success",
        occurredAt: t0 + 2 * HOUR,
        path: "/srv/x/two.txt",
      },
    ]);
    f.app.store.sqlite.prepare("DELETE FROM events WHERE id <= ?").run(renameId);
    assert.deepEqual((await history("/srv/x/two.txt")).names, ["/srv/x/two.txt"]);
  });

  it("pages a long history by position", async (t) => {
    const f = await startWeb(t);
    const t0 = Date.now() - 100 * HOUR;
    const ids = f.seed(
      Array.from({ length: 7 }, (_, i) => ({
        source: "fs" as const,
        type: "file.modified",
        status: "success" as const,
        occurredAt: t0 + i * HOUR,
        path: "/srv/log.txt",
      })),
    );
    const seen: number[] = [];
    let url = "/api/files/history?path=%2Fsrv%2Flog.txt&limit=3";
    for (;;) {
      const h = (await ask(f, url, { headers: bearer() })).json();
      seen.push(...h.events.map((e: { id: number }) => e.id));
      if (h.older === null) break;
      url = `/api/files/history?${new URLSearchParams({ path: "/srv/log.txt", limit: "3", before: h.older })}`;
    }
    assert.deepEqual(seen, [...ids].reverse());
  });

  it("lists the watched roots and the folders with most changes in a range", async (t) => {
    const f = await startWeb(t);
    await f.app.idle();
    seedRenames(f, Date.now() - 10 * HOUR);
    f.seed([
      {
        source: "fs",
        type: "file.created",
        status: "success",
        occurredAt: Date.now() - 30 * 24 * HOUR,
        path: "/old/x.txt",
      },
    ]);
    const api = await ask(f, "/api/files", { headers: bearer() });
    assert.equal(api.status, 200);
    const body = api.json();
    assert.equal(body.roots.length, 1);
    assert.equal(body.watchers.roots[0].root, body.roots[0].root);
    assert.deepEqual(
      body.folders.map((x: { folder: string; changes: number }) => [x.folder, x.changes]),
      [
        ["/srv/docs/", 5],
        ["/srv/papers/", 2],
        ["/srv/", 1],
      ],
    );
    const all = (await ask(f, "/api/files?since=60d&top=1", { headers: bearer() })).json();
    assert.deepEqual(
      all.folders.map((x: { folder: string }) => x.folder),
      ["/srv/docs/"],
    );
    const wide = (await ask(f, "/api/files?since=60d", { headers: bearer() })).json();
    assert.ok(wide.folders.some((x: { folder: string }) => x.folder === "/old/"));

    const ui = await ask(f, "/ui/files", { headers: bearer() });
    assert.equal(ui.status, 200);
    assert.ok(ui.text.includes(body.roots[0].root));
    assert.match(ui.text, /<h2>Folders with most changes<\/h2>/);
    assert.match(ui.text, /<svg class="chart"/);
    assert.match(ui.text, /href="\/ui\/events\?path=%2Fsrv%2Fdocs%2F&amp;type=file\.\*&amp;source=fs"/);
  });

  it("shows hostile paths as text and never opens a path", async (t) => {
    const f = await startWeb(t);
    f.seed([
      { source: "fs", type: "file.created", status: "success", occurredAt: Date.now() - HOUR, path: HOSTILE },
    ]);
    const files = await ask(f, "/ui/files", { headers: bearer() });
    assert.doesNotMatch(files.text, /<script>alert/);
    assert.doesNotMatch(files.text, /\u202E/);
    const ui = await ask(f, `/ui/files/history?${new URLSearchParams({ path: HOSTILE })}`, {
      headers: bearer(),
    });
    assert.equal(ui.status, 200);
    assert.match(
      ui.text,
      /&lt;script&gt;alert\(1\)&lt;\/script&gt;<span class="ctl"[^>]*>U\+202E<\/span>txt\.exe/,
    );
    assert.doesNotMatch(ui.text, /<script>alert/);
    // Only the form field keeps the path exactly as asked, so the form asks for it again.
    assert.doesNotMatch(ui.text.replace(/ value="[^"]*"/g, ""), /\u202E/);
    const passwd = await ask(f, "/api/files/history?path=%2Fetc%2Fpasswd", { headers: bearer() });
    assert.equal(passwd.status, 200);
    assert.deepEqual(passwd.json().events, []);
    assert.doesNotMatch(passwd.text, /root:/);
    const page = await ask(f, "/ui/files/history?path=%2Fetc%2Fpasswd", { headers: bearer() });
    assert.match(page.text, /Nothing recorded for this path\./);
  });

  it("answers 400 naming a bad parameter", async (t) => {
    const f = await startWeb(t);
    for (const [p, parameter] of [
      ["/files?since=yesterday-ish", "since"],
      ["/files?since=2026-11-02&until=2026-11-01", "since"],
      ["/files?top=0", "top"],
      ["/files?top=%3Cb%3E", "top"],
      ["/files?colour=red", "colour"],
      ["/files/history", "path"],
      ["/files/history?path=", "path"],
      ["/files/history?path=a&path=b", "path"],
      ["/files/history?path=a&limit=0", "limit"],
      ["/files/history?path=a&before=%3Cscript%3E", "before"],
      ["/files/history?path=a&x=1", "x"],
    ] as const) {
      const api = await ask(f, `/api${p}`, { headers: bearer() });
      assert.equal(api.status, 400, p);
      assert.equal(api.json().parameter, parameter, p);
      const ui = await ask(f, `/ui${p}`, { headers: bearer() });
      assert.equal(ui.status, 400, p);
      assert.match(ui.text, /class="problem"/);
      assert.doesNotMatch(ui.text, /<script>|<b>/);
    }
    assert.equal((await ask(f, "/api/files")).status, 401);
    assert.equal((await ask(f, "/ui/files/history?path=x")).status, 303);
  });
});
