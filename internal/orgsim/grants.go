package orgsim

import (
	"fmt"
	"sort"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// grantsOf returns the app's SetupEntityAccess rows in creation order.
func (s *orgState) grantsOf(app *connectedApp) []*grant {
	var out []*grant
	for _, g := range s.grants {
		if g.app == app {
			out = append(out, g)
		}
	}
	return out
}

// findGrant returns the row that gives parent access to app, or nil.
func (s *orgState) findGrant(parent *permissionSet, app *connectedApp) *grant {
	for _, g := range s.grants {
		if g.parent == parent && g.app == app {
			return g
		}
	}
	return nil
}

func (s *orgState) removeGrant(target *grant) {
	kept := s.grants[:0]
	for _, g := range s.grants {
		if g != target {
			kept = append(kept, g)
		}
	}
	for i := len(kept); i < len(s.grants); i++ {
		s.grants[i] = nil
	}
	s.grants = kept
	s.deletedGrants[target.id] = true
}

// deleteApp removes the app and its SetupEntityAccess rows.
func (s *orgState) deleteApp(app *connectedApp) {
	for _, g := range s.grantsOf(app) {
		s.removeGrant(g)
	}
	delete(s.apps, strings.ToLower(app.fullName))
}

func (s *orgState) permissionSetByID(id string) *permissionSet {
	for _, ps := range s.permissionSets {
		if sameID(ps.id, id) {
			return ps
		}
	}
	return nil
}

func (s *orgState) appByID(id string) *connectedApp {
	for _, app := range s.apps {
		if sameID(app.id, id) {
			return app
		}
	}
	return nil
}

func (s *orgState) grantByID(id string) *grant {
	for _, g := range s.grants {
		if sameID(g.id, id) {
			return g
		}
	}
	return nil
}

// qualifiedName returns the API name with its namespace prefix, as
// metadata files name a managed permission set.
func (ps *permissionSet) qualifiedName() string {
	if ps.namespacePrefix == "" {
		return ps.name
	}
	return ps.namespacePrefix + "__" + ps.name
}

// listEntry is one rendered profileName or permissionSetName value.
type listEntry struct {
	name string
	seq  int
}

// renderedLists returns the profileName and permissionSetName values of an
// app: its grants, named by profile Setup name or permission set label,
// merged with the loose loaded names, in creation order.
func (s *orgState) renderedLists(app *connectedApp) (profiles, permissionSets []string) {
	var profileEntries, setEntries []listEntry
	for _, g := range s.grantsOf(app) {
		if g.parent.profile != nil {
			profileEntries = append(profileEntries, listEntry{g.parent.profile.name, g.seq})
		} else {
			setEntries = append(setEntries, listEntry{g.parent.label, g.seq})
		}
	}
	for _, l := range app.looseProfiles {
		profileEntries = append(profileEntries, listEntry(l))
	}
	for _, l := range app.loosePermissionSets {
		setEntries = append(setEntries, listEntry(l))
	}
	return entryNames(profileEntries), entryNames(setEntries)
}

func entryNames(entries []listEntry) []string {
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].seq < entries[j].seq })
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.name
	}
	return names
}

// renderApp returns the readMetadata record of app for the API version.
func (s *orgState) renderApp(app *connectedApp, version float64) *xmltree.Element {
	rec := app.tree.Clone()
	rec.Name = "records"
	rec.Type = "ConnectedApp"
	rec.Nil = false
	rec.RemoveChildren("fullName")
	rec.Children = append([]*xmltree.Element{xmltree.NewText("fullName", app.fullName)}, rec.Children...)

	if oauth := rec.Child("oauthConfig"); oauth != nil {
		oauth.RemoveChildren("consumerSecret")
		var scopes []string
		for _, c := range oauth.ChildrenNamed("scopes") {
			scopes = append(scopes, c.Text)
		}
		if len(scopes) > 0 {
			replaceRun(oauth, "ConnectedAppOauthConfig", "scopes", textElements("scopes", canonicalScopes(scopes)))
		}
	}

	profiles, sets := s.renderedLists(app)
	replaceRun(rec, "ConnectedApp", "permissionSetName", textElements("permissionSetName", sets))
	replaceRun(rec, "ConnectedApp", "profileName", textElements("profileName", profiles))
	dropNewerElements(rec, "ConnectedApp", version)
	return rec
}

func textElements(name string, values []string) []*xmltree.Element {
	out := make([]*xmltree.Element, len(values))
	for i, v := range values {
		out[i] = xmltree.NewText(name, v)
	}
	return out
}

// saveError is one Error of a SaveResult or DeleteResult.
type saveError struct {
	statusCode string
	message    string
	fields     []string
}

func (e saveError) Error() string {
	return e.statusCode + ": " + e.message
}

// resolveProfiles maps the profileName values of an API write to the
// permission sets the profiles own. loose holds the app's stored names that
// match no profile. Writing one of them back keeps it, so that an app can be
// written back as it was read.
//
// NOTE: retrieved lists can repeat a profile name, such as "Authenticated
// Website", so Setup names need not be unique. Each repeat takes the next
// profile of that name, and further repeats are ignored. Salesforce's
// handling is unconfirmed.
func (s *orgState) resolveProfiles(names []string, loose []looseName) ([]*permissionSet, []looseName, []saveError) {
	return resolveNames("profileName", "Profile", names, loose, s.nextProfile)
}

// resolvePermissionSets maps the permissionSetName values of an API write
// to permission sets, matching labels first and then API names, with the
// same handling of repeats and loose names as resolveProfiles.
//
// NOTE: that permissionSetName holds the label is inferred from retrieved
// files whose values contain spaces; it is unconfirmed.
func (s *orgState) resolvePermissionSets(names []string, loose []looseName) ([]*permissionSet, []looseName, []saveError) {
	return resolveNames("permissionSetName", "PermissionSet", names, loose, s.nextPermissionSet)
}

// nextProfile returns the permission set owned by the first profile whose
// Setup name is name and whose set is not taken, and whether any profile
// has that name.
func (s *orgState) nextProfile(name string, taken map[*permissionSet]bool) (*permissionSet, bool) {
	exists := false
	for _, p := range s.profiles {
		if p.name != name {
			continue
		}
		exists = true
		if !taken[p.ownedSet] {
			return p.ownedSet, true
		}
	}
	return nil, exists
}

// nextPermissionSet returns the first untaken permission set whose label is
// name, else the first whose API name (with or without namespace prefix)
// is name, and whether any permission set matches at all.
func (s *orgState) nextPermissionSet(name string, taken map[*permissionSet]bool) (*permissionSet, bool) {
	exists := false
	for _, byLabel := range []bool{true, false} {
		for _, ps := range s.permissionSets {
			if ps.profile != nil {
				continue
			}
			match := ps.label == name
			if !byLabel {
				match = ps.name == name || ps.qualifiedName() == name
			}
			if !match {
				continue
			}
			exists = true
			if !taken[ps] {
				return ps, true
			}
		}
	}
	return nil, exists
}

// resolveNames resolves written list values with find, which returns the
// next untaken match and whether any match exists.
func resolveNames(field, typeName string, names []string, loose []looseName,
	find func(name string, taken map[*permissionSet]bool) (*permissionSet, bool)) ([]*permissionSet, []looseName, []saveError) {
	var parents []*permissionSet
	var kept []looseName
	var errs []saveError
	taken := map[*permissionSet]bool{}
	usedLoose := map[int]bool{}
	keptNames := map[string]bool{}
	for _, name := range names {
		ps, exists := find(name, taken)
		if ps != nil {
			taken[ps] = true
			parents = append(parents, ps)
			continue
		}
		if exists {
			continue
		}
		matched := false
		for i, l := range loose {
			if !usedLoose[i] && l.name == name {
				usedLoose[i], matched = true, true
				kept = append(kept, l)
				keptNames[name] = true
				break
			}
		}
		if matched || keptNames[name] {
			continue
		}
		// NOTE: the status code and text for a name that matches nothing
		// are unconfirmed.
		errs = append(errs, saveError{"INVALID_CROSS_REFERENCE_KEY",
			fmt.Sprintf("In field: %s - no %s named %s found", field, typeName, name), []string{field}})
	}
	return parents, kept, errs
}

// managedParentError is the error for adding or removing access through a
// permission set of a managed package.
//
// NOTE: the Setup UI shows "Cannot Modify Managed Component"; the API status
// code CANNOT_MODIFY_MANAGED_OBJECT and this text are unconfirmed.
func managedParentError(ps *permissionSet) saveError {
	return saveError{"CANNOT_MODIFY_MANAGED_OBJECT",
		fmt.Sprintf("Cannot modify managed object: permission set %s belongs to namespace %s", ps.qualifiedName(), ps.namespacePrefix),
		[]string{"ParentId"}}
}

// planGrantChange checks that the app's grants of one kind (profile-owned
// parents or not) can become exactly want, without changing anything.
func (s *orgState) planGrantChange(app *connectedApp, profileOwned bool, want []*permissionSet) (add []*permissionSet, remove []*grant, errs []saveError) {
	desired := map[*permissionSet]bool{}
	for _, ps := range want {
		desired[ps] = true
	}
	for _, g := range s.grantsOf(app) {
		if (g.parent.profile != nil) != profileOwned || desired[g.parent] {
			continue
		}
		if g.parent.namespacePrefix != "" {
			errs = append(errs, managedParentError(g.parent))
			continue
		}
		remove = append(remove, g)
	}
	for _, ps := range want {
		if s.findGrant(ps, app) != nil {
			continue
		}
		if ps.namespacePrefix != "" {
			errs = append(errs, managedParentError(ps))
			continue
		}
		add = append(add, ps)
	}
	return add, remove, errs
}

// addGrant inserts a SetupEntityAccess row. The caller has checked that no
// row for the pair exists.
func (o *Org) addGrant(s *orgState, parent *permissionSet, app *connectedApp) *grant {
	seq := o.nextSeq()
	g := &grant{id: newID(prefixSetupEntityAccess, seq), parent: parent, app: app, seq: seq}
	s.grants = append(s.grants, g)
	return g
}

// isBlankList reports whether a written list is the single empty element
// that clears the list.
func isBlankList(values []string) bool {
	return len(values) == 1 && strings.TrimSpace(values[0]) == ""
}
