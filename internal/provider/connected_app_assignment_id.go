package provider

import (
	"fmt"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
)

type grantKind string

const (
	grantProfile       grantKind = "profile"
	grantPermissionSet grantKind = "permission_set"
)

// grant identifies one assignment: a profile or permission set and the app.
type grant struct {
	app  string
	kind grantKind
	name string
}

func (m *connectedAppAssignmentModel) grant() grant {
	if !m.Profile.IsNull() {
		return grant{app: m.ConnectedApp.ValueString(), kind: grantProfile, name: m.Profile.ValueString()}
	}
	return grant{app: m.ConnectedApp.ValueString(), kind: grantPermissionSet, name: m.PermissionSet.ValueString()}
}

// id returns the import ID of the grant.
func (g grant) id() string {
	return g.app + "/" + string(g.kind) + "/" + g.name
}

// subject names the grantee for messages, such as `the profile "Sales"`.
func (g grant) subject() string {
	if g.kind == grantProfile {
		return fmt.Sprintf("the profile %q", g.name)
	}
	return fmt.Sprintf("the permission set %q", g.name)
}

// parseGrantID parses APP/profile/NAME or APP/permission_set/NAME. NAME is
// everything after the second slash, because profile names may contain one.
func parseGrantID(id string) (grant, error) {
	parts := strings.SplitN(id, "/", 3)
	if len(parts) == 3 && parts[0] != "" && parts[2] != "" {
		switch grantKind(parts[1]) {
		case grantProfile, grantPermissionSet:
			return grant{app: parts[0], kind: grantKind(parts[1]), name: parts[2]}, nil
		}
	}
	return grant{}, fmt.Errorf("import ID %q does not have the form APP/profile/NAME or "+
		"APP/permission_set/NAME, such as My_App/profile/System Administrator or "+
		"My_App/permission_set/Integration_Users", id)
}

// grantMatches reports whether a SetupEntityAccess row grants the app to the
// named profile or permission set.
// Salesforce compares profile and permission set names without regard to
// case, as SOQL's = does, so the lookups find "standard user" as Standard
// User; the match here does the same.
func grantMatches(row salesforce.Grant, kind grantKind, name string) bool {
	if kind == grantProfile {
		return row.IsOwnedByProfile && strings.EqualFold(row.ProfileName, name)
	}
	if row.IsOwnedByProfile {
		return false
	}
	return strings.EqualFold(permissionSetAPIName(row.ParentNamespacePrefix, row.ParentName), name)
}

// permissionSetAPIName joins a namespace prefix and a name the way
// Salesforce writes qualified API names.
func permissionSetAPIName(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "__" + name
}
