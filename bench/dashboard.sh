#!/usr/bin/env bash
# Dashboard benchmark: store change -> SSE event latency at a connected client, and the
# server's RSS with 200 connected SSE clients. Runs benches/dashboard.rs (release build);
# exits 1 when the median latency exceeds 100 ms or the RSS exceeds 30 MiB.
#
#   bench/dashboard.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --locked --bench dashboard
