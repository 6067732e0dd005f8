//go:build tools

// Package tools pins the OpenTofu CLI that the build falls back to when no
// Terraform 1.11 or later is on PATH.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
