package core

import "github.com/cloudevents/sdk-go/v2/event"

// NewEventForTest returns a valid event with JSON data {"n":1}.
func NewEventForTest() Event {
	e := event.New()
	e.SetID("1")
	e.SetSource("/test")
	e.SetType("com.example.test")
	e.SetDataContentType("application/json")
	e.DataEncoded = []byte(`{"n":1}`)
	return e
}
