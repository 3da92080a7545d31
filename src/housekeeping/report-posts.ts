/**
 * Posting the daily, weekly and monthly reports to the log chat (`REPORT_TO_LOG_CHAT`), as a
 * housekeeping step: each run posts the reports that have come due (schedule.ts), each as a short
 * caption with the whole text report attached. The post is queued and the period recorded as
 * posted in one transaction, so a report goes out once, whatever restarts or failures come between.
 */
import type { Feed } from "../feed/feed.ts";
import { POST_KINDS } from "../model/post.ts";
import type { ReportKind } from "../model/report-kind.ts";
import { reportCaption } from "../posts/report-caption.ts";
import type { ReportData } from "../report/gather.ts";
import type { GatherJob } from "../report/gather-worker.ts";
import { captionFigures, renderText } from "../report/render.ts";
import { dueReport } from "../report/schedule.ts";
import type { Store } from "../store/db.ts";
import type { KeyValueStore } from "../store/kv.ts";
import type { HousekeepingTask } from "./task.ts";

/** Lines in each top list of a posted report: the `report` command's default. */
const TOP = 10;

/** What posting reports needs. */
export interface ReportPostsDeps {
  /** The kinds to post; none makes the step do nothing. */
  kinds: readonly ReportKind[];
  /** The database the reports read (through their own read-only connection). */
  dbFile: string;
  /** The service's store: a post and its record are written in one of its transactions. */
  store: Store;
  /** Where the posts are queued. */
  feed: Feed;
  /** Where the last period posted of each kind is kept (`postedKey`). */
  kv: KeyValueStore;
  /** Gathers a report off the event loop (gather-worker.ts); stops when `signal` aborts. */
  gather(job: GatherJob, signal: AbortSignal): Promise<ReportData>;
  /** Cut days in UTC instead of the service's time zone (tests). */
  utc?: boolean;
}

/** The `kv` key holding the start (ms) of the last `kind` period posted. */
export function postedKey(kind: ReportKind): string {
  return `report.posted.${kind}`;
}

/** The name of the attached report: `telegram-logger-daily-2026-11-21.txt`. */
function fileName(data: ReportData): string {
  return `telegram-logger-${data.period.kind}-${data.period.days[0]!.date}.txt`;
}

/** The housekeeping step; its counts say how many reports it queued. */
export function reportPostsTask(d: ReportPostsDeps): HousekeepingTask {
  const utc = d.utc ?? false;
  return {
    name: "reports",
    async run(ctx) {
      let posted = 0;
      let failed = 0;
      for (const kind of d.kinds) {
        if (ctx.signal.aborted) break;
        const last = d.kv.get(postedKey(kind));
        const period = dueReport(kind, ctx.now, last === undefined ? null : Number(last), utc);
        if (period === null) continue;
        try {
          const job = { dbFile: d.dbFile, period, utc, now: ctx.now, top: TOP };
          const data = await d.gather(job, ctx.signal);
          const caption = reportCaption(captionFigures(data));
          const text = renderText(data);
          await ctx.stored(`posting the ${kind} report`, () =>
            d.store.transaction(() => {
              d.feed.enqueue({
                kind: POST_KINDS.report,
                body: { text: caption, entities: [] },
                attachment: { type: "text", name: fileName(data), text },
              });
              d.kv.set(postedKey(kind), String(period.start), ctx.now);
            }),
          );
          ctx.log.info({ kind, period: data.period.days[0]!.date }, "report queued for the log chat");
          posted++;
        } catch (err) {
          if (ctx.signal.aborted) break; // stopping: the next start posts it
          // One kind failing must not hold back the others, nor the rest of housekeeping.
          ctx.log.error({ err, kind }, `the ${kind} report could not be made; the next run tries again`);
          failed++;
        }
      }
      return { reports: posted, reports_failed: failed };
    },
  };
}
