package aws_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/aws"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/metrics"
	"github.com/polyfn/polyfn/internal/emf"
)

// Each invocation writes its EMF lines when it ends: the built-in metrics
// (ColdStart on the first only) and the function's own, by dimension set.
func TestEMF(t *testing.T) {
	var out bytes.Buffer
	stop, err := aws.StartMetrics("Shop", &out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	app := core.NewApp()
	core.Must(app.Event("fulfil", func(ctx context.Context, e core.Event) (*core.Event, error) {
		metrics.Add(ctx, "Orders", 1, metrics.Dim{Name: "region", Value: "eu"})
		metrics.Add(ctx, "Orders", 2, metrics.Dim{Name: "region", Value: "eu"})
		metrics.Record(ctx, "Total", 129.9, metrics.None)
		if e.ID() == "bad" {
			return nil, errors.New("no stock")
		}
		return nil, nil
	}))
	h, err := aws.NewHandler(app)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ok", "bad"} {
		ctx, cancel := lambdaCtx("req-"+id, 5*time.Second)
		_, _ = h.Invoke(ctx, []byte(`{"specversion":"1.0","id":"`+id+`","source":"/t","type":"t"}`))
		cancel()
	}
	metrics.Add(context.Background(), "Outside", 1) // no invocation: dropped
	type line struct {
		AWS struct {
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
	}
	var got []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n")) {
		var m map[string]any
		var shape line
		if err := json.Unmarshal(l, &m); err != nil || json.Unmarshal(l, &shape) != nil || shape.AWS.CloudWatchMetrics[0].Namespace != "Shop" {
			t.Fatalf("not an EMF line of namespace Shop: %s", l)
		}
		delete(m, "_aws")
		delete(m, "Duration")
		got = append(got, m)
	}
	want := []map[string]any{
		{"function": "fulfil", "Invocations": 1.0, "Errors": 0.0, "ColdStart": 1.0},
		{"function": "fulfil", "region": "eu", "Orders": []any{1.0, 2.0}},
		{"function": "fulfil", "Total": 129.9},
		{"function": "fulfil", "Invocations": 1.0, "Errors": 1.0},
		{"function": "fulfil", "region": "eu", "Orders": []any{1.0, 2.0}},
		{"function": "fulfil", "Total": 129.9},
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("EMF lines\n%s\nwant\n%s", gotJSON, wantJSON)
	}
	if _, err := aws.StartMetrics("", &out, nil); err == nil {
		t.Error("an empty namespace is accepted")
	}
}

// Without package core/metrics in the program (emf.Start unset),
// StartMetrics says what to import instead of writing nothing silently.
func TestStartMetricsWithoutPackage(t *testing.T) {
	saved := emf.Start
	emf.Start = nil
	defer func() { emf.Start = saved }()
	if _, err := aws.StartMetrics("Shop", io.Discard, nil); !errors.Is(err, aws.ErrNoMetrics) ||
		!strings.Contains(err.Error(), "core/metrics") {
		t.Errorf("StartMetrics without core/metrics: %v, want ErrNoMetrics naming the package", err)
	}
}
