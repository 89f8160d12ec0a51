#!/usr/bin/env bash
# README.md "First 10 minutes" as one script: its ```sh walkthrough blocks in order, each announced by a marker line.
# Generated from README.md (edit the README, then run
#   node -r ./test/support/ts-register.js test/support/walkthrough-script.ts
# ); test/integration/readme-walkthrough.test.ts runs this file against a real dev server and fails when it differs.
# First start the service from the clone, in another terminal:
#   URL_IMPORT_ALLOW=127.0.0.1 EVAL_DATASETS_DIR=$PWD/examples/datasets npm run dev
# and put Python with huggingface_hub on PATH (export PATH=$PWD/.venv-hf/bin:$PATH). Then: bash examples/first-10-minutes.sh
set -euo pipefail
cd "$(dirname "$0")/.."

echo '==> walkthrough block 1/6'
export MODELHUB_URL=${MODELHUB_URL:-http://127.0.0.1:4000}   # where npm run dev listens
HUB=$PWD                                                      # this clone
modelhub() { node "$HUB/dist/cli/modelhub.js" "$@"; }
token() { node "$HUB/dist/src/cli/token.js" "$@"; }
gql() { node "$HUB/examples/gql.mjs" "$@"; }                  # one GraphQL document, for what the CLI has no command for
MODELHUB_TOKEN=$(token --role editor --sub alice); export MODELHUB_TOKEN
BOB=$(token --role approver --sub bob)
ADA=$(token --role admin --sub ada)
modelhub whoami
cd "$(mktemp -d)"                                             # a scratch folder for the files below

echo '==> walkthrough block 2/6'
node "$HUB/examples/write-tiny-model.mjs" tiny-model
modelhub upload first-model@1.0.0 tiny-model --project demo --wait

echo '==> walkthrough block 3/6'
modelhub show first-model@1.0.0
modelhub show first-model

echo '==> walkthrough block 4/6'
read -r STAND_IN_URL STAND_IN_PID < <(node "$HUB/examples/stand-in-openai-server.mjs" --background)
VERSION_ID=$(gql '{ versionByAlias(model: "first-model", alias: "default") { id } }' --pick versionByAlias.id)
OPERATION=$(gql 'mutation($version: ID!, $url: String!) { runEvaluation(input: {
    versionId: $version, target: { url: $url, model: "stand-in" }
    suite: { name: "first-10-minutes", tasks: [{ name: "arithmetic", kind: EXACT_MATCH, dataset: "arithmetic.jsonl" }] }
  }) { id } }' version="$VERSION_ID" url="$STAND_IN_URL" --pick runEvaluation.id)
modelhub watch "$OPERATION"
gql '{ versionByAlias(model: "first-model", alias: "default") { model { evaluations { benchmark metric score n provenance datasetVersion } } } }'

echo '==> walkthrough block 5/6'
gql --token "$ADA" 'mutation { configureProject(input: { id: "demo", allowSkippedScan: true }) { id policy { allowSkippedScan } } }'
modelhub promote first-model@1.0.0 -m "arithmetic smoke test measured"
modelhub promote first-model@1.0.0 --to PUBLISHED -m "first release"
modelhub --token "$BOB" approve first-model@1.0.0 -m "evidence and license checked"
modelhub --token "$BOB" alias set first-model production 1.0.0 -m "first release"
modelhub audit first-model

echo '==> walkthrough block 6/6'
export HF_ENDPOINT=$MODELHUB_URL/hf
HF_TOKEN=hf_$(token --role viewer --sub reader); export HF_TOKEN
SNAPSHOT=$(python -c 'from huggingface_hub import snapshot_download; print(snapshot_download("demo/first-model", revision="production"))')
diff -r --exclude=model.sig tiny-model "$SNAPSHOT"
echo "byte-identical: $SNAPSHOT"
kill "$STAND_IN_PID"
