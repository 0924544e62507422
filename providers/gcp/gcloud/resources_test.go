package gcloud

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/idempotency"
	"github.com/polyfn/polyfn/internal/golden"
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
		app.Event("fulfil", nop, core.OnQueue("orders"),
			core.Uses(core.Topic("order-placed")), core.Uses(orders, core.Read, core.Write), idempotency.Uses()),
		app.Event("notify-customer", nop, core.OnTopic("order-placed")),
		app.Event("nightly-report", nop, core.OnSchedule("0 2 * * *", ""), core.Uses(core.Bucket("shop-reports"), core.Write)),
		app.Event("uploads", nop, core.OnStorage("shop-uploads", core.KindStorageObjectCreated),
			core.Uses(core.Bucket("shop-uploads"), core.Read)),
		app.Event("a_function_with_a_rather_long_name", nop, core.OnQueue("archive"), core.Uses(core.Table("sessions").WithKey("sid"))),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return app
}

func TestResourcesGolden(t *testing.T) {
	got, err := Script(resourceApp(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/resources.golden.sh", got)
}

// TestResourcesLeastPrivilege runs the script against the stand-in gcloud
// and checks, for every function, that its own service account is granted
// exactly its uses, that it deploys as that account, and that it gets
// exactly the URLs of its resources.
func TestResourcesLeastPrivilege(t *testing.T) {
	app := resourceApp(t)
	script, err := Script(app, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err, stderr, cmds := runScript(t, script, "TRIGGER_SERVICE_ACCOUNT=pusher@p.iam.gserviceaccount.com")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, r := range app.Resources() {
		var created int
		switch r.Kind {
		case core.ResourceTopic, core.ResourceQueue:
			created = len(find(cmds, "gcloud", "pubsub", "topics", "create", r.Name))
		case core.ResourceBucket:
			created = len(find(cmds, "gcloud", "storage", "buckets", "create", "gs://"+r.Name))
		case core.ResourceTable:
			created = 1 // A collection needs no creation.
			ttl := find(cmds, "gcloud", "firestore", "fields", "ttls", "update", r.TTLField, "--collection-group="+r.Name)
			if (r.TTLField != "") != (len(ttl) == 1) {
				t.Errorf("%s: TTL policies %q", r, ttl)
			}
		}
		if created != 1 {
			t.Errorf("%s created %d times", r, created)
		}
	}
	if n := len(find(cmds, "gcloud", "firestore", "databases", "create")); n != 1 {
		t.Errorf("the Firestore database created %d times", n)
	}

	// What each account is granted, as "role resource".
	grants := map[string][]string{}
	for _, c := range cmds {
		if len(c) < 4 || c[0] != "gcloud" || !slices.Contains(c, "add-iam-policy-binding") || slices.Contains(c, "functions") {
			continue
		}
		member, _ := flag(c, "member")
		role, _ := flag(c, "role")
		id, _, _ := strings.Cut(strings.TrimPrefix(member, "serviceAccount:"), "@")
		what := c[len(c)-3] // the topic, gs://bucket or project
		if c[1] == "projects" {
			what = "project"
		}
		grants[id] = append(grants[id], role+" "+what)
	}
	for _, f := range app.Functions() {
		id := account(f.Name)
		if len(id) > 30 || strings.HasSuffix(id, "-") {
			t.Errorf("%s: account id %q", f.Name, id)
		}
		var want []string
		for _, u := range f.Uses {
			r := u.Resource
			switch r.Kind {
			case core.ResourceTopic, core.ResourceQueue:
				want = append(want, "roles/pubsub.publisher "+r.Name)
			case core.ResourceBucket:
				if u.Can(core.Write) {
					want = append(want, "roles/storage.objectUser gs://"+r.Name)
				} else {
					want = append(want, "roles/storage.objectViewer gs://"+r.Name)
				}
			case core.ResourceTable:
				if u.Can(core.Write) {
					want = append(want, "roles/datastore.user project")
				} else {
					want = append(want, "roles/datastore.viewer project")
				}
			}
		}
		if slices.Contains(want, "roles/datastore.user project") {
			want = slices.DeleteFunc(want, func(g string) bool { return g == "roles/datastore.viewer project" })
		}
		got := grants[id]
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, slices.Compact(want)) {
			t.Errorf("%s (%s) is granted %q; it declares %q", f.Name, id, got, want)
		}
		if n := len(find(cmds, "gcloud", "iam", "service-accounts", "create", id)); n != 1 {
			t.Errorf("%s: its account created %d times", f.Name, n)
		}
		deploy := find(cmds, "gcloud", "functions", "deploy", f.Name)
		if len(deploy) != 1 {
			t.Fatalf("%s: %d deploys", f.Name, len(deploy))
		}
		if sa, _ := flag(deploy[0], "service-account"); sa != id+"@p.iam.gserviceaccount.com" {
			t.Errorf("%s runs as %q", f.Name, sa)
		}
		var urls, wantURLs []string
		for _, a := range deploy[0] {
			if v, ok := strings.CutPrefix(a, "--set-env-vars="+envDelimiter+"POLYFN_"); ok {
				urls = append(urls, "POLYFN_"+v)
			}
		}
		for _, u := range f.Uses {
			wantURLs = append(wantURLs, u.Resource.EnvVar()+"="+strings.ReplaceAll(resourceURL(u.Resource), "$"+projectVar, "p"))
		}
		if !slices.Equal(urls, wantURLs) {
			t.Errorf("%s has the URLs %q; want %q", f.Name, urls, wantURLs)
		}
	}
}

func TestResourceURLs(t *testing.T) {
	tests := []struct {
		r    core.Resource
		want string
	}{
		{core.Topic("order-placed"), "gcppubsub://projects/$GOOGLE_CLOUD_PROJECT/topics/order-placed"},
		{core.Queue("orders"), "gcppubsub://projects/$GOOGLE_CLOUD_PROJECT/topics/orders"},
		{core.Bucket("shop-reports"), "gs://shop-reports"},
		{idempotency.Table, "firestore://projects/$GOOGLE_CLOUD_PROJECT/databases/(default)/documents/idempotency?name_field=id"},
		{core.Table("sessions").WithKey("sid"), "firestore://projects/$GOOGLE_CLOUD_PROJECT/databases/(default)/documents/sessions?name_field=sid"},
	}
	for _, tt := range tests {
		if got := resourceURL(tt.r); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.r, got, tt.want)
		}
	}
}

func TestAccounts(t *testing.T) {
	tests := []struct{ name, want string }{
		{"api", "polyfn-api"},
		{"Fulfil_Orders", "polyfn-fulfil-orders"},
		{"trailing-", "polyfn-trailing"},
		{"a_function_with_a_rather_long_name", "polyfn-a-function-wit-514f92ca"}, // FNV-1a of the name
	}
	for _, tt := range tests {
		if got := account(tt.name); got != tt.want {
			t.Errorf("account(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	app := core.NewApp()
	core.Must(app.Event("a-b", nop, core.OnTopic("t")))
	core.Must(app.Event("a_b", nop, core.OnTopic("t")))
	if _, err := Script(app, Options{}); err == nil || !strings.Contains(err.Error(), `functions "a-b" and "a_b" would share the service account polyfn-a-b`) {
		t.Fatalf("two functions, one account: %v", err)
	}
	app = core.NewApp()
	core.Must(app.Setting(projectVar))
	core.Must(app.HTTP("web", http.NotFoundHandler(), core.OnHTTP("/")))
	if _, err := Script(app, Options{}); err == nil || !strings.Contains(err.Error(), "reads the project from $GOOGLE_CLOUD_PROJECT") {
		t.Fatalf("a setting named %s: %v", projectVar, err)
	}
}

// TestSecretGrants: every function's own account may read each secret the
// App declares, which it reads through --set-secrets.
func TestSecretGrants(t *testing.T) {
	app := scriptApp(t)
	script, err := Script(app, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err, stderr, cmds := runScript(t, script, "SECRETS=1", "SHOP_REGION=eu", "TRIGGER_SERVICE_ACCOUNT=pusher@p.iam.gserviceaccount.com")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, f := range app.Functions() {
		member := "serviceAccount:" + account(f.Name) + "@p.iam.gserviceaccount.com"
		var readable []string
		for _, c := range find(cmds, "gcloud", "secrets", "add-iam-policy-binding") {
			if m, _ := flag(c, "member"); m == member {
				if role, _ := flag(c, "role"); role == "roles/secretmanager.secretAccessor" {
					readable = append(readable, c[3])
				}
			}
		}
		if !slices.Equal(readable, secretNames(app)) || len(readable) == 0 {
			t.Errorf("%s's account reads the secrets %q, want %q", f.Name, readable, secretNames(app))
		}
	}
}
