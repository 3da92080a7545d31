-- The CRM file-event service's table, as a view over the unified `events` trail, so a CRM that
-- reads `file_events` keeps working. event_time: when the change was seen, UTC ISO 8601.
CREATE VIEW `file_events` AS
SELECT
	`id`,
	strftime('%Y-%m-%dT%H:%M:%fZ', `occurred_at` / 1000.0, 'unixepoch') AS `event_time`,
	substr(`type`, 6) AS `event_type`,
	`path`,
	`project`,
	`username`,
	`file_size`,
	`checksum`,
	`details`
FROM `events`
WHERE `source` = 'fs' AND `type` IN ('file.created', 'file.modified', 'file.deleted', 'file.renamed');
