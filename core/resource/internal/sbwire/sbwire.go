// Package sbwire sets the content type of a Service Bus message: the AMQP
// binding of CloudEvents carries datacontenttype in the message's
// content-type property, which the Go CDK's azuresb driver does not map.
package sbwire

import (
	"errors"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"
)

// BeforeSend returns the Go CDK BeforeSend hook that sets the Service Bus
// message's content type to ct (nothing when ct is empty).
func BeforeSend(ct string) func(as func(any) bool) error {
	return func(as func(any) bool) error {
		var m *azservicebus.Message
		if !as(&m) {
			return errors.New("sbwire: the message is not a Service Bus message")
		}
		if ct != "" {
			m.ContentType = &ct
		}
		return nil
	}
}
