package gcp

import (
	"context"
	"encoding/json"
	"sync/atomic"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/core"
)

// benchData is what the benchmark functions decode: the part of a Pub/Sub
// message a function typically reads.
type benchData struct {
	Message struct {
		Data       []byte            `json:"data"`
		Attributes map[string]string `json:"attributes"`
	} `json:"message"`
}

var benchSink atomic.Int64

// benchWork is the work every benchmarked function does, polyfn or native.
func benchWork(data []byte) error {
	var d benchData
	if err := json.Unmarshal(data, &d); err != nil {
		return err
	}
	benchSink.Add(int64(len(d.Message.Data)))
	return nil
}

func polyfnBench(ctx context.Context, e core.Event) (*core.Event, error) {
	return nil, benchWork(e.Data())
}

func nativeBench(ctx context.Context, e event.Event) error { return benchWork(e.Data()) }
