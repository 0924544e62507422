package cloudflare_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/golden"
	"github.com/polyfn/polyfn/providers/cloudflare"
)

func TestDecodeQueue(t *testing.T) {
	b, err := os.ReadFile("testdata/queue/mixed.json")
	if err != nil {
		t.Fatal(err)
	}
	qb, evs, err := cloudflare.DecodeQueue(b)
	if err != nil {
		t.Fatal(err)
	}
	if qb.Queue != "orders" || len(evs) != 4 {
		t.Fatalf("queue %q, %d events", qb.Queue, len(evs))
	}
	var out []byte
	for _, e := range evs {
		line, err := cejson.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, line...), '\n')
	}
	golden.Check(t, "testdata/golden/queue_mixed.jsonl", out)
}

func TestDecodeQueueErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"not JSON", `{`, "queue batch"},
		{"no queue", `{"messages":[]}`, "no queue name"},
		{"no id", `{"queue":"q","messages":[{"format":"json","body":1}]}`, "message 0 (id \"\"): no id"},
		{"unknown format", `{"queue":"q","messages":[{"id":"m","format":"xml","body":"<a/>"}]}`, `body format "xml"`},
		{"text not a string", `{"queue":"q","messages":[{"id":"m","format":"text","body":1}]}`, "text body is not a JSON string"},
		{"bytes not base64", `{"queue":"q","messages":[{"id":"m","format":"bytes","body":"%%%"}]}`, "not base64"},
		{"bad CloudEvent", `{"queue":"q","messages":[{"id":"m","format":"json","body":{"specversion":"1.0"}}]}`, "structured CloudEvent"},
		{"too many", `{"queue":"q","messages":[` + strings.Repeat(`{"id":"m","format":"json","body":1},`, 100) + `{"id":"m","format":"json","body":1}]}`, "at most 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := cloudflare.DecodeQueue([]byte(tt.in))
			if err == nil || !errors.Is(err, cloudflare.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want ErrInvalid saying %q", err, tt.want)
			}
		})
	}
}

func TestEncodeQueue(t *testing.T) {
	perm := core.Permanent(errors.New("bad"))
	tests := []struct {
		name string
		n    int
		res  driver.BatchResult
		want string
	}{
		{"all ok", 2, driver.BatchResult{Records: []driver.RecordResult{{}, {}}}, `{"outcomes":["ack","ack"]}`},
		{"failures retried, permanent too", 4, driver.BatchResult{Records: []driver.RecordResult{{}, {Err: perm}, {Err: errors.New("x")}, {Err: driver.ErrSkipped}}},
			`{"outcomes":["ack","retry","retry","retry"]}`},
		{"result does not cover the batch", 2, driver.BatchResult{Records: []driver.RecordResult{{}}}, `{"outcomes":["retry","retry"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(cloudflare.EncodeQueue(tt.n, tt.res)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestScheduleEvent(t *testing.T) {
	e, err := cloudflare.ScheduleEvent("nightly", "0 2 * * *", 1764208800000)
	if err != nil {
		t.Fatal(err)
	}
	line, err := cejson.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/golden/schedule.json", append(line, '\n'))
	if !e.Time().Equal(time.Date(2025, 11, 27, 2, 0, 0, 0, time.UTC)) || core.EventKindOf(e) != core.KindScheduleFired {
		t.Errorf("time %v kind %q", e.Time(), core.EventKindOf(e))
	}
	for _, bad := range []float64{-1, 1e16} {
		if _, err := cloudflare.ScheduleEvent("nightly", "* * * * *", bad); !errors.Is(err, cloudflare.ErrInvalid) {
			t.Errorf("scheduledTime %v: error %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := cloudflare.ScheduleEvent("", "* * * * *", 0); !errors.Is(err, cloudflare.ErrInvalid) {
		t.Errorf("no function: error %v, want ErrInvalid", err)
	}
}

func TestCron(t *testing.T) {
	tests := []struct {
		cron, tz, want, err string
	}{
		{"0 2 * * *", "", "0 2 * * *", ""},
		{"0 2 * * *", "UTC", "0 2 * * *", ""},
		{"@daily", "", "0 0 * * *", ""},
		{"@weekly", "Etc/UTC", "0 0 * * SUN", ""},
		{"*/5 * * * 1-5", "", "*/5 * * * MON-FRI", ""},
		{"0 9 * * 0,6", "", "0 9 * * SUN,SAT", ""},
		{"0 9 * * 5-7", "", "0 9 * * FRI-SAT,SUN", ""},
		{"0 9 * * 1-5/2", "", "0 9 * * MON-FRI/2", ""},
		{"0 9 ? * MON", "", "0 9 * * MON", ""},
		{"0 2 * * *", "Europe/Paris", "", `time zone "Europe/Paris": Cloudflare Cron Triggers run in UTC only`},
		{"0 9 * * 3-7/2", "", "", "stepped range ending at 7"},
		{"61 * * * *", "", "", `schedule "61 * * * *"`},
	}
	for _, tt := range tests {
		t.Run(tt.cron+" "+tt.tz, func(t *testing.T) {
			got, err := cloudflare.Cron(core.OnSchedule(tt.cron, tt.tz))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("got %q, %v; want an error saying %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
