#!/usr/bin/env bash
# The one test command (`npm test`): lint, typecheck, generated-file drift, TS tests in workerd and
# Node, Python tests, and the Worker bundle. Runs every step even after a failure, then prints one
# summary; exits non-zero when anything failed. Needs `npm ci` and `uv sync` done (see .ci/run).
set -uo pipefail
cd "$(dirname "$0")/.."
export WRANGLER_SEND_METRICS=false CI="${CI:-}"
reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
failed_steps=()
passed_steps=0

step() {
  local name=$1
  shift
  printf '\n\033[1m== %s\033[0m\n' "$name"
  local t0=$SECONDS
  if "$@"; then
    passed_steps=$((passed_steps + 1))
    printf '\033[32mok\033[0m   %s (%ss)\n' "$name" $((SECONDS - t0))
  else
    failed_steps+=("$name")
    printf '\033[31mFAIL\033[0m %s (%ss)\n' "$name" $((SECONDS - t0))
  fi
}

py() { (cd gpu-worker && uv run --frozen "$@"); }
vitest_in() { npx vitest run --root "$1" --reporter=default --reporter=junit --outputFile.junit="$reports/$2.xml"; }

step "lint (biome)" npx biome ci .
step "lint (ruff)" py ruff check .
step "format (ruff)" py ruff format --check .
step "typecheck (tsc)" npx tsc -b
step "worker types match wrangler.jsonc" npm run -s check:types -w @genrec/edge
step "python models match the schema" py python -m genrec.rpc.codegen --check
step "tests: shared" vitest_in shared shared
step "tests: edge (workerd)" vitest_in edge edge
step "tests: infra" vitest_in infra infra
step "tests: end to end" vitest_in test e2e
step "tests: bench helpers" vitest_in bench bench
step "tests: gpu-worker (pytest)" py pytest -q -m "not slow" --junitxml="$reports/pytest.xml"
step "bundle (wrangler deploy --dry-run)" npx wrangler deploy --dry-run -c infra/wrangler.jsonc --outdir "$reports/dist"

echo
echo "steps: $passed_steps passed, ${#failed_steps[@]} failed${failed_steps[*]:+ (${failed_steps[*]})}"
python3 scripts/junit_summary.py "$reports"/*.xml
[ ${#failed_steps[@]} -eq 0 ]
