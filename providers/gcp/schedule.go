package gcp

import (
	"bytes"
	"encoding/json"

	"github.com/polyfn/polyfn/core"
)

// Schedules on Google reach a function through Pub/Sub: the Cloud
// Scheduler job that polyfn's deploy script creates for core.OnSchedule
// publishes to the function's topic with two message attributes, which
// Normalize reads so that the function sees the tick as
// core.KindScheduleFired, as on every other cloud.
const (
	// ScheduleAttribute is the message attribute that marks a schedule
	// tick; its value is core.KindScheduleFired ("schedule.fired").
	ScheduleAttribute = core.KindExtension
	// ScheduleJobAttribute is the message attribute naming the Cloud
	// Scheduler job (the function's name).
	ScheduleJobAttribute = "polyfnschedule"
)

// scheduleMarker is what a schedule tick's data holds, checked before the
// envelope is decoded so that other messages pay one scan.
var scheduleMarker = []byte(`"` + string(core.KindScheduleFired) + `"`)

// scheduleKind returns core.KindScheduleFired when e is a Pub/Sub message
// whose ScheduleAttribute attribute says so, and kind otherwise.
func scheduleKind(e core.Event, kind core.EventKind) core.EventKind {
	if kind != core.KindTopicMessage || !bytes.Contains(e.Data(), scheduleMarker) {
		return kind
	}
	var m struct {
		Message struct {
			Attributes map[string]string `json:"attributes"`
		} `json:"message"`
	}
	if json.Unmarshal(e.Data(), &m) != nil || m.Message.Attributes[ScheduleAttribute] != string(core.KindScheduleFired) {
		return kind
	}
	return core.KindScheduleFired
}
