/**
 * Wiring of the file audit: built from the watch-config file and following its edits, its digests
 * queued as log-chat posts, its roots mapped to what /health reports. Also the one-shot `scan`
 * command's pass. Part of the composition root; only the other files of `src/app/` use it.
 */
import path from "node:path";
import type { Clock } from "../clock.ts";
import type { Feed } from "../feed/feed.ts";
import { readWatchConfig, watchConfigFile } from "../fswatch/config/config-file.ts";
import { type WatchConfig, WatchConfigError } from "../fswatch/config/watch-config.ts";
import { CrmExport } from "../fswatch/crm/crm-export.ts";
import { CrmExportLoop } from "../fswatch/crm/crm-export-loop.ts";
import { FileAudit, type FileAuditDeps } from "../fswatch/file-audit.ts";
import type { RootStatus } from "../fswatch/root-auditor.ts";
import type { WatchRootStatus } from "../http/health/parts.ts";
import type { Logger } from "../log.ts";
import { POST_KINDS } from "../model/post.ts";
import type { DigestPost } from "../posts/file-digest.ts";
import { RUNNING_BUSY_TIMEOUT_MS, type Store } from "../store/db.ts";
import { DirStateStore } from "../store/dir-state.ts";
import type { EventStore } from "../store/events.ts";
import { FileStateStore } from "../store/file-state.ts";
import { KeyValueStore } from "../store/kv.ts";

/** The running file audit and how to stop it together with the watch of its config file. */
export interface FileAuditPart {
  audit: FileAudit;
  /** Each watched root's state, for health and metrics. */
  status(): RootStatus[];
  stop(): Promise<void>;
}

/** What the file audit is built from. */
export interface FileAuditPartOptions {
  /** The watch-config file; its edits are followed. */
  file: string;
  store: Store;
  /** The app's one event store. */
  events: EventStore;
  feed: Feed;
  clock: Clock;
  log: Logger;
  /** Told of every file event recorded (metrics). */
  onChange(type: string, root: string): void;
}

/** What the audit writes to, the same for the service and the `scan` command. */
export function auditStores(
  store: Store,
  events: EventStore,
  feed: Feed,
): Omit<FileAuditDeps, "now" | "log" | "onChange"> {
  return {
    events,
    fileState: new FileStateStore(store.db),
    dirState: new DirStateStore(store.db),
    kv: new KeyValueStore(store.db),
    transaction: store.transaction,
    digest: { sink: digestToFeed(feed), events },
  };
}

/**
 * Opens the CRM database a watch config names (`database.path`), or none. Throws
 * `WatchConfigError` when it is the service's own database or cannot be used.
 */
export function openCrmExport(config: WatchConfig, store: Store, busyTimeoutMs: number): CrmExport | null {
  if (!config.crmDatabase) return null;
  if (path.resolve(config.crmDatabase) === path.resolve(store.file)) {
    throw new WatchConfigError("database.path", "is the service's own database; name another file");
  }
  return new CrmExport(store.sqlite, config.crmDatabase, busyTimeoutMs);
}

/** Starts the file audit from the watch-config file and follows edits of that file. */
export async function startFileAudit(o: FileAuditPartOptions): Promise<FileAuditPart> {
  const { file, store, events, feed, clock, log, onChange } = o;
  const config = readWatchConfig(file);
  const crmLog = log.child({ part: "crm-export" });
  const crmLoop = (c: WatchConfig) => {
    const exp = openCrmExport(c, store, RUNNING_BUSY_TIMEOUT_MS);
    return exp ? new CrmExportLoop(exp, clock, crmLog) : null;
  };
  // Opened before the audit starts, so a wrong `database.path` stops the start; copying starts after.
  let crm = crmLoop(config);
  let crmFile = config.crmDatabase;
  /** Loops replaced by an edit, still copying their last rows; awaited at stop. */
  const retired = new Set<Promise<void>>();
  const audit = new FileAudit({
    ...auditStores(store, events, feed),
    now: () => clock.now(),
    log: log.child({ part: "fswatch" }),
    onChange: (type, root) => {
      onChange(type, root);
      crm?.changed();
    },
  });
  try {
    await audit.apply(config);
  } catch (err) {
    crm?.abandon();
    throw err;
  }
  crm?.start();
  const reload = () => {
    let edited: WatchConfig;
    try {
      edited = readWatchConfig(file);
      if (edited.crmDatabase !== crmFile) {
        const next = crmLoop(edited);
        const previous = crm;
        crm = next;
        crmFile = edited.crmDatabase;
        next?.start();
        if (previous) {
          const stopping = previous
            .stop()
            .catch((err: unknown) => crmLog.error({ err }, "closing the CRM database failed"))
            .finally(() => retired.delete(stopping));
          retired.add(stopping);
        }
      }
    } catch (err) {
      audit.rejectEdit((err as Error).message);
      return;
    }
    audit
      .apply(edited)
      .catch((err: unknown) => log.error({ err }, "the edited watch config could not be applied"));
  };
  const configWatcher = watchConfigFile(file, reload);
  log.info({ roots: config.directories.length, file, crmDatabase: crmFile }, "file audit started");
  return {
    audit,
    status: () => audit.status(),
    async stop() {
      await configWatcher.close();
      try {
        await audit.stop();
      } finally {
        await Promise.all([...retired, crm?.stop()]);
      }
    },
  };
}

/** A watched root as health reports it: an offline root is a failed part, not thousands of deletions. */
export function watchRootHealth(r: RootStatus): WatchRootStatus {
  // Stopping (shutdown, or removed from the config) is not a failure of the folder.
  if (r.state === "stopped") return { root: r.root, state: "offline", error: "stopped" };
  if (r.state === "offline") {
    return { root: r.root, state: "failed", error: `offline${r.lastError ? `: ${r.lastError}` : ""}` };
  }
  if (r.state === "starting") return { root: r.root, state: "starting" };
  return {
    root: r.root,
    state: "ready",
    ...(r.state === "fallback" ? { error: "watch limit reached; scheduled scans" } : {}),
  };
}

/** Queues a file-audit digest as a log-chat post (a long listing travels as an attached text file). */
function digestToFeed(feed: Feed): (project: string, post: DigestPost) => void {
  return (project, post) =>
    feed.enqueue({
      kind: POST_KINDS.fileDigest,
      body: { text: post.text, entities: [] },
      topic: project,
      attachment: post.attachment ? { type: "text", ...post.attachment } : undefined,
    });
}
