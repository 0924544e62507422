package aws

import (
	"errors"
	"io"
	"log/slog"
	"os"

	"github.com/polyfn/polyfn/internal/emf"
)

// The environment variables that name the CloudWatch namespace of the
// metrics Start writes; the first set wins.
const (
	EnvMetricsNamespace           = "POLYFN_METRICS_NAMESPACE"
	EnvPowertoolsMetricsNamespace = "POWERTOOLS_METRICS_NAMESPACE"
)

// ErrNoMetrics is StartMetrics' error in a program without package
// core/metrics, which holds the EMF writer.
var ErrNoMetrics = errors.New("aws: metrics are written by package github.com/polyfn/polyfn/core/metrics, which the program does not import " +
	"(import it, blank if the function records no metrics of its own)")

// StartMetrics writes, at the end of every invocation, CloudWatch Embedded
// Metric Format lines to w (standard output on Lambda, where CloudWatch
// Logs turns them into metrics in namespace): with the dimension function,
// ColdStart (1, on the first invocation of the process only),
// Invocations, Errors (0 or 1) and Duration (milliseconds); and what the
// function recorded with package core/metrics during the invocation, with
// the dimension function and its own. Measurements outside an invocation
// are dropped. Start calls it when POLYFN_METRICS_NAMESPACE or
// POWERTOOLS_METRICS_NAMESPACE is set.
//
// The writer is in package core/metrics, so that a program that records
// no metrics links none of it (about 33 KB of binary): without that
// package StartMetrics returns ErrNoMetrics. Otherwise it returns the
// function that stops it, or an error naming what is wrong with namespace.
func StartMetrics(namespace string, w io.Writer, log *slog.Logger) (stop func(), err error) {
	if emf.Start == nil {
		return nil, ErrNoMetrics
	}
	return emf.Start(namespace, w, log)
}

// metricsNamespace returns the namespace the environment names, or "".
func metricsNamespace() string {
	if ns := os.Getenv(EnvMetricsNamespace); ns != "" {
		return ns
	}
	return os.Getenv(EnvPowertoolsMetricsNamespace)
}
