package aws

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/polyfn/polyfn/core"
)

// Source names the shape of a Lambda invocation payload.
type Source int

// The payload sources.
const (
	SourceUnknown      Source = iota
	SourceAPIGatewayV1        // API Gateway REST API, payload format 1.0
	SourceAPIGatewayV2        // API Gateway HTTP API, payload format 2.0
	SourceFunctionURL         // Lambda Function URL (the payload 2.0 shape)
	SourceALB                 // Application Load Balancer target group
	SourceSQS
	SourceSNS
	SourceEventBridge // EventBridge and CloudWatch Events rules, scheduled rules included
	SourceKinesis
	SourceDynamoDB // DynamoDB Streams
	SourceS3
	SourceCloudEvent     // a direct invocation whose payload is a structured CloudEvent or an array of them
	SourceVPCLattice     // VPC Lattice target group, event format 1.0 or 2.0
	SourceKafka          // Amazon MSK and self-managed Apache Kafka event source mappings
	SourceCloudWatchLogs // a CloudWatch Logs subscription filter delivering to the function
)

var sourceNames = [...]string{"unknown", "apigateway-v1", "apigateway-v2", "function-url", "alb", "sqs", "sns", "eventbridge", "kinesis", "dynamodb", "s3", "cloudevent",
	"vpc-lattice", "kafka", "cloudwatch-logs"}

// String returns a short name: "sqs", "apigateway-v2", ...
func (s Source) String() string {
	if s < 0 || int(s) >= len(sourceNames) {
		return "unknown"
	}
	return sourceNames[s]
}

// IsHTTP reports whether s is one of the HTTP sources.
func (s Source) IsHTTP() bool {
	return s == SourceAPIGatewayV1 || s == SourceAPIGatewayV2 || s == SourceFunctionURL || s == SourceALB || s == SourceVPCLattice
}

// TriggerKind returns the core trigger kind of s: core.TriggerQueue for SQS,
// core.TriggerDirect for a CloudEvent, ... EventBridge gives
// core.TriggerEvent (the adapter reports scheduled events as
// core.TriggerSchedule).
func (s Source) TriggerKind() core.TriggerKind {
	switch s {
	case SourceAPIGatewayV1, SourceAPIGatewayV2, SourceFunctionURL, SourceALB, SourceVPCLattice:
		return core.TriggerHTTP
	case SourceSQS:
		return core.TriggerQueue
	case SourceSNS:
		return core.TriggerTopic
	case SourceEventBridge:
		return core.TriggerEvent
	case SourceKinesis, SourceDynamoDB, SourceKafka, SourceCloudWatchLogs:
		return core.TriggerStream
	case SourceS3:
		return core.TriggerStorage
	}
	return core.TriggerDirect
}

// Provider is the provider name of this package's trigger settings
// (core.Trigger.With(Provider, key, value)).
const Provider = "aws"

// The provider-specific trigger settings this package reads
// (core.Trigger.With("aws", key, value)).
const (
	// SettingIntegration on an HTTP trigger names the HTTP integration:
	// "rest" (API Gateway REST API), "http" (HTTP API), "alb", "url"
	// (Function URL) or "lattice" (VPC Lattice). Without it the payload is
	// sniffed.
	SettingIntegration = "integration"
	// SettingSource on a stream trigger is "kinesis" (the default) or
	// "dynamodb". A Kinesis stream trigger also takes Amazon MSK and
	// self-managed Kafka events and CloudWatch Logs subscriptions; an MSK
	// cluster or log group ARN as aws/arn (or the trigger's name) names
	// them.
	SettingSource = "source"
	// SettingBasePath on an HTTP trigger is a path prefix (a custom-domain
	// base path mapping, or a stage name) stripped from request paths.
	SettingBasePath = "basePath"
	// SettingProxyPath on an HTTP trigger, when "true", routes REST API
	// requests by the {proxy+} path parameter instead of the path.
	SettingProxyPath = "proxyPath"
	// SettingARN is the ARN of the queue, topic, stream, bucket or rule; it
	// is used by deployment manifests, and a DynamoDB stream ARN selects
	// SourceDynamoDB for a stream trigger.
	SettingARN = "arn"
)

// SourceOf returns the sources f's declared triggers deliver, in
// declaration order and without duplicates. It returns nil when f declares
// nothing that fixes the payload shape (no trigger, or an HTTP trigger
// without the aws/integration setting): its payloads are then sniffed (see
// Detect). An event function also accepts direct invocations with a
// CloudEvent whatever it declares; that is not listed. The error names the
// function and the setting whose value is not one this package knows.
func SourceOf(f *core.Function) ([]Source, error) {
	var out []Source
	for _, t := range f.Triggers {
		s, err := triggerSource(f, t)
		if err != nil || s == SourceUnknown {
			return nil, err
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// settingValues are the values of aws/integration (HTTP triggers) and
// aws/source (stream triggers), in lower case.
var settingValues = [...]struct {
	kind  core.TriggerKind
	value string
	src   Source
}{
	{core.TriggerHTTP, "rest", SourceAPIGatewayV1}, {core.TriggerHTTP, "v1", SourceAPIGatewayV1},
	{core.TriggerHTTP, "apigateway-v1", SourceAPIGatewayV1}, {core.TriggerHTTP, "http", SourceAPIGatewayV2},
	{core.TriggerHTTP, "v2", SourceAPIGatewayV2}, {core.TriggerHTTP, "apigateway-v2", SourceAPIGatewayV2},
	{core.TriggerHTTP, "alb", SourceALB}, {core.TriggerHTTP, "url", SourceFunctionURL},
	{core.TriggerHTTP, "function-url", SourceFunctionURL}, {core.TriggerHTTP, "lattice", SourceVPCLattice},
	{core.TriggerHTTP, "vpc-lattice", SourceVPCLattice},
	{core.TriggerStream, "dynamodb", SourceDynamoDB}, {core.TriggerStream, "kinesis", SourceKinesis},
}

// triggerSource returns the source t delivers, or SourceUnknown when its
// payloads are sniffed.
func triggerSource(f *core.Function, t core.Trigger) (Source, error) {
	key, want := SettingIntegration, "rest, http, alb, url or lattice"
	switch t.Kind {
	case core.TriggerHTTP:
	case core.TriggerQueue:
		return SourceSQS, nil
	case core.TriggerTopic:
		return SourceSNS, nil
	case core.TriggerSchedule, core.TriggerEvent:
		return SourceEventBridge, nil
	case core.TriggerStream:
		key, want = SettingSource, "kinesis or dynamodb"
	case core.TriggerStorage:
		return SourceS3, nil
	default:
		return SourceUnknown, nil
	}
	v := t.Setting(Provider, key)
	switch {
	case v == "" && t.Kind == core.TriggerStream:
		return streamSourceOfARN(t), nil
	case v == "":
		return SourceUnknown, nil
	}
	lv := strings.ToLower(v)
	for _, s := range settingValues {
		if s.kind == t.Kind && s.value == lv {
			return s.src, nil
		}
	}
	return SourceUnknown, fmt.Errorf("aws: function %q: trigger %s: %s/%s=%q is not %s", f.Name, t, Provider, key, v, want)
}

// HTTPOptionsOf returns how the requests of f's first HTTP trigger are
// read: its aws/basePath and aws/proxyPath settings. The error names the
// function and a proxyPath value that is not a boolean.
func HTTPOptionsOf(f *core.Function) (HTTPOptions, error) {
	t, ok := f.Trigger(core.TriggerHTTP)
	if !ok {
		return HTTPOptions{}, nil
	}
	o := HTTPOptions{BasePath: t.Setting(Provider, SettingBasePath)}
	if v := t.Setting(Provider, SettingProxyPath); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return o, fmt.Errorf("aws: function %q: trigger %s: %s/%s=%q is not true or false", f.Name, t, Provider, SettingProxyPath, v)
		}
		o.ProxyPath = b
	}
	return o, nil
}

// Detect returns the source of payload for a function that declares the
// sources declared (see SourceOf): the declared source when there is
// exactly one event source (its decoder checks the records' eventSource),
// else what Sniff finds, which must be one of those declared (any HTTP
// source stands for another) unless it is a direct CloudEvent. An HTTP
// payload is always sniffed, so that an authorizer or WebSocket request is
// never taken for a declared HTTP integration's. Its error wraps
// ErrUnsupportedPayload for a payload of a source not declared, and is
// Sniff's error otherwise.
func Detect(declared []Source, payload []byte) (Source, error) {
	if len(declared) == 1 && !declared[0].IsHTTP() {
		return declared[0], nil
	}
	src, err := Sniff(payload)
	if err != nil || len(declared) == 0 || src == SourceCloudEvent {
		return src, err
	}
	for _, s := range declared {
		// S3 notifications also come through SQS and EventBridge; a stream
		// is Kinesis, Kafka or a CloudWatch Logs subscription.
		if s == src || s.IsHTTP() && src.IsHTTP() || s == SourceS3 && (src == SourceSQS || src == SourceEventBridge) ||
			s == SourceKinesis && (src == SourceKafka || src == SourceCloudWatchLogs) {
			return src, nil
		}
	}
	return src, unsupported("the function declares %v but the payload is %s", declared, src)
}

// streamSourceOfARN returns the source of a stream trigger without
// aws/source from the ARN it names (aws/arn, or the trigger's name): a
// DynamoDB stream, an MSK cluster, a log group; Kinesis otherwise.
func streamSourceOfARN(t core.Trigger) Source {
	arn := t.Setting(Provider, SettingARN)
	if arn == "" {
		arn = t.Name
	}
	switch {
	case strings.HasPrefix(arn, "arn:aws:dynamodb:"):
		return SourceDynamoDB
	case strings.HasPrefix(arn, "arn:aws:kafka:"):
		return SourceKafka
	case strings.HasPrefix(arn, "arn:aws:logs:"):
		return SourceCloudWatchLogs
	}
	return SourceKinesis
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedPayload, fmt.Sprintf(format, args...))
}

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupportedPayload, fmt.Sprintf(format, args...))
}

// jsonErr shortens encoding/json's errors to what names the problem.
func jsonErr(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("field %s: cannot use JSON %s as %s", te.Field, te.Value, te.Type)
		}
		return fmt.Sprintf("cannot use JSON %s as %s", te.Value, te.Type)
	}
	if err.Error() == "unexpected end of JSON input" {
		return "invalid JSON: unexpected end of input (truncated payload?)"
	}
	return err.Error()
}
