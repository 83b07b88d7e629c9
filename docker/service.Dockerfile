# syntax=docker/dockerfile:1
# One Dockerfile for both services; the app is a build argument. Build from the repository root:
#   docker build -f docker/service.Dockerfile --build-arg APP=allocation-target --build-arg PORT=8065 -t quantum/allocation-target .
#   docker build -f docker/service.Dockerfile --build-arg APP=governor          --build-arg PORT=8044 -t quantum/governor .
# PORT must be the app's default METRICS_PORT (deploy/env/<APP>.env.example): the build stops
# otherwise, so a wrong pair cannot produce an image. docker/compose.yaml passes both.
#
# EXPOSE, ENV and WORKDIR expand build arguments; HEALTHCHECK and the exec-form CMD do not, so they
# are written without the app name: CMD runs dist/main.js from WORKDIR apps/<APP> (node finds the
# runtime dependencies in /opt/quantum/node_modules), HEALTHCHECK reads METRICS_PORT.

# ---- build: full workspace, dev dependencies, Nx build of the app and its libraries ----
FROM node:24-bookworm-slim AS build
ARG APP
ARG PORT
WORKDIR /src
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    CI=true
RUN case "${APP}" in allocation-target|governor) ;; \
      *) echo "build argument APP must be allocation-target or governor (got '${APP}')" >&2; exit 1 ;; esac
# Manifests first so `npm ci` is cached until a dependency changes.
COPY package.json package-lock.json ./
COPY apps/allocation-target/package.json apps/allocation-target/
COPY apps/governor/package.json apps/governor/
COPY libs/config/package.json libs/config/
COPY libs/efficiency-core/package.json libs/efficiency-core/
COPY libs/redis-streams/package.json libs/redis-streams/
COPY libs/metrics/package.json libs/metrics/
COPY libs/service-runtime/package.json libs/service-runtime/
COPY tools/cli-support/package.json tools/cli-support/
COPY tools/simulator/package.json tools/simulator/
COPY tools/ctl/package.json tools/ctl/
COPY tools/bench/package.json tools/bench/
COPY e2e/package.json e2e/
RUN npm ci --no-audit --no-fund
COPY . .
RUN grep -qx "METRICS_PORT=${PORT}" "deploy/env/${APP}.env.example" \
 || { echo "build argument PORT='${PORT}' is not ${APP}'s METRICS_PORT: $(grep '^METRICS_PORT=' "deploy/env/${APP}.env.example")" >&2; exit 1; }
RUN npx nx run "@quantum/${APP}:build" --skip-nx-cache \
 && test -f "apps/${APP}/dist/main.js"

# ---- runtime: root runtime dependencies (ioredis, prom-client, winston) + the bundle ----
FROM node:24-bookworm-slim AS runtime
ARG APP
ARG PORT
ENV NODE_ENV=production \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=${PORT}
LABEL org.opencontainers.image.title="quantum/${APP}"
WORKDIR /opt/quantum
# Only the root manifests: `--workspaces=false` installs the root `dependencies` and none of the
# workspace packages (they are bundled into dist/main.js by esbuild).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --workspaces=false --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /src/apps/${APP}/dist apps/${APP}/dist
WORKDIR /opt/quantum/apps/${APP}
# The node image's unprivileged user (uid 1000); the files stay root-owned and read-only to it.
USER node
EXPOSE ${PORT}
# /healthz = process alive. Node's http client, because slim images have no curl or wget.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "require('node:http').get({host:'127.0.0.1',port:process.env.METRICS_PORT,path:'/healthz',timeout:4000},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
