#!/bin/sh
# As the official node image's docker-entrypoint.sh: a first argument that is an option or not a
# command runs under node; anything else is executed as given (exec: it becomes PID 1).
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
