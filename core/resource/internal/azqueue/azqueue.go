// Package azqueue is a Go CDK pubsub topic driver for Azure Queue Storage,
// on the official SDK (github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue),
// which the Go CDK lacks. Importing it registers the URL scheme azqueue://
// on pubsub.DefaultURLMux:
//
//	azqueue://QUEUE
//
// The account comes from AZURE_STORAGE_CONNECTION_STRING when it is set
// (Azurite, or a key), else from AZURE_STORAGE_ACCOUNT with the default
// Azure credential (the function app's managed identity), at
// https://ACCOUNT.queue.AZURE_STORAGE_DOMAIN (core.windows.net unless set).
//
// Queue Storage has no message attributes: a message is its body, which
// this driver sends base64-encoded, the Functions host's default
// messageEncoding. Metadata is not sent. A message whose encoded text
// exceeds Queue Storage's 64 KiB is refused with an error that says so.
package azqueue

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue"
	"gocloud.dev/gcerrors"
	"gocloud.dev/pubsub"
	"gocloud.dev/pubsub/batcher"
	"gocloud.dev/pubsub/driver"

	"github.com/polyfn/polyfn/core/resource/internal/azcode"
)

// Scheme is the URL scheme this package registers.
const Scheme = "azqueue"

// MaxMessageBytes is the largest message text Queue Storage takes: 64 KiB,
// base64 included.
const MaxMessageBytes = 64 << 10

func init() { pubsub.DefaultURLMux().RegisterTopic(Scheme, URLOpener{}) }

// URLOpener opens azqueue://QUEUE URLs (see the package documentation).
type URLOpener struct{}

// OpenTopicURL opens the queue u names.
func (URLOpener) OpenTopicURL(_ context.Context, u *url.URL) (*pubsub.Topic, error) {
	if u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("azqueue: URL %q: want azqueue://QUEUE, with no path or query", u)
	}
	q, err := client(u.Host)
	if err != nil {
		return nil, fmt.Errorf("azqueue: queue %s: %w", u.Host, err)
	}
	return OpenTopic(q), nil
}

// client returns the client of queue name, from the environment.
func client(name string) (*azqueue.QueueClient, error) {
	if cs := os.Getenv("AZURE_STORAGE_CONNECTION_STRING"); cs != "" {
		return azqueue.NewQueueClientFromConnectionString(cs, name, nil)
	}
	account := os.Getenv("AZURE_STORAGE_ACCOUNT")
	if account == "" {
		return nil, errors.New("neither AZURE_STORAGE_CONNECTION_STRING nor AZURE_STORAGE_ACCOUNT is set")
	}
	domain := os.Getenv("AZURE_STORAGE_DOMAIN")
	if domain == "" {
		domain = "core.windows.net"
	}
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, err
	}
	return azqueue.NewQueueClient(fmt.Sprintf("https://%s.queue.%s/%s", account, domain, url.PathEscape(name)), cred, nil)
}

// OpenTopic returns a topic that enqueues each message on q.
func OpenTopic(q *azqueue.QueueClient) *pubsub.Topic {
	// One message a request: Queue Storage has no batch enqueue.
	return pubsub.NewTopic(&topic{q: q}, &batcher.Options{MaxBatchSize: 1, MaxHandlers: 10})
}

type topic struct{ q *azqueue.QueueClient }

// SendBatch enqueues each message, base64-encoded.
func (t *topic) SendBatch(ctx context.Context, ms []*driver.Message) error {
	for _, m := range ms {
		as := func(i any) bool { return false }
		if m.BeforeSend != nil {
			if err := m.BeforeSend(as); err != nil {
				return err
			}
		}
		text := base64.StdEncoding.EncodeToString(m.Body)
		if len(text) > MaxMessageBytes {
			return fmt.Errorf("azqueue: a message of %d bytes is %d bytes in base64, over Queue Storage's %d", len(m.Body), len(text), MaxMessageBytes)
		}
		if _, err := t.q.EnqueueMessage(ctx, text, nil); err != nil {
			return err
		}
		if m.AfterSend != nil {
			if err := m.AfterSend(as); err != nil {
				return err
			}
		}
	}
	return nil
}

// IsRetryable: the SDK's pipeline retries already.
func (*topic) IsRetryable(error) bool { return false }

// As exposes the queue's *azqueue.QueueClient.
func (t *topic) As(i any) bool {
	p, ok := i.(**azqueue.QueueClient)
	if ok {
		*p = t.q
	}
	return ok
}

// ErrorAs exposes the SDK's errors (*azcore.ResponseError).
func (*topic) ErrorAs(err error, i any) bool { return errors.As(err, i) }

// ErrorCode maps the service's HTTP status to a Go CDK error code.
func (*topic) ErrorCode(err error) gcerrors.ErrorCode { return azcode.Of(err) }

// Close does nothing: the client holds no connection of its own.
func (*topic) Close() error { return nil }
