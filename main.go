// Command terraform-provider-salesforce is a Terraform provider that manages
// Salesforce connected apps, their access policies and the profiles and
// permission sets that may use them.
package main

import (
	"flag"
	"log"

	"github.com/connectedapps/terraform-provider-salesforce/internal/provider"
	"github.com/connectedapps/terraform-provider-salesforce/internal/providerserve"
)

// version is set by goreleaser at build time.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()

	if err := providerserve.Serve("registry.terraform.io/connectedapps/salesforce", provider.New(version), debug); err != nil {
		log.Fatal(err.Error())
	}
}
