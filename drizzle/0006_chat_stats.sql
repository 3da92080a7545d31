CREATE TABLE `chat_stats` (
	`chat_id` integer PRIMARY KEY NOT NULL,
	`chat_type` text NOT NULL,
	`messages` integer NOT NULL,
	`deleted` integer NOT NULL,
	`edited` integer NOT NULL,
	`media_kept` integer NOT NULL,
	`last_message_id` integer NOT NULL,
	`last_date` integer NOT NULL
);
--> statement-breakpoint
-- Counts per chat for the web UI's chat list, kept by the triggers below in the statement that
-- changes what they count. A message's media counts as kept while its media_files row is `stored`
-- (buffer) or `vaulted`; the chat's last message is its highest message id.
CREATE TRIGGER `chat_stats_message_insert` AFTER INSERT ON `messages` BEGIN
	INSERT INTO `chat_stats` (`chat_id`, `chat_type`, `messages`, `deleted`, `edited`, `media_kept`, `last_message_id`, `last_date`)
	VALUES (NEW.`chat_id`, NEW.`chat_type`, 1, NEW.`deleted_at` IS NOT NULL, NEW.`revision_count` > 0, 0, NEW.`message_id`, NEW.`date`)
	ON CONFLICT (`chat_id`) DO UPDATE SET
		`messages` = `messages` + 1,
		`deleted` = `deleted` + excluded.`deleted`,
		`edited` = `edited` + excluded.`edited`,
		`chat_type` = CASE WHEN excluded.`last_message_id` >= `last_message_id` THEN excluded.`chat_type` ELSE `chat_type` END,
		`last_date` = CASE WHEN excluded.`last_message_id` >= `last_message_id` THEN excluded.`last_date` ELSE `last_date` END,
		`last_message_id` = max(`last_message_id`, excluded.`last_message_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `chat_stats_message_update` AFTER UPDATE OF `deleted_at`, `revision_count` ON `messages`
WHEN (OLD.`deleted_at` IS NULL) <> (NEW.`deleted_at` IS NULL) OR (OLD.`revision_count` > 0) <> (NEW.`revision_count` > 0)
BEGIN
	UPDATE `chat_stats` SET
		`deleted` = `deleted` + (NEW.`deleted_at` IS NOT NULL) - (OLD.`deleted_at` IS NOT NULL),
		`edited` = `edited` + (NEW.`revision_count` > 0) - (OLD.`revision_count` > 0)
	WHERE `chat_id` = NEW.`chat_id`;
END;
--> statement-breakpoint
-- BEFORE: the message's media_files row (removed by the cascade) is still there to be counted out.
CREATE TRIGGER `chat_stats_message_delete` BEFORE DELETE ON `messages` BEGIN
	UPDATE `chat_stats` SET
		`messages` = `messages` - 1,
		`deleted` = `deleted` - (OLD.`deleted_at` IS NOT NULL),
		`edited` = `edited` - (OLD.`revision_count` > 0),
		`media_kept` = `media_kept` - (SELECT count(*) FROM `media_files` WHERE `message_row_id` = OLD.`id` AND `status` IN ('stored', 'vaulted'))
	WHERE `chat_id` = OLD.`chat_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `chat_stats_message_deleted` AFTER DELETE ON `messages` BEGIN
	DELETE FROM `chat_stats` WHERE `chat_id` = OLD.`chat_id` AND `messages` <= 0;
	UPDATE `chat_stats` SET
		(`last_message_id`, `last_date`, `chat_type`) = (SELECT `message_id`, `date`, `chat_type` FROM `messages` WHERE `chat_id` = OLD.`chat_id` ORDER BY `message_id` DESC LIMIT 1)
	WHERE `chat_id` = OLD.`chat_id` AND `last_message_id` = OLD.`message_id`;
END;
--> statement-breakpoint
-- The media triggers find the chat through the message; during a message's cascade delete it is
-- gone already and they change nothing (chat_stats_message_delete counted the file out).
CREATE TRIGGER `chat_stats_media_insert` AFTER INSERT ON `media_files`
WHEN NEW.`status` IN ('stored', 'vaulted')
BEGIN
	UPDATE `chat_stats` SET `media_kept` = `media_kept` + 1
	WHERE `chat_id` = (SELECT `chat_id` FROM `messages` WHERE `id` = NEW.`message_row_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `chat_stats_media_update` AFTER UPDATE OF `status` ON `media_files`
WHEN (OLD.`status` IN ('stored', 'vaulted')) <> (NEW.`status` IN ('stored', 'vaulted'))
BEGIN
	UPDATE `chat_stats` SET `media_kept` = `media_kept` + (NEW.`status` IN ('stored', 'vaulted')) - (OLD.`status` IN ('stored', 'vaulted'))
	WHERE `chat_id` = (SELECT `chat_id` FROM `messages` WHERE `id` = NEW.`message_row_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `chat_stats_media_delete` AFTER DELETE ON `media_files`
WHEN OLD.`status` IN ('stored', 'vaulted')
BEGIN
	UPDATE `chat_stats` SET `media_kept` = `media_kept` - 1
	WHERE `chat_id` = (SELECT `chat_id` FROM `messages` WHERE `id` = OLD.`message_row_id`);
END;
--> statement-breakpoint
-- An existing database: counted once here (about 3 s per million messages).
INSERT INTO `chat_stats` (`chat_id`, `chat_type`, `messages`, `deleted`, `edited`, `media_kept`, `last_message_id`, `last_date`)
SELECT `chat_id`, `chat_type`, count(*), sum(`deleted_at` IS NOT NULL), sum(`revision_count` > 0), 0, max(`message_id`), `date`
FROM `messages` GROUP BY `chat_id`;
--> statement-breakpoint
UPDATE `chat_stats` SET `media_kept` = `kept`.`n`
FROM (
	SELECT `m`.`chat_id` AS `chat_id`, count(*) AS `n`
	FROM `media_files` AS `f` JOIN `messages` AS `m` ON `m`.`id` = `f`.`message_row_id`
	WHERE `f`.`status` IN ('stored', 'vaulted')
	GROUP BY `m`.`chat_id`
) AS `kept`
WHERE `chat_stats`.`chat_id` = `kept`.`chat_id`;
