package gcf

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	gcpprov "github.com/polyfn/polyfn/providers/gcp"
)

// TestLegacyEvents sends every legacy input of
// functions-framework-conformance to the source-deploy path
// (functions-framework-go's own server) and checks that the event the
// polyfn function sees there is the one providers/gcp.DecodeRequest makes
// of the same body, as on the container path: functions-framework-go's own
// legacy conversion is not involved.
func TestLegacyEvents(t *testing.T) {
	base := ffServer(t)
	inputs, err := filepath.Glob("../../../providers/gcp/testdata/conformance/*-legacy-input.json")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no conformance fixtures: %v", err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), "-legacy-input.json")
		t.Run(name, func(t *testing.T) {
			body := readFixture(t, "../"+in)
			before := ffRec.count()
			resp, err := client.Do(newRequest(t, base+"/ev", map[string]string{"Content-Type": "application/json"}, body))
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent || ffRec.count() != before+1 {
				t.Fatalf("status %d (%s), %d calls", resp.StatusCode, msg, ffRec.count()-before)
			}
			ffRec.mu.Lock()
			got := ffRec.events[before]
			ffRec.mu.Unlock()
			want, err := gcpprov.DecodeRequest(http.Header{"Content-Type": {"application/json"}}, body, "/")
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ attr, got, want string }{
				{"id", got.ID(), want.ID()}, {"source", got.Source(), want.Source()}, {"subject", got.Subject(), want.Subject()},
				{"type", got.Type(), want.Type()}, {"datacontenttype", got.DataContentType(), want.DataContentType()},
				{"polyfnkind", string(core.EventKindOf(got)), string(core.EventKindOf(want))},
			} {
				if c.got != c.want {
					t.Errorf("%s: source-deploy path %q, DecodeRequest %q", c.attr, c.got, c.want)
				}
			}
			if !got.Time().Equal(want.Time()) {
				t.Errorf("time: %v vs %v", got.Time(), want.Time())
			}
			var g, w any
			_ = json.Unmarshal(got.Data(), &g)
			_ = json.Unmarshal(want.Data(), &w)
			if !reflect.DeepEqual(g, w) {
				t.Errorf("data:\n%s\nvs\n%s", got.Data(), want.Data())
			}
		})
	}
}
