# One image for the worker and the gateway; docker-compose.yml and deploy/kubernetes pick the entry point
# (the default command is the worker; the gateway is `node --import tsx workers/gateway.ts`).
FROM node:20-bookworm-slim
# git: workspaces are clones of the repositories the agents work on.
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
# The agent CLIs are the operator's choice and are not dependencies of agent-bot: name the npm packages
# to install globally, e.g. --build-arg AGENT_CLI_PACKAGES="@anthropic-ai/claude-code@2 @openai/codex"
# (or build FROM this image and add any other CLI, then set AGENT_KIND / AGENT_COMMAND).
ARG AGENT_CLI_PACKAGES=""
RUN if [ -n "$AGENT_CLI_PACKAGES" ]; then npm install -g --no-audit --no-fund $AGENT_CLI_PACKAGES && npm cache clean --force; fi
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# Not root: claude refuses to skip permission prompts as root, and agents need no more than their workspace.
RUN mkdir -p /data && chown node:node /data
USER node
ENV NODE_ENV=production AGENT_BOT_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
CMD ["node", "--import", "tsx", "workers/worker.ts"]
