#!/usr/bin/env bash
# The main job: adopt an existing connected app in a simulated org, apply the
# recommended policy and two grants, show a clean plan, cause drift through
# the Metadata API, show it, and restore the configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=-buildvcs=false CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

tf=$(scripts/terraform-cli.sh)
work=$(mktemp -d)
orgsim_pid=""
cleanup() {
  if [ -n "$orgsim_pid" ]; then kill "$orgsim_pid" 2>/dev/null || true; wait "$orgsim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

header() { printf '\n==== %s\n' "$*"; }

header "Building the provider, the simulated org and setupedit"
go build -o "$work/bin/terraform-provider-salesforce" .
go build -o "$work/orgsim" ./internal/orgsim/cmd/orgsim
go build -o "$work/setupedit" ./internal/demo/setupedit

token="00DDEMO!$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
mkfifo "$work/orgsim.out"
"$work/orgsim" -listen 127.0.0.1:0 -load examples/demo/org -access-token "$token" >"$work/orgsim.out" 2>"$work/orgsim.log" &
orgsim_pid=$!
exec 3<"$work/orgsim.out"
read -r -t 30 url <&3 || { echo "orgsim did not start:"; cat "$work/orgsim.log"; exit 1; }
cat <&3 >/dev/null &
echo "Simulated org at $url"

cat >"$work/dev.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "connectedapps/salesforce" = "$work/bin"
  }
  direct {}
}
TFRC
export TF_CLI_CONFIG_FILE="$work/dev.tfrc"
export SALESFORCE_LOGIN_URL="$url" SALESFORCE_INSTANCE_URL="$url" SALESFORCE_ACCESS_TOKEN="$token"
mkdir "$work/ws"
cp examples/demo/main.tf "$work/ws/"
cd "$work/ws"

header "Step 1: apply the recommended policy and two assignments"
"$tf" apply -auto-approve -input=false -no-color

header "Step 2: plan again: no changes"
"$tf" plan -input=false -no-color -detailed-exitcode

header "Step 3: an admin relaxes IP restrictions in the org (updateMetadata)"
"$work/setupedit" -app Vendor_Sync -ip-relaxation BYPASS

header "Step 4: plan -detailed-exitcode shows the drift (exit code 2)"
set +e
"$tf" plan -input=false -no-color -detailed-exitcode
rc=$?
set -e
echo "terraform plan exit code: $rc"
if [ "$rc" -ne 2 ]; then echo "expected exit code 2 (changes present)"; exit 1; fi

header "Step 5: apply again to restore the configuration"
"$tf" apply -auto-approve -input=false -no-color
"$tf" plan -input=false -no-color -detailed-exitcode

header "Stopping the simulated org"
