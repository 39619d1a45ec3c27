# syntax=docker/dockerfile:1
# Three stages: node builds the UI bundle, cargo builds the release binary with that bundle
# embedded, and a slim runtime image runs `revtops serve` as a non-root user.

FROM node:20-bookworm-slim AS ui
WORKDIR /src/ui
COPY ui/package.json ui/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY ui/ ./
RUN npm run build

FROM rust:1.95-bookworm AS build
ARG GIT_REVISION=unknown
WORKDIR /src
# Dependencies first, so source edits reuse the cached dependency layer.
COPY Cargo.toml Cargo.lock build.rs ./
COPY migrations ./migrations
RUN mkdir -p src ui/dist && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && REVTOPS_SKIP_UI_BUILD=1 cargo build --release --locked \
    && rm -rf src
COPY src ./src
COPY --from=ui /src/ui/dist ./ui/dist
# The bundle is already built: build.rs must not look for npm here.
ENV REVTOPS_SKIP_UI_BUILD=1 REVTOPS_GIT_REVISION=${GIT_REVISION}
RUN touch src/main.rs src/lib.rs && cargo build --release --locked \
    && install -m 0755 target/release/revtops /usr/local/bin/revtops

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 revtops \
    && useradd --system --uid 10001 --gid revtops --no-create-home --shell /usr/sbin/nologin revtops
COPY --from=build /usr/local/bin/revtops /usr/local/bin/revtops
USER revtops:revtops
ENV BIND_ADDR=0.0.0.0:8000 LOG_FORMAT=json
EXPOSE 8000
ENTRYPOINT ["/usr/local/bin/revtops"]
CMD ["serve"]
