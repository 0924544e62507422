package cloudflare

import (
	"strconv"
	"strings"

	"github.com/polyfn/polyfn/core"
)

// weekdays are the day-of-week names Cloudflare reads; numbers are written
// as names because Cloudflare's numbering (1-7 from Sunday) differs from
// unix cron's (0-6, and 7, from Sunday).
var weekdays = [8]string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"}

// Cron returns the Cron Trigger expression of t, a schedule trigger: five
// fields, a descriptor (@daily) written out, numeric weekdays written as
// names. Cron Triggers run in UTC only, so a trigger whose time zone is
// not UTC is refused, naming the zone.
func Cron(t core.Trigger) (string, error) {
	switch t.TimeZone {
	case "", "UTC", "Etc/UTC", "Etc/GMT", "GMT", "Z":
	default:
		return "", errorf("schedule %q in time zone %q: Cloudflare Cron Triggers run in UTC only; write the cron in UTC and drop the zone", t.Cron, t.TimeZone)
	}
	c, err := core.ParseCron(t.Cron)
	if err != nil {
		return "", errorf("schedule %q: %v", t.Cron, err)
	}
	dow, err := weekdayNames(c.DayOfWeek)
	if err != nil {
		return "", errorf("schedule %q: day of week: %v", t.Cron, err)
	}
	c.DayOfWeek = dow
	if c.DayOfMonth == "?" {
		c.DayOfMonth = "*"
	}
	return c.String(), nil
}

// weekdayNames rewrites the numbers of a day-of-week field as names.
func weekdayNames(f string) (string, error) {
	if f == "?" {
		return "*", nil
	}
	items := strings.Split(f, ",")
	for i, it := range items {
		rng, step, hasStep := strings.Cut(it, "/")
		lo, hi, isRange := strings.Cut(rng, "-")
		a, err := weekday(lo)
		if err != nil {
			return "", err
		}
		if !isRange {
			items[i] = a
			if hasStep {
				items[i] += "/" + step
			}
			continue
		}
		b, err := weekday(hi)
		if err != nil {
			return "", err
		}
		if hi == "7" && lo != "0" && lo != "7" { // a range ending on Sunday (7): up to SAT, then SUN
			if hasStep {
				return "", errorf("%q: a stepped range ending at 7 has no equivalent", it)
			}
			items[i] = a + "-SAT,SUN"
			continue
		}
		items[i] = a + "-" + b
		if hasStep {
			items[i] += "/" + step
		}
	}
	return strings.Join(items, ","), nil
}

// weekday returns the name of one day-of-week value ("*" and names stay).
func weekday(s string) (string, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return s, nil // "*" or a name, checked by core.ParseCron
	}
	if n < 0 || n > 7 {
		return "", errorf("%d is not a weekday (0-7)", n)
	}
	return weekdays[n], nil
}
