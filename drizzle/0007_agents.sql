CREATE TABLE `agent_outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event` text NOT NULL,
	`recorded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `agent_receipts` (
	`agent_id` text NOT NULL,
	`seq` integer NOT NULL,
	`event_id` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	PRIMARY KEY(`agent_id`, `seq`)
);
