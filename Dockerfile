# sms-bridge: build with `docker build -t sms-bridge .`, run with
#   docker run -d --name sms-bridge -p 8080:8080 -v sms-bridge-data:/data --env-file .env sms-bridge
# (API_KEY is required; see .env.example for the rest).

ARG NODE_VERSION=20

# --- build: every dependency, then the TypeScript compiled to dist/ ---
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts stay off here: `prepare` builds, and the sources are not copied yet.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY integrations ./integrations
RUN npm run build

# --- runtime: production dependencies and the built JavaScript only, as a non-root user ---
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# tini as PID 1: it forwards SIGTERM to the service and reaps children, so `docker stop` stops it
# gracefully and no zombie is left behind.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY .env.example ./
# The data directory belongs to the unprivileged `node` user of the base image (uid 1000).
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# /healthz answers 200 while the store, the gateway and the sending engine are up (503 otherwise).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["tini", "--"]
CMD ["node", "dist/src/cli/main.js", "serve"]
