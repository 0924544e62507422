package emf

import (
	"io"
	"log/slog"
)

// Start, when set, starts writing the built-in and recorded metrics of
// every invocation as EMF lines in namespace to w, and returns the
// function that stops it. Package core/metrics sets it, so that only a
// program that records metrics links the writer; the AWS adapter calls it.
var Start func(namespace string, w io.Writer, log *slog.Logger) (stop func(), err error)
