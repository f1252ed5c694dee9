# syntax=docker/dockerfile:1
# PostgreSQL 15 with pg_kea: the release build of the extension with every released install
# script and upgrade step (sql/pg_kea/), as scripts/init installs them, so
# `ALTER EXTENSION pg_kea UPDATE` can move any kea database along. barman-cloud is here for
# CloudNativePG's backups and WAL archiving to object storage (deploy/k8s/base/database/).
# Under CloudNativePG the operator starts PostgreSQL; run alone (scripts/images, a Docker
# host), bin/kea-postgres initialises $PGDATA once and starts the server.
#
# Build from the repository root:
#   docker build -f deploy/images/postgres.Dockerfile -t kea-postgres:15-VERSION .
ARG RUST_IMAGE=docker.io/library/rust:1.95.0-slim-bookworm
ARG DEBIAN_IMAGE=docker.io/library/debian:12.15-slim

# checkov:skip=CKV_DOCKER_7:the bases are the build arguments above, both tagged (checkov does not expand ARG)
FROM ${RUST_IMAGE} AS build
ARG PGRX_VERSION=0.18.1
# pgrx builds against the server headers and generates bindings with libclang; cargo-pgrx
# itself links OpenSSL.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang libclang-dev postgresql-server-dev-15 \
        libssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
RUN --mount=type=cache,target=/usr/local/cargo/registry,id=kea-cargo-registry,sharing=locked \
    cargo install cargo-pgrx --version "=${PGRX_VERSION}" --locked \
 && cargo pgrx init --pg15 /usr/lib/postgresql/15/bin/pg_config
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry,id=kea-cargo-registry,sharing=locked \
    --mount=type=cache,target=/src/target,id=kea-target-pg,sharing=locked \
    cargo pgrx package -p pg_kea --pg-config /usr/lib/postgresql/15/bin/pg_config \
 && cp -a target/release/pg_kea-pg15 /out \
 && for f in sql/pg_kea/pg_kea--*.sql; do \
        [ -e "/out/usr/share/postgresql/15/extension/${f##*/}" ] \
            || cp "$f" /out/usr/share/postgresql/15/extension/; \
    done

FROM ${DEBIAN_IMAGE}
# CloudNativePG runs PostgreSQL as uid 26 and gid 26 (its postgresUID and postgresGID
# defaults): the postgres user exists with uid 26 before the package would make one with
# another number (Debian's gid 26 is the tape group, so the postgres group takes a free gid;
# the server's files belong to uid 26, which is what counts). No cluster is created at install:
# the operator, or bin/kea-postgres, makes $PGDATA. An exact version pin would break at
# Debian's next security update (the archive keeps only the newest build): the base image's
# tag pins the release.
# hadolint ignore=DL3008
RUN groupadd --system postgres \
 && useradd --system --uid 26 --gid postgres --home-dir /var/lib/postgresql --create-home \
            --shell /bin/bash postgres \
 && mkdir -p /etc/postgresql-common/createcluster.d \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/kea.conf \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 barman-cli-cloud python3-boto3 \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/usr/lib/postgresql/15/lib/ /usr/lib/postgresql/15/lib/
COPY --from=build /out/usr/share/postgresql/15/extension/ /usr/share/postgresql/15/extension/
COPY deploy/images/bin/kea-postgres /usr/local/bin/kea-postgres
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data/pgdata
USER 26:26
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/kea-postgres"]
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s CMD ["pg_isready", "-q", "-h", "127.0.0.1"]
