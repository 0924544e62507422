// Package otelfn turns on OpenTelemetry traces and metrics for an App's
// invocations, on every adapter, when a program imports it and calls Use:
//
//	app := core.NewApp()
//	otelfn.Use(app)
//
// It is opt-in by import: a program that does not import otelfn links none
// of OpenTelemetry, and the invocation runtime then calls nothing for it.
//
// Use adds a start hook that, when OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_METRICS_ENDPOINT)
// is set, makes an OTLP/HTTP exporter, a tracer provider and a meter
// provider configured only by the standard OTEL_* environment variables:
// OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT and _COMPRESSION, OTEL_TRACES_SAMPLER
// and OTEL_TRACES_SAMPLER_ARG, OTEL_BSP_SCHEDULE_DELAY and the other
// OTEL_BSP_* variables (read by otelfn's own batching span processor,
// which wakes its goroutine per batch rather than per span; a value it
// cannot use is an error naming the variable),
// OTEL_METRIC_EXPORT_INTERVAL, OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES. OTEL_EXPORTER_OTLP_PROTOCOL may be
// http/protobuf (the default); grpc is refused with an error naming the
// variable. OTEL_SDK_DISABLED=true, or OTEL_TRACES_EXPORTER=none and
// OTEL_METRICS_EXPORTER=none, turn either signal off.
//
// Each invocation gets a span named after its function (kind SERVER for
// HTTP, CONSUMER for messages, INTERNAL otherwise), child of the
// platform's trace context (core.Invocation.TraceParent), with the FaaS
// semantic conventions: faas.trigger, faas.invocation_id and
// faas.coldstart, and polyfn.provider; the resource carries
// service.name (OTEL_SERVICE_NAME), cloud.provider, cloud.platform,
// cloud.region and faas.* where the platform's environment tells them. The
// event of a single-event invocation adds its cloudevents.event_id,
// event_source and event_type to that span. Each record of a batch gets a
// CONSUMER span "process <event type>" with messaging.message.id,
// messaging.operation.type, messaging.batch.message_count and the
// cloudevents.* attributes. When an event names a trace of its own (its
// distributed-tracing extension, an SQS message's AWSTraceHeader) other
// than the invocation's, its span is a child of that trace and links the
// invocation's span. Log lines (slog.*Context) and reply events carry the
// span's trace context.
//
// Metrics: faas.invocations, faas.errors, faas.coldstarts (counters the
// meter reads when it collects), faas.invoke_duration (a histogram, in
// seconds), polyfn.batch.size and polyfn.record.failures, with the
// attributes faas.name and faas.trigger; and what functions record with
// package core/metrics, as counters and histograms of the same names.
//
// On AWS Lambda, where the sandbox may freeze as soon as an invocation
// answers, spans and metrics are flushed before the invocation returns.
// Everywhere, they are flushed by the App's stop hooks (SIGTERM).
package otelfn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/metrics"
	"github.com/polyfn/polyfn/internal/invoke"
)

// FlushTimeout bounds the flush at the end of an AWS Lambda invocation.
const FlushTimeout = 2 * time.Second

// Use turns OpenTelemetry on for app: it adds a start hook that reads the
// OTEL_* environment and installs the tracing and metrics (see the package
// documentation), and a stop hook that flushes and shuts them down.
func Use(app *core.App) {
	var p *Providers
	app.OnStart(func(ctx context.Context, _ core.Config) error {
		var err error
		p, err = FromEnv(ctx, os.LookupEnv)
		if err != nil {
			return err
		}
		p.Install()
		return nil
	})
	app.OnStop(func(ctx context.Context) error {
		if p == nil {
			return nil
		}
		p.Uninstall()
		return p.Shutdown(ctx)
	})
}

// Providers are the tracer and meter providers Use installs; either is
// nil when its signal is off.
type Providers struct {
	Tracer *sdktrace.TracerProvider
	Meter  *sdkmetric.MeterProvider
	// FlushEach flushes both at the end of every invocation (AWS Lambda).
	FlushEach bool

	once   sync.Once
	obs    *observer
	mu     sync.Mutex
	remove func() // undoes Install
}

// FromEnv makes the providers the OTEL_* variables lookup finds describe;
// with no OTLP endpoint set, or OTEL_SDK_DISABLED=true, it returns
// providers that are both nil. Its error names the variable at fault.
func FromEnv(ctx context.Context, lookup func(string) (string, bool)) (*Providers, error) {
	get := func(k string) string { v, _ := lookup(k); return strings.TrimSpace(v) }
	p := &Providers{FlushEach: get("AWS_LAMBDA_FUNCTION_NAME") != ""}
	if strings.EqualFold(get("OTEL_SDK_DISABLED"), "true") {
		return p, nil
	}
	for _, k := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"} {
		if v := get(k); v != "" && v != "http/protobuf" {
			return nil, fmt.Errorf("otelfn: %s=%q: only http/protobuf is supported", k, v)
		}
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(cloudAttrs(get)...))
	if err != nil {
		return nil, fmt.Errorf("otelfn: resource: %w", err)
	}
	base := get("OTEL_EXPORTER_OTLP_ENDPOINT")
	if on(get, "TRACES", base) {
		bs, err := batchFromEnv(get)
		if err != nil {
			return nil, err
		}
		exp, err := otlptracehttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("otelfn: OTLP trace exporter: %w", err)
		}
		p.Tracer = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(newBatcher(exp, bs)), sdktrace.WithResource(res))
	}
	if on(get, "METRICS", base) {
		exp, err := otlpmetrichttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("otelfn: OTLP metric exporter: %w", err)
		}
		p.Meter = sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)), sdkmetric.WithResource(res))
	}
	return p, nil
}

// on reports whether a signal ("TRACES" or "METRICS") is exported: an
// endpoint is set for it and its OTEL_<signal>_EXPORTER is not "none".
func on(get func(string) string, signal, base string) bool {
	if get("OTEL_"+signal+"_EXPORTER") == "none" {
		return false
	}
	return base != "" || get("OTEL_EXPORTER_OTLP_"+signal+"_ENDPOINT") != ""
}

// cloudAttrs returns the cloud.* and faas.* resource attributes of the
// platform the environment names.
func cloudAttrs(get func(string) string) []attribute.KeyValue {
	var kv []attribute.KeyValue
	add := func(k, v string) {
		if v != "" {
			kv = append(kv, attribute.String(k, v))
		}
	}
	switch {
	case get("AWS_LAMBDA_FUNCTION_NAME") != "":
		add("cloud.provider", "aws")
		add("cloud.platform", "aws_lambda")
		add("cloud.region", get("AWS_REGION"))
		add("faas.version", get("AWS_LAMBDA_FUNCTION_VERSION"))
		add("faas.instance", get("AWS_LAMBDA_LOG_STREAM_NAME"))
	case get("FUNCTIONS_WORKER_RUNTIME") != "" || get("FUNCTIONS_CUSTOMHANDLER_PORT") != "":
		add("cloud.provider", "azure")
		add("cloud.platform", "azure.functions")
		add("cloud.region", get("REGION_NAME"))
		add("faas.instance", get("WEBSITE_INSTANCE_ID"))
	case get("FUNCTION_TARGET") != "" && get("K_SERVICE") != "":
		add("cloud.provider", "gcp")
		add("cloud.platform", "gcp_cloud_functions")
		add("faas.version", get("K_REVISION"))
	case get("K_SERVICE") != "":
		add("cloud.provider", "gcp")
		add("cloud.platform", "gcp_cloud_run")
		add("faas.version", get("K_REVISION"))
	}
	return kv
}

// Install makes the runtime report every invocation to p, once however
// often it is called. With both providers nil it installs nothing.
func (p *Providers) Install() {
	if p.Tracer == nil && p.Meter == nil {
		return
	}
	p.once.Do(func() { p.obs = newObserver(p) })
	p.mu.Lock()
	if p.remove == nil {
		removeObserver := invoke.AddObserver(p.obs)
		removeBackend := func() {}
		if p.Meter != nil {
			removeBackend = metrics.AddBackend(p.obs)
		}
		p.remove = func() { removeBackend(); removeObserver() }
	}
	p.mu.Unlock()
}

// Uninstall undoes Install.
func (p *Providers) Uninstall() {
	p.mu.Lock()
	if p.remove != nil {
		p.remove()
		p.remove = nil
	}
	p.mu.Unlock()
}

// Flush exports what p holds.
func (p *Providers) Flush(ctx context.Context) error {
	var errs []error
	if p.Tracer != nil {
		errs = append(errs, p.Tracer.ForceFlush(ctx))
	}
	if p.Meter != nil {
		errs = append(errs, p.Meter.ForceFlush(ctx))
	}
	return errors.Join(errs...)
}

// Shutdown flushes p and stops its exporters.
func (p *Providers) Shutdown(ctx context.Context) error {
	var errs []error
	if p.Tracer != nil {
		errs = append(errs, p.Tracer.Shutdown(ctx))
	}
	if p.Meter != nil {
		errs = append(errs, p.Meter.Shutdown(ctx))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("otelfn: shutdown: %w", err)
	}
	return nil
}
