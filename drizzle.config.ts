import { defineConfig } from "drizzle-kit";

/** `npm run db:generate` writes SQL migrations for changes in src/store/schema.ts into drizzle/. */
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/store/schema.ts",
  out: "./drizzle",
});
