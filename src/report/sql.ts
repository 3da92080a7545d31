/**
 * SQL fragments the report's queries share. Fixed strings of the code, never input: values reach
 * queries only as bound parameters.
 */

/**
 * The period's rows. Queries that also filter on `type` (or `chat_id`) write it `+type`, so SQLite
 * searches the period through `events_occurred_at` instead of every row of that type ever kept.
 */
export const IN_PERIOD = "occurred_at >= @start AND occurred_at < @end";

/** A `details` field, or null when `details` is not valid JSON (a foreign writer's row). */
export const detail = (field: string) =>
  `CASE WHEN json_valid(details) THEN json_extract(details, '$.${field}') END`;

/** A `message.deleted` row's deletion was by someone else: neither the owner nor a timer. */
export const DELETED_BY_OTHERS = `coalesce(${detail("deletion")}, 'deleted') = 'deleted'`;
