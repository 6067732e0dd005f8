package orgsim

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// standardProfileNames maps the metadata fullNames of standard profiles to
// their Setup names. Other profile files use their decoded file name.
var standardProfileNames = map[string]string{
	"Admin":            "System Administrator",
	"Standard":         "Standard User",
	"ReadOnly":         "Read Only",
	"MarketingProfile": "Marketing User",
	"ContractManager":  "Contract Manager",
	"SolutionManager":  "Solution Manager",
	"StandardAul":      "Standard Platform User",
}

// Source-format file suffixes.
const (
	connectedAppSuffix  = ".connectedApp-meta.xml"
	permissionSetSuffix = ".permissionset-meta.xml"
	profileSuffix       = ".profile-meta.xml"
)

// LoadDir loads an sfdx source folder as existing org state: profiles from
// profiles/*.profile-meta.xml, permission sets from
// permissionsets/*.permissionset-meta.xml, then connected apps from
// connectedApps/*.connectedApp-meta.xml. File names are percent-decoded
// fullNames. An app named ns__Name is taken to be installed from the managed
// package ns. At least one of the three folders must exist.
func (o *Org) LoadDir(dir string) error {
	found := false
	profiles, err := listSourceFiles(dir, "profiles", profileSuffix, &found)
	if err != nil {
		return err
	}
	sets, err := listSourceFiles(dir, "permissionsets", permissionSetSuffix, &found)
	if err != nil {
		return err
	}
	apps, err := listSourceFiles(dir, "connectedApps", connectedAppSuffix, &found)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("orgsim: %s has no connectedApps, permissionsets or profiles folder", dir)
	}

	for _, f := range profiles {
		name := f.fullName
		if setupName, ok := standardProfileNames[name]; ok {
			name = setupName
		}
		o.AddProfile(f.fullName, name)
	}
	for _, f := range sets {
		if err := o.loadPermissionSet(f); err != nil {
			return err
		}
	}
	for _, f := range apps {
		data, err := os.ReadFile(f.path)
		if err != nil {
			return fmt.Errorf("orgsim: %w", err)
		}
		var props LoadProps
		if ns, _, ok := strings.Cut(f.fullName, "__"); ok {
			props = LoadProps{NamespacePrefix: ns, ManageableState: "installed"}
		}
		if err := o.LoadConnectedApp(f.fullName, data, props); err != nil {
			return fmt.Errorf("orgsim: loading %s: %w", f.path, err)
		}
	}
	return nil
}

type sourceFile struct {
	path     string
	fullName string
}

// listSourceFiles returns the files of dir/folder ending in suffix, sorted
// by name, and sets *found when the folder exists.
func listSourceFiles(dir, folder, suffix string, found *bool) ([]sourceFile, error) {
	entries, err := os.ReadDir(filepath.Join(dir, folder))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("orgsim: %w", err)
	}
	*found = true
	var files []sourceFile
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), suffix) {
			continue
		}
		name, err := url.PathUnescape(strings.TrimSuffix(e.Name(), suffix))
		if err != nil {
			return nil, fmt.Errorf("orgsim: file name %s: %w", e.Name(), err)
		}
		files = append(files, sourceFile{path: filepath.Join(dir, folder, e.Name()), fullName: name})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].fullName < files[j].fullName })
	return files, nil
}

func (o *Org) loadPermissionSet(f sourceFile) error {
	data, err := os.ReadFile(f.path)
	if err != nil {
		return fmt.Errorf("orgsim: %w", err)
	}
	root, err := xmltree.ParseBytes(data)
	if err != nil {
		return fmt.Errorf("orgsim: loading %s: %w", f.path, err)
	}
	label, ok := root.ChildText("label")
	if !ok || strings.TrimSpace(label) == "" {
		label = f.fullName
	}
	ns, name := "", f.fullName
	if prefix, rest, found := strings.Cut(f.fullName, "__"); found {
		ns, name = prefix, rest
	}
	o.AddPermissionSet(name, strings.TrimSpace(label), ns)
	return nil
}

var manageableStates = []string{
	"released", "deleted", "deprecated", "installed", "beta", "unmanaged", "installedEditable", "deprecatedEditable",
}

// LoadConnectedApp adds a connected app as existing org state. The XML is a
// ConnectedApp document as a source file holds it, accepted as real orgs
// hold such data: unknown elements, any order, and content after the root
// element (which is ignored). A fullName child, when present, must equal
// fullName. A profileName entry that is the Setup name of a profile of the
// org becomes a SetupEntityAccess row, and so does a permissionSetName
// entry that is a permission set's label or API name. Other entries are
// kept as strings.
func (o *Org) LoadConnectedApp(fullName string, xml []byte, props LoadProps) error {
	if strings.TrimSpace(fullName) == "" {
		return errors.New("orgsim: LoadConnectedApp needs a fullName")
	}
	root, err := xmltree.ParseBytes(xml)
	if err != nil {
		return fmt.Errorf("orgsim: %w", err)
	}
	if root.Name != "ConnectedApp" {
		return fmt.Errorf("orgsim: the root element is <%s>, expected <ConnectedApp>", root.Name)
	}
	if name, ok := root.ChildText("fullName"); ok && strings.TrimSpace(name) != fullName {
		return fmt.Errorf("orgsim: the document's fullName %q differs from %q", name, fullName)
	}
	state := props.ManageableState
	if state == "" && !props.OAuthInstalled {
		state = "unmanaged"
		if props.NamespacePrefix != "" {
			state = "installed"
		}
	}
	if props.OAuthInstalled && (state != "" || props.NamespacePrefix != "") {
		return errors.New("orgsim: an OAuth-installed app has no ManageableState and no NamespacePrefix")
	}
	if !props.OAuthInstalled && !contains(manageableStates, state) {
		return fmt.Errorf("orgsim: invalid ManageableState %q; expected one of %s", state, strings.Join(manageableStates, ", "))
	}

	o.mu.Lock()
	defer o.mu.Unlock()
	if existing := o.state.lookup(fullName); existing != nil {
		return fmt.Errorf("orgsim: a ConnectedApp named %s is already loaded", existing.fullName)
	}
	tree := root.Clone()
	tree.RemoveChildren("fullName")
	tree.Type, tree.Nil = "", false
	now := o.now()
	app := &connectedApp{
		id:              newID(prefixConnectedApplication, o.nextSeq()),
		fullName:        fullName,
		tree:            tree,
		namespacePrefix: props.NamespacePrefix,
		manageableState: state,
		oauthInstalled:  props.OAuthInstalled,
		createdBy:       o.adminUser, modifiedBy: o.adminUser,
		created: now, modified: now,
	}
	if oauth := tree.Child("oauthConfig"); oauth != nil {
		app.consumerKey, _ = oauth.ChildText("consumerKey")
		secret, hasSecret := oauth.ChildText("consumerSecret")
		if !hasSecret {
			// The org holds a secret for every OAuth app even when the
			// source file, like every retrieved file, leaves it out.
			secret = randomString(64, "0123456789ABCDEF")
		}
		app.secretHash, app.hasSecret = hashSecret(secret), true
		oauth.RemoveChildren("consumerSecret")
	}
	o.state.apps[strings.ToLower(fullName)] = app

	app.looseProfiles = o.loadGrants(app, tree.ChildrenNamed("profileName"), o.state.nextProfile)
	app.loosePermissionSets = o.loadGrants(app, tree.ChildrenNamed("permissionSetName"), o.state.nextPermissionSet)
	return nil
}

// loadGrants turns the list entries of a loaded app into SetupEntityAccess
// rows where find resolves them, and returns the others as loose names.
// The caller holds o.mu.
func (o *Org) loadGrants(app *connectedApp, entries []*xmltree.Element,
	find func(name string, taken map[*permissionSet]bool) (*permissionSet, bool)) []looseName {
	var loose []looseName
	taken := map[*permissionSet]bool{}
	for _, el := range entries {
		seq := o.nextSeq()
		if ps, _ := find(el.Text, taken); ps != nil {
			taken[ps] = true
			o.state.grants = append(o.state.grants, &grant{id: newID(prefixSetupEntityAccess, seq), parent: ps, app: app, seq: seq})
			continue
		}
		loose = append(loose, looseName{el.Text, seq})
	}
	return loose
}
