/**
 * Who deleted a message, as far as the service can tell: someone in the chat (`deleted`), the
 * chat's auto-delete timer (`auto_delete`), or the owner from another device (`own`). Stored in
 * `messages.deletion_kind` and shown in posts and reports.
 */
export const DELETION_KINDS = ["deleted", "auto_delete", "own"] as const;

/** One of `DELETION_KINDS`. */
export type DeletionKind = (typeof DELETION_KINDS)[number];
