#!/usr/bin/env bash
# Frozen vs fine-tuned test accuracy, and the time each took: `graft run` (frozen backbone + trained
# head), then `graft finetune` on the same split. One JSON line per run.
# Usage: [EPOCHS=5] [FINETUNE_FLAGS="--finetune-copies 1"] bench/finetune.sh <data folder> <backbone> <blocks> [extra graft run flags …]
#   bench/finetune.sh data/emoji-demo5/noto inception_v3_mixed7 1
#   bench/finetune.sh data/emoji-demo5/noto mobilenet_v2 2
#   node bench/dist/fashion-mnist-folders.js --out /tmp/fmnist-200 --train-per-class 200 --test-per-class 100
#   bench/finetune.sh /tmp/fmnist-200 mobilenet_v2 2 --test-pattern /test-
set -euo pipefail
cd "$(dirname "$0")/.."
data=$1 backbone=$2 blocks=$3
shift 3
out=artifacts/bench/finetune/$(basename "$data")-$backbone-$blocks
graft="node packages/cli/dist/main.js"
rm -rf "$out"
seconds() { node -e "console.log(((Number(process.argv[2]) - Number(process.argv[1])) / 1e9).toFixed(1))" "$1" "$(date +%s%N)"; }
start=$(date +%s%N)
frozen=$($graft run --data "$data" --out "$out" --backbone "$backbone" "$@" --quiet --json)
run_seconds=$(seconds "$start")
start=$(date +%s%N)
tuned=$($graft finetune --data "$data" --out "$out" --finetune-blocks "$blocks" --finetune-epochs "${EPOCHS:-5}" ${FINETUNE_FLAGS:-} --quiet --json)
finetune_seconds=$(seconds "$start")
node -e '
const [frozen, tuned] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2])];
console.log(JSON.stringify({ data: process.argv[3], backbone: process.argv[4], blocks: Number(process.argv[5]),
  pipeline_test_accuracy: frozen.evaluate.accuracy, frozen_test_accuracy: tuned.frozenTestAccuracy, fine_tuned_test_accuracy: tuned.fineTunedTestAccuracy,
  test_images: tuned.testImages, best_epoch: tuned.bestEpoch, epochs: tuned.epochs, pipeline_seconds: Number(process.argv[6]), finetune_seconds: Number(process.argv[7]), finetune_parts: tuned.seconds }));
' "$frozen" "$tuned" "$data" "$backbone" "$blocks" "$run_seconds" "$finetune_seconds"
