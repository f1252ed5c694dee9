# syntax=docker/dockerfile:1
# kea's application image: kea-gateway, kea-worker and the migration command, started as
# `kea gateway`, `kea worker` or `kea migrate` (deploy/images/bin/kea). One image for the three
# because a release is one commit: the binaries and the SQL the migration applies come from the
# same build and cannot drift apart, and a node pulls one image for all of them.
# The `standins` target holds the POS and Twilio stand-ins and the call simulator, for
# scripts/images --smoke only; it is never deployed.
#
# Build from the repository root (docs/deploy.md):
#   docker build -f deploy/images/kea.Dockerfile -t kea:VERSION .
# The bases are build arguments: public images on a Docker host; scripts/images passes images
# it makes from Debian's archive (mmdebstrap) and this machine's Rust toolchain.
ARG RUST_IMAGE=docker.io/library/rust:1.95.0-slim-bookworm
ARG DEBIAN_IMAGE=docker.io/library/debian:12.15-slim

# checkov:skip=CKV_DOCKER_7:the bases are the build arguments above, both tagged (checkov does not expand ARG)
FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY . .
# The registry and target directories are build caches, so a rebuild after a source change
# compiles only what changed; the binaries are copied out of the cache into the layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry,id=kea-cargo-registry,sharing=locked \
    --mount=type=cache,target=/src/target,id=kea-target-app,sharing=locked \
    cargo build --release --locked -p kea_gateway -p kea_worker --bins \
 && mkdir -p /out \
 && cp target/release/kea-gateway target/release/kea-worker \
       target/release/kea-standins target/release/kea-call /out/

FROM ${DEBIAN_IMAGE} AS runtime
# ca-certificates: HTTPS to Twilio, Square and POS webhooks; curl: the HEALTHCHECK;
# postgresql-client-15: psql for `kea migrate`. Debian keeps only the newest build of a
# package in a suite, so an exact version pin would break at the next security update: the
# base image's tag pins the release instead.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl postgresql-client-15 \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 kea \
 && useradd --system --uid 10001 --gid kea --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin kea
ENV KEA_LISTEN=0.0.0.0:8080 \
    KEA_WORKER_METRICS=0.0.0.0:9187 \
    KEA_LOG=info \
    KEA_DB=kea

FROM runtime AS standins
COPY --from=build /out/kea-standins /out/kea-call /usr/local/bin/
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/kea-standins"]
HEALTHCHECK --interval=10s --timeout=3s CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:9101/_received"]

FROM runtime AS kea
COPY --from=build /out/kea-gateway /out/kea-worker /usr/local/bin/
COPY deploy/images/bin/kea /usr/local/bin/kea
# What `kea migrate` runs: scripts/create-db and scripts/migrate themselves, with the SQL of
# this commit (migrations/, sql/, and pg_kea's released scripts for the checksum).
COPY scripts/lib.sh scripts/migrate scripts/create-db /opt/kea/scripts/
COPY migrations /opt/kea/migrations
COPY sql /opt/kea/sql
COPY sql/pg_kea /opt/kea/pgshare/extension
# scripts/migrate reaches PostgreSQL with `sudo -u postgres psql` and finds pg_kea's install
# script through pg_config; in the image, libpq's PG* environment names the server and these
# two stand in (deploy/images/shims/).
COPY deploy/images/shims/sudo /opt/kea/shims/sudo
COPY deploy/images/shims/pg_config /usr/lib/postgresql/15/bin/pg_config
USER 10001:10001
EXPOSE 8080 9187
ENTRYPOINT ["/usr/local/bin/kea"]
CMD ["gateway"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD ["/usr/local/bin/kea", "health"]
