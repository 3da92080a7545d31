/**
 * A root watcher in a process of its own, for tests that must run it as another user or under a
 * lowered watch limit: `node watch-root-child.ts ROOT [EXCLUDED_NAME...]` prints one JSON line per
 * hint (`{"hint": path, "kind": ...}`), per error (`{"error": code, "path": ...}`) and `{"ready": true}`,
 * and stops when its standard input closes.
 */
import path from "node:path";
import { watchFolders } from "../../src/fswatch/watch/folder-watcher.ts";

const [root, ...excluded] = process.argv.slice(2);
if (!root) throw new Error("usage: watch-root-child.ts ROOT [EXCLUDED_NAME...]");
const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const w = watchFolders(root, (abs) => excluded.includes(path.basename(abs)), {
  hint: (p, kind) => say({ hint: p, kind }),
  error: (e) => say({ error: e.code, path: e.path }),
});
await w.ready;
say({ ready: true });
process.stdin.on("end", () => void w.close().then(() => process.exit(0)));
process.stdin.resume();
