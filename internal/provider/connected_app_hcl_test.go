package provider

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

// connectedAppHCL renders the resource block that a user who copies the
// org's settings would write: every attribute that the model sets, except
// the computed id. It is how the tests build configurations for apps they
// import, independently of terraform plan -generate-config-out.
func connectedAppHCL(t *testing.T, address string, m *connectedAppModel) string {
	t.Helper()
	ctx := context.Background()
	var resp resource.SchemaResponse
	NewConnectedAppResource().Schema(ctx, resource.SchemaRequest{}, &resp)
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, m); diags.HasError() {
		t.Fatalf("rendering %s: %v", address, diags)
	}
	typ, name, _ := strings.Cut(address, ".")

	var b strings.Builder
	fmt.Fprintf(&b, "resource %q %q ", typ, name)
	writeHCLValue(t, &b, state.Raw, 0, map[string]bool{"id": true})
	b.WriteString("\n")
	return string(hclwrite.Format([]byte(b.String())))
}

func writeHCLValue(t *testing.T, b *strings.Builder, v tftypes.Value, depth int, skip map[string]bool) {
	t.Helper()
	typ := v.Type()
	switch {
	case typ.Is(tftypes.Object{}):
		var attrs map[string]tftypes.Value
		if err := v.As(&attrs); err != nil {
			t.Fatal(err)
		}
		writeHCLObject(t, b, attrs, depth, skip, false)
	case typ.Is(tftypes.Map{}):
		var elems map[string]tftypes.Value
		if err := v.As(&elems); err != nil {
			t.Fatal(err)
		}
		writeHCLObject(t, b, elems, depth, nil, true)
	case typ.Is(tftypes.List{}), typ.Is(tftypes.Set{}):
		var elems []tftypes.Value
		if err := v.As(&elems); err != nil {
			t.Fatal(err)
		}
		b.WriteString("[")
		for i, e := range elems {
			if i > 0 {
				b.WriteString(", ")
			}
			writeHCLValue(t, b, e, depth+1, nil)
		}
		b.WriteString("]")
	case typ.Is(tftypes.String):
		var s string
		if err := v.As(&s); err != nil {
			t.Fatal(err)
		}
		b.Write(hclwrite.TokensForValue(cty.StringVal(s)).Bytes())
	case typ.Is(tftypes.Bool):
		var x bool
		if err := v.As(&x); err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(b, x)
	case typ.Is(tftypes.Number):
		var n big.Float
		if err := v.As(&n); err != nil {
			t.Fatal(err)
		}
		b.WriteString(n.Text('f', -1))
	default:
		t.Fatalf("cannot render a value of type %s", typ)
	}
}

// writeHCLObject writes an object or a map. Null attributes are left out;
// map keys are always quoted.
func writeHCLObject(t *testing.T, b *strings.Builder, attrs map[string]tftypes.Value, depth int, skip map[string]bool, quoteKeys bool) {
	t.Helper()
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString("{\n")
	for _, k := range keys {
		if skip[k] || attrs[k].IsNull() {
			continue
		}
		if quoteKeys {
			b.Write(hclwrite.TokensForValue(cty.StringVal(k)).Bytes())
		} else {
			b.WriteString(k)
		}
		b.WriteString(" = ")
		writeHCLValue(t, b, attrs[k], depth+1, nil)
		b.WriteString("\n")
	}
	b.WriteString("}")
}

// modelOf returns the model that importing app gives.
func modelOf(t *testing.T, app *connectedapp.App) *connectedAppModel {
	t.Helper()
	m := nullModel()
	if diags := m.fromApp(app); diags.HasError() {
		t.Fatalf("mapping %s: %v", app.FullName(), diags)
	}
	return roundTrip(t, &m)
}
