import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CommandLine, parseCommandLine } from "../../src/cli/args.ts";
import { generalUsage } from "../../src/commands/help.ts";
import { COMMANDS } from "../../src/commands/table.ts";

/** `args` parsed for the commands of `telegram-logger`. */
function parse(args: string[]): CommandLine {
  return parseCommandLine(args, COMMANDS);
}

/** The message and topic of the usage error `args` must give. */
function usageError(args: string[]): { message: string; topic: unknown } {
  const r = parse(args);
  if (r.kind !== "usage-error") assert.fail(`${args.join(" ")} → ${JSON.stringify(r)}`);
  return { message: r.message, topic: r.topic };
}

describe("parseCommandLine", () => {
  it("runs the service by default and takes each command by name", () => {
    assert.deepEqual(parse([]), { kind: "command", command: "run", configFile: null });
    for (const command of ["run", "login", "scan", "warm-cache"] as const)
      assert.deepEqual(parse([command]), { kind: "command", command, configFile: null });
  });

  it("takes the CRM service's --config FILE and --once, in any order, inline or not", () => {
    const scan = { kind: "command", command: "scan", configFile: "watch.json" };
    assert.deepEqual(parse(["--config", "watch.json", "--once"]), scan);
    assert.deepEqual(parse(["--once", "--config=watch.json"]), scan);
    assert.deepEqual(parse(["scan", "--config", "watch.json"]), scan);
    assert.deepEqual(parse(["--config", "watch.json", "scan"]), scan);
    assert.deepEqual(parse(["run", "--once", "--config", "watch.json"]), scan);
    assert.deepEqual(parse(["--once"]), { kind: "command", command: "scan", configFile: null });
    assert.deepEqual(parse(["--config", "/etc/tl/watch.json"]), {
      kind: "command",
      command: "run",
      configFile: "/etc/tl/watch.json",
    });
  });

  it("names an unknown flag", () => {
    assert.deepEqual(usageError(["--frobnicate"]), { message: "unknown option --frobnicate", topic: null });
    assert.deepEqual(usageError(["scan", "--dry-run"]), {
      message: "unknown option --dry-run",
      topic: "scan",
    });
    assert.equal(usageError(["run", "-x"]).message, "unknown option -x");
    assert.equal(usageError(["warm-cache", "--verbose=1"]).message, "unknown option --verbose");
  });

  it("names a flag whose value is missing, or given to a flag that takes none", () => {
    assert.deepEqual(usageError(["scan", "--config"]), {
      message: "--config needs a value: --config FILE",
      topic: "scan",
    });
    assert.equal(usageError(["--config", "--once"]).message, "--config needs a value: --config FILE");
    assert.equal(usageError(["--config=", "--once"]).message, "--config needs a value: --config FILE");
    assert.equal(usageError(["--once=yes"]).message, "--once takes no value");
    assert.equal(usageError(["--help=1"]).message, "--help takes no value");
  });

  it("refuses flags a command has no use for, unknown commands and extra arguments", () => {
    assert.match(usageError(["login", "--once"]).message, /--once .* is not an option of login/);
    assert.match(
      usageError(["warm-cache", "--config", "w.json"]).message,
      /--config .* is not an option of warm-cache/,
    );
    assert.deepEqual(usageError(["frobnicate"]), { message: 'unknown command "frobnicate"', topic: null });
    // What the old, lenient parser made of `--config watch.json` (a boolean flag and a command).
    assert.equal(usageError(["scan", "watch.json"]).message, 'unexpected argument "watch.json"');
    assert.equal(usageError(["--config", "w.json", "decrypt"]).topic, "decrypt");
  });

  it("asks for the general help or one command's", () => {
    assert.deepEqual(parse(["--help"]), { kind: "help", topic: null });
    assert.deepEqual(parse(["-h"]), { kind: "help", topic: null });
    assert.deepEqual(parse(["help"]), { kind: "help", topic: null });
    for (const topic of ["run", "login", "scan", "warm-cache"] as const) {
      assert.deepEqual(parse([topic, "--help"]), { kind: "help", topic });
      assert.deepEqual(parse(["help", topic]), { kind: "help", topic });
    }
    assert.deepEqual(parse(["scan", "--config", "w.json", "-h"]), { kind: "help", topic: "scan" });
    assert.deepEqual(parse(["help", "decrypt"]), { kind: "help", topic: "decrypt" });
    assert.deepEqual(parse(["--help", "decrypt"]), { kind: "help", topic: "decrypt" });
    assert.equal(usageError(["help", "frobnicate"]).message, 'no help for unknown command "frobnicate"');
  });

  it("hands a command with its own options every argument after its name, untouched", () => {
    for (const command of ["decrypt", "export", "report", "verify"])
      assert.deepEqual(parse([command, "--help", "--once", "x"]), {
        kind: "own-options",
        command,
        args: ["--help", "--once", "x"],
      });
    assert.deepEqual(parse(["--help", "export"]), { kind: "help", topic: "export" });
    assert.match(usageError(["--once", "report", "daily"]).message, /^"report" must come first: /);
  });
});

describe("generalUsage", () => {
  it("lists every command of the table, one aligned line each, help last", () => {
    const lines = generalUsage(COMMANDS)
      .split("\n")
      .filter((l) => /^ {2}[a-z]/.test(l));
    assert.deepEqual(
      lines.map((l) => l.slice(2, 12).trim()),
      [
        "run",
        "login",
        "scan",
        "agent",
        "decrypt",
        "export",
        "report",
        "verify",
        "warm-cache",
        "ui-url",
        "help",
      ],
    );
    assert.ok(
      lines.every((l) => l[12] === " " && l[13] === " " && l[14] !== " "),
      lines.join("\n"),
    );
  });
});
