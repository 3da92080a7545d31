# telegram-logger: multi-stage image on Node 24 (TypeScript runs directly, no build step).
# No compiler needed, and none is in the image: `npm ci --ignore-scripts` runs no dependency's install
# step. better-sqlite3 ships prebuilt binaries in its package; GramJS's optional websocket helpers
# (bufferutil, utf-8-validate) load theirs where they exist (x64) and fall back to JavaScript
# elsewhere, where their install step would have tried to compile them (arm64) and failed the build.
# Checked without a Docker daemon by test/process/docker-image.test.ts.
#
# First login (once, on a terminal; the session is saved in the volume):
#   docker run -it --rm -v tl-data:/data --env-file .env ghcr.io/OWNER/telegram-logger login
# Then run it:
#   docker run -d --name telegram-logger --restart unless-stopped -v tl-data:/data --env-file .env \
#     -p 127.0.0.1:8080:8080 ghcr.io/OWNER/telegram-logger

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production DATA_ROOT=/data HTTP_HOST=0.0.0.0 HEALTH_PORT=8080 HEALTH_PATH=/health \
    NODE_COMPILE_CACHE=/home/node/.cache/telegram-logger MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY drizzle ./drizzle
# The image's own "node" user (uid 1000); /data is private to it.
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
USER node
# Node's compile cache, filled here for every module (Telegram's included) by the user and with the
# V8 flags the service runs with: starts skip TypeScript stripping and compiling (idle RSS about
# 27 MB lower, start faster; docs/operations.md, "Memory").
RUN ["node", "--max-semi-space-size=4", "/app/src/main.ts", "warm-cache"]
VOLUME ["/data"]
EXPOSE 8080
# Node's own fetch: no curl in the image. /health answers 503 when unwell (see README).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.HEALTH_PORT}${process.env.HEALTH_PATH}`).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) drains at most 8 s, closes the database and exits 0; the default 10 s
# grace period is enough.
STOPSIGNAL SIGTERM
# A 4 MiB young generation: idle RSS about half of V8's default, ingest still well over target
# (bench/ops-idle.bench.ts, bench/ingest.bench.ts).
ENTRYPOINT ["node", "--max-semi-space-size=4", "/app/src/main.ts"]
CMD ["run"]
