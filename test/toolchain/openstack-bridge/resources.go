package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/terraform-provider-openstack/terraform-provider-openstack/v3/openstack"
)

// pulumi-openstack 3.15.2 wraps terraform-provider-openstack v1.54.1; this wraps v3.4.0, whose attributes
// differ in places the program does not touch (against 3.15.2's schema.json: gone are a volume's
// multiattach, an instance's floating_ip and volumes, an image's update_at, getImage's sort_key and
// sort_direction; new are volume_retype_policy, hypervisor_hostname, a group's stateful, a rule's
// remote_address_group_id, getImage's sort). Every property the program sends exists in both.
//
// resources: the Terraform resources PRA's program declares, under the tokens @pulumi/openstack sends
// (its __pulumiType strings). Only these are mapped: the bridge gives every other Terraform resource a
// token of its own making that no SDK class sends, so a resource the program starts to use without a
// line here fails at once ("unrecognized resource type"), never with a silently different shape.
var resources = map[string]*tfbridge.ResourceInfo{
	"openstack_blockstorage_volume_v3":             {Tok: "openstack:blockstorage/volume:Volume"},
	"openstack_compute_instance_v2":                {Tok: "openstack:compute/instance:Instance"},
	"openstack_images_image_v2":                    {Tok: "openstack:images/image:Image"},
	"openstack_networking_floatingip_v2":           {Tok: "openstack:networking/floatingIp:FloatingIp"},
	"openstack_networking_floatingip_associate_v2": {Tok: "openstack:networking/floatingIpAssociate:FloatingIpAssociate"},
	"openstack_networking_port_v2":                 {Tok: "openstack:networking/port:Port"},
	"openstack_networking_secgroup_v2":             {Tok: "openstack:networking/secGroup:SecGroup"},
	"openstack_networking_secgroup_rule_v2":        {Tok: "openstack:networking/secGroupRule:SecGroupRule"},
}

// dataSources: the invokes the program calls (getImageOutput, getNetworkOutput), by the SDK's tokens.
var dataSources = map[string]*tfbridge.DataSourceInfo{
	"openstack_images_image_v2":       {Tok: "openstack:images/getImage:getImage"},
	"openstack_networking_network_v2": {Tok: "openstack:networking/getNetwork:getNetwork"},
}

// envConfig: provider settings pulumi-openstack fills from the environment beyond what the Terraform
// provider's own schema defaults read (its resources.go does the same for these keys).
var envConfig = map[string]string{
	"region":        "OS_REGION_NAME",
	"insecure":      "OS_INSECURE",
	"endpoint_type": "OS_ENDPOINT_TYPE",
	"swauth":        "OS_SWAUTH",
	"cloud":         "OS_CLOUD",
	"delayed_auth":  "OS_DELAYED_AUTH",
	"allow_reauth":  "OS_ALLOW_REAUTH",
}

func provider(version string) tfbridge.ProviderInfo {
	tf := openstack.Provider()
	config := map[string]*tfbridge.SchemaInfo{}
	for key, env := range envConfig {
		// A key the Terraform provider dropped would make the bridge refuse the whole mapping.
		if _, ok := tf.Schema[key]; ok {
			config[key] = &tfbridge.SchemaInfo{Default: &tfbridge.DefaultInfo{EnvVars: []string{env}}}
		}
	}
	info := tfbridge.ProviderInfo{
		P:           shimv2.NewProvider(tf),
		Name:        "openstack",
		Version:     version,
		GitHubOrg:   "terraform-provider-openstack",
		Config:      config,
		Resources:   resources,
		DataSources: dataSources,
	}
	// As pulumi-openstack: a missing `name` is generated from the resource's name, up to 255 characters.
	info.SetAutonaming(255, "-")
	return info
}
