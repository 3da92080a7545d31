/**
 * The caption of a report posted to the log chat: a few lines above the attached report (at most
 * 1,024 characters for a caption, which this stays far below): its title and the main figures.
 */
import type { ReportKind } from "../model/report-kind.ts";
import { change } from "./format.ts";

/** The figures a report's caption shows. */
export interface ReportFigures {
  /** The report's own title line ("Daily report: Monday 2026-11-23 (Europe/Berlin)"). */
  title: string;
  kind: ReportKind;
  events: number;
  /** Events of the period before, to compare with. */
  previousEvents: number;
  errors: number;
  messages: number;
  deletions: number;
  edits: number;
  fileChanges: number;
  /** Projects (watched roots) with file changes. */
  projects: number;
}

/** What the period before is called, in the caption and the report's summary. */
export const PERIOD_BEFORE = {
  daily: "the day before",
  weekly: "the week before",
  monthly: "the month before",
};

const NUMBER = new Intl.NumberFormat("en-US");
const fmt = (n: number) => NUMBER.format(n);

/** The caption: the title, then events, messages and file changes in one line each. */
export function reportCaption(f: ReportFigures): string {
  const before = PERIOD_BEFORE[f.kind];
  return [
    f.title,
    `events ${fmt(f.events)} (${before}: ${fmt(f.previousEvents)}, ${change(f.events, f.previousEvents)}), errors ${fmt(f.errors)}`,
    `messages: ${fmt(f.messages)} stored, ${fmt(f.deletions)} deleted, ${fmt(f.edits)} edited`,
    `file changes: ${fmt(f.fileChanges)}${f.projects > 0 ? ` in ${f.projects} project(s)` : ""}`,
    "The whole report is attached.",
  ].join("\n");
}
