#!/usr/bin/env bash
# Throughput of sharded extraction on this machine: 1 worker with all cores vs N local worker
# processes with one core each, on the same images (fresh feature cache each time; ONNX export done
# beforehand). Usage: bench/scaling.sh [data folder] [backbone] [workers]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-data/emoji-demo5/noto}
backbone=${2:-inception_v3_mixed7}
workers=${3:-2}
cores=$(nproc)
out=artifacts/bench/scaling
graft="node packages/cli/dist/main.js"
rm -rf "$out"
$graft split --data "$data" --out "$out" --quiet
# Warm-up run: exports the backbone to ONNX once, outside the timings.
$graft extract --data "$data" --out "$out" --backbone "$backbone" --shard 0/1 --quiet > /dev/null
images=$($graft inspect split/manifest.parquet --out "$out" --json | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).rows))")
run() { # label, then commands run in parallel
  rm -rf "$out/cache/features"
  local start end
  start=$(date +%s.%N)
  for command in "${@:2}"; do eval "$command" & done
  wait
  end=$(date +%s.%N)
  node -e "const s=$end-$start; console.log(JSON.stringify({ layout: '$1', backbone: '$backbone', images: $images, seconds: +s.toFixed(1), img_per_s: +($images/s).toFixed(2) }))"
}
run "1 worker x $cores threads" "$graft extract --data $data --out $out --backbone $backbone --shard 0/1 --threads $cores --quiet > /dev/null"
commands=()
for ((k = 0; k < workers; k++)); do commands+=("$graft extract --data $data --out $out --backbone $backbone --shard $k/$workers --threads $((cores / workers > 0 ? cores / workers : 1)) --quiet > /dev/null"); done
run "$workers workers x $((cores / workers > 0 ? cores / workers : 1)) threads" "${commands[@]}"
