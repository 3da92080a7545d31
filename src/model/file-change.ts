/**
 * The four kinds of file change, named as the CRM file-event service's `file_events.event_type`
 * names them. Pure and free of imports, so any part (the watch config, the digest wording) can use it.
 */

/** The changes a folder can record: all of them unless the watch config's `events` narrows it. */
export const CHANGE_TYPES = ["created", "modified", "deleted", "renamed"] as const;
/** One of CHANGE_TYPES. */
export type ChangeType = (typeof CHANGE_TYPES)[number];
