CREATE TABLE `media_files` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_row_id` integer NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`size` integer,
	`sha256` text,
	`blob` text,
	`vault_file` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`posted_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`message_row_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `media_files_message` ON `media_files` (`message_row_id`);--> statement-breakpoint
CREATE INDEX `media_files_status` ON `media_files` (`status`);--> statement-breakpoint
CREATE INDEX `media_files_sha256` ON `media_files` (`sha256`);--> statement-breakpoint
ALTER TABLE `outbox` ADD `reply_to` integer;