/**
 * The `scan` command's pass: one reconcile of every watched folder against the stored snapshot,
 * with the same stores and digests as the running service, then the CRM database brought up to
 * date. Part of the composition root.
 */
import { type Config, ConfigError } from "../config.ts";
import { OutboxFeed } from "../feed/outbox-feed.ts";
import { readWatchConfig } from "../fswatch/config/config-file.ts";
import type { RootConfig } from "../fswatch/config/watch-config.ts";
import type { CrmExport } from "../fswatch/crm/crm-export.ts";
import { FileAudit } from "../fswatch/file-audit.ts";
import type { ReconcileOutcome } from "../fswatch/reconcile/reconcile.ts";
import type { Logger } from "../log.ts";
import { ensurePrivateDir, openStore, WAITING_BUSY_TIMEOUT_MS } from "../store/db.ts";
import { EventStore } from "../store/events.ts";
import { OutboxStore } from "../store/outbox.ts";
import { auditStores, openCrmExport } from "./file-audit-part.ts";

/** Brings the CRM database up to date at the end of `scan`; what fails waits for the next run. */
function copyToCrm(crm: CrmExport, log: Logger): void {
  try {
    while (crm.copyBatch()) {}
  } catch (err) {
    log.warn({ err, file: crm.file }, "file changes not yet in the CRM database are copied at the next run");
  }
}

/**
 * One reconcile pass of every watched folder, then closes the store (`telegram-logger scan`).
 * Throws `ConfigError` when there is no valid watch config.
 */
export async function scanOnce(
  config: Config,
  log: Logger,
  onRoot?: (cfg: RootConfig, outcome: ReconcileOutcome) => void,
  onProgress?: (cfg: RootConfig, filesSeen: number) => void,
): Promise<ReconcileOutcome[]> {
  if (!config.watchConfigFile)
    throw new ConfigError("WATCH_CONFIG", "is required for scan (the watch-config file)");
  const watchConfig = readWatchConfig(config.watchConfigFile);
  ensurePrivateDir(config.dataRoot);
  const store = openStore(config.dbFile);
  try {
    const feed = new OutboxFeed(new OutboxStore(store.db), () => Date.now());
    const crm = openCrmExport(watchConfig, store, WAITING_BUSY_TIMEOUT_MS);
    try {
      const audit = new FileAudit({
        ...auditStores(store, new EventStore(store.db), feed),
        now: () => Date.now(),
        log,
      });
      const outcomes = await audit.scanOnce(watchConfig, onRoot, onProgress);
      if (crm) copyToCrm(crm, log);
      return outcomes;
    } finally {
      crm?.close();
    }
  } finally {
    store.close();
  }
}
