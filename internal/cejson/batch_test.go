package cejson

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// tinyBatch returns a batch of n events of the required attributes only,
// about 60 bytes each, and data of dataLen bytes when dataLen > 0.
func tinyBatch(n, dataLen int) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	data := ""
	if dataLen > 0 {
		data = `,"data":"` + strings.Repeat("x", dataLen) + `"`
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"specversion":"1.0","id":"%d","source":"/s","type":"t"%s}`, i, data)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// allocPerByte returns the bytes UnmarshalBatchMax allocates per byte of
// body, and the number of events it read.
func allocPerByte(t testing.TB, body []byte, max int) (float64, int) {
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	evs, err := UnmarshalBatchMax(body, max)
	runtime.ReadMemStats(&m1)
	if err != nil && len(evs) > 0 {
		t.Fatal("events and an error")
	}
	runtime.KeepAlive(evs)
	return float64(m1.TotalAlloc-m0.TotalAlloc) / float64(len(body)), len(evs)
}

// TestBatchMemory bounds what decoding a batch allocates, per byte of
// body (issue 10: one 10 MiB batch of some 190,000 tiny events drove a
// server from 6 MB to 334 MB): over the cap, nothing but the count; under
// it, the events' contexts (one allocation per event, about 330 bytes)
// and their data, which for the tiniest events is under 8 bytes per byte
// of body, and for events with data little more than the data itself.
func TestBatchMemory(t *testing.T) {
	tiny := tinyBatch(190_000, 0)
	if len(tiny) < 10<<20 {
		t.Fatalf("the batch is only %d bytes", len(tiny))
	}
	tests := []struct {
		name    string
		body    []byte
		max     int
		events  int
		perByte float64 // the most bytes allocated per byte of body
	}{
		{"10 MiB of tiny events, default cap", tiny, 0, 0, 0.001},
		{"10 MiB of tiny events, no cap", tiny, 1 << 30, 190_000, 8},
		{"1,000 events of 1 KiB data", tinyBatch(1000, 1024), 0, 1000, 1.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := allocPerByte(t, tt.body, tt.max)
			if n != tt.events {
				t.Fatalf("read %d events, want %d", n, tt.events)
			}
			if got > tt.perByte {
				t.Fatalf("allocated %.3f bytes per byte of a %d-byte body, over %.3f", got, len(tt.body), tt.perByte)
			}
			t.Logf("%.3f bytes allocated per byte of body", got)
		})
	}
}

// BenchmarkUnmarshalBatch reads 10 MiB of tiny events without a cap and
// reports the bytes allocated per byte of body.
func BenchmarkUnmarshalBatch(b *testing.B) {
	body := tinyBatch(190_000, 0)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for i := 0; i < b.N; i++ {
		if _, err := UnmarshalBatchMax(body, 1<<30); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/float64(b.N)/float64(len(body)), "B/body-B")
}
