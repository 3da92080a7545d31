CREATE TABLE `file_state` (
	`root` text NOT NULL,
	`rel` text NOT NULL,
	`kind` text NOT NULL,
	`size` integer NOT NULL,
	`mtime_ms` real NOT NULL,
	`ino` integer NOT NULL,
	`uid` integer,
	`checksum` text,
	`content` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`root`, `rel`)
);
--> statement-breakpoint
CREATE INDEX `file_state_inode` ON `file_state` (`root`,`ino`);--> statement-breakpoint
CREATE TABLE `watch_roots` (
	`root` text PRIMARY KEY NOT NULL,
	`baseline_at` integer,
	`last_scan_at` integer,
	`status` text DEFAULT 'online' NOT NULL,
	`mount_point` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL
);
