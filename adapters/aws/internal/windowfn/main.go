// Command windowfn is a test function for adapters/aws: a Kinesis or
// DynamoDB Streams tumbling-window aggregation. Each record adds one to the
// window state's count and its id to the state's ids; the window-end event
// appends the final state to $POLYFN_WINDOW_FILE.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"

	"github.com/polyfn/polyfn/adapters/aws"
	"github.com/polyfn/polyfn/core"
	awsprov "github.com/polyfn/polyfn/providers/aws"
)

type state struct {
	Count int      `json:"count"`
	IDs   []string `json:"ids"`
}

func main() {
	app := core.NewApp()
	core.Must(app.Event("window", handle, core.OnStream("arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream")))
	aws.Start(app)
}

func handle(ctx context.Context, e core.Event) (*core.Event, error) {
	w, ok := awsprov.TumblingWindowFromContext(ctx)
	if !ok {
		return nil, errors.New("not a tumbling-window invocation")
	}
	if e.Type() == awsprov.TypeWindowEnd {
		return nil, appendLine(w.State())
	}
	var s state
	if err := json.Unmarshal(w.State(), &s); err != nil {
		return nil, err
	}
	s.Count++
	s.IDs = append(s.IDs, e.ID())
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return nil, w.SetState(b)
}

func appendLine(b []byte) error {
	f, err := os.OpenFile(os.Getenv("POLYFN_WINDOW_FILE"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	return errors.Join(err, f.Close())
}
