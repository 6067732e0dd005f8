#!/usr/bin/env bash
# Applies examples/multi-org, one module for two orgs, to two simulated orgs
# with different Ids, checks that a second plan is clean, then swaps the
# expected org Ids and checks that the run stops before any write.
#
# A module needs terraform init, which fails offline while dev_overrides is
# in effect unless the provider is also in a filesystem mirror, so the build
# is laid into one.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=-buildvcs=false CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

tf=$(scripts/terraform-cli.sh)
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
header() { printf '\n==== %s\n' "$*"; }

go build -o "$work/bin/terraform-provider-salesforce" .
go build -o "$work/orgsim" ./internal/orgsim/cmd/orgsim
platform="$(go env GOOS)_$(go env GOARCH)"
for host in registry.terraform.io registry.opentofu.org; do
  dir="$work/mirror/$host/connectedapps/salesforce/0.0.1/$platform"
  mkdir -p "$dir"
  cp "$work/bin/terraform-provider-salesforce" "$dir/terraform-provider-salesforce_v0.0.1"
done
cat >"$work/cli.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "connectedapps/salesforce" = "$work/bin"
  }
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/connectedapps/salesforce", "registry.opentofu.org/connectedapps/salesforce"]
  }
}
TFRC
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"

# start_org NAME ORG_ID starts a simulated org and sets NAME_url and NAME_token.
start_org() {
  local name=$1 org_id=$2 token
  token="00DMULTI!$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  mkfifo "$work/$name.out"
  "$work/orgsim" -load examples/demo/org -org-id "$org_id" -access-token "$token" \
    >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  exec {fd}<"$work/$name.out"
  local url
  read -r -t 30 url <&"$fd" || { cat "$work/$name.log"; exit 1; }
  cat <&"$fd" >/dev/null &
  printf -v "${name}_url" '%s' "$url"
  printf -v "${name}_token" '%s' "$token"
}
production_id=00D000000000PRDEA2
sandbox_id=00D000000000SBXEA2
start_org production "$production_id"
start_org sandbox "$sandbox_id"

mkdir -p "$work/examples"
cp -r examples/modules examples/multi-org "$work/examples/"
cd "$work/examples/multi-org"
tfvars() {
  cat >terraform.tfvars.json <<JSON
{
  "production": {"instance_url": "$production_url", "access_token": "$production_token", "expected_org_id": "$1"},
  "sandbox": {"instance_url": "$sandbox_url", "access_token": "$sandbox_token", "expected_org_id": "$2"}
}
JSON
}
# writes prints the write calls an org has counted, such as
# "metadata.updateMetadata:2 rest.sobjects.create:1".
writes() { curl -fsS "$1/_orgsim/calls" | tr ',' '\n' | grep -E 'updateMetadata|sobjects.create' | tr -d ' {}"' | paste -sd ' ' -; }

header "terraform init (filesystem mirror)"
"$tf" init -input=false -no-color >/dev/null
echo "init complete"

header "Apply the module to production and the sandbox"
tfvars "$production_id" "$sandbox_id"
"$tf" apply -auto-approve -input=false -no-color

header "Plan again: no changes"
"$tf" plan -input=false -no-color -detailed-exitcode

header "Crossed expected_org_id: the run stops before any write"
tfvars "$sandbox_id" "$production_id"
before="production: $(writes "$production_url"); sandbox: $(writes "$sandbox_url")"
set +e
"$tf" apply -auto-approve -input=false -no-color -var-file=terraform.tfvars.json >"$work/crossed.log" 2>&1
rc=$?
set -e
after="production: $(writes "$production_url"); sandbox: $(writes "$sandbox_url")"
grep -m1 -A3 "Credentials reach another org" "$work/crossed.log" || true
if [ "$rc" -eq 0 ]; then echo "the crossed run succeeded; it must fail"; exit 1; fi
if [ "$before" != "$after" ]; then echo "writes reached an org: before $before, after $after"; exit 1; fi
echo "stopped with exit code $rc and no write; write calls so far: $after"
