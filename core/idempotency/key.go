package idempotency

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/polyfn/polyfn/core"
)

// A KeyFunc returns the key that identifies an event among its
// redeliveries. Events with equal keys are duplicates. An error fails the
// event with a permanent error: the same event would fail again.
type KeyFunc func(e core.Event) (string, error)

// SourceID is the default KeyFunc: the event's source and id, which
// CloudEvents producers keep unique per distinct event (a redelivery
// reuses them).
func SourceID(e core.Event) (string, error) {
	if e.ID() == "" || e.Source() == "" {
		return "", fmt.Errorf("the event has no id or no source")
	}
	return e.Source() + "\x00" + e.ID(), nil
}

// JSONField returns a KeyFunc that reads the top-level field name of the
// event's JSON payload (core.Payload: the message inside a Pub/Sub
// envelope, the data otherwise), a string or a number: an order id, a payment
// reference. An event whose data is not a JSON object, or lacks the field,
// fails with a permanent error naming the field.
func JSONField(name string) KeyFunc {
	return func(e core.Event) (string, error) {
		data, _, err := core.Payload(e)
		if err != nil {
			return "", fmt.Errorf("key field %q: %w", name, err)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil {
			return "", fmt.Errorf("key field %q: the event's data is not a JSON object: %w", name, err)
		}
		raw, ok := obj[name]
		if !ok {
			return "", fmt.Errorf("key field %q: absent from the event's data", name)
		}
		if raw[0] == '"' {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil || s == "" {
				return "", fmt.Errorf("key field %q: empty", name)
			}
			return s, nil
		}
		if _, err := strconv.ParseFloat(string(raw), 64); err != nil {
			return "", fmt.Errorf("key field %q: not a string or a number: %.40s", name, raw)
		}
		return string(raw), nil
	}
}

// storeKey returns the key a Store sees: the function's name, "#", and a
// digest of key. The digest bounds the size and the alphabet of keys, as
// DynamoDB (2 KiB partition keys) and Firestore (no "/") need.
func storeKey(function, key string) string {
	sum := sha256.Sum256([]byte(key))
	b := make([]byte, 0, len(function)+1+base64.RawURLEncoding.EncodedLen(len(sum)))
	b = append(b, function...)
	b = append(b, '#')
	return string(base64.RawURLEncoding.AppendEncode(b, sum[:]))
}

// payloadHash returns the digest of an event's payload the store keeps, to
// tell a redelivery from a different event that reuses a key. It hashes the
// application payload (core.Payload), not a transport envelope whose
// delivery fields (Pub/Sub's deliveryAttempt) change between deliveries.
func payloadHash(e core.Event) string {
	data, _, err := core.Payload(e)
	if err != nil {
		data = e.Data()
	}
	sum := sha256.Sum256(data)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
