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
// a Pub/Sub topic plus a Cloud Scheduler job for a schedule; Eventarc
// filters for storage and generic event triggers. The region is $REGION,
// us-central1 when unset. Values from the App are quoted for the shell
// where they need it.
//
// It returns an error naming the function when Cloud Functions cannot
// express its triggers: none, several, a storage trigger on more than one
// kind of event, or an invalid schedule.
func Script(app *core.App, opts Options) ([]byte, error) {
	if opts.Source == "" {
		opts.Source = "dist/gcp/source"
	}
	if opts.Runtime == "" {
		opts.Runtime = "go123"
	}
	var b strings.Builder
	b.WriteString("#!/bin/sh\n# Deploys each function of the app to Cloud Functions (2nd gen).\n")
	b.WriteString("# Build the source bundle first: polyfn build --provider gcp PKG\nset -eu\n")
	b.WriteString(": \"${REGION:=us-central1}\"\n\n")
	for _, f := range app.Functions() {
		if err := function(&b, f, opts); err != nil {
			return nil, fmt.Errorf("gcloud: function %q: %w", f.Name, err)
		}
	}
	return []byte(b.String()), nil
}

// function writes the commands that deploy f.
func function(b *strings.Builder, f *core.Function, opts Options) error {
	switch len(f.Triggers) {
	case 0:
		return fmt.Errorf("no trigger declared; Cloud Functions needs one (core.OnTopic, core.OnEvent, ...)")
	case 1:
	default:
		return fmt.Errorf("%d triggers declared; a Cloud Functions function has one: split it", len(f.Triggers))
	}
	deploy := fmt.Sprintf("gcloud functions deploy %s --gen2 --runtime=%s --region=\"$REGION\" --source=%s --entry-point=%s --set-build-env-vars=GOFLAGS=-tags=%s",
		quote(f.Name), quote(opts.Runtime), quote(opts.Source), quote(f.Name), SourceTags)
	t := f.Triggers[0]
	switch t.Kind {
	case core.TriggerHTTP:
		fmt.Fprintf(b, "%s --trigger-http\n", deploy)
	case core.TriggerQueue, core.TriggerTopic, core.TriggerStream:
		topic(b, t.Name)
		fmt.Fprintf(b, "%s --trigger-topic=%s\n", deploy, quote(t.Name))
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
		fmt.Fprintf(b, "%s --trigger-topic=%s\n", deploy, quote(name))
		fmt.Fprintf(b, "gcloud scheduler jobs create pubsub %s --location=\"$REGION\" --schedule=%q --time-zone=%q --topic=%s --message-body='{}'\n",
			quote(f.Name), cron.String(), tz, quote(name))
	case core.TriggerStorage:
		if len(t.Events) > 1 {
			return fmt.Errorf("a Cloud Functions storage trigger takes one event kind, not %d: register one function per kind", len(t.Events))
		}
		typ := gcp.TypeStorageObjectFinalized
		if len(t.Events) == 1 && t.Events[0] == core.KindStorageObjectDeleted {
			typ = gcp.TypeStorageObjectDeleted
		}
		fmt.Fprintf(b, "%s --trigger-event-filters=type=%s --trigger-event-filters=bucket=%s\n", deploy, typ, quote(t.Name))
	case core.TriggerEvent:
		fmt.Fprintf(b, "%s --trigger-event-filters=type=%s", deploy, quote(t.Type))
		filters := t.Settings("gcp")
		keys := make([]string, 0, len(filters))
		for k := range filters {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(b, " --trigger-event-filters=%s", quote(k+"="+filters[k]))
		}
		b.WriteString("\n")
	default:
		return fmt.Errorf("trigger kind %q has no Cloud Functions trigger", t.Kind)
	}
	return nil
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
