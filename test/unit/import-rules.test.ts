/**
 * The import rules of docs/architecture.md (`.dependency-cruiser.cjs`, run by `npm run lint`) fail
 * on what they forbid. Each case builds a small tree in a temporary folder that follows the table,
 * checks that it passes, then adds one forbidden import and checks that the run fails naming the
 * rule and the two files.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "../support/tmp.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DEPCRUISE = path.join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruiser.mjs");

/** A tree that follows the table: model ← store ← feed ← telegram ← app ← commands ← main. */
const LAWFUL: Record<string, string> = {
  "src/model/post.ts": "export const KIND = 'x';\n",
  "src/store/outbox.ts": 'import { KIND } from "../model/post.ts";\nexport const row = KIND;\n',
  "src/feed/feed.ts": "export interface Feed { enqueue(kind: string): number }\n",
  "src/telegram/handler.ts":
    'import type { Feed } from "../feed/feed.ts";\nimport { row } from "../store/outbox.ts";\nexport const handle = (f: Feed) => f.enqueue(row);\n',
  "src/app/start-app.ts":
    'import { handle } from "../telegram/handler.ts";\nexport const startApp = () => handle;\n',
  "src/app.ts": 'export { startApp } from "./app/start-app.ts";\n',
  "src/commands/run.ts": 'export const run = async () => (await import("../app.ts")).startApp();\n',
  "src/main.ts": 'import { run } from "./commands/run.ts";\nawait run();\n',
};

function tree(t: TestContext, files: Record<string, string>): string {
  const dir = tempDir(t);
  copyFileSync(path.join(ROOT, ".dependency-cruiser.cjs"), path.join(dir, ".dependency-cruiser.cjs"));
  copyFileSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"));
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

function cruise(dir: string): { status: number | null; out: string } {
  const r = spawnSync(
    process.execPath,
    [DEPCRUISE, "src", "--config", ".dependency-cruiser.cjs", "--output-type", "err-long"],
    { cwd: dir, encoding: "utf8" },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("the import rules", () => {
  it("pass a tree that follows the table", (t) => {
    const r = cruise(tree(t, LAWFUL));
    assert.equal(r.status, 0, r.out);
  });

  const broken: [string, Record<string, string>, RegExp][] = [
    [
      "an upward import (model importing store)",
      { "src/model/post.ts": 'import { row } from "../store/outbox.ts";\nexport const KIND = row;\n' },
      /model-imports-only-allowed: src\/model\/post\.ts → src\/store\/outbox\.ts/,
    ],
    [
      "a type-only upward import (store importing feed)",
      {
        "src/store/outbox.ts":
          'import type { Feed } from "../feed/feed.ts";\nimport { KIND } from "../model/post.ts";\nexport const row = KIND;\nexport type F = Feed;\n',
      },
      /store-imports-only-allowed: src\/store\/outbox\.ts → src\/feed\/feed\.ts/,
    ],
    [
      "telegram importing more of feed than the Feed interface",
      {
        "src/feed/sender.ts": "export const send = 1;\n",
        "src/telegram/sender-user.ts": 'import { send } from "../feed/sender.ts";\nexport const x = send;\n',
      },
      /telegram-imports-only-allowed: src\/telegram\/sender-user\.ts → src\/feed\/sender\.ts/,
    ],
    [
      "an import cycle",
      {
        "src/model/a.ts": 'import type { B } from "./b.ts";\nexport type A = B[];\n',
        "src/model/b.ts": 'import type { A } from "./a.ts";\nexport type B = { a: A };\n',
      },
      /no-circular: src\/model\/(a|b)\.ts →\s+src\/model\/(a|b)\.ts/,
    ],
    [
      "I/O in posts",
      { "src/posts/deleted.ts": 'import { readFileSync } from "node:fs";\nexport const p = readFileSync;\n' },
      /model-and-posts-do-no-io: src\/posts\/deleted\.ts → (node:)?fs/,
    ],
  ];
  for (const [what, change, rule] of broken) {
    it(`fail on ${what}`, (t) => {
      const r = cruise(tree(t, { ...LAWFUL, ...change }));
      assert.notEqual(r.status, 0, r.out);
      assert.match(r.out, rule);
    });
  }
});
