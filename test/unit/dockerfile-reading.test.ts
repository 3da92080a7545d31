/**
 * test/support/dockerfile.ts reads Docker's files as Docker does; the image test relies on it.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { parseDockerfile, parseDockerignore, parseEnvFile } from "../support/dockerfile.ts";

it(".dockerignore: folders take their contents, the last matching line wins, * stays in one folder", () => {
  const ignore = parseDockerignore(
    "# comment\nnode_modules\n/data/\n.env.*\n!.env.example\n*.md\nsrc/**/*.tmp\n",
  );
  const out = (p: string) => ignore.excludes(p);
  assert.equal(out("node_modules/x/index.js"), true);
  assert.equal(out("data/db/x.sqlite"), true);
  assert.equal(out("src/data/x.ts"), false, "patterns are anchored at the context root");
  assert.equal(out(".env.local"), true);
  assert.equal(out(".env.example"), false);
  assert.equal(out("README.md"), true);
  assert.equal(out("docs/operations.md"), false, "* does not cross folders");
  assert.equal(out("src/a/b/c.tmp"), true);
  assert.equal(out("src/main.ts"), false);
  assert.equal(ignore.mayReinclude("node_modules"), false);
});

it("Dockerfile: stages, continued lines, options and exec form", () => {
  const stages = parseDockerfile(
    'FROM node:24-slim AS deps\n# note\nRUN a \\\n  && b\nFROM node:24-slim\nCOPY --from=deps /app/x ./x\nCMD ["run"]\n',
  );
  assert.deepEqual(
    stages.map((s) => [s.image, s.name, s.instructions.map((i) => [i.keyword, i.options, i.exec, i.text])]),
    [
      ["node:24-slim", "deps", [["RUN", {}, null, "a    && b"]]],
      [
        "node:24-slim",
        undefined,
        [
          ["COPY", { from: "deps" }, null, "/app/x ./x"],
          ["CMD", {}, ["run"], '["run"]'],
        ],
      ],
    ],
  );
});

it("--env-file: KEY=value taken literally, empty values kept", () => {
  assert.deepEqual(parseEnvFile("# c\nA=1\nB=\n\nC=x=y # not a comment\n"), {
    A: "1",
    B: "",
    C: "x=y # not a comment",
  });
});
