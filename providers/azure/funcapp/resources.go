package funcapp

import (
	"fmt"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/providers/azure"
)

// ResourcesFile is the Bicep file that creates the resources the App's
// functions use (Bicep), which configure.sh deploys; Files writes it when
// the App declares any.
const ResourcesFile = "resources.bicep"

// CosmosDatabase is the Cosmos DB for MongoDB database that holds the
// tables' collections.
const CosmosDatabase = "polyfn"

// The parameters configure.sh takes for the resources, and the app
// settings the Go CDK drivers read.
const (
	serviceBusParam = "SERVICEBUS_NAMESPACE"
	storageParam    = "STORAGE_ACCOUNT"
	cosmosParam     = "COSMOS_ACCOUNT"
	// MongoSetting holds the Cosmos DB connection string, as a Key Vault
	// reference to the secret resources.bicep stores.
	MongoSetting = "MONGO_SERVER_URL"
)

// Where a topic or a queue lives on Azure.
const (
	serviceBus   = "servicebus"
	queueStorage = "storage"
)

// plan is the Azure side of an App's resources.
type plan struct {
	resources []core.Resource
	service   map[string]string   // topic or queue EnvVar → serviceBus or queueStorage
	subs      map[string][]string // Service Bus topic → the subscriptions its triggers read
	writes    map[string]bool     // EnvVar → some function writes or publishes to it
	anyTable  bool
	anyWrite  bool // some function writes a table
}

// planResources resolves where each resource of app lives: a topic on
// Service Bus; a queue on Service Bus unless the resource or the OnQueue
// trigger of the same name says storage (Queue Storage, the trigger's
// default): a queue is one queue, which its trigger reads and its users
// send to. Event Grid topics are not created yet: an error says so.
func planResources(app *core.App) (*plan, error) {
	p := &plan{resources: app.Resources(), service: map[string]string{}, subs: map[string][]string{}, writes: map[string]bool{}}
	triggers := map[string]core.Trigger{}
	for _, f := range app.Functions() {
		for _, t := range f.Triggers {
			if t.Kind == core.TriggerQueue || t.Kind == core.TriggerTopic {
				triggers[string(t.Kind)+" "+t.Name] = t
			}
		}
		for _, u := range f.Uses {
			if u.Can(core.Write) || u.Can(core.Publish) {
				p.writes[u.Resource.EnvVar()] = true
				p.anyWrite = p.anyWrite || u.Resource.Kind == core.ResourceTable
			}
		}
	}
	for _, r := range p.resources {
		declared := strings.ToLower(r.Setting(azure.Provider, "service"))
		t, triggered := triggers[string(r.Kind)+" "+r.Name]
		read := strings.ToLower(t.Setting(azure.Provider, "service"))
		switch r.Kind {
		case core.ResourceTopic:
			if declared == "eventgrid" || triggered && read == "eventgrid" {
				return nil, fmt.Errorf("azure: %s: the manifests do not create Event Grid topics yet; use Service Bus (the default), "+
					"or create the topic yourself and set %s=eventgrid://HOST/api/events, which core/resource publishes to", r, r.EnvVar())
			}
			if declared != "" && declared != serviceBus {
				return nil, fmt.Errorf("azure: %s: azure service %q is not servicebus or eventgrid", r, declared)
			}
			p.service[r.EnvVar()] = serviceBus
		case core.ResourceQueue:
			svc, err := queueService(declared)
			if err != nil {
				return nil, fmt.Errorf("azure: %s: %w", r, err)
			}
			if triggered {
				readSvc, err := queueService(read)
				if err != nil {
					return nil, fmt.Errorf("azure: %s: %w", r, err)
				}
				if read == "" {
					readSvc = queueStorage // the queue trigger's default
				}
				if declared != "" && readSvc != svc {
					return nil, fmt.Errorf("azure: %s is on %s but its trigger reads %s: give both the same azure service", r, svc, readSvc)
				}
				svc = readSvc
			}
			p.service[r.EnvVar()] = svc
		case core.ResourceTable:
			p.anyTable = true
		}
	}
	for _, f := range app.Functions() {
		for _, t := range f.Triggers {
			r, ok := app.Resource(core.ResourceTopic, t.Name)
			if t.Kind == core.TriggerTopic && ok && p.service[r.EnvVar()] == serviceBus && t.Subscription != "" {
				p.subs[t.Name] = append(p.subs[t.Name], t.Subscription)
			}
		}
	}
	return p, nil
}

// queueService returns where a queue is for an azure service setting; ""
// is Service Bus.
func queueService(s string) (string, error) {
	switch s {
	case "", serviceBus:
		return serviceBus, nil
	case queueStorage, "queue", "queuestorage":
		return queueStorage, nil
	}
	return "", fmt.Errorf("azure service %q is not servicebus or storage", s)
}

// has reports whether the plan holds a resource of kind k on service svc
// ("" for any).
func (p *plan) has(k core.ResourceKind, svc string) bool {
	for _, r := range p.resources {
		if r.Kind == k && (svc == "" || p.service[r.EnvVar()] == svc) {
			return true
		}
	}
	return false
}

func (p *plan) serviceBus() bool {
	return p.has(core.ResourceTopic, "") || p.has(core.ResourceQueue, serviceBus)
}

func (p *plan) storage() bool {
	return p.has(core.ResourceBucket, "") || p.has(core.ResourceQueue, queueStorage)
}

// resourceURL returns r's Go CDK URL on Azure.
func (p *plan) resourceURL(r core.Resource) string {
	switch r.Kind {
	case core.ResourceTopic:
		return "azuresb://" + r.Name
	case core.ResourceQueue:
		if p.service[r.EnvVar()] == queueStorage {
			return "azqueue://" + r.Name
		}
		return "azuresb://" + r.Name
	case core.ResourceBucket:
		return "azblob://" + r.Name
	case core.ResourceTable:
		return "mongo://" + CosmosDatabase + "/" + r.Name + "?id_field=" + r.Key()
	}
	return ""
}

// resourceSettings adds to s the app settings of the resources: each
// one's URL (Resource.EnvVar), the Service Bus host name and the storage
// account the drivers reach with the app's managed identity, and the
// Cosmos DB connection string as a Key Vault reference; and the
// parameters configure.sh needs for them. A declared setting of one of
// those names is an error.
func (p *plan) resourceSettings(s *Settings, taken map[string]bool) error {
	add := func(name, value string) error {
		if taken[strings.ToLower(name)] {
			return fmt.Errorf("azure: setting %s: the resources' app settings use that name; rename the setting", name)
		}
		taken[strings.ToLower(name)] = true
		s.App = append(s.App, AppSetting{Name: name, Value: value})
		return nil
	}
	for _, r := range p.resources {
		if err := add(r.EnvVar(), p.resourceURL(r)); err != nil {
			return err
		}
	}
	if p.serviceBus() {
		if err := add("AZURE_SERVICEBUS_HOSTNAME", Placeholder(serviceBusParam)+".servicebus.windows.net"); err != nil {
			return err
		}
		s.Parameters = append(s.Parameters, Parameter{Name: serviceBusParam, Description: "the Service Bus namespace resources.bicep creates for the topics and queues"})
	}
	if p.storage() {
		if err := add("AZURE_STORAGE_ACCOUNT", Placeholder(storageParam)); err != nil {
			return err
		}
		s.Parameters = append(s.Parameters, Parameter{Name: storageParam, Description: "the existing storage account for the containers and storage queues: the app's own (AzureWebJobsStorage) when its triggers read them"})
	}
	if p.anyTable {
		if err := add(MongoSetting, KeyVaultReference(MongoSetting)); err != nil {
			return err
		}
		s.Parameters = append(s.Parameters, Parameter{Name: cosmosParam, Description: "the Cosmos DB for MongoDB account resources.bicep creates for the tables"})
		s.Secrets = append(s.Secrets, Parameter{Name: MongoSetting, Description: "the Cosmos DB connection string, which resources.bicep stores in the vault"})
	}
	return nil
}
