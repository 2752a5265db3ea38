#!/usr/bin/env bash
# Whole-process cost of `exec` (release) running one tool-call turn against a local model server:
# wall time and peak RSS per run, over N runs. Usage: benches/exec_turn.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-20}"
cargo build -q --release -p codex-agent-sdk --features cli --bin codex-sdk
cargo build -q --release --features testing --example mock_server
TARGET="${CARGO_TARGET_DIR:-target}"
fifo="$(mktemp -u)"; mkfifo "$fifo"
"$TARGET/release/examples/mock_server" "$N" /tmp > "$fifo" &
server=$!
read -r line < "$fifo"
export OPENAI_BASE_URL="${line#OPENAI_BASE_URL=}" OPENAI_API_KEY=sk-local-bench
walls=(); rss=()
for _ in $(seq "$N"); do
  start=$(date +%s%N)
  out=$(/usr/bin/time -f '%M' "$TARGET/release/codex-sdk" exec "list /tmp" 2>&1 >/dev/null | tail -1)
  end=$(date +%s%N)
  walls+=($(( (end - start) / 1000 ))); rss+=("$out")
done
wait "$server" || true
rm -f "$fifo"
printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {printf "wall p50 %.1f ms, p90 %.1f ms (n=%d)\n", a[int(NR/2)+1]/1000, a[int(NR*0.9)]/1000, NR}'
printf '%s\n' "${rss[@]}" | sort -n | awk '{a[NR]=$1} END {printf "peak RSS p50 %.1f MiB, max %.1f MiB\n", a[int(NR/2)+1]/1024, a[NR]/1024}'
