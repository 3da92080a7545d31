/**
 * The reports the service makes: one day, seven days from a start day, or a calendar month (a
 * daily summary, a weekly error analysis, a monthly activity report). Named on the command line
 * (`report daily`) and in `REPORT_TO_LOG_CHAT`.
 */
export type ReportKind = "daily" | "weekly" | "monthly";

/** Every kind, in the order the usage names them. */
export const REPORT_KINDS: readonly ReportKind[] = ["daily", "weekly", "monthly"];
