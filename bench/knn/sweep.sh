#!/usr/bin/env bash
# Content-kNN floor (issue 14): every shared dataset x item text x history weighting, one thread.
# Writes bench/results/baselines/<dataset>-content-knn-quick-<text>[-decay<d>].json.
# Usage: bash bench/knn/sweep.sh [encoder]   (default: the packaged MiniLM)
set -euo pipefail
cd "$(dirname "$0")/../../gpu-worker"
encoder=${1:-all-MiniLM-L6-v2}
suffix=$([ "$encoder" = all-MiniLM-L6-v2 ] && echo "" || echo "-$(basename "$encoder")")
for dataset in beauty toys sports; do
  texts="meta phrase"
  [ "$dataset" = sports ] && texts="meta"  # Sports has only the phrase: meta = phrase there
  for text in $texts; do
    for decay in 0 0.5 0.8; do
      tag="$text$([ "$decay" = 0 ] || echo "-decay$decay")$suffix"
      uv run --frozen python -m genrec.baselines.train --model content-knn --dataset "$dataset" --preset quick \
        --threads 1 --set "model.encoder=$encoder" --set "model.text=$text" --set "model.decay=$decay" \
        --tag "$tag" 2>&1 | grep -E "^test|wrote|Error"
    done
  done
done
