package azure

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
)

func reply(id string) *core.Event {
	e := core.NewEvent(id, "/test", "test.reply", "application/json", []byte(`{"ok":true}`))
	return &e
}

func TestInvocationResponse(t *testing.T) {
	bad := core.NewEvent("", "", "", "", nil) // no id, source nor type
	ok := driver.RecordResult{}
	tests := []struct {
		name    string
		batch   bool
		records []driver.RecordResult
		want    string // the answer's JSON
		err     string // or the error
		outcome driver.Outcome
	}{
		{name: "no reply", records: []driver.RecordResult{ok},
			want: `{"Outputs":{},"Logs":["l1"],"ReturnValue":null}`},
		{name: "one reply", records: []driver.RecordResult{{Reply: reply("r1")}},
			want: `{"Outputs":{},"Logs":["l1"],"ReturnValue":{"specversion":"1.0","id":"r1","source":"/test","type":"test.reply","datacontenttype":"application/json","data":{"ok":true}}}`},
		{name: "batch replies", batch: true, records: []driver.RecordResult{{Reply: reply("r1")}, ok, {Reply: reply("r3")}},
			want: `{"Outputs":{},"Logs":["l1"],"ReturnValue":[{"specversion":"1.0","id":"r1","source":"/test","type":"test.reply","datacontenttype":"application/json","data":{"ok":true}},{"specversion":"1.0","id":"r3","source":"/test","type":"test.reply","datacontenttype":"application/json","data":{"ok":true}}]}`},
		{name: "batch of one reply", batch: true, records: []driver.RecordResult{{Reply: reply("r1")}},
			want: `{"Outputs":{},"Logs":["l1"],"ReturnValue":{"specversion":"1.0","id":"r1","source":"/test","type":"test.reply","datacontenttype":"application/json","data":{"ok":true}}}`},
		{name: "single failure", records: []driver.RecordResult{{Err: errors.New("boom")}},
			err: "boom", outcome: driver.Retryable},
		{name: "permanent batch failure", batch: true, records: []driver.RecordResult{ok, {Err: core.Permanentf("bad")}, {Err: core.Permanentf("worse")}},
			err: "2 of 3 records failed; Azure has no partial failure, so the whole batch fails: record 1: bad\nrecord 2: worse", outcome: driver.Permanent},
		{name: "mixed batch failure", batch: true, records: []driver.RecordResult{{Err: errors.New("later")}, {Err: core.Permanentf("bad")}},
			err: "2 of 2 records failed", outcome: driver.Retryable},
		{name: "invalid reply", records: []driver.RecordResult{{Reply: &bad}},
			err: "the function returned an invalid reply event", outcome: driver.Permanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &Invocation{Batch: tt.batch}
			resp, err := inv.Response(driver.BatchResult{Records: tt.records}, []string{"l1"})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				o := driver.OutcomeOf(err)
				var be *BatchError
				if errors.As(err, &be) {
					o = be.Outcome
					if strings.Contains(be.Summary(), "record 1") {
						t.Errorf("the summary holds the records' errors: %s", be.Summary())
					}
				}
				if o != tt.outcome {
					t.Errorf("outcome %v, want %v", o, tt.outcome)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := string(resp.AppendJSON(nil)); got != tt.want {
				t.Errorf("answer\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestHTTPResponse(t *testing.T) {
	h := http.Header{"Content-Type": {"text/plain"}, "X-Multi": {"a", "b"}}
	tests := []struct {
		name string
		src  Source
		want string
	}{
		{"res", Source{}, `{"Outputs":{"res":{"statusCode":201,"headers":{"Content-Type":"text/plain","X-Multi":"a,b"},"body":"hi"}},"Logs":[],"ReturnValue":null}`},
		{"named", Source{HTTPOutput: "out"}, `{"Outputs":{"out":{"statusCode":201,"headers":{"Content-Type":"text/plain","X-Multi":"a,b"},"body":"hi"}},"Logs":[],"ReturnValue":null}`},
		{"$return", Source{HTTPOutput: "$return"}, `{"Outputs":{},"Logs":[],"ReturnValue":{"statusCode":201,"headers":{"Content-Type":"text/plain","X-Multi":"a,b"},"body":"hi"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := tt.src.HTTPResponse(http.StatusCreated, h, []byte("hi"), nil)
			if got := string(resp.AppendJSON(nil)); got != tt.want {
				t.Errorf("answer\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestParseRequestNames(t *testing.T) {
	tests := []struct {
		name, body string
		data       []string // Data's member names
	}{
		{"escaped top-level name", `{"D\u0061ta":{"msg":"\"x\""}}`, []string{"msg"}},
		{"escaped member name", `{"Data":{"m\u0073g":"\"x\""}}`, []string{"msg"}},
		{"case-insensitive", `{"data":{"a":1},"DATA":{"b":2}}`, []string{"a", "b"}},
		{"non-ASCII name", `{"Data":{"café":1}}`, []string{"café"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ParseRequest([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if len(req.Data) != len(tt.data) {
				t.Fatalf("Data %v, want members %v", req.Data, tt.data)
			}
			for _, k := range tt.data {
				if _, ok := req.Data[k]; !ok {
					t.Errorf("Data lacks %q: %v", k, req.Data)
				}
			}
		})
	}
}
