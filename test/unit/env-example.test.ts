import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { CONFIG_VARIABLES } from "../../src/config.ts";

it(".env.example documents every variable the service reads", () => {
  const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
  const missing = CONFIG_VARIABLES.filter((v) => !new RegExp(`^#? ?${v}=`, "m").test(example));
  assert.deepEqual(missing, []);
});
