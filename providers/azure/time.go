package azure

import (
	"encoding/json"
	"time"

	"github.com/polyfn/polyfn/internal/rfc3339"
)

// ParseTime parses the host's date formats: RFC 3339 with a zone
// ("2022-06-20T06:00:06+00:00", "…:49.640002Z"), and .NET UTC DateTime
// text that lost its zone ("2023-10-12T20:13:49", "…:02.25"), read as UTC.
// The empty string gives the zero time and no error.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, ok := rfc3339.ParseZoneless(s); ok {
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
	if t, ok := rfc3339.ParseZonelessBytes(b); ok {
		return t.UTC(), nil
	}
	return ParseTime(string(b))
}
