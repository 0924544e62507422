// Command nativeshop is examples/shop written by hand for Lambda alone, the
// like-for-like baseline of the shop's binary size and cold start: the
// same functions on aws-lambda-go, the AWS SDK's DynamoDB, SQS, SNS and
// S3 clients called directly, JWTs checked with golang-jwt, and
// OpenTelemetry's SDK exporting over OTLP/HTTP when
// OTEL_EXPORTER_OTLP_ENDPOINT is set. FUNCTION selects the function, as
// POLYFN_FUNCTION does the shop's. Without ORDERS_TABLE the orders live in
// memory and nothing is sent, as the shop's resources do without their
// URLs, so that the cold start measures the same work.
//
// Build it with -tags lambda.norpc.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/golang-jwt/jwt/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

type order struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
	Total    float64
}

// clients are the AWS clients, nil when the orders live in memory.
type clients struct {
	db     *dynamodb.Client
	queue  *sqs.Client
	topic  *sns.Client
	bucket *s3.Client
}

var (
	log                 = slog.New(slog.NewJSONHandler(os.Stdout, nil))
	tracer trace.Tracer = tracenoop.NewTracerProvider().Tracer("nativeshop")
	count  metric.Int64Counter
	cloud  *clients
	mem    sync.Map // without ORDERS_TABLE: "idem/"+message id → true, order id → order
)

// fulfil stores each order and publishes it, once per message id, and
// reports the messages that failed.
func fulfil(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	ctx, span := tracer.Start(ctx, "fulfil", trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("faas.trigger", "pubsub"), attribute.Int("messaging.batch.message_count", len(ev.Records))))
	defer span.End()
	var resp events.SQSEventResponse
	for _, m := range ev.Records {
		if err := fulfilOne(ctx, m); err != nil {
			log.ErrorContext(ctx, "fulfil", "messageId", m.MessageId, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	if count != nil {
		count.Add(ctx, 1)
	}
	return resp, nil
}

func fulfilOne(ctx context.Context, m events.SQSMessage) error {
	var o order
	if err := json.Unmarshal([]byte(m.Body), &o); err != nil || o.ID == "" {
		return errors.New("not an order")
	}
	if cloud == nil {
		if _, seen := mem.LoadOrStore("idem/"+m.MessageId, true); !seen {
			mem.Store(o.ID, o)
		}
		return nil
	}
	_, err := cloud.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(os.Getenv("IDEMPOTENCY_TABLE")),
		Item:                map[string]ddb.AttributeValue{"id": &ddb.AttributeValueMemberS{Value: m.MessageId}},
		ConditionExpression: aws.String("attribute_not_exists(id)")})
	var exists *ddb.ConditionalCheckFailedException
	if errors.As(err, &exists) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := cloud.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(os.Getenv("ORDERS_TABLE")),
		Item: map[string]ddb.AttributeValue{"id": &ddb.AttributeValueMemberS{Value: o.ID}, "status": &ddb.AttributeValueMemberS{Value: "fulfilled"}}}); err != nil {
		return err
	}
	_, err = cloud.topic.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(os.Getenv("ORDER_PLACED_TOPIC")), Message: aws.String(m.Body)})
	return err
}

// api accepts an order from a caller with a valid bearer JWT and queues it.
func api(ctx context.Context, r events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	tok := strings.TrimPrefix(r.Headers["authorization"], "Bearer ")
	if _, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return []byte(os.Getenv("JWT_SECRET")), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithAudience(os.Getenv("JWT_AUDIENCE"))); err != nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: 401}, nil
	}
	var o order
	if err := json.Unmarshal([]byte(r.Body), &o); err != nil || o.ID == "" {
		return events.APIGatewayV2HTTPResponse{StatusCode: 400}, nil
	}
	if cloud != nil {
		if _, err := cloud.queue.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(os.Getenv("ORDERS_QUEUE")), MessageBody: aws.String(r.Body)}); err != nil {
			return events.APIGatewayV2HTTPResponse{StatusCode: 503}, nil
		}
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: 202}, nil
}

// nightlyReport writes the day's report to the reports bucket.
func nightlyReport(ctx context.Context, ev events.EventBridgeEvent) error {
	if cloud == nil {
		return nil
	}
	_, err := cloud.bucket.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(os.Getenv("REPORTS_BUCKET")),
		Key: aws.String(ev.Time.Format(time.DateOnly) + ".json"), Body: bytes.NewReader([]byte(`{}`))})
	return err
}

func main() {
	ctx := context.Background()
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" {
		te, err := otlptracehttp.New(ctx)
		me, err2 := otlpmetrichttp.New(ctx)
		if err = errors.Join(err, err2); err != nil {
			log.Error("otel", "error", err)
			os.Exit(1)
		}
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(te))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(me)))
		tracer = tp.Tracer("nativeshop")
		count, _ = mp.Meter("nativeshop").Int64Counter("faas.invocations")
	}
	if os.Getenv("ORDERS_TABLE") != "" {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			log.Error("aws config", "error", err)
			os.Exit(1)
		}
		cloud = &clients{dynamodb.NewFromConfig(cfg), sqs.NewFromConfig(cfg), sns.NewFromConfig(cfg), s3.NewFromConfig(cfg)}
	}
	switch os.Getenv("FUNCTION") {
	case "api":
		lambda.Start(api)
	case "nightly-report":
		lambda.Start(nightlyReport)
	default:
		lambda.Start(fulfil)
	}
}
