package azure

import (
	"encoding/json"
	"time"
)

// ParseTime parses the host's date formats: RFC 3339 with a zone
// ("2022-06-20T06:00:06+00:00", "…:49.640002Z"), and .NET UTC DateTime
// text that lost its zone ("2023-10-12T20:13:49", "…:02.25"), read as UTC.
// The empty string gives the zero time and no error.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	if err != nil {
		return time.Time{}, invalid("time %q is neither RFC 3339 nor a zone-less ISO 8601 date", s)
	}
	return t, nil
}

// metaTime returns a metadata date (see ParseTime), undoing the host's
// string encoding; absent or null gives the zero time.
func metaTime(raw json.RawMessage) (time.Time, error) {
	b, _, err := Value(raw)
	if err != nil {
		return time.Time{}, err
	}
	if t, ok := parseTime(b); ok {
		return t, nil
	}
	return ParseTime(string(b))
}

// parseTime is ParseTime without allocating, for the forms the host sends
// ("2006-01-02T15:04:05", a fraction of up to 9 digits, "Z" or an offset
// "±hh:mm"). It returns false for anything else, which ParseTime then
// reads or refuses.
func parseTime(b []byte) (time.Time, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := num(b[0:4])
	month, ok2 := num(b[5:7])
	day, ok3 := num(b[8:10])
	hour, ok4 := num(b[11:13])
	minute, ok5 := num(b[14:16])
	sec, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	i, nsec := 19, 0
	if i < len(b) && b[i] == '.' {
		j := i + 1
		for scale := 100000000; j < len(b) && b[j] >= '0' && b[j] <= '9'; j++ {
			if j-i > 9 {
				return time.Time{}, false
			}
			nsec += int(b[j]-'0') * scale
			scale /= 10
		}
		if j == i+1 {
			return time.Time{}, false
		}
		i = j
	}
	offset := 0
	switch {
	case i == len(b), i == len(b)-1 && b[i] == 'Z':
	case len(b)-i == 6 && (b[i] == '+' || b[i] == '-') && b[i+3] == ':':
		oh, ok1 := num(b[i+1 : i+3])
		om, ok2 := num(b[i+4 : i+6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if b[i] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

// num reads the decimal digits of b.
func num(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn returns the number of days of month in year.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
