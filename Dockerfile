# Build stage: compile TypeScript with dev dependencies.
FROM node:26-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY plugins ./plugins
COPY queues ./queues
RUN npm run build

# Runtime stage: production dependencies and the compiled output only, as the unprivileged node user.
FROM node:26-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The sandbox seed is product data; the mapping file is each deployment's configuration and is
# mounted at /app/mapping.json (docker-compose.yml), never baked in: without it the service
# refuses to start and says which file it could not read.
COPY sandbox ./sandbox
USER node
EXPOSE 3000
# PORT is read inside the container, so the check follows the port the service listens on.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The project's own command is the entrypoint, so arguments after the image name reach it:
# `docker run <image>` serves, `docker run <image> --help` prints its help (not Node's: with only
# a CMD, node's image hands a leading "-" argument to node itself), and `docker run <image> doctor
# --url ...` runs an operator command.
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["serve"]
