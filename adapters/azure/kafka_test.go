package azure_test

import (
	"context"
	"io"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/azure"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/core"
	pazure "github.com/polyfn/polyfn/providers/azure"
)

// TestKafkaRecordReachesFunction: a function on a Kafka trigger gets each
// record's topic, partition, offset, key and headers through
// KafkaRecordFromContext, over the adapter's wire.
func TestKafkaRecordReachesFunction(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]pazure.KafkaRecord{}
	app := core.NewApp()
	err := app.Event("clicks", func(ctx context.Context, e core.Event) (*core.Event, error) {
		r, ok := pazure.KafkaRecordFromContext(ctx)
		if !ok {
			return nil, core.Permanent(io.ErrUnexpectedEOF)
		}
		mu.Lock()
		seen[e.ID()] = *r
		mu.Unlock()
		return nil, nil
	}, core.OnStream("clicks").With("azure", "service", "kafka"), core.WithBatchConcurrency(4))
	if err != nil {
		t.Fatal(err)
	}
	h, err := azure.Handler(app, azure.WithOutput(io.Discard, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	key := "user-1"
	at := time.Date(2024, 5, 10, 16, 13, 45, 0, time.UTC)
	res, err := azuretest.New(srv.URL).Invoke(context.Background(), "clicks", azuretest.KafkaBatch("events", []azuretest.KafkaRecord{
		{Topic: "clicks", Partition: 3, Offset: 10, Key: &key, Timestamp: at, Value: []byte(`{"n":1}`), Headers: []azuretest.KafkaHeader{{Key: "trace", Value: []byte{0, 1, 2}}}},
		{Topic: "clicks", Partition: 4, Offset: 11, Timestamp: at, Value: []byte(`{"n":2}`)},
	}, ""))
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed {
		t.Fatalf("invocation failed: %s %s", res.Reason, res.Body)
	}
	first, second := seen["clicks-3-10"], seen["clicks-4-11"]
	if first.Offset != 10 || first.Partition != 3 || first.Key != "user-1" || !first.Timestamp.Equal(at) {
		t.Errorf("record clicks-3-10 = %+v", first)
	}
	if v, ok := first.Header("trace"); !ok || string(v) != "\x00\x01\x02" {
		t.Errorf("header trace = %q, %v", v, ok)
	}
	if second.HasKey || second.Offset != 11 || string(second.Value) != `{"n":2}` {
		t.Errorf("record clicks-4-11 = %+v", second)
	}
}
