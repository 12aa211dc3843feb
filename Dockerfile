# One image for every InStudio process; docker-compose.yml picks the process by command.
# Node 22 LTS: the AWS SDK for JavaScript requires Node >= 22 for its releases after the
# first week of January 2027 (the product also runs on Node 20).
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY workflows workflows
COPY activities activities
COPY workers workers
# Compile, then bundle the workflow code once (dist/workflow-bundle.js): a booking worker
# started by a scale-out loads it instead of bundling at start.
RUN npx tsc -p tsconfig.build.json \
 && node dist/workers/workflow-bundle.js \
 && npm prune --omit=dev

FROM node:22-slim
ENV NODE_ENV=production
# Memory settings for every process: NODE_HEAP_ARGS and MALLOC_ENV in src/shared/child-process.ts say why.
ENV NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=384" MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/package.json package.json
USER node
CMD ["node", "dist/src/gateway/main.js"]
