#!/usr/bin/env bash
# Renders docs/ from templates/ and examples/ with tfplugindocs. The provider
# schema is exported through a dev_overrides CLI configuration, which works
# offline with Terraform and OpenTofu alike. "check" fails when docs/ changes.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-generate}"

tf=$(scripts/terraform-cli.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/bin/terraform-provider-salesforce" .
cat >"$work/dev.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "hashicorp/salesforce" = "$work/bin"
  }
  direct {}
}
TFRC
mkdir "$work/ws"
printf 'provider "salesforce" {}\n' >"$work/ws/main.tf"
(cd "$work/ws" && TF_CLI_CONFIG_FILE="$work/dev.tfrc" "$tf" providers schema -json 2>/dev/null) |
  sed 's#"registry.opentofu.org/#"registry.terraform.io/#' >"$work/schema.json"

tfplugindocs() { go tool -modfile=tools/go.mod tfplugindocs "$@"; }
tfplugindocs generate --provider-name salesforce --providers-schema "$work/schema.json"
tfplugindocs validate --provider-name salesforce --providers-schema "$work/schema.json"

if [ "$mode" = check ]; then
  if ! git diff --exit-code -- docs/ || [ -n "$(git ls-files --others --exclude-standard docs/)" ]; then
    echo "docs/ is out of date: run 'make docs' and commit the result" >&2
    exit 1
  fi
fi
