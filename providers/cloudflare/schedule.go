package cloudflare

import (
	"strconv"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
)

// Event types of the events this package synthesizes.
const (
	// TypeCronFired is a Cron Trigger's tick.
	TypeCronFired = "com.cloudflare.workers.cron.fired"
	// TypeQueueMessage is a Cloudflare Queues message.
	TypeQueueMessage = "com.cloudflare.queues.message"
)

// ScheduleEvent returns the event a Cron Trigger tick delivers to
// function fn: type TypeCronFired, source "cloudflare/workers/cron/" and
// the function's name, time the tick's scheduled time (milliseconds since
// the Unix epoch, as ScheduledController.scheduledTime), id the function
// and that time, kind core.KindScheduleFired, and as data a JSON object
// with the cron expression and the scheduled time.
func ScheduleEvent(fn, cron string, scheduledMillis float64) (core.Event, error) {
	if fn == "" {
		return core.Event{}, errorf("scheduled: no function name")
	}
	if scheduledMillis < 0 || scheduledMillis > 1e15 || scheduledMillis != scheduledMillis {
		return core.Event{}, errorf("scheduled: scheduledTime %v is not a time in milliseconds since the epoch", scheduledMillis)
	}
	t := time.UnixMilli(int64(scheduledMillis)).UTC()
	stamp := t.Format(time.RFC3339Nano)
	data := []byte(`{"cron":` + strconv.Quote(cron) + `,"scheduledTime":` + strconv.Quote(stamp) + `}`)
	e := core.NewEvent(fn+"/"+strconv.FormatInt(t.UnixMilli(), 10), "cloudflare/workers/cron/"+fn, TypeCronFired, "application/json", data)
	e.SetTime(t)
	driver.SetKind(&e, core.KindScheduleFired)
	return e, e.Validate()
}
