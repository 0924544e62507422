// Package gcloud generates the gcloud commands that deploy a polyfn App to
// Cloud Functions (2nd gen) from a source bundle: the deployment manifest
// polyfn manifest --provider gcp writes. It is a build-time package, apart
// from providers/gcp so that function binaries do not link it. It is pure:
// it returns the script and runs nothing.
package gcloud

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/providers/gcp"
)

// SourceTags are the build tags of a source deploy: the gcp adapter in the
// mode where adapters.Run registers the App's functions with
// functions-framework-go and returns, so that the Go buildpack's generated
// main serves them.
const SourceTags = "polyfn.gcpsource"

// Options configures Script.
type Options struct {
	// Source is the folder of the source bundle, as gcloud's --source
	// takes it. The default is "dist/gcp/source", where polyfn build
	// --provider gcp writes the bundle.
	Source string
	// Runtime is the Cloud Functions runtime; the default is "go123".
	Runtime string
}

// Script returns a POSIX shell script that deploys each function of app to
// Cloud Functions (2nd gen) from the source bundle, one deployment per
// function with --entry-point set to its name and the trigger flags of its
// one trigger: --trigger-http; --trigger-topic for queues, topics and
// streams (Pub/Sub carries all three; the script creates missing topics);
// a Pub/Sub topic plus a Cloud Scheduler job for a schedule, whose
// messages carry the attributes gcp.ScheduleAttribute ("schedule.fired")
// and gcp.ScheduleJobAttribute (the function's name), so that the function
// sees core.KindScheduleFired; Eventarc filters for storage and generic
// event triggers. Event functions deploy with --retry, so that a failed
// event is delivered again rather than dropped. The region is $REGION,
// us-central1 when unset.
//
// Each function's declared timeout, memory and instances become
// --timeout, --memory, --min-instances and --max-instances. Declared
// settings become --set-env-vars, with values taken from the environment
// of the shell that runs the script, and secrets --set-secrets references
// to the Secret Manager secret of the same name: the script holds no
// value, and stops before deploying anything when a required setting has
// no value or a secret does not exist. A function with a canary or linear
// rollout takes traffic step by step through its Cloud Run service's
// traffic splitting (gcloud run services update-traffic).
//
// Who may invoke each function follows the App's declaration: an HTTP
// function deploys with --allow-unauthenticated when it is core.Public and
// with --no-allow-unauthenticated otherwise, so that only callers with
// roles/run.invoker reach it. Event functions deploy with
// --trigger-service-account=$TRIGGER_SERVICE_ACCOUNT, the service account
// whose OIDC token Pub/Sub and Eventarc deliveries carry, and the script
// grants that account roles/run.invoker on the function's Cloud Run
// service (gcloud functions add-invoker-policy-binding, a no-op when the
// binding exists); it stops before deploying anything when an App with
// event functions runs it without $TRIGGER_SERVICE_ACCOUNT.
//
// Each function runs as its own service account (polyfn-NAME, created when
// missing), granted exactly the resources it uses (core.Uses), each created
// when missing: see resources and identity. Each used resource's Go CDK
// URL is in its environment variable (core.Resource.EnvVar). The project
// is $GOOGLE_CLOUD_PROJECT, gcloud's configured project when unset.
//
// The script can run again: topics and scheduler jobs are created when
// missing and updated otherwise, and deploys update existing functions.
// Values from the App are quoted for the shell where they need it.
//
// It returns an error naming the function when Cloud Functions cannot
// express its triggers or knobs: no trigger, several, a storage trigger on
// more than one kind of event, an invalid schedule, or a timeout over
// Cloud Functions' limit.
func Script(app *core.App, opts Options) ([]byte, error) {
	if opts.Source == "" {
		opts.Source = "dist/gcp/source"
	}
	if opts.Runtime == "" {
		opts.Runtime = "go123"
	}
	var b strings.Builder
	b.WriteString("#!/bin/sh\n# Deploys each function of the app to Cloud Functions (2nd gen). It can run\n")
	b.WriteString("# again: it creates what is missing and updates what exists.\n")
	b.WriteString("# Build the source bundle first: polyfn build --provider gcp PKG\nset -eu\n")
	b.WriteString(": \"${REGION:=us-central1}\"\n")
	project(&b)
	if hasEventTrigger(app) {
		b.WriteString("# Event triggers deliver as this service account; it gets roles/run.invoker\n# on each event function.\n")
		fmt.Fprintf(&b, "[ -n \"${%s:-}\" ] || { echo %s >&2; exit 1; }\n", triggerAccount,
			quote("set "+triggerAccount+" to the email of the service account event triggers deliver as (NAME@PROJECT.iam.gserviceaccount.com)"))
	}
	b.WriteString("\n")
	shared, err := settings(&b, app.Settings())
	if err != nil {
		return nil, fmt.Errorf("gcloud: %w", err)
	}
	if err := checkAccounts(app); err != nil {
		return nil, fmt.Errorf("gcloud: %w", err)
	}
	created := resources(&b, app)
	if hasRollout(app) {
		b.WriteString(rolloutHelpers)
	}
	for _, f := range app.Functions() {
		if err := function(&b, f, opts, script{shared: shared, created: created, secrets: secretNames(app)}); err != nil {
			return nil, fmt.Errorf("gcloud: function %q: %w", f.Name, err)
		}
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}

// triggerAccount is the script's parameter that names the service account
// event triggers deliver as.
const triggerAccount = "TRIGGER_SERVICE_ACCOUNT"

// hasEventTrigger reports whether a function of app has a trigger other
// than HTTP.
func hasEventTrigger(app *core.App) bool {
	for _, f := range app.Functions() {
		for _, t := range f.Triggers {
			if t.Kind != core.TriggerHTTP {
				return true
			}
		}
	}
	return false
}

// Cloud Functions' longest timeouts, for HTTP and for event functions.
const (
	maxHTTPTimeout  = 3600
	maxEventTimeout = 540
)

// script is what every function's deployment shares.
type script struct {
	shared  string          // the flags of the App's settings
	created map[string]bool // the topics the script created already
	secrets []string        // the App's secret settings, which every function reads
}

// function writes the commands that deploy f.
func function(b *strings.Builder, f *core.Function, opts Options, sc script) error {
	switch len(f.Triggers) {
	case 0:
		return fmt.Errorf("no trigger declared; Cloud Functions needs one (core.OnTopic, core.OnEvent, ...)")
	case 1:
	default:
		return fmt.Errorf("%d triggers declared; a Cloud Functions function has one: split it", len(f.Triggers))
	}
	t := f.Triggers[0]
	fmt.Fprintf(b, "# %s: %s\n", f.Name, comment(t.String()))
	flags, err := knobs(b, f, t.Kind == core.TriggerHTTP)
	if err != nil {
		return err
	}
	if f.Deploy.Rollout.Strategy == core.RolloutAllAtOnce {
		flags += " --serve-all-traffic-latest-revision"
	}
	flags += identity(b, f, sc.secrets)
	deploy := fmt.Sprintf("gcloud functions deploy %s --gen2 --runtime=%s --region=\"$REGION\" --source=%s --entry-point=%s --set-build-env-vars=GOFLAGS=-tags=%s%s%s",
		quote(f.Name), quote(opts.Runtime), quote(opts.Source), quote(f.Name), SourceTags, flags, sc.shared)
	var job string
	switch t.Kind {
	case core.TriggerHTTP:
		deploy += " --trigger-http"
		if f.Deploy.Public {
			deploy += " --allow-unauthenticated"
		} else {
			deploy += " --no-allow-unauthenticated"
		}
	case core.TriggerQueue, core.TriggerTopic, core.TriggerStream:
		if !sc.created[t.Name] {
			topic(b, t.Name)
		}
		deploy += " --trigger-topic=" + quote(t.Name) + " --retry"
	case core.TriggerSchedule:
		cron, err := core.ParseCron(t.Cron)
		if err != nil {
			return err
		}
		tz := t.TimeZone
		if tz == "" {
			tz = "Etc/UTC"
		}
		name := f.Name + "-schedule"
		topic(b, name)
		deploy += " --trigger-topic=" + quote(name) + " --retry"
		job = schedulerJob(f.Name, cron.String(), tz, name)
	case core.TriggerStorage:
		if len(t.Events) > 1 {
			return fmt.Errorf("a Cloud Functions storage trigger takes one event kind, not %d: register one function per kind", len(t.Events))
		}
		typ := gcp.TypeStorageObjectFinalized
		if len(t.Events) == 1 && t.Events[0] == core.KindStorageObjectDeleted {
			typ = gcp.TypeStorageObjectDeleted
		}
		deploy += fmt.Sprintf(" --trigger-event-filters=type=%s --trigger-event-filters=bucket=%s --retry", typ, quote(t.Name))
	case core.TriggerEvent:
		deploy += " --trigger-event-filters=type=" + quote(t.Type)
		filters := t.Settings("gcp")
		keys := make([]string, 0, len(filters))
		for k := range filters {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			deploy += " --trigger-event-filters=" + quote(k+"="+filters[k])
		}
		deploy += " --retry"
	default:
		return fmt.Errorf("trigger kind %q has no Cloud Functions trigger", t.Kind)
	}
	if t.Kind != core.TriggerHTTP {
		deploy += fmt.Sprintf(" --trigger-service-account=\"$%s\"", triggerAccount)
	}
	if f.Deploy.Rollout.Strategy == core.RolloutAllAtOnce {
		b.WriteString(deploy + "\n")
	} else {
		rolledOut(b, f, deploy)
	}
	if t.Kind != core.TriggerHTTP {
		fmt.Fprintf(b, "gcloud functions add-invoker-policy-binding %s --region=\"$REGION\" --member=\"serviceAccount:$%s\" >/dev/null\n", quote(f.Name), triggerAccount)
	}
	b.WriteString(job)
	b.WriteString("\n")
	return nil
}

// knobs returns the deploy flags of f's timeout and cost knobs, and
// notes in a comment a declared architecture Cloud Functions does not
// offer (it runs x86-64).
func knobs(b *strings.Builder, f *core.Function, http bool) (string, error) {
	var flags string
	if f.Timeout > 0 {
		secs := int((f.Timeout + time.Second - 1) / time.Second)
		limit := maxEventTimeout
		if http {
			limit = maxHTTPTimeout
		}
		if secs > limit {
			return "", fmt.Errorf("timeout %s is over Cloud Functions' %d s for this trigger", f.Timeout, limit)
		}
		flags += fmt.Sprintf(" --timeout=%ds", secs)
	}
	d := f.Deploy
	if d.MemoryMB > 0 {
		flags += fmt.Sprintf(" --memory=%dMi", d.MemoryMB)
	}
	if d.MinInstances > 0 {
		flags += fmt.Sprintf(" --min-instances=%d", d.MinInstances)
	}
	if d.MaxInstances > 0 {
		flags += fmt.Sprintf(" --max-instances=%d", d.MaxInstances)
	}
	if d.Architecture != "" && d.Architecture != core.ArchAMD64 {
		fmt.Fprintf(b, "# The declared architecture %s does not apply: Cloud Functions runs x86-64.\n", d.Architecture)
	}
	return flags, nil
}

// schedulerJob returns the commands that create or update the Cloud
// Scheduler job of a schedule: it publishes an empty JSON object to topic
// with the attributes that make the function see core.KindScheduleFired.
func schedulerJob(name, cron, tz, topic string) string {
	attrs := fmt.Sprintf("%s=%s,%s=%s", gcp.ScheduleAttribute, core.KindScheduleFired, gcp.ScheduleJobAttribute, name)
	common := fmt.Sprintf("%s --location=\"$REGION\" --schedule=%q --time-zone=%q --topic=%s --message-body='{}'", quote(name), cron, tz, quote(topic))
	return fmt.Sprintf("if gcloud scheduler jobs describe %s --location=\"$REGION\" >/dev/null 2>&1; then\n", quote(name)) +
		fmt.Sprintf("  gcloud scheduler jobs update pubsub %s --update-attributes=%s\n", common, attrs) +
		"else\n" +
		fmt.Sprintf("  gcloud scheduler jobs create pubsub %s --attributes=%s\n", common, attrs) +
		"fi\n"
}

// topic writes the command that creates a Pub/Sub topic unless it exists.
func topic(b *strings.Builder, name string) {
	q := quote(name)
	fmt.Fprintf(b, "gcloud pubsub topics describe %s >/dev/null 2>&1 || gcloud pubsub topics create %s\n", q, q)
}

// quote returns s as one shell word: unchanged when it holds only
// characters the shell takes literally, else in single quotes.
func quote(s string) string {
	if s == "" {
		return "''"
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./:=@,+%", c)) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}
