# telegram-logger: multi-stage image on Node 24. No compiler needed: better-sqlite3 ships its
# prebuilt binary and its install step is denied in package.json#allowScripts.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production DATA_ROOT=/data HTTP_HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY drizzle ./drizzle
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# First login: docker run -it --rm -v tl-data:/data --env-file .env IMAGE login
ENTRYPOINT ["node", "/app/src/main.ts"]
CMD ["run"]
