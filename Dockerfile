# Switchyard on the official Bun image.
#   docker build -t switchyard .
#   docker run -p 8080:8080 -v $PWD/switchyard.config.json:/app/switchyard.config.json switchyard
ARG BUN_VERSION=1.4.5

FROM oven/bun:${BUN_VERSION} AS deps
WORKDIR /app
COPY package.json bun.lock bunfig.toml ./
RUN bun install --frozen-lockfile --production

FROM oven/bun:${BUN_VERSION}
WORKDIR /app
ENV NODE_ENV=production \
    BUN_CONFIG_MAX_HTTP_REQUESTS=16384 \
    HOST=0.0.0.0 \
    PORT=8080
COPY --from=deps /app/node_modules ./node_modules
COPY package.json bunfig.toml tsconfig.json ./
COPY src ./src
COPY plugins ./plugins
USER bun
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
  CMD ["bun", "-e", "const r = await fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').catch(() => null); process.exit(r && r.ok ? 0 : 1)"]
# SIGTERM drains requests in flight before exiting.
STOPSIGNAL SIGTERM
CMD ["bun", "src/main.ts"]
