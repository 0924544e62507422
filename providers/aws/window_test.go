package aws

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/golden"
)

// windowSeen is what the window test's handler saw of one event.
type windowSeen struct {
	ID     string          `json:"id"`
	Type   string          `json:"type"`
	Start  time.Time       `json:"start"`
	End    time.Time       `json:"end"`
	Shard  string          `json:"shard"`
	ARN    string          `json:"arn"`
	Final  bool            `json:"final"`
	Early  bool            `json:"early"`
	State  json.RawMessage `json:"state"`
	Failed bool            `json:"failed,omitempty"`
}

// countRecords is a windowed handler: each record adds one to the state's
// count; the event whose id is fail fails after setting the state.
func countRecords(seen *[]windowSeen, fail string) core.EventFunc {
	return func(ctx context.Context, e core.Event) (*core.Event, error) {
		w, ok := TumblingWindowFromContext(ctx)
		if !ok {
			return nil, errors.New("no window in the context")
		}
		s := windowSeen{ID: e.ID(), Type: e.Type(), Start: w.Start, End: w.End, Shard: w.ShardID, ARN: w.EventSourceARN,
			Final: w.Final, Early: w.TerminatedEarly, State: w.State(), Failed: e.ID() == fail}
		*seen = append(*seen, s)
		if e.Type() != TypeWindowEnd {
			var st struct{ Count int }
			if err := json.Unmarshal(w.State(), &st); err != nil {
				return nil, err
			}
			if err := w.SetState([]byte(`{"count":` + strconv.Itoa(st.Count+1) + `}`)); err != nil {
				return nil, err
			}
		}
		if s.Failed {
			return nil, errors.New("boom")
		}
		return nil, nil
	}
}

func TestTumblingWindow(t *testing.T) {
	tests := []struct {
		name        string
		file        string
		want        Source
		concurrency int
		fail        string
		wantResp    string // "" when the invocation must fail
	}{
		{"kinesis", "aws-lambda-go-kinesis-time-window-event.json", SourceKinesis, 1, "",
			`{"state":{"count":1},"batchItemFailures":[]}`},
		{"dynamodb, second record fails, concurrency 4", "aws-lambda-go-dynamodb-time-window-event.json", SourceDynamoDB, 4, "2",
			`{"state":{"count":1},"batchItemFailures":[{"itemIdentifier":"222"}]}`},
		{"kinesis final without records", "polyfn-kinesis-window-final-event.json", SourceKinesis, 1, "",
			`{"state":{"1":282,"2":715},"batchItemFailures":[]}`},
		{"dynamodb final", "polyfn-dynamodb-window-final-event.json", SourceDynamoDB, 1, "",
			`{"state":{"count":1},"batchItemFailures":[]}`},
		{"dynamodb final, window end fails", "polyfn-dynamodb-window-final-event.json", SourceDynamoDB, 1,
			"window:shardId-00000001596128647364-4bf8a4f3:2020-07-30T17:00:00Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := sniffDecode(t, tt.file, tt.want)
			var seen []windowSeen
			res := run(b, tt.concurrency, countRecords(&seen, tt.fail))
			out, err := b.Response(res)
			switch {
			case tt.wantResp == "" && err == nil:
				t.Errorf("Response = %s; want the window end's failure", out)
			case tt.wantResp != "" && (err != nil || string(out) != tt.wantResp):
				t.Errorf("Response = %s, %v; want %s", out, err, tt.wantResp)
			}
			name := strings.ReplaceAll(tt.name, " ", "-")
			name = strings.NewReplacer(",", "").Replace(name)
			golden.CheckJSON(t, filepath.Join("testdata", "window-"+name+".golden.json"), seen)
		})
	}
}

// TestTumblingWindowDeclared: a declared stream function is not sniffed;
// its decoder reads the window too.
func TestTumblingWindowDeclared(t *testing.T) {
	for _, tt := range []struct {
		src  Source
		file string
		n    int
	}{
		{SourceKinesis, "aws-lambda-go-kinesis-time-window-event.json", 1},
		{SourceDynamoDB, "aws-lambda-go-dynamodb-time-window-event.json", 3},
		{SourceKinesis, "polyfn-kinesis-window-final-event.json", 1},
	} {
		b, err := Decode(tt.src, readFixture(t, tt.file))
		if err != nil || b.win == nil || len(b.Events) != tt.n {
			t.Errorf("Decode(%v, %s) = %v, %v; want %d events and a window", tt.src, tt.file, b, err, tt.n)
		}
	}
}

func TestSetStateRejects(t *testing.T) {
	b, err := Decode(SourceKinesis, readFixture(t, "aws-lambda-go-kinesis-time-window-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	w, ok := TumblingWindowFromContext(b.WithRecord(context.Background(), 0))
	if !ok {
		t.Fatal("no window")
	}
	for _, s := range []string{``, `[1]`, `"x"`, `{"a":`, `{"a":1}x`, `{"a":"` + strings.Repeat("x", maxWindowState) + `"}`} {
		if err := w.SetState([]byte(s)); !errors.Is(err, ErrMalformedPayload) {
			t.Errorf("SetState(%.20q) = %v; want an error", s, err)
		}
	}
	if got := string(w.State()); got != `{"1":"state 1","2":"state 2"}` {
		t.Errorf("State after rejected sets = %s; want the state Lambda passed", got)
	}
	if err := w.SetState([]byte(` {"a":1} `)); err != nil || string(w.State()) != ` {"a":1} ` {
		t.Errorf("SetState = %v, State = %s", err, w.State())
	}
}
