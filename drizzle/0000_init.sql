CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`occurred_at` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	`source` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`chat_id` integer,
	`message_id` integer,
	`path` text,
	`project` text,
	`username` text,
	`file_size` integer,
	`checksum` text,
	`details` text,
	`error` text,
	`duration_ms` integer,
	`correlation_id` text
);
--> statement-breakpoint
CREATE INDEX `events_occurred_at` ON `events` (`occurred_at`);--> statement-breakpoint
CREATE INDEX `events_type_status` ON `events` (`type`,`status`);--> statement-breakpoint
CREATE INDEX `events_chat` ON `events` (`chat_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `events_path` ON `events` (`path`);--> statement-breakpoint
CREATE TABLE `kv` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `message_revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_row_id` integer NOT NULL,
	`version` integer NOT NULL,
	`text` text NOT NULL,
	`entities` text,
	`media` text,
	`edit_date` integer,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`message_row_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `message_revisions_version` ON `message_revisions` (`message_row_id`,`version`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`chat_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`chat_type` text NOT NULL,
	`sender_id` integer,
	`date` integer NOT NULL,
	`edit_date` integer,
	`text` text DEFAULT '' NOT NULL,
	`entities` text,
	`media` text,
	`grouped_id` text,
	`reply_to_message_id` integer,
	`forward` text,
	`outgoing` integer DEFAULT false NOT NULL,
	`noforwards` integer DEFAULT false NOT NULL,
	`self_destructing` integer DEFAULT false NOT NULL,
	`ttl_period` integer,
	`deleted_at` integer,
	`deletion_kind` text,
	`revision_count` integer DEFAULT 0 NOT NULL,
	`recorded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_chat_message` ON `messages` (`chat_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `messages_non_channel_message_id` ON `messages` (`message_id`) WHERE chat_id > -1000000000000;--> statement-breakpoint
CREATE INDEX `messages_type_date` ON `messages` (`chat_type`,`date`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`random_id` text NOT NULL,
	`text` text NOT NULL,
	`entities` text,
	`topic` text,
	`attachment` text,
	`parts_sent` integer DEFAULT 0 NOT NULL,
	`not_before` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`folded_into` integer,
	`event_id` integer,
	`correlation_id` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE INDEX `outbox_status_due` ON `outbox` (`status`,`not_before`);--> statement-breakpoint
CREATE INDEX `outbox_folded_into` ON `outbox` (`folded_into`);--> statement-breakpoint
CREATE TABLE `peers` (
	`peer_id` integer PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`access_hash` text,
	`username` text,
	`name` text DEFAULT '' NOT NULL,
	`is_self` integer DEFAULT false NOT NULL,
	`noforwards` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL
);
