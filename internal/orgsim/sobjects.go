package orgsim

import (
	"strconv"
	"strings"
)

// fieldKind is the SOAP type of an sObject field as far as queries care.
type fieldKind int

const (
	fieldID fieldKind = iota
	fieldString
	fieldBoolean
	fieldInt
)

// sobjectField is one queryable field. A reference field names the
// relationship that follows it and the object it points to.
type sobjectField struct {
	name         string
	kind         fieldKind
	relationship string
	target       string
}

// sobjectDef is an object the org can query and fetch.
type sobjectDef struct {
	name      string
	keyPrefix string
	fields    []sobjectField
	rows      func(s *orgState, o *Org) []sobjectRow
}

// sobjectRow maps field names, as the describe spells them, to values:
// nil, string, bool or int.
type sobjectRow map[string]any

// sobjectDefs lists the objects the org serves. Each has exactly the fields
// a connected-app provider needs.
var sobjectDefs = []*sobjectDef{
	{
		name: "Organization", keyPrefix: prefixOrganization,
		fields: []sobjectField{{name: "Id", kind: fieldID}, {name: "Name", kind: fieldString}},
		rows: func(_ *orgState, o *Org) []sobjectRow {
			return []sobjectRow{{"Id": o.orgID, "Name": "orgsim"}}
		},
	},
	{
		name: "Profile", keyPrefix: prefixProfile,
		fields: []sobjectField{{name: "Id", kind: fieldID}, {name: "Name", kind: fieldString}},
		rows: func(s *orgState, _ *Org) []sobjectRow {
			rows := make([]sobjectRow, 0, len(s.profiles))
			for _, p := range s.profiles {
				rows = append(rows, sobjectRow{"Id": p.id, "Name": p.name})
			}
			return rows
		},
	},
	{
		name: "PermissionSet", keyPrefix: prefixPermissionSet,
		fields: []sobjectField{
			{name: "Id", kind: fieldID},
			{name: "Name", kind: fieldString},
			{name: "Label", kind: fieldString},
			{name: "NamespacePrefix", kind: fieldString},
			{name: "IsOwnedByProfile", kind: fieldBoolean},
			{name: "ProfileId", kind: fieldID, relationship: "Profile", target: "Profile"},
		},
		rows: func(s *orgState, _ *Org) []sobjectRow {
			rows := make([]sobjectRow, 0, len(s.permissionSets))
			for _, ps := range s.permissionSets {
				row := sobjectRow{
					"Id": ps.id, "Name": ps.name, "Label": ps.label, "NamespacePrefix": nil,
					"IsOwnedByProfile": ps.profile != nil, "ProfileId": nil,
				}
				if ps.namespacePrefix != "" {
					row["NamespacePrefix"] = ps.namespacePrefix
				}
				if ps.profile != nil {
					row["ProfileId"] = ps.profile.id
				}
				rows = append(rows, row)
			}
			return rows
		},
	},
	{
		name: "SetupEntityAccess", keyPrefix: prefixSetupEntityAccess,
		fields: []sobjectField{
			{name: "Id", kind: fieldID},
			{name: "ParentId", kind: fieldID, relationship: "Parent", target: "PermissionSet"},
			{name: "SetupEntityId", kind: fieldID},
			{name: "SetupEntityType", kind: fieldString},
		},
		rows: func(s *orgState, _ *Org) []sobjectRow {
			rows := make([]sobjectRow, 0, len(s.grants))
			for _, g := range s.grants {
				rows = append(rows, sobjectRow{
					"Id": g.id, "ParentId": g.parent.id, "SetupEntityId": g.app.id,
					"SetupEntityType": "ConnectedApplication",
				})
			}
			return rows
		},
	},
	{
		name: "ConnectedApplication", keyPrefix: prefixConnectedApplication,
		fields: []sobjectField{
			{name: "Id", kind: fieldID},
			{name: "Name", kind: fieldString},
			{name: "OptionsAllowAdminApprovedUsersOnly", kind: fieldBoolean},
			{name: "OptionsHasSessionLevelPolicy", kind: fieldBoolean},
			{name: "OptionsRefreshTokenValidityMetric", kind: fieldBoolean},
			{name: "RefreshTokenValidityPeriod", kind: fieldInt},
			{name: "StartUrl", kind: fieldString},
			{name: "MobileStartUrl", kind: fieldString},
		},
		rows: func(s *orgState, _ *Org) []sobjectRow {
			rows := make([]sobjectRow, 0, len(s.apps))
			for _, name := range s.sortedAppNames() {
				rows = append(rows, connectedApplicationRow(s.apps[name]))
			}
			return rows
		},
	},
}

// connectedApplicationRow derives the read-only ConnectedApplication record
// from the stored component.
//
// NOTE: whether Name is the label or the API name is unconfirmed; the
// identity check of make probe-live settles it. The org uses the label, which
// Setup lists as the connected app name. The row exists for managed-package
// apps too, with options taken from the loaded file.
func connectedApplicationRow(app *connectedApp) sobjectRow {
	label, _ := app.text("label")
	row := sobjectRow{
		"Id": app.id, "Name": label,
		"OptionsAllowAdminApprovedUsersOnly": false, "OptionsHasSessionLevelPolicy": false,
		"OptionsRefreshTokenValidityMetric": false, "RefreshTokenValidityPeriod": nil,
		"StartUrl": nil, "MobileStartUrl": nil,
	}
	if v, _ := app.text("oauthConfig", "isAdminApproved"); strings.TrimSpace(v) == "true" {
		row["OptionsAllowAdminApprovedUsersOnly"] = true
	}
	if v, _ := app.text("sessionPolicy", "sessionLevel"); strings.TrimSpace(v) == "HIGH_ASSURANCE" {
		row["OptionsHasSessionLevelPolicy"] = true
	}
	if policy, ok := app.text("oauthPolicy", "refreshTokenPolicy"); ok {
		if m := refreshTokenPolicyPattern.FindStringSubmatch(strings.TrimSpace(policy)); m != nil {
			row["OptionsRefreshTokenValidityMetric"] = m[1] == "specific_inactivity"
			if n, err := strconv.Atoi(m[2]); err == nil {
				row["RefreshTokenValidityPeriod"] = n
			}
		}
	}
	if v, ok := app.text("startUrl"); ok && v != "" {
		row["StartUrl"] = v
	}
	if v, ok := app.text("mobileStartUrl"); ok && v != "" {
		row["MobileStartUrl"] = v
	}
	return row
}

func findSObject(name string) *sobjectDef {
	for _, def := range sobjectDefs {
		if strings.EqualFold(def.name, name) {
			return def
		}
	}
	return nil
}

func (d *sobjectDef) field(name string) *sobjectField {
	for i := range d.fields {
		if strings.EqualFold(d.fields[i].name, name) {
			return &d.fields[i]
		}
	}
	return nil
}

func (d *sobjectDef) relationship(name string) *sobjectField {
	for i := range d.fields {
		if d.fields[i].relationship != "" && strings.EqualFold(d.fields[i].relationship, name) {
			return &d.fields[i]
		}
	}
	return nil
}

// rowByID returns the record of d with the given Id, or nil.
func (d *sobjectDef) rowByID(s *orgState, o *Org, id string) sobjectRow {
	for _, row := range d.rows(s, o) {
		if rid, _ := row["Id"].(string); sameID(rid, id) {
			return row
		}
	}
	return nil
}
