// Command native is the baseline of polyfn's GCP benchmarks: a CloudEvent
// function written directly against functions-framework-go, served the way
// the Go buildpack's generated main serves it (funcframework.Start on $PORT).
// Its function does what examples/echo's does: encode the received event as
// JSON and, when the data asks for it, fail.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cloudevents/sdk-go/v2/event"
)

func init() {
	functions.CloudEvent("echo", func(ctx context.Context, e event.Event) error {
		if _, err := json.Marshal(e); err != nil {
			return err
		}
		var c struct {
			Fail bool `json:"fail"`
		}
		if json.Unmarshal(e.Data(), &c) == nil && c.Fail {
			return errors.New("failure requested")
		}
		return nil
	})
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	if err := funcframework.Start(port); err != nil {
		log.Fatalf("funcframework.Start: %v", err)
	}
}
