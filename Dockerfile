# syntax=docker/dockerfile:1
#
# label-value-exporter container image.
#
#   docker build -t label-value-exporter \
#     --build-arg LVE_REVISION="$(git rev-parse --short=12 HEAD)" \
#     --build-arg LVE_BRANCH="$(git rev-parse --abbrev-ref HEAD)" .
#   docker run --rm -p 9101:9101 --read-only \
#     -v /path/to/dir-with-config.yml:/etc/label-value-exporter:ro label-value-exporter
#
# Mount the configuration as a DIRECTORY at /etc/label-value-exporter (never a
# single-file bind mount or a Kubernetes subPath): the exporter re-reads
# config.yml when it changes, and editors and the kubelet replace the file
# rather than rewrite it, which a single-file mount never sees.
#
# The image runs as uid/gid 65532 (numeric, so Kubernetes can verify
# runAsNonRoot) and writes nothing to its filesystem: it works with
# --read-only / readOnlyRootFilesystem: true.

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: compile TypeScript and write dist/build-info.json ----------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
# Build information for --version and label_value_exporter_build_info (there is
# no .git in the build context); empty values fall back to package.json's
# version and "unknown".
ARG LVE_VERSION=""
ARG LVE_REVISION=""
ARG LVE_BRANCH=""
ARG LVE_BUILD_DATE=""
ARG LVE_BUILD_USER="docker"
RUN npm run build \
 && find dist/src -name '*.test.js' -delete -o -name '*.test.js.map' -delete

# ---- runtime: production dependencies and the compiled code only -------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && rm -rf /root/.npm /tmp/*
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/build-info.json ./dist/build-info.json
# The demo: docker run --rm -p 9101:9101 IMAGE --config.file=examples/demo/config.yml
COPY examples ./examples

LABEL org.opencontainers.image.title="label-value-exporter" \
      org.opencontainers.image.description="Prometheus exporter that turns label values of info-style series into sample values" \
      org.opencontainers.image.licenses="Apache-2.0"

USER 65532:65532
EXPOSE 9101
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["--config.file=/etc/label-value-exporter/config.yml"]
