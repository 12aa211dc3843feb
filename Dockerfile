# One image for every InStudio process; docker-compose.yml picks the process by command.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src src
COPY workflows workflows
COPY activities activities
COPY workers workers
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/package.json package.json
# The booking worker bundles its workflow code at start from dist/workflows.
USER node
CMD ["node", "dist/src/gateway/main.js"]
