// Package bench measures the provider end to end: it runs the Terraform CLI
// against a simulated org with a configured latency and reports the API
// calls, wall time and provider memory of an apply and two plans.
package bench

import (
	"fmt"
	"os"
	"path/filepath"
)

// Fixture names of the benchmark org.
const (
	ProfileName        = "System Administrator"
	PermissionSetSync  = "Bench_Sync_Users"
	PermissionSetAudit = "Bench_Auditors"
	contactEmail       = "bench-owner@example.com"
)

// AppName returns the API name of the benchmark app i, counted from 1.
func AppName(i int) string {
	return fmt.Sprintf("Bench_App_%04d", i)
}

func appLabel(i int) string {
	return fmt.Sprintf("Bench App %04d", i)
}

func callbackURL(i int) string {
	return fmt.Sprintf("https://app%04d.example.com/oauth/callback", i)
}

// WriteOrg writes an sfdx source folder for orgsim -load. It holds the
// given number of connected apps, with OAuth settings and the policies of
// an app nobody has edited, two profiles and two permission sets.
func WriteOrg(dir string, apps int) error {
	files := map[string]string{
		"profiles/Admin.profile-meta.xml":                                  profileXML,
		"profiles/Standard.profile-meta.xml":                               profileXML,
		"permissionsets/" + PermissionSetSync + ".permissionset-meta.xml":  permissionSetXML("Bench Sync Users"),
		"permissionsets/" + PermissionSetAudit + ".permissionset-meta.xml": permissionSetXML("Bench Auditors"),
	}
	for i := 1; i <= apps; i++ {
		files["connectedApps/"+AppName(i)+".connectedApp-meta.xml"] = appXML(i)
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return err
		}
	}
	return nil
}

const profileXML = `<?xml version="1.0" encoding="UTF-8"?>
<Profile xmlns="http://soap.sforce.com/2006/04/metadata">
    <custom>false</custom>
    <userLicense>Salesforce</userLicense>
</Profile>
`

func permissionSetXML(label string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <hasActivationRequired>false</hasActivationRequired>
    <label>` + label + `</label>
</PermissionSet>
`
}

func appXML(i int) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>%s</contactEmail>
    <label>%s</label>
    <oauthConfig>
        <callbackUrl>%s</callbackUrl>
        <consumerKey>3MVG9BENCH%04d000000000000000000000000000000000000000000000000000000000000000000</consumerKey>
        <isAdminApproved>false</isAdminApproved>
        <isPkceRequired>true</isPkceRequired>
        <scopes>Api</scopes>
        <scopes>RefreshToken</scopes>
    </oauthConfig>
    <oauthPolicy>
        <ipRelaxation>ENFORCE</ipRelaxation>
        <refreshTokenPolicy>infinite</refreshTokenPolicy>
    </oauthPolicy>
</ConnectedApp>
`, contactEmail, appLabel(i), callbackURL(i), i)
}
