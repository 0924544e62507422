package main

import (
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/sample"
	"github.com/polyfn/polyfn/providers/gcp"
)

// TestSampleAgreesWithProviders checks the protocol names internal/sample
// spells itself, since it may not import the providers, against theirs.
func TestSampleAgreesWithProviders(t *testing.T) {
	tests := []struct{ name, sample, provider string }{
		{"schedule job attribute", sample.ScheduleJobAttribute, gcp.ScheduleJobAttribute},
		{"schedule attribute", core.KindExtension, gcp.ScheduleAttribute},
		{"pubsub type", triggerType(t, "pubsub"), gcp.TypePubSubMessagePublished},
		{"storage type", triggerType(t, "storage"), gcp.TypeStorageObjectFinalized},
		{"firestore type", triggerType(t, "firestore"), gcp.TypeFirestoreDocumentPrefix + "written"},
	}
	for _, tt := range tests {
		if tt.sample != tt.provider {
			t.Errorf("%s: internal/sample says %q, providers/gcp %q", tt.name, tt.sample, tt.provider)
		}
	}
}

// TestGoogleSchedule checks that the schedule tick polyfn invoke sends on
// gcp is what the provider turns into schedule.fired, as the manifest's
// Cloud Scheduler job publishes it.
func TestGoogleSchedule(t *testing.T) {
	evs, err := sample.Google(invokeProject, "schedule", "nightly", nil)
	if err != nil || len(evs) != 1 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	e := evs[0]
	if err := gcp.Normalize(&e); err != nil {
		t.Fatal(err)
	}
	if k := core.EventKindOf(e); k != core.KindScheduleFired {
		t.Fatalf("kind %q, want %q", k, core.KindScheduleFired)
	}
}

func triggerType(t *testing.T, name string) string {
	t.Helper()
	tk, ok := sample.Lookup(name)
	if !ok {
		t.Fatalf("no trigger %s", name)
	}
	return tk.Type
}
