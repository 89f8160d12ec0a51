# Two targets from one build: `runtime` (the default image: the subgraph, `node dist/src/main.js`, or a worker
# without evaluation extras) and `worker` (adds Python for humaneval-style code tasks and, with
# --build-arg LM_EVAL=true, EleutherAI's lm-evaluation-harness for LM_EVAL tasks).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY workflows ./workflows
COPY activities ./activities
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
# Data lives under /var/lib/modelhub (mount a volume there); the code under /app stays read-only to the process.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 \
    ARTIFACT_DIR=/var/lib/modelhub/artifacts \
    STAGING_DIR=/var/lib/modelhub/staging \
    CACHE_DIR=/var/lib/modelhub/cache \
    EMBEDDED_PG_DIR=/var/lib/modelhub/postgres \
    TEMPORAL_DEV_DB=/var/lib/modelhub/temporal.db \
    TOOLS_DIR=/var/lib/modelhub/tools \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/workflows ./workflows
COPY package.json ./
COPY schema ./schema
# The image's unprivileged `node` user (uid 1000) owns the data folders; a named volume mounted on
# /var/lib/modelhub starts with this ownership, so the process never needs root.
RUN mkdir -p /var/lib/modelhub/artifacts /var/lib/modelhub/staging /var/lib/modelhub/cache \
 && chown -R node:node /var/lib/modelhub
VOLUME ["/var/lib/modelhub"]
USER node
EXPOSE 4000
# SIGTERM drains in-flight requests and activities within SHUTDOWN_TIMEOUT_MS (30 s by default): give the
# container longer than that before the runtime's SIGKILL (docker stop -t 40, compose stop_grace_period: 40s).
STOPSIGNAL SIGTERM
# --max-old-space-size: V8 sizes its heap from the machine's memory (4 GiB on a 24 GiB host) and lets garbage pile up
# to ~170 MiB before the first full collection; 512 MiB (5× the API's live heap under load) keeps RSS near what it
# uses (README: Process life, "Memory"). Same flags as `npm start` and the Helm chart (a unit test keeps them equal).
CMD ["node", "--max-old-space-size=512", "dist/src/main.js"]

FROM runtime AS worker
ARG LM_EVAL=false
USER root
# python3 runs code-task completions inside the bubblewrap sandbox (prlimit and setpriv come with util-linux in the
# base image); the harness goes to its own virtualenv, on PATH as lm_eval (LM_EVAL_BIN).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv bubblewrap \
 && rm -rf /var/lib/apt/lists/* \
 && if [ "$LM_EVAL" = "true" ]; then python3 -m venv /opt/lm-eval \
      && /opt/lm-eval/bin/pip install --no-cache-dir "lm-eval[api]==0.4.13" \
      && ln -s /opt/lm-eval/bin/lm_eval /usr/local/bin/lm_eval; fi
# Code tasks run under bwrap in unprivileged user namespaces: no root and no capability, but the container's seccomp,
# AppArmor and masked /proc must allow them (docker-compose.yml's worker shows the security_opt); without them the
# worker refuses code tasks up front and runs the rest.
USER node
CMD ["node", "dist/src/worker.js"]
