package azure

import (
	"fmt"
	"time"

	"github.com/polyfn/polyfn/core"
)

// Forwarding reports whether the host should forward raw HTTP requests to
// the handler: true when every function of app is an HTTP function (the
// host forwards only functions whose sole bindings are httpTrigger and
// http). The generated host.json and the adapter follow the same rule.
func Forwarding(app *core.App) bool {
	fs := app.Functions()
	if len(fs) == 0 {
		return false
	}
	for _, f := range fs {
		if f.Kind != core.HTTPFunction {
			return false
		}
	}
	return true
}

// ParseTimeSpan parses a .NET TimeSpan as host.json's functionTimeout holds
// it ("00:05:00", "1.02:00:00"); "-1" means unbounded and gives 0.
func ParseTimeSpan(s string) (time.Duration, error) {
	if s == "-1" || s == "" {
		return 0, nil
	}
	var days, h, m int64
	var sec float64
	if _, err := fmt.Sscanf(s, "%d.%d:%d:%g", &days, &h, &m, &sec); err != nil {
		days = 0
		if _, err := fmt.Sscanf(s, "%d:%d:%g", &h, &m, &sec); err != nil {
			return 0, fmt.Errorf("azure: time span %q is not [d.]hh:mm:ss", s)
		}
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec*float64(time.Second))
	if d < 0 {
		return 0, fmt.Errorf("azure: time span %q is negative", s)
	}
	return d, nil
}
