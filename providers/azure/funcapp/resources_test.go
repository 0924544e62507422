package funcapp

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/idempotency"
)

// resourceApp is a shop whose functions use topics, queues, buckets and
// tables, some of which triggers read too.
func resourceApp(t *testing.T) *core.App {
	t.Helper()
	orders := core.Table("orders")
	app := core.NewApp()
	for _, err := range []error{
		app.HTTP("api", http.NotFoundHandler(), core.OnHTTP("/api/"),
			core.Uses(core.Queue("orders")), core.Uses(orders, core.Read)),
		app.Event("fulfil", nop, core.OnQueue("orders").With("azure", "service", "servicebus"),
			core.Uses(core.Topic("order-placed")), core.Uses(orders, core.Read, core.Write), idempotency.Uses()),
		app.Event("notify-customer", nop, core.OnTopic("order-placed", "notify-customer")),
		app.Event("update-analytics", nop, core.OnTopic("order-placed", "update-analytics")),
		app.Event("nightly-report", nop, core.OnSchedule("0 2 * * *", ""),
			core.Uses(core.Bucket("reports"), core.Write), core.Uses(core.Queue("audit"))),
		app.Event("uploads", nop, core.OnStorage("uploads", core.KindStorageObjectCreated), core.Uses(core.Bucket("uploads"), core.Read)),
		app.Event("audit", nop, core.OnQueue("audit"), core.Uses(core.Topic("audited"))),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return app
}

var grantRE = regexp.MustCompile(`(?m)^resource (\w+)_(serviceBusSender|blobReader|blobContributor|queueSender) 'Microsoft.Authorization/roleAssignments@`)

// TestBicepGrants checks that the function app's identity is granted, on
// each resource, what the union of its functions declares, and nothing on
// what none uses that way.
func TestBicepGrants(t *testing.T) {
	app := resourceApp(t)
	bicep, err := Bicep(app)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range grantRE.FindAllStringSubmatch(bicep, -1) {
		got = append(got, m[1]+" "+m[2])
	}
	p, err := planResources(app)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range app.Functions() {
		for _, u := range f.Uses {
			r := u.Resource
			switch {
			case u.Can(core.Publish) && p.service[r.EnvVar()] == queueStorage:
				want = append(want, symbol(r)+" queueSender")
			case u.Can(core.Publish):
				want = append(want, symbol(r)+" serviceBusSender")
			case r.Kind == core.ResourceBucket && p.writes[r.EnvVar()]:
				want = append(want, symbol(r)+" blobContributor")
			case r.Kind == core.ResourceBucket:
				want = append(want, symbol(r)+" blobReader")
			}
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if want = slices.Compact(want); !slices.Equal(got, want) {
		t.Errorf("grants %q, want %q", got, want)
	}
	for _, r := range app.Resources() {
		if !strings.Contains(bicep, "resource "+symbol(r)+" ") {
			t.Errorf("%s is not created", r)
		}
	}
	for _, want := range []string{
		"resource topic_order_placed_notify_customer 'Microsoft.ServiceBus/namespaces/topics/subscriptions@",
		"resource topic_order_placed_update_analytics 'Microsoft.ServiceBus/namespaces/topics/subscriptions@",
		"resource queue_audit 'Microsoft.Storage/storageAccounts/queueServices/queues@", // the trigger's Queue Storage
		"resource queue_orders 'Microsoft.ServiceBus/namespaces/queues@",
		"connectionStrings[0]", // fulfil writes a table
		"'_ts'\n            ]\n          }\n          options: {\n            expireAfterSeconds: documentTtlSeconds",
	} {
		if !strings.Contains(bicep, want) {
			t.Errorf("resources.bicep lacks %q", want)
		}
	}
	if strings.Count(bicep, "expireAfterSeconds") != 1 {
		t.Errorf("TTL on %d tables, want 1 (idempotency)", strings.Count(bicep, "expireAfterSeconds"))
	}

	// Without a writer, the connection string is the read-only one.
	reader := core.NewApp()
	core.Must(reader.HTTP("api", http.NotFoundHandler(), core.Uses(core.Table("orders"), core.Read)))
	if b, err := Bicep(reader); err != nil || !strings.Contains(b, "connectionStrings[2]") || strings.Contains(b, "Microsoft.ServiceBus") {
		t.Errorf("read-only tables: %v\n%s", err, b)
	}
}

// TestResourceAppSettings checks the URLs and the drivers' settings the
// app settings carry, and that configure.sh deploys resources.bicep with
// the app's identity and its parameters.
func TestResourceAppSettings(t *testing.T) {
	app := resourceApp(t)
	s, err := AppSettings(app)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	for _, a := range s.App {
		values[a.Name] = a.Value
	}
	want := map[string]string{
		"POLYFN_TOPIC_ORDER_PLACED_URL": "azuresb://order-placed",
		"POLYFN_QUEUE_ORDERS_URL":       "azuresb://orders",
		"POLYFN_QUEUE_AUDIT_URL":        "azqueue://audit",
		"POLYFN_BUCKET_REPORTS_URL":     "azblob://reports",
		"POLYFN_TABLE_ORDERS_URL":       "mongo://polyfn/orders?id_field=id",
		"POLYFN_TABLE_IDEMPOTENCY_URL":  "mongo://polyfn/idempotency?id_field=id",
		"AZURE_SERVICEBUS_HOSTNAME":     "${SERVICEBUS_NAMESPACE}.servicebus.windows.net",
		"AZURE_STORAGE_ACCOUNT":         "${STORAGE_ACCOUNT}",
		MongoSetting:                    KeyVaultReference(MongoSetting),
		"POLYFN_TOPIC_AUDITED_URL":      "azuresb://audited",
		"POLYFN_BUCKET_UPLOADS_URL":     "azblob://uploads",
	}
	for k, v := range want {
		if values[k] != v {
			t.Errorf("%s = %q, want %q", k, values[k], v)
		}
	}

	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("configure.sh needs bash: ", err)
	}
	files, err := Files(app, HostOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{SettingsFile, ScriptFile, ResourcesFile} {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "az"), []byte(fakeAz), 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "az.log")
	cmd := exec.Command(bash, filepath.Join(dir, ScriptFile))
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"AZ_LOG="+log, "AZ_SETTINGS="+filepath.Join(dir, "sent.json"), "AZ_STATE="+filepath.Join(dir, "state"),
		"FUNCTION_APP=shop-fn", "RESOURCE_GROUP=shop-rg", "KEY_VAULT_NAME=shop-kv",
		"SERVICEBUS_NAMESPACE=shop-sb", "STORAGE_ACCOUNT=shopdata", "COSMOS_ACCOUNT=shop-db")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	calls, _ := os.ReadFile(log)
	deploy := "deployment group create --resource-group shop-rg --name polyfn-resources --template-file " + filepath.Join(dir, ResourcesFile) +
		" --parameters principalId=11111111-2222-3333-4444-555555555555 serviceBusNamespace=shop-sb storageAccount=shopdata cosmosAccount=shop-db keyVaultName=shop-kv --output none"
	if !strings.Contains(string(calls), deploy) {
		t.Errorf("az calls lack %q:\n%s", deploy, calls)
	}
	sent, _ := os.ReadFile(filepath.Join(dir, "sent.json"))
	if !strings.Contains(string(sent), `"shop-sb.servicebus.windows.net"`) {
		t.Errorf("the Service Bus host name was not filled in:\n%s", sent)
	}
}

func TestResourceErrors(t *testing.T) {
	tests := []struct {
		name    string
		declare func(*core.App) error
		want    string
	}{
		{"Event Grid topic", func(a *core.App) error {
			return a.HTTP("api", http.NotFoundHandler(), core.Uses(core.Topic("t").With("azure", "service", "eventgrid")))
		}, "do not create Event Grid topics yet"},
		{"queue and trigger on two services", func(a *core.App) error {
			return a.Event("q", nop, core.OnQueue("jobs"), core.Uses(core.Queue("jobs").With("azure", "service", "servicebus")))
		}, "queue jobs is on servicebus but its trigger reads storage"},
		{"unknown service", func(a *core.App) error {
			return a.HTTP("api", http.NotFoundHandler(), core.Uses(core.Queue("jobs").With("azure", "service", "kafka")))
		}, `azure service "kafka" is not servicebus or storage`},
		{"a setting named like a driver's", func(a *core.App) error {
			return a.Setting("AZURE_STORAGE_ACCOUNT")
		}, "setting AZURE_STORAGE_ACCOUNT: the resources' app settings use that name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := core.NewApp()
			if err := tt.declare(app); err != nil {
				t.Fatal(err)
			}
			core.Must(app.HTTP("reports", http.NotFoundHandler(), core.OnHTTP("/reports"), core.Uses(core.Bucket("reports"), core.Read)))
			if _, err := Files(app, HostOptions{}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v; want an error containing %q", err, tt.want)
			}
		})
	}
}
