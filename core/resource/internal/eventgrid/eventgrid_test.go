package eventgrid

import (
	"context"
	"strings"
	"testing"

	"gocloud.dev/pubsub"
)

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for url, want := range map[string]string{
		"eventgrid:///api/events":                 "want eventgrid://HOST/api/events",
		"eventgrid://t.eventgrid.azure.net/x?a=1": "want eventgrid://HOST/api/events",
	} {
		if _, err := pubsub.OpenTopic(ctx, url); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("OpenTopic(%s) = %v, want an error containing %q", url, err, want)
		}
	}
}

func TestCloudEventErrors(t *testing.T) {
	for body, want := range map[string]string{
		`plain text`:                          "not a structured-mode CloudEvent",
		`{"id":"1","source":"/s","type":"t"}`: "lacks specversion, id, source or type",
		`{"specversion":"1.0","id":1,"source":"/s","type":"t"}`:                      "id:",
		`{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"yesterday"}`: "cannot parse",
		`{"specversion":"1.0","id":"1","source":"/s","type":"t","data_base64":"!"}`:  "illegal base64",
	} {
		if _, err := cloudEvent([]byte(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("cloudEvent(%s) = %v, want an error containing %q", body, err, want)
		}
	}
}
