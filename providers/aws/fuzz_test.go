package aws

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/polyfn/polyfn/core/driver"
)

// The fuzz targets check every decoder: no input panics, and an input that
// does not decode is an error wrapping ErrMalformedPayload or
// ErrUnsupportedPayload, and one that does is answered with valid JSON
// when every record succeeds. Seeds are the fixtures in testdata.

func seed(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if filepath.Ext(name) == ".json" && !isGolden(name) {
			b, err := os.ReadFile(name)
			if err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`{"Records":[{}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
}

func isGolden(name string) bool {
	return len(name) > 12 && name[len(name)-12:] == ".golden.json"
}

func checkDecodeErr(t *testing.T, err error) {
	if err != nil && !errors.Is(err, ErrMalformedPayload) && !errors.Is(err, ErrUnsupportedPayload) {
		t.Fatalf("error %v wraps neither ErrMalformedPayload nor ErrUnsupportedPayload", err)
	}
}

func fuzzDecode(f *testing.F, src Source) {
	seed(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		b, err := Decode(src, payload)
		checkDecodeErr(t, err)
		if err != nil {
			return
		}
		for i := range b.Events {
			_ = b.WithRecord(context.Background(), i)
		}
		if out, err := b.Response(driver.BatchResult{Records: make([]driver.RecordResult, len(b.Events))}); err != nil || !json.Valid(out) {
			t.Fatalf("Response to a batch that succeeded = %s, %v", out, err)
		}
	})
}

func FuzzDecodeSQS(f *testing.F)         { fuzzDecode(f, SourceSQS) }
func FuzzDecodeSNS(f *testing.F)         { fuzzDecode(f, SourceSNS) }
func FuzzDecodeEventBridge(f *testing.F) { fuzzDecode(f, SourceEventBridge) }
func FuzzDecodeKinesis(f *testing.F)     { fuzzDecode(f, SourceKinesis) }
func FuzzDecodeDynamoDB(f *testing.F)    { fuzzDecode(f, SourceDynamoDB) }
func FuzzDecodeS3(f *testing.F)          { fuzzDecode(f, SourceS3) }
func FuzzDecodeCloudEvent(f *testing.F)  { fuzzDecode(f, SourceCloudEvent) }
func FuzzDecodeKafka(f *testing.F)       { fuzzDecode(f, SourceKafka) }
func FuzzDecodeLogs(f *testing.F)        { fuzzDecode(f, SourceCloudWatchLogs) }

func FuzzSniff(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		src, err := Sniff(payload)
		checkDecodeErr(t, err)
		if err == nil && src == SourceUnknown {
			t.Fatal("Sniff returned SourceUnknown without an error")
		}
	})
}

func FuzzDecodeHTTP(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, src := range []Source{SourceAPIGatewayV1, SourceAPIGatewayV2, SourceALB, SourceVPCLattice} {
			h, err := DecodeHTTP(src, payload)
			checkDecodeErr(t, err)
			if err != nil {
				continue
			}
			req, err := h.Request(context.Background(), HTTPOptions{BasePath: "/v1", ProxyPath: true})
			checkDecodeErr(t, err)
			if err != nil {
				continue
			}
			body := make([]byte, req.ContentLength)
			_, _ = req.Body.Read(body)
			_, _, err = h.CloudEvents(req, body)
			checkDecodeErr(t, err)
			w := NewResponseWriter()
			w.Header().Set("Set-Cookie", "a=1")
			_, _ = w.Write(body)
			if out := h.Response(w); len(out) == 0 {
				t.Fatal("empty response")
			}
		}
	})
}
