package gcp

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/mediatype"
)

func init() { driver.RegisterPayload(TypePubSubMessagePublished, pubsubPayload) }

// pubsubPayload returns the message inside a messagePublished event, so
// that core.Decode and core.Typed read a Pub/Sub message's data as they
// read an SQS message's body: base64-decoded, with the media type of its
// "content-type" attribute, or else application/json for JSON bytes,
// text/plain for other UTF-8 text and application/octet-stream for the rest.
func pubsubPayload(e core.Event) ([]byte, string, error) {
	var env struct {
		Message *struct {
			Data       []byte            `json:"data"` // base64 in JSON
			Attributes map[string]string `json:"attributes"`
		} `json:"message"`
	}
	if err := json.Unmarshal(e.Data(), &env); err != nil || env.Message == nil {
		return nil, "", core.Permanent(fmt.Errorf("%s event %s: data is not a Pub/Sub message envelope", e.Type(), e.ID()))
	}
	mt := ""
	for k, v := range env.Message.Attributes {
		if strings.EqualFold(k, "content-type") {
			mt = mediatype.Of(v)
		}
	}
	if mt == "" {
		switch d := env.Message.Data; {
		case len(d) > 0 && json.Valid(d):
			mt = "application/json"
		case len(d) > 0 && utf8.Valid(d):
			mt = "text/plain"
		default:
			mt = "application/octet-stream"
		}
	}
	return env.Message.Data, mt, nil
}
