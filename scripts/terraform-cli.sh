#!/usr/bin/env bash
# Prints the path of a Terraform CLI that supports write-only attributes:
# TF_ACC_TERRAFORM_PATH when set, else terraform 1.11 or later from PATH, else
# OpenTofu 1.12.6 built once from the Go module proxy through tools/tofu and
# cached under $XDG_CACHE_HOME (about 4 minutes on a cold cache).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${TF_ACC_TERRAFORM_PATH:-}" ]; then
  echo "$TF_ACC_TERRAFORM_PATH"
  exit 0
fi

if command -v terraform >/dev/null 2>&1; then
  v=$(TF_CLI_CONFIG_FILE=/dev/null terraform version -json 2>/dev/null |
    sed -n 's/.*"terraform_version": *"\([0-9.]*\).*/\1/p')
  if [ -n "$v" ] && [ "$(printf '%s\n' 1.11.0 "$v" | sort -V | head -1)" = 1.11.0 ]; then
    command -v terraform
    exit 0
  fi
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-salesforce/bin"
tofu="$cache/tofu-v1.12.6"
if [ ! -x "$tofu" ]; then
  mkdir -p "$cache"
  echo "No Terraform 1.11 or later on PATH; building OpenTofu 1.12.6 from the Go module proxy into $tofu" >&2
  (cd tools/tofu && GOFLAGS=-buildvcs=false go build -trimpath \
    -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
    -o "$tofu.tmp" github.com/opentofu/opentofu/cmd/tofu) >&2
  mv "$tofu.tmp" "$tofu"
fi
echo "$tofu"
