package core

import (
	"fmt"
	"strconv"
	"strings"
)

// Cron is a parsed five-field cron expression. Fields keep their text, with
// month and weekday names upper-cased, so manifest generators can translate
// them into each cloud's dialect (AWS cron(), Azure NCRONTAB, unix-cron).
type Cron struct {
	Minute, Hour, DayOfMonth, Month, DayOfWeek string
}

// String returns the five fields joined by spaces.
func (c Cron) String() string {
	return strings.Join([]string{c.Minute, c.Hour, c.DayOfMonth, c.Month, c.DayOfWeek}, " ")
}

var cronDescriptors = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
}

var cronFields = [5]cronField{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", min: 0, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
}

// ParseCron parses a five-field cron expression (minute hour day-of-month
// month day-of-week) or one of the descriptors @yearly, @annually, @monthly,
// @weekly, @daily, @midnight and @hourly. Fields accept *, ? (day fields
// only), numbers, names (JAN-DEC, SUN-SAT), ranges a-b, steps */n and a-b/n,
// and comma lists. Day-of-week 0 and 7 are Sunday. The error names the field
// and the value that is wrong.
func ParseCron(expr string) (Cron, error) {
	src := strings.TrimSpace(expr)
	if strings.HasPrefix(src, "@") {
		d, ok := cronDescriptors[strings.ToLower(src)]
		if !ok {
			return Cron{}, fmt.Errorf("cron %q: unknown descriptor (want @yearly, @monthly, @weekly, @daily or @hourly; for intervals use */n fields)", expr)
		}
		src = d
	}
	f := strings.Fields(src)
	if len(f) != 5 {
		return Cron{}, fmt.Errorf("cron %q: want 5 fields (minute hour day-of-month month day-of-week), got %d", expr, len(f))
	}
	for i := range f {
		f[i] = strings.ToUpper(f[i])
		if err := cronFields[i].check(f[i]); err != nil {
			return Cron{}, fmt.Errorf("cron %q: %s field %q: %w", expr, cronFields[i].name, f[i], err)
		}
	}
	return Cron{Minute: f[0], Hour: f[1], DayOfMonth: f[2], Month: f[3], DayOfWeek: f[4]}, nil
}

func (cf cronField) check(s string) error {
	if s == "?" {
		if cf.name != "day-of-month" && cf.name != "day-of-week" {
			return fmt.Errorf("? is allowed only in day fields")
		}
		return nil
	}
	for _, part := range strings.Split(s, ",") {
		rng, step, hasStep := strings.Cut(part, "/")
		if hasStep {
			n, err := strconv.Atoi(step)
			if err != nil || n < 1 || n > cf.max {
				return fmt.Errorf("step %q must be a number from 1 to %d", step, cf.max)
			}
		}
		if rng == "*" {
			continue
		}
		lo, hi, isRange := strings.Cut(rng, "-")
		a, err := cf.value(lo)
		if err != nil {
			return err
		}
		if isRange {
			b, err := cf.value(hi)
			if err != nil {
				return err
			}
			if b < a {
				return fmt.Errorf("range %s runs backwards", rng)
			}
		}
	}
	return nil
}

func (cf cronField) value(s string) (int, error) {
	for i, n := range cf.names {
		if s == n {
			return cf.min + i, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if n < cf.min || n > cf.max {
		return 0, fmt.Errorf("value %d out of range %d-%d", n, cf.min, cf.max)
	}
	return n, nil
}
