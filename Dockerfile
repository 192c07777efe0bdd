# One image for the worker and the gateway; docker-compose.yml picks the entry point.
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV AGENT_BOT_DATA_DIR=/data
VOLUME /data
CMD ["node", "--import", "tsx", "workers/worker.ts"]
