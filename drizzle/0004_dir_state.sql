CREATE TABLE `dir_state` (
	`root` text NOT NULL,
	`rel` text NOT NULL,
	`ino` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`root`, `rel`)
);
--> statement-breakpoint
CREATE INDEX `dir_state_inode` ON `dir_state` (`root`,`ino`);