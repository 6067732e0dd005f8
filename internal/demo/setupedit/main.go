// Command setupedit changes one setting of a connected app through the
// Metadata API, as an admin editing the app in Setup would. make demo uses it
// to cause drift between a Terraform run and the next plan.
//
//	setupedit -app Vendor_Sync -ip-relaxation BYPASS
//
// It signs in with SALESFORCE_INSTANCE_URL and SALESFORCE_ACCESS_TOKEN.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
)

func main() {
	app := flag.String("app", "", "API name of the connected app")
	ipRelaxation := flag.String("ip-relaxation", "", "new oauthPolicy.ipRelaxation, such as BYPASS")
	flag.Parse()
	if *app == "" || *ipRelaxation == "" {
		fmt.Fprintln(os.Stderr, "usage: setupedit -app NAME -ip-relaxation VALUE")
		os.Exit(2)
	}
	if err := run(context.Background(), *app, *ipRelaxation); err != nil {
		fmt.Fprintln(os.Stderr, "setupedit:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, name, ipRelaxation string) error {
	instance := os.Getenv("SALESFORCE_INSTANCE_URL")
	client, err := salesforce.New(ctx, salesforce.Config{
		Auth: auth.Config{
			LoginURL:    instance,
			InstanceURL: instance,
			AccessToken: os.Getenv("SALESFORCE_ACCESS_TOKEN"),
		},
		APIVersion: "68.0",
	})
	if err != nil {
		return err
	}
	app, err := client.FindConnectedApp(ctx, name)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	policy, err := app.RefreshTokenPolicy()
	if err != nil {
		return err
	}
	app.SetOAuthPolicy(ipRelaxation, policy)
	if err := client.UpdateConnectedApp(ctx, app); err != nil {
		return fmt.Errorf("updating %s: %w", name, err)
	}
	fmt.Printf("set oauthPolicy.ipRelaxation of %s to %s through updateMetadata\n", name, ipRelaxation)
	return nil
}
