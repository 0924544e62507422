package funcapp

import (
	"fmt"
	"strings"

	"github.com/polyfn/polyfn/core"
)

// Built-in Azure role definition ids.
var roles = [...]struct{ key, name, id string }{
	{"serviceBusSender", "Azure Service Bus Data Sender", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"},
	{"blobReader", "Storage Blob Data Reader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"},
	{"blobContributor", "Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe"},
	{"queueSender", "Storage Queue Data Message Sender", "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a"},
}

// maxDeliveryCount is how many times Service Bus delivers a message before
// it moves it to the entity's dead-letter subqueue.
const maxDeliveryCount = 10

// Bicep returns resources.bicep: a Bicep file, for `az deployment group
// create` in the function app's resource group (configure.sh runs it),
// that creates the resources the App's functions use and grants the
// function app's managed identity (parameter principalId) exactly the
// rights its functions declare, each scoped to the one resource:
//   - topics and queues on Service Bus: a Standard namespace, its topics
//     (with the subscriptions OnTopic triggers read) and queues (messages
//     go to the dead-letter subqueue after 10 deliveries), Azure Service
//     Bus Data Sender on each one a function publishes to;
//   - queues on Queue Storage and buckets, in an existing storage account:
//     the queues, with Storage Queue Data Message Sender, and private
//     blob containers, with Storage Blob Data Reader or, for a container a
//     function writes, Storage Blob Data Contributor;
//   - tables: a serverless Cosmos DB for MongoDB account, the database
//     CosmosDatabase and a collection per table, with a TTL index on _ts
//     (Cosmos DB expires documents by their last change, parameter
//     documentTtlSeconds) for a table with a TTL field. Cosmos DB's MongoDB
//     API authenticates with account keys, not roles: the file stores the
//     account's connection string (read-only when no function writes a
//     table) as the Key Vault secret MONGO-SERVER-URL.
//
// A function app has one identity for all its functions: the grants are
// the union of its functions' uses. It returns "" when the App uses no
// resource.
func Bicep(app *core.App) (string, error) {
	p, err := planResources(app)
	if err != nil {
		return "", err
	}
	if len(p.resources) == 0 {
		return "", nil
	}
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("// The resources the functions of the polyfn app use, and the grants of the")
	w("// function app's managed identity on them. Written by polyfn; configure.sh")
	w("// deploys it with az deployment group create, in the function app's group.")
	w("")
	w("@description('principal id of the function app\\'s managed identity')")
	w("param principalId string")
	w("param location string = resourceGroup().location")
	if p.serviceBus() {
		w("@description('the Service Bus namespace to create for the topics and queues')")
		w("param serviceBusNamespace string")
	}
	if p.storage() {
		w("@description('the existing storage account for the containers and storage queues')")
		w("param storageAccount string")
	}
	if p.anyTable {
		w("@description('the Cosmos DB for MongoDB account to create for the tables')")
		w("param cosmosAccount string")
		w("@description('the existing Key Vault that receives the MongoDB connection string')")
		w("param keyVaultName string")
		if p.hasTTL() {
			w("@description('seconds after its last change that a document of a table with a TTL field is deleted')")
			w("param documentTtlSeconds int = 2592000")
		}
	}
	w("")
	w("var roles = {")
	for _, r := range roles {
		w("  %s: '%s' // %s", r.key, r.id, r.name)
	}
	w("}")
	if p.serviceBus() {
		p.serviceBusResources(w)
	}
	if p.storage() {
		p.storageResources(w)
	}
	if p.anyTable {
		p.cosmosResources(w)
	}
	return b.String(), nil
}

func (p *plan) hasTTL() bool {
	for _, r := range p.resources {
		if r.Kind == core.ResourceTable && r.TTLField != "" {
			return true
		}
	}
	return false
}

// grant writes a role assignment of role to the app's identity on the
// resource id.
func grant(w func(string, ...any), id, role string) {
	w("")
	w("resource %s_%s 'Microsoft.Authorization/roleAssignments@2022-04-01' = {", id, role)
	w("  name: guid(%s.id, principalId, roles.%s)", id, role)
	w("  scope: %s", id)
	w("  properties: {")
	w("    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.%s)", role)
	w("    principalId: principalId")
	w("    principalType: 'ServicePrincipal'")
	w("  }")
	w("}")
}

// symbol returns r's Bicep symbolic name: "topic_order_placed".
func symbol(r core.Resource) string {
	return string(r.Kind) + "_" + strings.ReplaceAll(r.Name, "-", "_")
}

const (
	sbAPI      = "2022-10-01-preview"
	storageAPI = "2023-05-01"
	cosmosAPI  = "2024-05-15"
)

func (p *plan) serviceBusResources(w func(string, ...any)) {
	w("")
	w("resource serviceBus 'Microsoft.ServiceBus/namespaces@%s' = {", sbAPI)
	w("  name: serviceBusNamespace")
	w("  location: location")
	w("  sku: {")
	w("    name: 'Standard' // topics need Standard")
	w("    tier: 'Standard'")
	w("  }")
	w("}")
	for _, r := range p.resources {
		if r.Kind != core.ResourceTopic && (r.Kind != core.ResourceQueue || p.service[r.EnvVar()] != serviceBus) {
			continue
		}
		id, typ := symbol(r), "queues"
		if r.Kind == core.ResourceTopic {
			typ = "topics"
		}
		w("")
		w("resource %s 'Microsoft.ServiceBus/namespaces/%s@%s' = {", id, typ, sbAPI)
		w("  parent: serviceBus")
		w("  name: '%s'", r.Name)
		if r.Kind == core.ResourceQueue {
			deliveries(w)
		}
		w("}")
		for _, sub := range p.subs[r.Name] {
			w("")
			w("resource %s_%s 'Microsoft.ServiceBus/namespaces/topics/subscriptions@%s' = {", id, strings.ReplaceAll(sub, "-", "_"), sbAPI)
			w("  parent: %s", id)
			w("  name: '%s'", sub)
			deliveries(w)
			w("}")
		}
		if p.writes[r.EnvVar()] {
			grant(w, id, "serviceBusSender")
		}
	}
}

func (p *plan) storageResources(w func(string, ...any)) {
	w("")
	w("resource storage 'Microsoft.Storage/storageAccounts@%s' existing = {", storageAPI)
	w("  name: storageAccount")
	w("}")
	if p.has(core.ResourceBucket, "") {
		w("")
		w("resource blobs 'Microsoft.Storage/storageAccounts/blobServices@%s' existing = {", storageAPI)
		w("  parent: storage")
		w("  name: 'default'")
		w("}")
	}
	if p.has(core.ResourceQueue, queueStorage) {
		w("")
		w("resource queues 'Microsoft.Storage/storageAccounts/queueServices@%s' existing = {", storageAPI)
		w("  parent: storage")
		w("  name: 'default'")
		w("}")
	}
	for _, r := range p.resources {
		id := symbol(r)
		switch {
		case r.Kind == core.ResourceBucket:
			w("")
			w("resource %s 'Microsoft.Storage/storageAccounts/blobServices/containers@%s' = {", id, storageAPI)
			w("  parent: blobs")
			w("  name: '%s'", r.Name)
			w("  properties: {")
			w("    publicAccess: 'None'")
			w("  }")
			w("}")
			if p.writes[r.EnvVar()] {
				grant(w, id, "blobContributor")
			} else {
				grant(w, id, "blobReader")
			}
		case r.Kind == core.ResourceQueue && p.service[r.EnvVar()] == queueStorage:
			w("")
			w("resource %s 'Microsoft.Storage/storageAccounts/queueServices/queues@%s' = {", id, storageAPI)
			w("  parent: queues")
			w("  name: '%s'", r.Name)
			w("}")
			if p.writes[r.EnvVar()] {
				grant(w, id, "queueSender")
			}
		}
	}
}

func (p *plan) cosmosResources(w func(string, ...any)) {
	w("")
	w("resource cosmos 'Microsoft.DocumentDB/databaseAccounts@%s' = {", cosmosAPI)
	w("  name: cosmosAccount")
	w("  location: location")
	w("  kind: 'MongoDB'")
	w("  properties: {")
	w("    databaseAccountOfferType: 'Standard'")
	w("    locations: [")
	w("      {")
	w("        locationName: location")
	w("        failoverPriority: 0")
	w("      }")
	w("    ]")
	w("    capabilities: [")
	w("      {")
	w("        name: 'EnableMongo'")
	w("      }")
	w("      {")
	w("        name: 'EnableServerless'")
	w("      }")
	w("    ]")
	w("    apiProperties: {")
	w("      serverVersion: '4.2'")
	w("    }")
	w("  }")
	w("}")
	w("")
	w("resource database 'Microsoft.DocumentDB/databaseAccounts/mongodbDatabases@%s' = {", cosmosAPI)
	w("  parent: cosmos")
	w("  name: '%s'", CosmosDatabase)
	w("  properties: {")
	w("    resource: {")
	w("      id: '%s'", CosmosDatabase)
	w("    }")
	w("  }")
	w("}")
	for _, r := range p.resources {
		if r.Kind != core.ResourceTable {
			continue
		}
		w("")
		w("// %s, keyed by %s (the documents' _id)%s", r, r.Key(), map[bool]string{true: ", expiring by TTL", false: ""}[r.TTLField != ""])
		w("resource %s 'Microsoft.DocumentDB/databaseAccounts/mongodbDatabases/collections@%s' = {", symbol(r), cosmosAPI)
		w("  parent: database")
		w("  name: '%s'", r.Name)
		w("  properties: {")
		w("    resource: {")
		w("      id: '%s'", r.Name)
		w("      indexes: [")
		index(w, "_id", "")
		if r.TTLField != "" {
			index(w, "_ts", "documentTtlSeconds")
		}
		w("      ]")
		w("    }")
		w("  }")
		w("}")
	}
	// listConnectionStrings: primary, secondary, primary read-only,
	// secondary read-only.
	conn := 2
	if p.anyWrite {
		conn = 0
	}
	w("")
	w("resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {")
	w("  name: keyVaultName")
	w("}")
	w("")
	w("resource mongoServerURL 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {")
	w("  parent: vault")
	w("  name: '%s'", SecretName(MongoSetting))
	w("  properties: {")
	w("    value: cosmos.listConnectionStrings().connectionStrings[%d].connectionString", conn)
	w("  }")
	w("}")
}

// writeDeployResources writes the configure.sh lines that deploy
// resources.bicep with the parameters it takes.
func writeDeployResources(p func(string, ...any), s Settings) {
	params := map[string]string{
		serviceBusParam: "serviceBusNamespace", storageParam: "storageAccount", cosmosParam: "cosmosAccount",
	}
	args := `principalId="$principal"`
	for _, x := range s.Parameters {
		if name, ok := params[x.Name]; ok {
			args += fmt.Sprintf(` %s="$%s"`, name, x.Name)
		}
		if x.Name == cosmosParam {
			args += fmt.Sprintf(` keyVaultName="$%s"`, VaultParameter)
		}
	}
	p("")
	p("# The resources the functions use, and the grants of the app's identity on")
	p("# them (%s, next to this script).", ResourcesFile)
	p(`az deployment group create --resource-group "$RESOURCE_GROUP" --name polyfn-resources \`)
	p(`  --template-file "$here/%s" --parameters %s --output none`, ResourcesFile, args)
}

// deliveries writes the properties of a Service Bus queue or subscription:
// a message goes to the dead-letter subqueue after maxDeliveryCount
// deliveries, or when it expires.
func deliveries(w func(string, ...any)) {
	w("  properties: {")
	w("    maxDeliveryCount: %d", maxDeliveryCount)
	w("    deadLetteringOnMessageExpiration: true")
	w("  }")
}

// index writes one index of a collection on field, a TTL index when ttl
// names the seconds parameter.
func index(w func(string, ...any), field, ttl string) {
	w("        {")
	w("          key: {")
	w("            keys: [")
	w("              '%s'", field)
	w("            ]")
	w("          }")
	if ttl != "" {
		w("          options: {")
		w("            expireAfterSeconds: %s", ttl)
		w("          }")
	}
	w("        }")
}
