#!/usr/bin/env bash
# Builds the provider, orgsim and the benchmark, then measures an apply and
# two plans against a simulated org with 200 ms latency per call. It runs 10,
# 100 and 500 apps, each with a policy and three assignments, with
# batch_reads on, and 10 and 100 apps also with it off. Prints a Markdown
# table for BENCHMARKS.md. Flags go to internal/bench/cmd/bench, such as
# -n 10 -off 10 or -latency 50ms.
set -euo pipefail

# The whole script is one function, so bash has read all of it before the
# long run starts and an edit of this file during a run cannot break it.
main() {
  cd "$(dirname "$0")/.."
  export GOFLAGS=-buildvcs=false CHECKPOINT_DISABLE=1

  local tf
  tf=$(scripts/terraform-cli.sh)
  # Global, because the EXIT trap runs after main has returned.
  bench_bin=$(mktemp -d)
  trap 'rm -rf "$bench_bin"' EXIT
  local bin=$bench_bin

  echo "bench: building the provider, orgsim and the benchmark" >&2
  go build -o "$bin/terraform-provider-salesforce" .
  go build -o "$bin/orgsim" ./internal/orgsim/cmd/orgsim
  go build -o "$bin/peakrss" ./internal/bench/cmd/peakrss
  go build -o "$bin/bench" ./internal/bench/cmd/bench

  "$bin/bench" -terraform "$tf" -provider "$bin/terraform-provider-salesforce" -peakrss "$bin/peakrss" \
    -orgsim "$bin/orgsim" "$@"
}

main "$@"
