/**
 * Who owns a file, by name. inotify carries no actor, so the file's owner (uid → user name from
 * /etc/passwd) is recorded in `details` as a fair stand-in; the config's `username` stays a label.
 */
import { readFileSync } from "node:fs";

let names: Map<number, string> | undefined;

function load(): Map<number, string> {
  const map = new Map<number, string>();
  try {
    for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
      const [name, , uid] = line.split(":");
      if (name && uid && /^\d+$/.test(uid) && !map.has(Number(uid))) map.set(Number(uid), name);
    }
  } catch {
    // No passwd file (some containers): owners are shown as numeric uids.
  }
  return map;
}

/** The user name for `uid`, or the uid as text when it has none. */
export function ownerName(uid: number): string {
  names ??= load();
  return names.get(uid) ?? String(uid);
}
