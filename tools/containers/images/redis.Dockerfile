# Local stand-in for docker.io/library/redis:7-bookworm, built by tools/containers/run.sh because
# no image registry is reachable from this machine: Debian bookworm's own redis-server (7.0.x; the
# official image has the newest 7.x, and the services need 7.0 or later). As the official image:
# /data is the working directory and a volume, protected mode is off (the container network is
# the boundary; compose publishes the port on 127.0.0.1 only), the server runs as the user
# `redis`, and a first argument that is an option runs redis-server with it.
FROM localhost/quantum-base/debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server redis-tools \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown redis:redis /data \
 && redis-server --version
COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /data
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
