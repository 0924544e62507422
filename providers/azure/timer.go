package azure

import (
	"bytes"
	"encoding/json"

	"github.com/polyfn/polyfn/core"
)

// timer decodes a timer tick: id sys.RandGuid, time sys.UtcNow, pastdue
// from the TimerInfo, which is the data.
func (d *decoder) timer(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerSchedule
	var ti struct {
		IsPastDue bool
	}
	if err := json.Unmarshal(raw, &ti); err != nil {
		return invalid("timer value is not a TimerInfo object: %v", err)
	}
	e, c, err := newEvent(d.fallbackID(), d.source(""), TypeTimerFired, core.KindScheduleFired)
	if err != nil {
		return err
	}
	c.setTime(d.req.Sys().UtcNow)
	c.v1.Extensions["pastdue"] = ti.IsPastDue
	if err := c.setBody(&e, append([]byte(nil), bytes.TrimSpace(raw)...), "application/json", false); err != nil {
		return err
	}
	d.inv.Events = append(d.inv.Events, e)
	return nil
}
