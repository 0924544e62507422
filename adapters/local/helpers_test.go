package local

import (
	"log/slog"

	"github.com/polyfn/polyfn/internal/slogx"
)

func slogDiscard() *slog.Logger { return slog.New(slogx.Discard) }
