package gcp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/core"
)

// conformanceCases lists the functions-framework-conformance cases in
// testdata/conformance.
func conformanceCases(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "conformance", "*-legacy-input.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no conformance fixtures: %v", err)
	}
	var cases []string
	for _, n := range names {
		cases = append(cases, strings.TrimSuffix(filepath.Base(n), "-legacy-input.json"))
	}
	sort.Strings(cases)
	return cases
}

// ceFixture is a CloudEvent in the conformance fixtures' JSON form.
type ceFixture struct {
	SpecVersion     string          `json:"specversion"`
	Type            string          `json:"type"`
	Source          string          `json:"source"`
	Subject         string          `json:"subject"`
	ID              string          `json:"id"`
	Time            string          `json:"time"`
	DataContentType string          `json:"datacontenttype"`
	Data            json.RawMessage `json:"data"`
}

func loadCE(t *testing.T, name string) ceFixture {
	t.Helper()
	var f ceFixture
	if err := json.Unmarshal(readFile(t, filepath.Join("conformance", name)), &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// compareCE checks what the conformance suite checks: id, source, subject,
// type, time, datacontenttype and data (as JSON); extensions are ignored.
func compareCE(t *testing.T, got event.Event, want ceFixture) {
	t.Helper()
	wantTime, err := time.Parse(time.RFC3339Nano, want.Time)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"id", got.ID(), want.ID},
		{"source", got.Source(), want.Source},
		{"subject", got.Subject(), want.Subject},
		{"type", got.Type(), want.Type},
		{"datacontenttype", got.DataContentType(), want.DataContentType},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !got.Time().Equal(wantTime) {
		t.Errorf("time = %v, want %v", got.Time(), wantTime)
	}
	var g, w any
	if err := json.Unmarshal(got.Data(), &g); err != nil {
		t.Fatalf("data %s: %v", got.Data(), err)
	}
	if err := json.Unmarshal(want.Data, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("data =\n%s\nwant\n%s", got.Data(), want.Data)
	}
}

// TestConformanceLegacy converts every legacy input of
// functions-framework-conformance and compares it with the CloudEvent the
// suite expects (mapping validation).
func TestConformanceLegacy(t *testing.T) {
	for _, c := range conformanceCases(t) {
		t.Run(c, func(t *testing.T) {
			e, err := DecodeRequest(jsonHeader("application/json"), readFile(t, filepath.Join("conformance", c+"-legacy-input.json")), "/")
			if err != nil {
				t.Fatal(err)
			}
			compareCE(t, e, loadCE(t, c+"-cloudevent-output.json"))
		})
	}
}

// TestConformanceBinary sends every CloudEvent input in binary mode, as the
// conformance client does, and expects it unchanged.
func TestConformanceBinary(t *testing.T) {
	for _, c := range conformanceCases(t) {
		t.Run(c, func(t *testing.T) {
			in := loadCE(t, c+"-cloudevent-input.json")
			h := http.Header{}
			h.Set("Ce-Specversion", in.SpecVersion)
			h.Set("Ce-Id", in.ID)
			h.Set("Ce-Source", in.Source)
			h.Set("Ce-Type", in.Type)
			h.Set("Ce-Time", in.Time)
			if in.Subject != "" {
				h.Set("Ce-Subject", in.Subject)
			}
			h.Set("Content-Type", in.DataContentType)
			e, err := DecodeRequest(h, in.Data, "/")
			if err != nil {
				t.Fatal(err)
			}
			compareCE(t, e, in)
			if k := KindOf(in.Type); core.EventKindOf(e) != k {
				t.Errorf("polyfnkind = %q, want %q", core.EventKindOf(e), k)
			}
		})
	}
}

// TestFixturesMatchShared checks that testdata holds byte-exact copies of
// the shared fixtures, when they are on this machine.
func TestFixturesMatchShared(t *testing.T) {
	const shared = "../../../shared/fixtures"
	if _, err := os.Stat(shared); err != nil {
		t.Skip("shared fixtures not present")
	}
	for local, remote := range map[string]string{"google": "gcp", "structured": "gcp/structured", "conformance": "gcp-conformance"} {
		names, _ := filepath.Glob(filepath.Join("testdata", local, "*.json"))
		for _, n := range names {
			want, err := os.ReadFile(filepath.Join(shared, remote, filepath.Base(n)))
			if err != nil {
				t.Errorf("%s: %v", n, err)
				continue
			}
			if got, _ := os.ReadFile(n); !bytes.Equal(got, want) {
				t.Errorf("%s differs from the shared fixture", n)
			}
		}
	}
}

func TestFromCloudEventLeavesInputAlone(t *testing.T) {
	e := event.New()
	e.SetID("1")
	e.SetSource("//pubsub.googleapis.com/projects/p/topics/t")
	e.SetType(TypePubSubMessagePublished)
	_ = e.SetData("application/json", json.RawMessage(`{"message":{"data":"aGk=","orderingKey":"k"}}`))
	out, err := FromCloudEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Extensions()) != 0 {
		t.Errorf("input gained extensions %v", e.Extensions())
	}
	if got, _ := core.ExtensionString(out, PartitionKeyExtension); got != "k" {
		t.Errorf("partitionkey = %q, want k", got)
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		ceType string
		want   core.EventKind
	}{
		{TypePubSubMessagePublished, core.KindTopicMessage},
		{TypeStorageObjectFinalized, core.KindStorageObjectCreated},
		{TypeStorageObjectDeleted, core.KindStorageObjectDeleted},
		{TypeStorageObjectArchived, ""},
		{TypeStorageObjectMetadata, ""},
		{"google.cloud.firestore.document.v1.created", core.KindDBDocumentCreated},
		{"google.cloud.firestore.document.v1.updated.withAuthContext", core.KindDBDocumentUpdated},
		{"google.cloud.firestore.document.v1.deleted", core.KindDBDocumentDeleted},
		{"google.cloud.firestore.document.v1.written", core.KindDBDocumentWritten},
		{"google.cloud.datastore.entity.v1.written", core.KindDBDocumentWritten},
		{TypeSchedulerJobExecuted, core.KindScheduleFired},
		{TypeAuditLogWritten, core.KindBusEvent},
		{"google.cloud.cloudbuild.build.v1.statusChanged", ""},
		{"google.cloud.firestore.document.v1.bogus", ""},
	}
	for _, tt := range tests {
		if got := KindOf(tt.ceType); got != tt.want {
			t.Errorf("KindOf(%q) = %q, want %q", tt.ceType, got, tt.want)
		}
	}
}
