# The azbackup images.
#   worker (the default, last stage): compiled JavaScript, the prebuilt workflow bundle, production
#     dependencies only, non-root. Config: mount a file at $AZBACKUP_CONFIG; AZBACKUP__<path> overrides.
#   standin: the ADF stand-in from source (tsx, dev dependencies) for docker-compose.yml's local stack only.
# NODE_VERSION: a supported Node.js line, 24 (default) or 22: docker build --build-arg NODE_VERSION=22 .
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# allowScripts in package.json approves the install scripts of @swc/core, esbuild and protobufjs.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src

FROM deps AS standin
COPY dev ./dev
# The stand-in writes its certificate here (a volume the worker reads as its adf connection's caFile).
RUN mkdir -p /tls && chown node:node /tls
USER node
EXPOSE 8443
CMD ["node", "--import", "tsx", "dev/adf-standin/main.ts", "--host", "0.0.0.0", "--port", "8443", "--tls-dir", "/tls"]

FROM deps AS build
# npm run bundle compiles and bundles the workflows once (dist/workflow-bundle.js): the worker loads it at start.
RUN npm run bundle && npm prune --omit=dev

FROM node:${NODE_VERSION}-bookworm-slim AS worker
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
ENV AZBACKUP_CONFIG=/config/azbackup.yaml
# worker.metrics (Prometheus), when the config sets it.
EXPOSE 9464
USER node
# Launch settings (src/workers/launch-settings.ts): a smaller young generation and fewer malloc arenas, as
# environment variables so a deployment can change them (e.g. NODE_OPTIONS=--max-semi-space-size=16 trades
# memory for CPU) without a new image.
ENV MALLOC_ARENA_MAX=2 NODE_OPTIONS=--max-semi-space-size=1
CMD ["node", "dist/src/workers/main.js"]
