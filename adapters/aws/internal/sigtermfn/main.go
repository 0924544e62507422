// Command sigtermfn is a test function for adapters/aws: "busy" sleeps
// for the sleep_ms its CloudEvent asks, ignoring its context, so that
// Lambda's own timeout fires; the shutdown hook appends "sigterm" to
// $POLYFN_SHUTDOWN_FILE, then the App's stop hook appends "stop". Each
// invocation replies with whether it was a cold start.
package main

import (
	"context"
	"errors"
	"os"
	"strconv"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/adapters/aws"
	"github.com/polyfn/polyfn/core"
)

func main() {
	app := core.NewApp()
	core.Must(app.Event("busy", func(ctx context.Context, e core.Event) (*core.Event, error) {
		in, _ := core.Decode[struct {
			SleepMS int `json:"sleep_ms"`
		}](e)
		time.Sleep(time.Duration(in.SleepMS) * time.Millisecond) // ignores ctx on purpose
		reply := event.New()
		reply.SetID(e.ID() + ".reply")
		reply.SetSource("polyfn/sigtermfn")
		reply.SetType("cold." + strconv.FormatBool(core.InvocationFrom(ctx).ColdStart))
		return &reply, nil
	}))
	app.OnStop(func(context.Context) error { return appendLine("stop") })
	aws.Start(app, aws.WithShutdownHook(func() { _ = appendLine("sigterm") }))
}

func appendLine(s string) error {
	f, err := os.OpenFile(os.Getenv("POLYFN_SHUTDOWN_FILE"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(s + "\n")
	return errors.Join(err, f.Close())
}
