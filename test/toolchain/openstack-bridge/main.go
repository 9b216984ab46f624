// Command pulumi-resource-openstack: the openstack resource plugin the engine tests run, built from
// terraform-provider-openstack through pulumi-terraform-bridge, since the Go module proxy refuses
// pulumi-openstack's own provider module. It answers to the tokens and property names that the SDK the
// program uses (@pulumi/openstack, the version stamped at link time) sends; see resources.go.
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
)

// version is what the engine asks for (the SDK's version); install.sh stamps it with -X main.version.
var version = "0.0.0-unstamped"

func main() {
	// No embedded Pulumi schema: the bridge only uses one for GetSchema (code generation) and an optional
	// type check of the provider configuration; the tokens and names come from the mapping itself.
	tfbridge.Main("openstack", version, provider(version), nil)
}
