package slogx

import (
	"fmt"
	"log/slog"
	"strings"
)

// ParseLevel reads a log level by name, in any case: TRACE and DEBUG,
// INFO, WARN or WARNING, ERROR, FATAL or CRITICAL (Lambda's and Cloud
// Logging's names map to the nearest slog level). Its error names the
// value and the names it accepts.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "TRACE":
		return slog.LevelDebug - 4, nil
	case "DEBUG":
		return slog.LevelDebug, nil
	case "INFO":
		return slog.LevelInfo, nil
	case "WARN", "WARNING":
		return slog.LevelWarn, nil
	case "ERROR":
		return slog.LevelError, nil
	case "FATAL", "CRITICAL":
		return slog.LevelError + 4, nil
	}
	return 0, fmt.Errorf("log level %q is not one of trace, debug, info, warn, error, fatal", s)
}
