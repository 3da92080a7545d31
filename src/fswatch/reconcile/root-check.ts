/**
 * Is a watched root there? A folder that vanished, stopped being readable, or was a mount point and
 * is not any more (an unmounted share leaves an empty mount-point folder) is *offline*: the audit
 * records one `root.offline` event and waits, instead of calling every file deleted.
 */
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";

/** The answer for one root. */
export type RootCheck = { online: true; mountPoint: boolean } | { online: false; reason: string };

/** Checks `root`; `wasMountPoint` is what was seen last time it was online. */
export async function checkRoot(root: string, wasMountPoint: boolean): Promise<RootCheck> {
  try {
    const s = await stat(root);
    if (!s.isDirectory()) return { online: false, reason: "not a folder any more" };
    await access(root, constants.R_OK | constants.X_OK);
    const parent = path.dirname(root);
    const mountPoint = parent !== root && (await stat(parent)).dev !== s.dev;
    if (wasMountPoint && !mountPoint)
      return { online: false, reason: "no longer mounted (the mount point is there, the share is not)" };
    return { online: true, mountPoint };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT" || e.code === "ENOTDIR") return { online: false, reason: "folder not found" };
    if (e.code === "EACCES" || e.code === "EPERM") return { online: false, reason: "folder not readable" };
    return { online: false, reason: `${e.code ?? "error"}: ${e.message}` };
  }
}
