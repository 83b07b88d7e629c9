#!/bin/sh
# As the official redis image's docker-entrypoint.sh, with setpriv (util-linux) instead of gosu.
set -e
# `-f` or `--some-option`, or a config file: run redis-server with them
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = 'redis-server' ]; then
  shift
  case "${1:-}" in
    # informational runs: no server, nothing to add
    -v|--version|-h|--help|--test-memory|--check-system) exec redis-server "$@" ;;
  esac
  # The official image builds Redis with protected mode off by default; Debian's has it on, which
  # refuses every client from another container. Put `--protected-mode no` after a config file
  # (which must come first) and before the caller's options (so that theirs win).
  if [ "${1%.conf}" != "${1:-}" ]; then
    conf=$1
    shift
    set -- redis-server "$conf" --protected-mode no "$@"
  else
    set -- redis-server --protected-mode no "$@"
  fi
  if [ "$(id -u)" = '0' ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi
exec "$@"
