package aws

import (
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/tracectx"
)

// TraceParent returns the W3C traceparent that names the same trace and
// parent as an X-Ray trace header, the header Lambda gives each invocation
// (for example "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
// gives "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"): the
// trace id is Root's time and random parts, the parent id is Parent, and
// the sampled flag is set when Sampled is 1. ok is false when the header
// has no well-formed Root and Parent.
func TraceParent(xray string) (traceparent string, ok bool) {
	return tracectx.FromXRay(xray)
}

// RecordTraceParent returns the W3C traceparent of an event's X-Ray trace
// header: an SQS message's AWSTraceHeader system attribute (the
// ExtXRayTrace extension), which names the trace of the message's sender.
// It returns "" when the event carries none, or none that is well-formed.
// It takes the event's attributes (e.Context), which is all it reads.
func RecordTraceParent(ec event.EventContext) string {
	xray, _ := core.ExtensionString(core.Event{Context: ec}, ExtXRayTrace)
	tp, _ := tracectx.FromXRay(xray)
	return tp
}
