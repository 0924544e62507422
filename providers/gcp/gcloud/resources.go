package gcloud

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/polyfn/polyfn/core"
)

// projectVar is the script's parameter that names the project: the
// service accounts' emails, the project-level Firestore grant and the
// resources' URLs hold it.
const projectVar = "GOOGLE_CLOUD_PROJECT"

// project writes the line that sets $GOOGLE_CLOUD_PROJECT, from gcloud's
// configuration when unset, and stops the script when there is none.
func project(b *strings.Builder) {
	fmt.Fprintf(b, ": \"${%s:=$(gcloud config get-value project 2>/dev/null)}\"\n", projectVar)
	fmt.Fprintf(b, "[ -n \"$%s\" ] || { echo %s >&2; exit 1; }\n", projectVar,
		quote("set "+projectVar+" to the project to deploy to, or run gcloud config set project PROJECT"))
}

// resources writes the commands that create every resource the App's
// functions use, each unless it exists: a Pub/Sub topic for a topic and
// for a queue (the push subscription of the queue's function is its
// queue), a Cloud Storage bucket in $REGION with uniform access and public
// access prevented, and for a table the Firestore database (default) when
// missing and a TTL policy on its TTL field. A Firestore collection needs
// no creation. It returns the topics it created.
func resources(b *strings.Builder, app *core.App) map[string]bool {
	created := map[string]bool{}
	rs := app.Resources()
	if len(rs) == 0 {
		return created
	}
	b.WriteString("# Resources the functions use.\n")
	database := false
	for _, r := range rs {
		q := quote(r.Name)
		switch r.Kind {
		case core.ResourceTopic, core.ResourceQueue:
			if !created[r.Name] {
				topic(b, r.Name)
			}
			created[r.Name] = true
		case core.ResourceBucket:
			fmt.Fprintf(b, "gcloud storage buckets describe gs://%s >/dev/null 2>&1 || gcloud storage buckets create gs://%s --location=\"$REGION\" --uniform-bucket-level-access --public-access-prevention\n", q, q)
		case core.ResourceTable:
			if !database {
				database = true
				b.WriteString("gcloud firestore databases describe --database='(default)' >/dev/null 2>&1 || gcloud firestore databases create --location=\"$REGION\"\n")
			}
			if r.TTLField != "" {
				fmt.Fprintf(b, "gcloud firestore fields ttls update %s --collection-group=%s --enable-ttl --async >/dev/null\n", quote(r.TTLField), q)
			}
		}
	}
	b.WriteString("\n")
	return created
}

// account returns the id of f's own service account: "polyfn-" and the
// function's name in lower case, '_' as '-', without a trailing '-', cut
// to IAM's 30 characters with a hash of the name when longer.
func account(name string) string {
	id := "polyfn-" + strings.ToLower(strings.ReplaceAll(name, "_", "-"))
	if len(id) <= 30 {
		return strings.TrimRight(id, "-")
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("%s-%08x", strings.TrimRight(id[:21], "-"), h.Sum32())
}

// email returns the shell word of the email of the service account id.
func email(id string) string {
	return fmt.Sprintf("\"%s@$%s.iam.gserviceaccount.com\"", id, projectVar)
}

// identity writes the commands that create f's own service account,
// unless it exists, and grant it exactly its uses: roles/pubsub.publisher
// on each topic (a queue is a topic), roles/storage.objectViewer on a bucket
// it reads and roles/storage.objectUser on one it writes (which reads
// too), and roles/datastore.viewer, or roles/datastore.user when it writes
// one, on the project for its tables: Firestore grants no role on one
// collection. It
// grants it roles/secretmanager.secretAccessor on each of the App's
// secrets, which every function reads (see settings). It returns the
// deploy flags that run f as that account, with the URL of each resource
// it uses in its environment variable.
func identity(b *strings.Builder, f *core.Function, secrets []string) string {
	id := account(f.Name)
	sa := email(id)
	member := fmt.Sprintf("--member=\"serviceAccount:%s@$%s.iam.gserviceaccount.com\"", id, projectVar)
	fmt.Fprintf(b, "gcloud iam service-accounts describe %s >/dev/null 2>&1 || gcloud iam service-accounts create %s --display-name=%s\n",
		sa, id, quote("polyfn function "+f.Name))
	for _, name := range secrets {
		fmt.Fprintf(b, "gcloud secrets add-iam-policy-binding %s %s --role=roles/secretmanager.secretAccessor >/dev/null\n", name, member)
	}
	flags := " --service-account=" + sa
	datastore := "" // the role f needs on the project's Firestore
	for _, u := range f.Uses {
		r := u.Resource
		q := quote(r.Name)
		switch r.Kind {
		case core.ResourceTopic, core.ResourceQueue:
			fmt.Fprintf(b, "gcloud pubsub topics add-iam-policy-binding %s %s --role=roles/pubsub.publisher >/dev/null\n", q, member)
		case core.ResourceBucket:
			role := "roles/storage.objectViewer"
			if u.Can(core.Write) {
				role = "roles/storage.objectUser"
			}
			fmt.Fprintf(b, "gcloud storage buckets add-iam-policy-binding gs://%s %s --role=%s >/dev/null\n", q, member, role)
		case core.ResourceTable:
			if u.Can(core.Write) {
				datastore = "roles/datastore.user"
			} else if datastore == "" {
				datastore = "roles/datastore.viewer"
			}
		}
		flags += fmt.Sprintf(" --set-env-vars=\"%s%s=%s\"", envDelimiter, r.EnvVar(), resourceURL(r))
	}
	if datastore != "" {
		// One grant for all its tables: the project is the narrowest scope.
		fmt.Fprintf(b, "gcloud projects add-iam-policy-binding \"$%s\" %s --role=%s --condition=None >/dev/null\n", projectVar, member, datastore)
	}
	return flags
}

// resourceURL returns r's Go CDK URL, for a double-quoted shell word.
func resourceURL(r core.Resource) string {
	p := "$" + projectVar
	switch r.Kind {
	case core.ResourceTopic, core.ResourceQueue:
		return "gcppubsub://projects/" + p + "/topics/" + r.Name
	case core.ResourceBucket:
		return "gs://" + r.Name
	case core.ResourceTable:
		return "firestore://projects/" + p + "/databases/(default)/documents/" + r.Name + "?name_field=" + r.Key()
	}
	return ""
}

// checkAccounts returns an error when two functions' service accounts
// would be one.
func checkAccounts(app *core.App) error {
	seen := map[string]string{}
	for _, f := range app.Functions() {
		id := account(f.Name)
		if other, ok := seen[id]; ok {
			return fmt.Errorf("functions %q and %q would share the service account %s: rename one", other, f.Name, id)
		}
		seen[id] = f.Name
	}
	return nil
}

// secretNames returns the names of app's secret settings.
func secretNames(app *core.App) []string {
	var names []string
	for _, s := range app.Settings() {
		if s.Secret {
			names = append(names, s.Name)
		}
	}
	return names
}
