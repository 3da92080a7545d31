-- Full-text search (src/store/search-index.ts). Hand-written: drizzle's schema has no virtual
-- tables or triggers. The write paths only queue the row ids (search_queue, same transaction as
-- the row); the indexer tokenizes them in small chunks off the ingest path. Rows that existed
-- before this migration are indexed in the background (search_backfill: newest first, resumable).
CREATE VIRTUAL TABLE `search_messages` USING fts5(body, tags, content='', contentless_delete=1, tokenize='trigram case_sensitive 0');
--> statement-breakpoint
CREATE VIRTUAL TABLE `search_revisions` USING fts5(body, tags, content='', contentless_delete=1, tokenize='trigram case_sensitive 0');
--> statement-breakpoint
CREATE VIRTUAL TABLE `search_events` USING fts5(body, tags, content='', contentless_delete=1, tokenize='trigram case_sensitive 0');
--> statement-breakpoint
CREATE TABLE `search_queue` (`seq` integer PRIMARY KEY, `kind` integer NOT NULL, `row_id` integer NOT NULL, `fresh` integer NOT NULL);
--> statement-breakpoint
CREATE TABLE `search_backfill` (`kind` integer PRIMARY KEY, `next_id` integer NOT NULL, `total` integer NOT NULL);
--> statement-breakpoint
INSERT INTO `search_backfill` SELECT 0, coalesce(max(id), 0), coalesce(max(id), 0) FROM `messages`;
--> statement-breakpoint
INSERT INTO `search_backfill` SELECT 1, coalesce(max(id), 0), coalesce(max(id), 0) FROM `message_revisions`;
--> statement-breakpoint
INSERT INTO `search_backfill` SELECT 2, coalesce(max(id), 0), coalesce(max(id), 0) FROM `events`;
--> statement-breakpoint
CREATE TRIGGER `search_message_added` AFTER INSERT ON `messages` BEGIN
  INSERT INTO search_queue(kind, row_id, fresh) VALUES (0, new.id, 1);
END;
--> statement-breakpoint
CREATE TRIGGER `search_message_changed` AFTER UPDATE OF text, deleted_at, revision_count, chat_id, sender_id ON `messages` BEGIN
  INSERT INTO search_queue(kind, row_id, fresh) VALUES (0, new.id, 0);
  INSERT INTO search_queue(kind, row_id, fresh)
    SELECT 1, id, 0 FROM message_revisions WHERE message_row_id = new.id AND old.deleted_at IS NOT new.deleted_at;
END;
--> statement-breakpoint
CREATE TRIGGER `search_message_removed` AFTER DELETE ON `messages` BEGIN
  INSERT INTO search_queue(kind, row_id, fresh) VALUES (0, old.id, 0);
END;
--> statement-breakpoint
CREATE TRIGGER `search_revision_added` AFTER INSERT ON `message_revisions` BEGIN
  INSERT INTO search_queue(kind, row_id, fresh) VALUES (1, new.id, 1);
END;
--> statement-breakpoint
CREATE TRIGGER `search_revision_removed` AFTER DELETE ON `message_revisions` BEGIN
  INSERT INTO search_queue(kind, row_id, fresh) VALUES (1, old.id, 0);
END;
--> statement-breakpoint
CREATE TRIGGER `search_event_added` AFTER INSERT ON `events`
WHEN new.path IS NOT NULL OR new.error IS NOT NULL OR instr(new.details, '"diff"') > 0 BEGIN
  INSERT INTO search_queue(kind, row_id, fresh) VALUES (2, new.id, 1);
END;
--> statement-breakpoint
CREATE TRIGGER `search_event_removed` AFTER DELETE ON `events`
WHEN old.path IS NOT NULL OR old.error IS NOT NULL OR instr(old.details, '"diff"') > 0 BEGIN
  INSERT INTO search_queue(kind, row_id, fresh) VALUES (2, old.id, 0);
END;
