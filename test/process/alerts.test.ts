/**
 * docs/prometheus-alerts.yml against the real service: the file parses and every rule has what
 * Alertmanager and an operator need; then the real command runs (the file audit alone, no Telegram)
 * and every metric the rules query is in its /metrics (but the log chat's sent count, which only a
 * run with Telegram exports), every counter selector they `increase()` already has a series (so the
 * first event is not missed), and the signals fire: a file created in a watched folder is counted
 * as `events_total{source="fs",type="file.created",status="success"}`, and a watched folder that
 * goes away shows as an offline root and a `root.offline` event. Where Prometheus's `promtool` is
 * installed, it also checks the rules' PromQL and runs test/process/fixtures/alerts.promtool.yml,
 * scenarios in which they must fire or not.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { type Exposition, parseExposition, type Sample, sampleValue } from "../support/prom-text.ts";
import { pollUntil, startService } from "../support/service.ts";
import { tempDir } from "../support/tmp.ts";
import { parseYamlSubset, type YamlValue } from "../support/yaml-subset.ts";

const RULES = new URL("../../docs/prometheus-alerts.yml", import.meta.url);
const SCENARIOS = fileURLToPath(new URL("./fixtures/alerts.promtool.yml", import.meta.url));
const EVENTS = "telegram_logger_events_total";
const promtool = spawnSync("promtool", ["--version"]).status === 0;
/** Series Prometheus makes itself for every target. */
const PROMETHEUS_OWN = new Set(["up"]);
/**
 * Exported only while a log-chat sender runs, so not by the file audit alone (run here):
 * test/http/operations-metrics.test.ts checks it with Telegram.
 */
const WITH_TELEGRAM_ONLY = new Set(["telegram_logger_feed_messages_sent_total"]);
const PROMQL_WORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or"]);
PROMQL_WORDS.add("unless").add("bool").add("offset");

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

/** The rules of every group, each checked to have the fields an alert needs. */
function readRules(): Rule[] {
  const doc = parseYamlSubset(readFileSync(RULES, "utf8")) as {
    groups: { name: string; rules: YamlValue[] }[];
  };
  assert.ok(Array.isArray(doc.groups) && doc.groups.length > 0, "groups");
  const rules: Rule[] = [];
  for (const g of doc.groups) {
    assert.equal(typeof g.name, "string");
    assert.ok(Array.isArray(g.rules) && g.rules.length > 0, `rules of ${g.name}`);
    for (const r of g.rules as unknown as Rule[]) {
      assert.deepEqual(
        Object.keys(r).sort(),
        ["alert", "annotations", "expr", "for", "labels"],
        JSON.stringify(r),
      );
      assert.match(r.alert, /^TelegramLogger[A-Z][A-Za-z]+$/);
      assert.ok(r.expr.trim().length > 0, `${r.alert}: expr`);
      assert.match(r.for, /^\d+[smh]$/, `${r.alert}: for`);
      assert.deepEqual(Object.keys(r.labels), ["severity"], `${r.alert}: labels`);
      assert.ok(["critical", "warning"].includes(r.labels.severity), `${r.alert}: severity`);
      assert.deepEqual(
        Object.keys(r.annotations).sort(),
        ["description", "summary"],
        `${r.alert}: annotations`,
      );
      assert.ok(r.annotations.summary.length > 10 && r.annotations.description.length > 20, r.alert);
      rules.push(r);
    }
  }
  assert.equal(new Set(rules.map((r) => r.alert)).size, rules.length, "alert names are unique");
  return rules;
}

/** The metric names an expression selects (functions, keywords, labels, durations removed). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ");
  const names = [...bare.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)].map((m) => m[1]!);
  return [...new Set(names.filter((n) => !PROMQL_WORDS.has(n)))];
}

/** Each `name{matchers}` selector of an expression. */
function selectors(expr: string): { name: string; matchers: [string, string, string][] }[] {
  return [...expr.matchAll(/([a-zA-Z_:][\w:]*)\{([^}]*)\}/g)].map((m) => ({
    name: m[1]!,
    matchers: [...m[2]!.matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map(
      (x) => [x[1]!, x[2]!, x[3]!] as [string, string, string],
    ),
  }));
}

function matches(s: Sample, matchers: [string, string, string][]): boolean {
  return matchers.every(([label, op, value]) => {
    const v = s.labels[label] ?? "";
    if (op === "=") return v === value;
    if (op === "!=") return v !== value;
    const re = new RegExp(`^(?:${value})$`).test(v);
    return op === "=~" ? re : !re;
  });
}

/** A data folder, a watched folder with a few files and its watch config: the file audit alone. */
function fileAuditEnv(dir: string): Record<string, string> {
  const watched = path.join(dir, "watched");
  mkdirSync(watched, { recursive: true });
  for (let i = 0; i < 3; i++) writeFileSync(path.join(watched, `f${i}.txt`), `file ${i}`);
  const watchConfig = path.join(dir, "watch.json");
  writeFileSync(watchConfig, JSON.stringify({ directories: [{ path: watched, project: "docs" }] }));
  return { DATA_ROOT: path.join(dir, "data"), WATCH_CONFIG: watchConfig };
}

describe("the Prometheus alert rules", () => {
  it("parse, and each has an expression, a for, a severity, a summary and a description", () => {
    const rules = readRules();
    assert.ok(rules.length >= 10);
    assert.deepEqual(
      metricNames('sum by (job, code) (increase(x_total{code!~"A|B"}[10m])) > 0 and on (job) up == 0'),
      ["x_total", "up"],
    );
  });

  it("query only what the running service exports, and its signals move", async (t) => {
    const rules = readRules();
    const dir = tempDir(t);
    const svc = await startService(dir, fileAuditEnv(dir));
    t.after(() => svc.child.kill("SIGKILL"));
    await pollUntil(svc.url("/health"), (status, body) => {
      const b = JSON.parse(body);
      return status === 200 && b.last_housekeeping_at !== null && b.watchers.roots[0]?.state === "ready";
    });
    const scrape = async (): Promise<Exposition> =>
      parseExposition(await (await fetch(svc.url("/metrics"))).text());
    const m = await scrape();
    const families = [...m.types.keys()];

    for (const rule of rules) {
      for (const name of metricNames(rule.expr)) {
        if (PROMETHEUS_OWN.has(name)) continue;
        if (WITH_TELEGRAM_ONLY.has(name)) {
          assert.ok(!families.includes(name), `${rule.alert}: ${name} is exported without a sender`);
          continue;
        }
        assert.ok(families.includes(name), `${rule.alert}: ${name} is not in /metrics`);
      }
      for (const sel of selectors(rule.expr)) {
        if (m.types.get(sel.name) !== "counter") continue;
        assert.ok(
          m.samples.some((s) => s.name === sel.name && matches(s, sel.matchers)),
          `${rule.alert}: ${sel.name}{${sel.matchers.map((x) => x.join("")).join(",")}} has no series yet, so increase() would miss its first event`,
        );
      }
    }
    assert.equal(sampleValue(m, "telegram_logger_healthy"), 1);
    assert.equal(sampleValue(m, "telegram_logger_watch_roots", { state: "watching" }), 1);
    assert.equal(
      sampleValue(m, "telegram_logger_telegram_down_seconds"),
      0,
      "no Telegram is not a disconnected one",
    );
    const sinceUpdate = sampleValue(m, "telegram_logger_seconds_since_last_update");
    assert.ok(
      sinceUpdate === undefined || Number.isNaN(sinceUpdate),
      `no update yet reads ${sinceUpdate}, not 0`,
    );

    const created = { source: "fs", type: "file.created", status: "success" };
    writeFileSync(path.join(dir, "watched", "new.txt"), "new");
    await pollUntil(
      svc.url("/metrics"),
      (_, body) => sampleValue(parseExposition(body), EVENTS, created) === 1,
    );

    rmSync(path.join(dir, "watched"), { recursive: true, force: true });
    await pollUntil(
      svc.url("/metrics"),
      (_, body) =>
        sampleValue(parseExposition(body), "telegram_logger_watch_roots", { state: "offline" }) === 1,
    );
    const after = await scrape();
    assert.equal(sampleValue(after, EVENTS, { source: "fs", type: "root.offline", status: "error" }), 1);
    assert.equal(sampleValue(after, EVENTS, created), 1);
    assert.equal(sampleValue(after, "telegram_logger_healthy"), 0);

    svc.child.kill("SIGTERM");
    assert.equal((await svc.exited).code, 0);
    // What was counted is what the events table holds.
    const db = new Database(path.join(dir, "data", "db", "telegram-logger.sqlite"), { readonly: true });
    t.after(() => db.close());
    const rows = db
      .prepare("SELECT source, type, status, count(*) AS n FROM events GROUP BY source, type, status")
      .all() as { source: string; type: string; status: string; n: number }[];
    assert.ok(rows.length >= 3, JSON.stringify(rows));
    for (const r of rows)
      assert.equal(
        sampleValue(after, EVENTS, { source: r.source, type: r.type, status: r.status }),
        r.n,
        JSON.stringify(r),
      );
  });

  it("are valid PromQL and fire in promtool's scenarios exactly when they should", {
    skip: promtool ? false : "promtool (Prometheus) is not installed",
  }, () => {
    for (const args of [
      ["check", "rules", fileURLToPath(RULES)],
      ["test", "rules", SCENARIOS],
    ]) {
      const r = spawnSync("promtool", args, { encoding: "utf8" });
      assert.equal(r.status, 0, `promtool ${args.join(" ")}\n${r.stdout}${r.stderr}`);
    }
  });
});
