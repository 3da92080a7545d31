import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../support/tmp.ts";
import { startAudit, waitFor } from "./support.ts";

describe("events: the change types a folder records", () => {
  it("records only the listed types, and the snapshot follows the others", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const quiet = path.join(base, "quiet");
    const all = path.join(base, "all");
    mkdirSync(quiet);
    mkdirSync(all);
    const f = await startAudit(
      t,
      {
        settle_ms: 100,
        rename_window_ms: 300,
        events: ["deleted", "renamed"],
        directories: [
          { path: quiet, compute_checksum: true },
          { path: all, events: ["created", "modified", "deleted", "renamed"] },
        ],
      },
      base,
    );
    await f.app.idle();
    const a = path.join(quiet, "a.txt");
    writeFileSync(a, "one\n");
    appendFileSync(a, "two\n");
    const snapshotSize = (rel: string) =>
      (
        f.app.store.sqlite
          .prepare("SELECT size FROM file_state WHERE root = ? AND rel = ?")
          .get(quiet, rel) as { size: number } | undefined
      )?.size;
    await waitFor(() => snapshotSize("a.txt") === 8, { what: "a.txt in the snapshot, without an event" });
    const b = path.join(quiet, "b.txt");
    renameSync(a, b);
    await waitFor(() => f.events("file.renamed").length === 1, { what: "renamed" });
    appendFileSync(b, "three\n");
    await waitFor(() => snapshotSize("b.txt") === 14, { what: "b.txt's change in the snapshot" });
    writeFileSync(path.join(all, "c.txt"), "c");
    await waitFor(() => f.events("file.created").length === 1, { what: "created in the other folder" });
    unlinkSync(b);
    await waitFor(() => f.events("file.deleted").length === 1, { what: "deleted" });
    await f.app.idle();
    const rows = f.events().filter((e) => e.type.startsWith("file."));
    assert.deepEqual(
      rows.map((e) => [e.type, e.path]),
      [
        ["file.renamed", b],
        ["file.created", path.join(all, "c.txt")],
        ["file.deleted", b],
      ],
    );
    assert.equal(rows[0]!.details.oldPath, a);
    // The deletion carries the last content's checksum: unrecorded modifications still updated the snapshot.
    const last = createHash("sha256").update("one\ntwo\nthree\n").digest("hex");
    assert.equal(rows[2]!.checksum, last);
    assert.equal(rows[2]!.file_size, 14);
  });
});
