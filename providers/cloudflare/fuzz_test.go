package cloudflare_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/providers/cloudflare"
)

// FuzzDecodeQueue: any input decodes into valid events, one per message,
// or fails with ErrInvalid; the verdict of a decoded batch covers it.
func FuzzDecodeQueue(f *testing.F) {
	b, err := os.ReadFile("testdata/queue/mixed.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"queue":"q","messages":[{"id":"m","format":"text","body":"\u00e9"}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		qb, evs, err := cloudflare.DecodeQueue(in)
		if err != nil {
			if !errors.Is(err, cloudflare.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		if len(evs) != len(qb.Messages) {
			t.Fatalf("%d events for %d messages", len(evs), len(qb.Messages))
		}
		for _, e := range evs {
			if err := e.Validate(); err != nil || core.EventKindOf(e) != core.KindQueueMessage {
				t.Fatalf("event %v: %v", e, err)
			}
		}
		var v cloudflare.QueueVerdict
		if err := json.Unmarshal(cloudflare.EncodeQueue(len(evs), driver.BatchResult{Records: make([]driver.RecordResult, len(evs))}), &v); err != nil || len(v.Outcomes) != len(evs) {
			t.Fatalf("verdict %v: %v", v, err)
		}
	})
}
