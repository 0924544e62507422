package gcp

import (
	"io"
	"log/slog"
	"strings"
)

// NewLogger returns a logger that writes JSON lines Cloud Logging reads as
// structured entries: "severity" (DEBUG, INFO, WARNING, ERROR) and
// "message" instead of slog's "level" and "msg". level is "debug", "info"
// (the default for any other value), "warn" or "error".
func NewLogger(w io.Writer, level string) *slog.Logger {
	var lv slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lv = slog.LevelDebug
	case "warn", "warning":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: lv,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 {
				return a
			}
			switch a.Key {
			case slog.LevelKey:
				a.Key = "severity"
				if l, ok := a.Value.Any().(slog.Level); ok && l >= slog.LevelWarn && l < slog.LevelError {
					a.Value = slog.StringValue("WARNING")
				}
			case slog.MessageKey:
				a.Key = "message"
			}
			return a
		},
	}))
}
