/**
 * /api/events.csv and /api/events.jsonl over real HTTP: the same bytes as the `export` command
 * for the same filter (formulas defused, the BOM), the events list's filters and order, every row
 * exactly once across the chunks the stream is read in, bad parameters a 400 naming them, a
 * credential required, hostile text carried whole.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runExportCommand } from "../../src/export/export-command.ts";
import type { NewEvent } from "../../src/store/events.ts";
import { EXPORT_CHUNK_ROWS } from "../../src/web/event-export.ts";
import { ask, bearer, login, startWeb, type WebFixture } from "./support.ts";

const T0 = Date.UTC(2026, 10, 1, 8, 30);
const MINUTE = 60_000;

const SEED: NewEvent[] = [
  {
    source: "fs",
    type: "file.created",
    status: "success",
    occurredAt: T0,
    path: '=HYPERLINK("http://evil.example","click")',
    project: "seed",
  },
  {
    source: "telegram",
    type: "message.deleted",
    status: "success",
    occurredAt: T0 + MINUTE,
    chatId: -1001234,
    messageId: 7,
    details: { text: 'a "quoted", comma\nand a line' },
    project: "seed",
  },
  {
    source: "system",
    type: "housekeeping.run",
    status: "error",
    occurredAt: T0 + 2 * MINUTE,
    error: "+1 disk full; @here -2",
    project: "seed",
  },
  {
    source: "fs",
    type: "file.modified",
    status: "warning",
    occurredAt: T0 + 3 * MINUTE,
    path: "/srv/Отчёт\u202Efdp.exe",
    username: "анна",
    project: "seed",
  },
];

/** What the `export` command writes for `args` on the fixture's database. */
async function commandOutput(f: WebFixture, args: string[]): Promise<string> {
  const out = path.join(f.base, `export-${args.join("_").replace(/[^\w-]/g, "")}.out`);
  const status = await runExportCommand(
    ["--out", out, "--force", ...args],
    { DATA_ROOT: f.dataRoot },
    {
      out: () => {},
      err: () => {},
    },
  );
  assert.equal(status, 0);
  return readFileSync(out, "utf8");
}

describe("/api/events.csv and /api/events.jsonl", () => {
  it("answer what the export command writes for the same filter: CSV, CSV with BOM, JSON lines", async (t) => {
    const f = await startWeb(t);
    f.seed(SEED);
    const csv = await ask(f, "/api/events.csv?project=seed", { headers: bearer() });
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get("content-type"), "text/csv; charset=utf-8");
    assert.match(
      csv.headers.get("content-disposition") ?? "",
      /^attachment; filename="events-\d{4}-\d\d-\d\d\.csv"$/,
    );
    // The command has no project filter: the whole table (the app's own rows too) is compared.
    const all = await ask(f, "/api/events.csv", { headers: bearer() });
    assert.equal(all.text, await commandOutput(f, []));
    // Read as bytes: a text decoder drops the byte-order mark.
    const bom = await fetch(f.url("/api/events.csv?bom=1&source=fs"), { headers: bearer() });
    const bytes = Buffer.from(await bom.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const fromCommand = await commandOutput(f, ["--bom", "--source", "fs"]);
    assert.ok(fromCommand.startsWith("\uFEFF"));
    assert.equal(bytes.toString("utf8"), fromCommand);
    const jsonl = await ask(f, "/api/events.jsonl?status=error,warning", { headers: bearer() });
    assert.equal(jsonl.headers.get("content-type"), "application/x-ndjson; charset=utf-8");
    assert.equal(jsonl.text, await commandOutput(f, ["--format", "jsonl", "--status", "error,warning"]));

    const lines = csv.text.split("\r\n");
    assert.equal(lines[0]?.startsWith("id,occurred_at,recorded_at,source,type,status"), true);
    // Formulas defused, quotes and line breaks quoted, as the command does.
    assert.ok(csv.text.includes(`,"'=HYPERLINK(""http://evil.example"",""click"")",`));
    assert.ok(csv.text.includes("'+1 disk full; @here -2"));
    assert.ok(csv.text.includes('"{""text"":""a \\""quoted\\"", comma\\nand a line""}"'));
  });

  it("take the events list's filters; oldest first unless sort=newest", async (t) => {
    const f = await startWeb(t);
    f.seed(SEED);
    const types = async (query: string) => {
      const r = await ask(f, `/api/events.jsonl?project=seed&${query}`, { headers: bearer() });
      assert.equal(r.status, 200, r.text);
      return r.text
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l).type as string);
    };
    assert.deepEqual(
      await types(""),
      SEED.map((e) => e.type),
    );
    assert.deepEqual(await types("sort=newest"), SEED.map((e) => e.type).reverse());
    assert.deepEqual(await types("source=fs"), ["file.created", "file.modified"]);
    assert.deepEqual(await types("username=анна"), ["file.modified"]);
    assert.deepEqual(await types("q=disk&since=2026-11-01T08:31Z"), ["housekeeping.run"]);
    assert.deepEqual(await types("status=pending"), []);
    const empty = await ask(f, "/api/events.csv?status=pending", { headers: bearer() });
    assert.equal(
      empty.text,
      "id,occurred_at,recorded_at,source,type,status,chat_id,message_id,path,project,username,file_size,checksum,details,error,duration_ms,correlation_id\r\n",
    );
  });

  it("stream every row exactly once across chunks, both ways", async (t) => {
    const f = await startWeb(t);
    const total = EXPORT_CHUNK_ROWS * 2 + 321;
    // Ten rows at each instant: the chunks' keyset must keep ties apart.
    const ids = f.seed(
      Array.from({ length: total }, (_, i) => ({
        source: "fs" as const,
        type: "file.modified",
        status: "success" as const,
        occurredAt: T0 + Math.floor(i / 10) * MINUTE,
        path: `/srv/f${i}`,
        project: "seed",
      })),
    );
    for (const [sort, expected] of [
      ["oldest", ids],
      ["newest", [...ids].reverse()],
    ] as const) {
      const r = await ask(f, `/api/events.jsonl?project=seed&sort=${sort}`, { headers: bearer() });
      const got = r.text
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l).id as number);
      assert.equal(got.length, total);
      assert.deepEqual(got, expected, sort);
    }
    const csv = await ask(f, "/api/events.csv?project=seed", { headers: bearer() });
    assert.equal(csv.text.split("\r\n").length, total + 2, "header, the rows, the empty end");
  });

  it("a bad parameter is a 400 naming it; no credential is a 401; a session cookie is one", async (t) => {
    const f = await startWeb(t);
    for (const [p, query, parameter] of [
      ["csv", "cursor=abc", "cursor"],
      ["csv", "limit=10", "limit"],
      ["csv", "bom=yes", "bom"],
      ["csv", "bom=1&bom=0", "bom"],
      ["jsonl", "bom=1", "bom"],
      ["jsonl", "since=yesterday", "since"],
      ["csv", "format=csv", "format"],
      ["jsonl", "sort=random", "sort"],
    ] as const) {
      const r = await ask(f, `/api/events.${p}?${query}`, { headers: bearer() });
      assert.equal(r.status, 400, `${p} ${query}`);
      assert.equal(r.json().parameter, parameter, query);
      assert.ok(r.json().error.startsWith(`${parameter}: `), r.text);
    }
    assert.equal((await ask(f, "/api/events.csv?bom=0")).status, 401);
    assert.equal((await ask(f, "/api/events.jsonl")).status, 401);
    const session = await login(f);
    const r = await ask(f, "/api/events.csv?bom=true", { headers: { cookie: session } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-security-policy") ?? "", /default-src 'self'/);
  });

  it("carry hostile text whole: markup, javascript:, RTL override, zero-width, 100 KB", async (t) => {
    const f = await startWeb(t);
    const big = `<img src=x onerror=alert(1)>${"x".repeat(100_000)}`;
    const path = "javascript:alert(1)\u202E\u200B<script>";
    f.seed([
      {
        source: "fs",
        type: "file.created",
        status: "error",
        occurredAt: T0,
        path,
        error: big,
        project: "evil",
      },
    ]);
    const r = await ask(f, "/api/events.jsonl?project=evil", { headers: bearer() });
    const row = JSON.parse(r.text.trim());
    assert.equal(row.path, path);
    assert.equal(row.error, big);
    const csv = await ask(f, "/api/events.csv?project=evil", { headers: bearer() });
    assert.ok(csv.text.includes(`,${path},`));
    assert.ok(csv.text.includes(big));
  });
});
