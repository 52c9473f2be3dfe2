# syntax=docker/dockerfile:1
# Inventory service image: build stage compiles TypeScript, runtime stage carries only
# production dependencies and dist/, runs as a non-root user.
#   docker build -t inventory .
#   docker run -p 8000:8000 -e DATABASE_URL=postgres://... inventory
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8000 \
    HOST=0.0.0.0 \
    INVENTORY_DATA_DIR=/data
WORKDIR /app
RUN groupadd --system --gid 10001 inventory \
 && useradd --system --uid 10001 --gid inventory --home-dir /app --shell /usr/sbin/nologin inventory \
 && mkdir -p /data \
 && chown inventory:inventory /data
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER 10001:10001
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/api/inventory/v1/ping/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["serve"]
