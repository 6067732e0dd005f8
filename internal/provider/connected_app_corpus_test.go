package provider

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
	"github.com/connectedapps/terraform-provider-salesforce/internal/testcorpus"
)

// corpusExpectation is what importing one corpus file must give.
type corpusExpectation struct {
	props orgsim.LoadProps
	// failure matches the error that a file which is not valid metadata
	// must give; nil means the whole import, plan and update cycle passes.
	failure *regexp.Regexp
}

var placeholderPattern = regexp.MustCompile(`\{[A-Z][A-Z0-9_]*\}`)

// expectCorpus classifies a corpus file by its content. A stub of an app
// installed from a managed package, which names its namespace in
// developerName, is loaded as installed and must fail import. A template
// whose values are placeholders such as {USEREMAIL}, or a file naming
// scopes that do not exist, must fail validation on one of those values.
func expectCorpus(t *testing.T, data []byte) corpusExpectation {
	t.Helper()
	root, err := xmltree.ParseBytes(data)
	if err != nil {
		t.Fatalf("parsing: %v", err)
	}
	if dev, ok := root.ChildText("developerName"); ok {
		if ns, _, found := strings.Cut(strings.TrimSpace(dev), "__"); found {
			return corpusExpectation{
				props:   orgsim.LoadProps{NamespacePrefix: ns},
				failure: regexp.MustCompile(`installed\s+from\s+a\s+managed\s+package`),
			}
		}
	}

	bad := map[string]bool{}
	var walk func(el *xmltree.Element)
	walk = func(el *xmltree.Element) {
		for _, p := range placeholderPattern.FindAllString(el.Text, -1) {
			bad[regexp.QuoteMeta(p)] = true
		}
		for _, c := range el.Children {
			walk(c)
		}
	}
	walk(root)
	known := map[string]bool{}
	for _, s := range connectedapp.Scopes() {
		known[s] = true
	}
	for _, s := range connectedapp.FromElement(root).Scopes() {
		if !known[strings.TrimSpace(s)] {
			bad[`"`+regexp.QuoteMeta(strings.TrimSpace(s))+`"`] = true
		}
	}
	if len(bad) == 0 {
		return corpusExpectation{}
	}
	alternatives := make([]string, 0, len(bad))
	for p := range bad {
		alternatives = append(alternatives, p)
	}
	sort.Strings(alternatives)
	return corpusExpectation{failure: regexp.MustCompile(`(?s)Invalid Attribute Value.*(` + strings.Join(alternatives, "|") + `)`)}
}

// TestAccConnectedApp_corpus loads each corpus file into its own simulated
// org as Corpus_NN. It imports the app with -generate-config-out, which
// must plan no change, then imports it with a configuration written from
// the org's settings, changes the description and checks that every other
// element of the component is unchanged. Files that are not valid metadata
// must fail with an error naming the reason.
func TestAccConnectedApp_corpus(t *testing.T) {
	files := testcorpus.Files(t)
	for _, f := range files {
		t.Run(f.Name, func(t *testing.T) {
			org := newTestOrg(t)
			if org.live {
				t.Skip("the corpus is loaded into a simulated org")
			}
			want := expectCorpus(t, f.Data)
			if err := org.server.Org.LoadConnectedApp(f.Name, f.Data, want.props); err != nil {
				t.Fatalf("loading: %v", err)
			}
			importBlock := fmt.Sprintf("import {\n  to = salesforce_connected_app.test\n  id = %q\n}\n", f.Name)
			generate := resource.TestStep{
				Config:                 org.providerConfig() + importBlock,
				ResourceName:           "salesforce_connected_app.test",
				ImportState:            true,
				ImportStateId:          f.Name,
				ImportStateKind:        resource.ImportBlockWithID,
				ImportStateConfigExact: true,
				GenerateConfig:         true,
			}
			if want.failure != nil {
				generate.ExpectError = want.failure
				org.run(t, resource.TestCase{Steps: []resource.TestStep{generate}})
				return
			}
			org.run(t, corpusCycle(t, org, f.Name, importBlock, generate))
		})
	}
}

// corpusCycle returns the steps for a valid corpus app: generated import,
// import with a written configuration, and one change.
func corpusCycle(t *testing.T, org *testOrg, name, importBlock string, generate resource.TestStep) resource.TestCase {
	const address = "salesforce_connected_app.test"
	before := org.readApp(t, name)
	model := modelOf(t, before)
	config := org.providerConfig() + importBlock + connectedAppHCL(t, address, model)

	changed := *model
	changed.Description = types.StringValue("Changed by Terraform")
	changed.DeletionProtection = types.BoolValue(false)
	changedConfig := org.providerConfig() + connectedAppHCL(t, address, &changed)

	return resource.TestCase{
		CheckDestroy: checkConnectedAppDestroyed(org),
		Steps: []resource.TestStep{
			generate,
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionNoop)},
				},
				Check: func(*terraform.State) error {
					if after := org.readApp(t, name); !after.Equal(before) {
						return fmt.Errorf("importing changed the component:\nbefore %s\nafter  %s", before.Element(), after.Element())
					}
					return nil
				},
			},
			{
				Config: changedConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					after := org.readApp(t, name)
					if got, _ := after.Text("description"); got != "Changed by Terraform" {
						return fmt.Errorf("org holds description %q, want %q", got, "Changed by Terraform")
					}
					return checkUnchangedExcept(before, after, []string{"description"}, nil)
				},
			},
		},
	}
}
