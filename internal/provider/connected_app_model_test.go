package provider

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
	"github.com/connectedapps/terraform-provider-salesforce/internal/testcorpus"
)

// fixtureDir holds the hand-written ConnectedApp fixtures.
const fixtureDir = "../salesforce/connectedapp/testdata"

type componentFile struct {
	name string
	data []byte
}

// componentFiles returns the committed fixtures and, when present, the
// corpus files.
func componentFiles(t *testing.T) []componentFile {
	t.Helper()
	var files []componentFile
	entries, err := os.ReadDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".xml") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(fixtureDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, componentFile{strings.TrimSuffix(e.Name(), ".xml"), data})
	}
	if _, err := os.Stat(testcorpus.Dir(t)); err == nil {
		for _, f := range testcorpus.Files(t) {
			files = append(files, componentFile{f.Name, f.Data})
		}
	}
	return files
}

func parseApp(t *testing.T, data []byte) *connectedapp.App {
	t.Helper()
	el, err := xmltree.ParseBytes(data)
	if err != nil {
		t.Fatalf("parsing: %v", err)
	}
	return connectedapp.FromElement(el)
}

// roundTrip stores the model in a state and reads it back, as Terraform
// does between plan and apply, so that the model's values conform to the
// schema.
func roundTrip(t *testing.T, m *connectedAppModel) *connectedAppModel {
	t.Helper()
	ctx := context.Background()
	var resp resource.SchemaResponse
	NewConnectedAppResource().Schema(ctx, resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, m); diags.HasError() {
		t.Fatalf("setting state: %v", diags)
	}
	var out connectedAppModel
	if diags := state.Get(ctx, &out); diags.HasError() {
		t.Fatalf("getting state: %v", diags)
	}
	return &out
}

func nullModel() connectedAppModel {
	m := connectedAppModel{
		CustomAttributes: types.MapNull(types.StringType),
		Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
			"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
		})},
	}
	for i, v := range m.blockValues() {
		*v = types.ObjectNull(blockAttrTypes(nestedBlocks[i]))
	}
	return m
}

// TestModelWritesBackUnchanged reads every fixture and corpus app into the
// model and writes the model back into the component, which must leave
// every element as it was.
func TestModelWritesBackUnchanged(t *testing.T) {
	for _, f := range componentFiles(t) {
		t.Run(f.name, func(t *testing.T) {
			app := parseApp(t, f.data)
			m := nullModel()
			if diags := m.fromApp(app); diags.HasError() {
				t.Fatalf("fromApp: %v", diags)
			}
			m = *roundTrip(t, &m)

			after := app.Clone()
			m.applyTo(after)
			if !after.Equal(app) {
				t.Errorf("writing the model back changed the component:\nbefore %s\nafter  %s", app.Element(), after.Element())
			}

			again := nullModel()
			if diags := again.fromApp(after); diags.HasError() {
				t.Fatalf("fromApp again: %v", diags)
			}
			if d := m.differences(roundTrip(t, &again)); len(d) > 0 {
				t.Errorf("reading the component again differs: %v", d)
			}
		})
	}
}
