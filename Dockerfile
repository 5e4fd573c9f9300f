# The azbackup worker image: compiled JavaScript, the prebuilt workflow bundle, production dependencies
# only, non-root.
# NODE_VERSION: a supported Node.js line, 24 (default) or 22: docker build --build-arg NODE_VERSION=22 .
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# allowScripts in package.json approves the install scripts of @swc/core, esbuild and protobufjs.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# npm run bundle compiles and bundles the workflows once (dist/workflow-bundle.js): the worker loads it at start.
RUN npm run bundle && npm prune --omit=dev

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
# Config: mount a file and point AZBACKUP_CONFIG at it; AZBACKUP__<path> variables override any field.
ENV AZBACKUP_CONFIG=/config/azbackup.yaml
CMD ["node", "dist/src/workers/main.js"]
