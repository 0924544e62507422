package gcp

import (
	"encoding/json"
	"regexp"
	"sync"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"

	"github.com/polyfn/polyfn/core"
)

// pushEnvelope is what a Pub/Sub push subscription POSTs.
type pushEnvelope struct {
	Message *struct {
		MessageID    string `json:"messageId"`
		MessageIDAlt string `json:"message_id"`
		PublishTime  string `json:"publishTime"`
	} `json:"message"`
	Subscription string `json:"subscription"`
}

// topicInPath finds projects/P/topics/T in a push request's path; compiled
// on first use.
var topicInPath = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(projects/[^/?]+/topics/[^/?]+)/*`)
})

// FromPushEnvelope converts the body a Pub/Sub push subscription POSTs,
// {"message": {data, attributes, messageId, publishTime, orderingKey},
// "subscription": "projects/p/subscriptions/s"}, into the CloudEvent Eventarc
// would deliver for the same message: type
// google.cloud.pubsub.topic.v1.messagePublished, id = messageId, time =
// publishTime and data = the envelope as received (the
// MessagePublishedData shape). The topic is not in the envelope: source is
// //pubsub.googleapis.com/projects/p/topics/t when path holds
// projects/p/topics/t (as functions-framework-go expects of push endpoint
// URLs), and otherwise //pubsub.googleapis.com/ + the subscription. The
// result then goes through FromCloudEvent, so a message carrying a
// CloudEvent is unwrapped. The error wraps ErrInvalidEvent.
func FromPushEnvelope(body []byte, path string) (core.Event, error) {
	var env pushEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return core.Event{}, invalid("Pub/Sub push envelope: %v", err)
	}
	return fromPush(&env, body, path)
}

func fromPush(env *pushEnvelope, body []byte, path string) (core.Event, error) {
	if env.Message == nil {
		return core.Event{}, invalid("Pub/Sub push envelope has no message")
	}
	id := env.Message.MessageID
	if id == "" {
		id = env.Message.MessageIDAlt
	}
	if id == "" {
		return core.Event{}, invalid("Pub/Sub push envelope: message has no messageId")
	}
	resource := env.Subscription
	if m := topicInPath().FindStringSubmatch(path); m != nil {
		resource = m[1]
	}
	if resource == "" {
		return core.Event{}, invalid("Pub/Sub push envelope names no subscription, and the URL path %q no projects/P/topics/T", path)
	}
	ec := &event.EventContextV1{ID: id, Type: TypePubSubMessagePublished}
	if err := setSource(ec, "//"+servicePubSub+"/"+resource); err != nil {
		return core.Event{}, err
	}
	if pt := env.Message.PublishTime; pt != "" {
		t, err := time.Parse(time.RFC3339Nano, pt)
		if err != nil {
			return core.Event{}, invalid("Pub/Sub push envelope: publishTime %q is not RFC 3339", pt)
		}
		ec.Time = &types.Timestamp{Time: t}
	}
	ct := "application/json"
	ec.DataContentType = &ct
	e := core.Event{Context: ec, DataEncoded: body}
	if err := validate(e); err != nil {
		return core.Event{}, err
	}
	if err := Normalize(&e); err != nil {
		return core.Event{}, err
	}
	return e, nil
}
