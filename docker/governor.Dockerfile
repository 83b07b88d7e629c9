# syntax=docker/dockerfile:1
# governor (permit issuer). Build from the repository root:
#   docker build -f docker/governor.Dockerfile -t quantum/governor .
# docker/allocation-target.Dockerfile is the same file with the app name and port changed
# (tools/test/ops-validate.test.ts fails if the two drift apart).

# ---- build: full workspace, dev dependencies, Nx build of the app and its libraries ----
FROM node:20-bookworm-slim AS build
WORKDIR /src
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    CI=true
# Manifests first so `npm ci` is cached until a dependency changes.
COPY package.json package-lock.json ./
COPY apps/allocation-target/package.json apps/allocation-target/
COPY apps/governor/package.json apps/governor/
COPY libs/efficiency-core/package.json libs/efficiency-core/
COPY libs/redis-streams/package.json libs/redis-streams/
COPY libs/metrics/package.json libs/metrics/
COPY libs/service-runtime/package.json libs/service-runtime/
COPY libs/config/package.json libs/config/
COPY tools/package.json tools/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nx run @quantum/governor:build --skip-nx-cache \
 && test -f apps/governor/dist/main.js

# ---- runtime: root runtime dependencies (ioredis, prom-client, winston, convict) + the bundle ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=8044
WORKDIR /opt/quantum
# Only the root manifests: `--workspaces=false` installs the root `dependencies` and none of the
# workspace packages (they are bundled into dist/main.js by esbuild).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --workspaces=false --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /src/apps/governor/dist apps/governor/dist
# The node image's unprivileged user (uid 1000); the files stay root-owned and read-only to it.
USER node
EXPOSE 8044
# /healthz = process alive. Node's http client, because slim images have no curl or wget.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const p=process.env.METRICS_PORT||'8044';require('node:http').get({host:'127.0.0.1',port:p,path:'/healthz',timeout:4000},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "apps/governor/dist/main.js"]
