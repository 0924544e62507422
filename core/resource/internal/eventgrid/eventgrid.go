// Package eventgrid is a Go CDK pubsub topic driver that publishes
// CloudEvents to an Azure Event Grid topic, on the official SDK
// (github.com/Azure/azure-sdk-for-go/sdk/messaging/eventgrid/azeventgrid,
// with azcore/messaging's CloudEvent), which the Go CDK lacks. Importing it
// registers the URL scheme eventgrid:// on pubsub.DefaultURLMux:
//
//	eventgrid://TOPIC.REGION-1.eventgrid.azure.net/api/events
//
// names the topic endpoint https://TOPIC.REGION-1.eventgrid.azure.net/api/events.
// The topic's access key in AZURE_EVENTGRID_KEY authenticates when it is
// set; otherwise the default Azure credential does (the function app's
// managed identity, with the EventGrid Data Sender role on the topic).
//
// Each message's body must be one CloudEvent in the CloudEvents JSON
// format (structured mode): the topic takes the CloudEvents schema, and the
// event arrives as it was sent. Metadata is not sent.
package eventgrid

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/messaging"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/eventgrid/azeventgrid"
	"gocloud.dev/gcerrors"
	"gocloud.dev/pubsub"
	"gocloud.dev/pubsub/batcher"
	"gocloud.dev/pubsub/driver"

	"github.com/polyfn/polyfn/core/resource/internal/azcode"
)

// Scheme is the URL scheme this package registers.
const Scheme = "eventgrid"

// EnvKey is the variable that may hold the topic's access key.
const EnvKey = "AZURE_EVENTGRID_KEY"

func init() { pubsub.DefaultURLMux().RegisterTopic(Scheme, URLOpener{}) }

// URLOpener opens eventgrid:// URLs (see the package documentation).
type URLOpener struct{}

// OpenTopicURL opens the topic endpoint u names.
func (URLOpener) OpenTopicURL(_ context.Context, u *url.URL) (*pubsub.Topic, error) {
	if u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("eventgrid: URL %q: want eventgrid://HOST/api/events, with no query", u)
	}
	endpoint := "https://" + u.Host + u.Path
	var (
		c   *azeventgrid.Client
		err error
	)
	if key := os.Getenv(EnvKey); key != "" {
		c, err = azeventgrid.NewClientWithSharedKeyCredential(endpoint, azcore.NewKeyCredential(key), nil)
	} else {
		var cred azcore.TokenCredential
		if cred, err = azidentity.NewDefaultAzureCredential(nil); err == nil {
			c, err = azeventgrid.NewClient(endpoint, cred, nil)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("eventgrid: %s: %w", endpoint, err)
	}
	return OpenTopic(c), nil
}

// OpenTopic returns a topic that publishes through c.
func OpenTopic(c *azeventgrid.Client) *pubsub.Topic {
	// Event Grid takes up to 1 MB a request.
	return pubsub.NewTopic(&topic{c: c}, &batcher.Options{MaxBatchSize: 100, MaxBatchByteSize: 900 << 10, MaxHandlers: 2})
}

type topic struct{ c *azeventgrid.Client }

// SendBatch publishes the messages' CloudEvents in one request.
func (t *topic) SendBatch(ctx context.Context, ms []*driver.Message) error {
	events := make([]messaging.CloudEvent, len(ms))
	as := func(any) bool { return false }
	for i, m := range ms {
		if m.BeforeSend != nil {
			if err := m.BeforeSend(as); err != nil {
				return err
			}
		}
		ce, err := cloudEvent(m.Body)
		if err != nil {
			return fmt.Errorf("eventgrid: message %d: %w", i, err)
		}
		events[i] = ce
	}
	if _, err := t.c.PublishCloudEvents(ctx, events, nil); err != nil {
		return err
	}
	for _, m := range ms {
		if m.AfterSend != nil {
			if err := m.AfterSend(as); err != nil {
				return err
			}
		}
	}
	return nil
}

// cloudEvent returns the CloudEvent in structured-mode JSON body as the SDK
// sends it, every member kept as it was written: JSON data stays JSON
// (the SDK's own decoding would turn it into bytes and send it back as
// data_base64), extensions keep their JSON types.
func cloudEvent(body []byte) (messaging.CloudEvent, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return messaging.CloudEvent{}, fmt.Errorf("not a structured-mode CloudEvent: %w", err)
	}
	var ce messaging.CloudEvent
	str := func(k string) (*string, error) {
		raw, ok := m[k]
		if !ok {
			return nil, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		return &s, nil
	}
	for k, raw := range m {
		var err error
		switch k {
		case "specversion", "id", "source", "type":
			var s *string
			if s, err = str(k); s != nil {
				switch k {
				case "specversion":
					ce.SpecVersion = *s
				case "id":
					ce.ID = *s
				case "source":
					ce.Source = *s
				case "type":
					ce.Type = *s
				}
			}
		case "subject":
			ce.Subject, err = str(k)
		case "dataschema":
			ce.DataSchema, err = str(k)
		case "datacontenttype":
			ce.DataContentType, err = str(k)
		case "time":
			var s *string
			if s, err = str(k); s != nil {
				var tm time.Time
				if tm, err = time.Parse(time.RFC3339Nano, *s); err == nil {
					ce.Time = &tm
				}
			}
		case "data":
			ce.Data = raw // json.RawMessage: marshalled as it is
		case "data_base64":
			var s *string
			if s, err = str(k); s != nil {
				ce.Data, err = base64.StdEncoding.DecodeString(*s)
			}
		default:
			if ce.Extensions == nil {
				ce.Extensions = map[string]any{}
			}
			ce.Extensions[k] = raw
		}
		if err != nil {
			return messaging.CloudEvent{}, err
		}
	}
	if ce.SpecVersion == "" || ce.ID == "" || ce.Source == "" || ce.Type == "" {
		return messaging.CloudEvent{}, errors.New("the CloudEvent lacks specversion, id, source or type")
	}
	return ce, nil
}

// IsRetryable: the SDK's pipeline retries already.
func (*topic) IsRetryable(error) bool { return false }

// As exposes the topic's *azeventgrid.Client.
func (t *topic) As(i any) bool {
	p, ok := i.(**azeventgrid.Client)
	if ok {
		*p = t.c
	}
	return ok
}

// ErrorAs exposes the SDK's errors (*azcore.ResponseError).
func (*topic) ErrorAs(err error, i any) bool { return errors.As(err, i) }

// ErrorCode maps the service's HTTP status to a Go CDK error code.
func (*topic) ErrorCode(err error) gcerrors.ErrorCode { return azcode.Of(err) }

// Close does nothing: the client holds no connection of its own.
func (*topic) Close() error { return nil }
