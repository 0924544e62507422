// Package rfc3339 parses RFC 3339 timestamps exactly as the RFC's grammar
// (section 5.6) allows, and faster than time.Parse:
//
//   - "T" and "Z" may be lower case (the RFC's NOTE in section 5.6);
//   - the fraction is "." and one or more digits (no ","); digits past the
//     ninth are dropped;
//   - the offset is "Z" or ±hh:mm with hh 00–23 and mm 00–59 ("-00:00",
//     an unknown local offset, reads as UTC);
//   - the second may be 60, a leap second: it reads as 59.999999999 of the
//     same minute, so that the time stays within its day and keeps its
//     order with the seconds around it (Go's time.Time has no leap
//     seconds).
package rfc3339

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/polyfn/polyfn/internal/strview"
)

// ErrSyntax is wrapped by every error Parse returns.
var ErrSyntax = errors.New("not an RFC 3339 timestamp")

// Parse reads s, an RFC 3339 date-time. Its error wraps ErrSyntax.
func Parse(s string) (time.Time, error) {
	if t, ok := parse(s, false); ok {
		return t, nil
	}
	return time.Time{}, ErrSyntax
}

// ParseBytes is Parse on bytes, without converting them to a string.
func ParseBytes(b []byte) (time.Time, error) {
	if t, ok := parse(strview.Of(b), false); ok {
		return t, nil
	}
	return time.Time{}, ErrSyntax
}

// ParseZoneless is Parse that also reads a date-time without a zone, such
// as the .NET UTC DateTime text Azure's host sends ("2023-10-12T20:13:49"),
// as UTC. It never allocates.
func ParseZoneless(s string) (time.Time, bool) { return parse(s, true) }

// ParseZonelessBytes is ParseZoneless on bytes.
func ParseZonelessBytes(b []byte) (time.Time, bool) { return parse(strview.Of(b), true) }

func parse(s string, zoneless bool) (time.Time, bool) {
	// 2006-01-02T15:04:05[.frac](Z|±hh:mm)
	if len(s) < len("2006-01-02T15:04:05") || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' ||
		s[10] != 'T' && s[10] != 't' {
		return time.Time{}, false
	}
	century, ok1 := two(s[0], s[1])
	yy, ok2 := two(s[2], s[3])
	month, ok3 := two(s[5], s[6])
	day, ok4 := two(s[8], s[9])
	hour, ok5 := two(s[11], s[12])
	min, ok6 := two(s[14], s[15])
	sec, ok7 := two(s[17], s[18])
	year := century*100 + yy
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || month < 1 || month > 12 || day < 1 ||
		day > daysIn(time.Month(month), year) || hour > 23 || min > 59 || sec > 60 {
		return time.Time{}, false
	}
	rest := s[19:]
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			if n <= 9 {
				nsec = nsec*10 + int(rest[n]-'0')
			}
			n++
		}
		if n == 1 {
			return time.Time{}, false
		}
		for i := n; i <= 9; i++ {
			nsec *= 10
		}
		rest = rest[n:]
	}
	offset := 0
	switch {
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case len(rest) == 0 && zoneless:
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := two(rest[1], rest[2])
		om, ok2 := two(rest[4], rest[5])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	if sec == 60 {
		sec, nsec = 59, 999999999
	}
	return time.Date(year, time.Month(month), day, hour, min, sec, nsec, zone(offset)), true
}

// zones holds the fixed zones of the offsets read so far, one per minute
// from -23:59 to +23:59, so that a time with an offset does not allocate a
// new *time.Location each time.
var zones [2*24*60 - 1]atomic.Pointer[time.Location]

// zone returns the fixed zone of offset seconds east of UTC (a whole
// number of minutes, less than a day either way).
func zone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	slot := &zones[offset/60+24*60-1]
	if loc := slot.Load(); loc != nil {
		return loc
	}
	loc := time.FixedZone("", offset)
	slot.Store(loc)
	return loc
}

// digits reads a run of ASCII digits.
// two reads the decimal number of two digits.
func two(a, b byte) (int, bool) {
	a, b = a-'0', b-'0' // a byte below '0' wraps past 9
	return int(a)*10 + int(b), a <= 9 && b <= 9
}

func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
