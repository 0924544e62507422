package gcp

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/polyfn/polyfn/internal/invoke"
	"github.com/polyfn/polyfn/internal/slogx"
)

// NewLogger returns a logger that writes JSON lines Cloud Logging reads as
// structured entries (see NewLogHandler), for the project of
// GOOGLE_CLOUD_PROJECT. level is trace, debug, info, warn, error or fatal
// in any case; any other value means info.
func NewLogger(w io.Writer, level string) *slog.Logger {
	l, err := slogx.ParseLevel(level)
	if err != nil {
		l = slog.LevelInfo
	}
	return slog.New(NewLogHandler(w, os.Getenv(EnvProject), l))
}

// NewLogHandler returns the handler of the lines Cloud Logging reads as
// structured entries: "severity" (DEBUG, INFO, WARNING, ERROR, CRITICAL),
// "message", "timestamp" and "logging.googleapis.com/sourceLocation"
// instead of slog's keys; inside an invocation, the function, invocation
// id, cold start, the event's id, type and source, and the trace:
// "logging.googleapis.com/trace" as projects/PROJECT/traces/TRACE,
// "logging.googleapis.com/spanId" and "logging.googleapis.com/trace_sampled"
// (trace_id and span_id when project is empty). A record's attribute with
// one of those keys is written with the prefix "attr_", so that no key is
// ever written twice. A nil level means info.
func NewLogHandler(w io.Writer, project string, level slog.Leveler) slog.Handler {
	return newLogHandler(w, project, level, 0)
}

// newLogHandler is NewLogHandler logging a share rate of invocations from
// Debug up (POLYFN_LOG_SAMPLE_RATE).
func newLogHandler(w io.Writer, project string, level slog.Leveler, rate float64) slog.Handler {
	return invoke.NewLogHandler(w, slogx.Options{Shape: slogx.CloudLogging, Project: project, Level: level, DebugSampleRate: rate})
}

// NewEnvLogHandler is NewLogHandler configured as Run configures it: level,
// debug sampling and buffering from e (POLYFN_LOG_LEVEL,
// POLYFN_LOG_SAMPLE_RATE, POLYFN_LOG_BUFFER), the project from ProjectID.
func NewEnvLogHandler(w io.Writer, e invoke.Env) slog.Handler {
	return invoke.NewLogHandler(w, slogx.Options{Shape: slogx.CloudLogging, Project: ProjectID(context.Background()),
		Level: e.LogLevel, DebugSampleRate: e.LogSampleRate, BufferLevel: e.LogBuffer})
}

// EnvProject is the environment variable that names the Google Cloud
// project whose trace ids log lines name.
const EnvProject = "GOOGLE_CLOUD_PROJECT"

// metadataTimeout bounds the metadata server's answer at start-up.
const metadataTimeout = time.Second

// ProjectID returns the project of GOOGLE_CLOUD_PROJECT, else, on Cloud
// Run or Cloud Functions (K_SERVICE is set), the metadata server's
// project/project-id (GCE_METADATA_HOST overrides its host), else "".
func ProjectID(ctx context.Context) string {
	if p := os.Getenv(EnvProject); p != "" {
		return p
	}
	if os.Getenv("K_SERVICE") == "" {
		return ""
	}
	host := os.Getenv("GCE_METADATA_HOST")
	if host == "" {
		host = "metadata.google.internal"
	}
	if p, ok := metadataProjects.Load(host); ok {
		return p.(string)
	}
	p := metadataProject(ctx, host)
	if p != "" {
		metadataProjects.Store(host, p)
	}
	return p
}

// metadataProjects holds the project each metadata server answered, by
// host: a process asks once (adapters.Run installs its logger before the
// start hooks, and Run builds its own).
var metadataProjects sync.Map

// metadataProject asks the metadata server at host for its project, within
// metadataTimeout; "" when it does not answer.
func metadataProject(ctx context.Context, host string) string {
	ctx, cancel := context.WithTimeout(ctx, metadataTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+host+"/computeMetadata/v1/project/project-id", nil)
	if err != nil {
		return ""
	}
	req.Header.Set("Metadata-Flavor", "Google")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 256))
	if err != nil || res.StatusCode != http.StatusOK {
		return ""
	}
	return strings.TrimSpace(string(b))
}
