// Package slogx holds log/slog helpers the adapters share.
package slogx

import (
	"context"
	"log/slog"
)

// Discard is a slog.Handler that drops every record; slog.DiscardHandler
// needs Go 1.24, and the module supports 1.23.
var Discard slog.Handler = discard{}

type discard struct{}

func (discard) Enabled(context.Context, slog.Level) bool  { return false }
func (discard) Handle(context.Context, slog.Record) error { return nil }
func (d discard) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discard) WithGroup(string) slog.Handler           { return d }
