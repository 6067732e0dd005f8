#!/usr/bin/env bash
# make test-faults: the reliability and secrets measurements against
# simulated orgs on 127.0.0.1, then a short fuzz run of every fuzz target.
#
#   - 20 applies of 50 resources at fault rate 0.1, half of the faulted writes
#     failing after they took effect, each with its own seed;
#   - a 50-resource apply with tokens that allow 5 calls each, counting the
#     sessions one provider process renewed;
#   - 100 applies at -parallelism=10 that change an app, its policy and its
#     grants together;
#   - the daily limit with concurrent callers, through the client;
#   - create, update, import and destroy at TF_LOG=trace with each auth flow,
#     searching the log and the state for every secret;
#   - go test -fuzz for FUZZTIME (default 10s) on each fuzz target, one at a
#     time, because -fuzz takes one package and one target.
#
# It prints a summary with the runs, failures, renewals and wall times.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=-buildvcs=false CHECKPOINT_DISABLE=1
fuzztime="${FUZZTIME:-10s}"
started=$(date +%s)

tf=$(scripts/terraform-cli.sh)
export TF_ACC_TERRAFORM_PATH="$tf"
unset SALESFORCE_ACC_LIVE TF_LOG TF_LOG_PATH TF_LOG_PROVIDER TF_LOG_CORE

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
summary="$work/summary.txt"
: >"$summary"

go build -o "$work/bin/terraform-provider-salesforce" .
export SALESFORCE_FAULT_TESTS=1 SALESFORCE_FAULT_PROVIDER_DIR="$work/bin" SALESFORCE_FAULT_SUMMARY="$summary"

passed=0
failed=0
record() { # name, exit code, seconds
  if [ "$2" -eq 0 ]; then
    passed=$((passed + 1))
    printf '%-60s ok    %4ss\n' "$1" "$3" >>"$work/results.txt"
  else
    failed=$((failed + 1))
    printf '%-60s FAIL  %4ss\n' "$1" "$3" >>"$work/results.txt"
  fi
}

run_tests() { # name, package, -run pattern
  local t0 rc
  t0=$(date +%s)
  echo "--- $1"
  set +e
  go test -count=1 -timeout 20m -run "$3" "$2" 2>&1 | tee "$work/out.txt" | grep -E '^(ok|FAIL|---|panic)'
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -ne 0 ]; then
    cat "$work/out.txt"
  fi
  record "$1" "$rc" $(($(date +%s) - t0))
}

run_tests "Terraform CLI against faulted simulated orgs" ./internal/provider/ '^TestFaults_'
run_tests "client: daily limit, secrets in logs and errors" ./internal/salesforce/ \
  '^(TestDailyLimitStopsConcurrentCalls|TestDailyLimitStopsAllCalls|TestClientLogsNoSecret|TestAuthFailuresQuoteNoSecret|TestNoInsecureSkipVerify)$'

fuzz_targets=0
for pkg in $(go list ./internal/...); do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    fuzz_targets=$((fuzz_targets + 1))
    t0=$(date +%s)
    echo "--- fuzz $target ($pkg, $fuzztime)"
    set +e
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >"$work/fuzz.txt" 2>&1
    rc=$?
    set -e
    if [ "$rc" -ne 0 ]; then
      cat "$work/fuzz.txt"
    fi
    record "fuzz $target for $fuzztime" "$rc" $(($(date +%s) - t0))
  done
done
if [ "$fuzz_targets" -eq 0 ]; then
  echo "no fuzz target found"
  failed=$((failed + 1))
fi

echo
echo "==== test-faults summary"
sed 's/^/  /' "$summary"
echo
cat "$work/results.txt"
echo "wall time $(($(date +%s) - started))s"
echo "test-faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
