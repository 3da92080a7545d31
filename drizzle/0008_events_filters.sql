DROP INDEX `events_chat`;--> statement-breakpoint
DROP INDEX `events_path`;--> statement-breakpoint
CREATE INDEX `events_chat_time` ON `events` (`chat_id`,`occurred_at`,`message_id`) WHERE chat_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `events_source_time` ON `events` (`source`,`occurred_at`) WHERE source <> 'fs';--> statement-breakpoint
CREATE INDEX `events_type_time` ON `events` (`type`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `events_status_time` ON `events` (`status`,`occurred_at`) WHERE status <> 'success';--> statement-breakpoint
CREATE INDEX `events_path_time` ON `events` (`path`,`occurred_at`) WHERE path IS NOT NULL;--> statement-breakpoint
CREATE INDEX `events_project_time` ON `events` (`project`,`occurred_at`) WHERE project IS NOT NULL;--> statement-breakpoint
CREATE INDEX `events_username_time` ON `events` (`username`,`occurred_at`) WHERE username IS NOT NULL;