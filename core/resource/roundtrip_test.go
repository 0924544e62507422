package resource

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	raw "cloud.google.com/go/pubsub/apiv1"
	"cloud.google.com/go/pubsub/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/pstest"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"
	"github.com/aws/aws-sdk-go-v2/aws"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"gocloud.dev/pubsub/gcppubsub"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/resource/internal/awswire"
	"github.com/polyfn/polyfn/core/resource/internal/sbwire"
	"github.com/polyfn/polyfn/internal/cehttp"
	awsp "github.com/polyfn/polyfn/providers/aws"
	azurep "github.com/polyfn/polyfn/providers/azure"
	gcpp "github.com/polyfn/polyfn/providers/gcp"
)

// wireCase is an event to carry, and whether each service carries it in
// structured mode.
type wireCase struct {
	name                     string
	event                    core.Event
	awsStructured, gcpStruct bool
	sbStructured             bool
	// noAzure: not through the Functions host, which hands a Service Bus
	// body over as text, and an empty one as "" (which providers/azure
	// reads as data "" of the default JSON type: an invalid event).
	noAzure bool
}

// wireCases: every context attribute, extensions of each type, values
// with slashes, spaces, percent signs and non-ASCII text, and the events
// that do not fit a service's binary mode.
func wireCases() []wireCase {
	full := core.NewEvent("ord-1/é", "https://shop.example/api?x=a b%2F", "com.example.shop.order.placed", "application/json",
		[]byte(`{"id":"o1","customer":"adä","items":[{"sku":"A","qty":2}]}`))
	full.SetSubject("orders/o1 é")
	full.SetTime(time.Date(2026, 11, 28, 2, 3, 4, 567891000, time.UTC))
	full.SetDataSchema("https://schema.example/order.json")
	full.SetExtension("tenant", "acme/eu 50%")
	full.SetExtension("priority", int32(7)) // 10 attributes: SNS's and SQS's most

	many := full.Clone() // 13 attributes
	many.SetExtension("urgent", true)
	many.SetExtension("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	many.SetExtension("partitionkey", "customer-ada")
	for i := range 8 {
		many.SetExtension(fmt.Sprintf("ext%d", i), fmt.Sprint("v", i))
	}

	bin := core.NewEvent("bin-1", "/shop/files", "com.example.shop.blob", "application/octet-stream", []byte{0, 1, 0xfe, 0xff, 'x'})

	long := core.NewEvent("long-1", "/shop", "com.example.shop.long", "text/plain", []byte("hi"))
	long.SetExtension("note", strings.Repeat("n", 1500))

	minimal := core.NewEvent("min-1", "/shop", "com.example.shop.min", "", nil)

	return []wireCase{
		{name: "every attribute", event: full},
		{name: "more than ten attributes", event: many, awsStructured: true},
		{name: "binary data", event: bin, awsStructured: true, noAzure: true},
		{name: "an attribute over 1024 bytes", event: long, gcpStruct: true},
		{name: "no data", event: minimal, awsStructured: true, noAzure: true}, // SNS and SQS need a body
	}
}

// same checks that got carries want's attributes and extensions (in their
// canonical string forms: the binary mode carries strings) and data, and
// nothing more: a carried CloudEvent passes through every cloud's trigger
// unchanged, without a polyfnkind.
func same(t *testing.T, where string, got, want core.Event) {
	t.Helper()
	ga, err := cehttp.Attributes(&got)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	wa, _ := cehttp.Attributes(&want)
	if !reflect.DeepEqual(ga, wa) {
		t.Errorf("%s: attributes\n got %q\nwant %q", where, ga, wa)
	}
	if string(got.Data()) != string(want.Data()) {
		t.Errorf("%s: data %q, want %q", where, got.Data(), want.Data())
	}
}

// TestRoundTripPubSub publishes through the Go CDK's gcppubsub driver to
// the Pub/Sub client's in-process fake (pstest), rebuilds the push
// subscription's request from the stored message, and decodes it with
// providers/gcp.
func TestRoundTripPubSub(t *testing.T) {
	ctx := context.Background()
	srv := pstest.NewServer()
	defer srv.Close()
	conn, err := grpc.NewClient(srv.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	pc, err := raw.NewPublisherClient(ctx, option.WithGRPCConn(conn))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	const path = "projects/shop/topics/order-placed"
	if _, err := pc.CreateTopic(ctx, &pubsubpb.Topic{Name: path}); err != nil {
		t.Fatal(err)
	}
	topic, err := gcppubsub.OpenTopicByPath(pc, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer topic.Shutdown(ctx)
	p := &Publisher{r: core.Topic("order-placed"), topic: topic, wire: pubSub}
	for _, tc := range wireCases() {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.Messages())
			if err := p.Publish(ctx, tc.event); err != nil {
				t.Fatal(err)
			}
			msgs := srv.Messages()
			if len(msgs) != before+1 {
				t.Fatalf("pstest holds %d messages, want %d", len(msgs), before+1)
			}
			m := msgs[len(msgs)-1]
			if _, binary := m.Attributes["ce-specversion"]; binary == tc.gcpStruct {
				t.Errorf("attributes %v: structured mode %v, want %v", m.Attributes, !binary, tc.gcpStruct)
			}
			push, _ := json.Marshal(map[string]any{
				"message": map[string]any{"data": base64.StdEncoding.EncodeToString(m.Data), "attributes": m.Attributes,
					"messageId": m.ID, "publishTime": m.PublishTime.Format(time.RFC3339Nano)},
				"subscription": "projects/shop/subscriptions/notify-customer",
			})
			got, err := gcpp.FromPushEnvelope(push, "/"+path)
			if err != nil {
				t.Fatal(err)
			}
			same(t, "Pub/Sub push", got, tc.event)
		})
	}
}

// awsFormatForTest is the AWS build's format (drivers_aws.go).
func awsFormatForTest() format {
	f := snsSQS
	f.before = func(m message) func(func(any) bool) error { return awswire.BeforeSend(m.attrs) }
	return f
}

// TestRoundTripSNSToSQS encodes as the awssnssqs driver sends (its SNS
// batch entry and SQS batch entry, through our BeforeSend hook), rebuilds
// what SQS hands Lambda — the SNS envelope in the body, or, with raw
// message delivery and for a queue, the message attributes — and decodes
// it with providers/aws. AWS has no local server here: the services'
// side is their documented JSON shapes.
func TestRoundTripSNSToSQS(t *testing.T) {
	f := awsFormatForTest()
	for _, tc := range wireCases() {
		t.Run(tc.name, func(t *testing.T) {
			m, err := f.encode(tc.event)
			if err != nil {
				t.Fatal(err)
			}
			if m.structured != tc.awsStructured {
				t.Fatalf("structured mode %v, want %v", m.structured, tc.awsStructured)
			}
			pm := m.pubsub(f)
			sns := &snstypes.PublishBatchRequestEntry{Message: aws.String(string(pm.Body))}
			sqs := &sqstypes.SendMessageBatchRequestEntry{MessageBody: aws.String(string(pm.Body))}
			for _, entry := range []any{sns, sqs} {
				if err := pm.BeforeSend(func(i any) bool {
					switch p := i.(type) {
					case **snstypes.PublishBatchRequestEntry:
						if e, ok := entry.(*snstypes.PublishBatchRequestEntry); ok {
							*p = e
							return true
						}
					case **sqstypes.SendMessageBatchRequestEntry:
						if e, ok := entry.(*sqstypes.SendMessageBatchRequestEntry); ok {
							*p = e
							return true
						}
					}
					return false
				}); err != nil {
					t.Fatal(err)
				}
			}
			if n := len(sns.MessageAttributes); n > 10 {
				t.Fatalf("%d message attributes; SNS and SQS take 10", n)
			}
			envAttrs := map[string]any{}
			sqsAttrs := map[string]any{}
			for k, v := range sns.MessageAttributes {
				envAttrs[k] = map[string]string{"Type": *v.DataType, "Value": *v.StringValue}
			}
			for k, v := range sqs.MessageAttributes {
				sqsAttrs[k] = map[string]any{"stringValue": *v.StringValue, "dataType": *v.DataType, "stringListValues": []string{}, "binaryListValues": []string{}}
			}
			envelope, _ := json.Marshal(map[string]any{"Type": "Notification", "MessageId": "5f1e-sns", "TopicArn": "arn:aws:sns:eu-west-1:123456789012:order-placed",
				"Message": *sns.Message, "Timestamp": "2026-11-28T02:03:05.000Z", "SignatureVersion": "1", "Signature": "c2ln",
				"SigningCertURL": "https://sns.eu-west-1.amazonaws.com/cert.pem", "UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
				"MessageAttributes": envAttrs})
			for _, d := range []struct {
				name  string
				body  string
				attrs map[string]any
			}{
				{"SNS to SQS", string(envelope), map[string]any{}},
				{"SNS to SQS, raw delivery", *sns.Message, sqsAttrs},
				{"SQS", *sqs.MessageBody, sqsAttrs},
			} {
				payload, _ := json.Marshal(map[string]any{"Records": []any{map[string]any{
					"messageId": "9a1c-sqs", "receiptHandle": "AQEB", "body": d.body, "md5OfBody": "x",
					"attributes":        map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": "1795831385000", "SenderId": "AIDA", "ApproximateFirstReceiveTimestamp": "1795831385001"},
					"messageAttributes": d.attrs, "eventSource": "aws:sqs", "awsRegion": "eu-west-1",
					"eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:notify-customer",
				}}})
				b, err := awsp.Decode(awsp.SourceSQS, payload)
				if err != nil {
					t.Fatalf("%s: %v", d.name, err)
				}
				same(t, d.name, b.Events[0], tc.event)
			}
		})
	}
}

// TestRoundTripServiceBus encodes as the azuresb driver sends (its
// application properties are the metadata, unchanged; our BeforeSend sets
// the content type), rebuilds the Functions host's serviceBusTrigger
// invocation for it, and decodes it with providers/azure. Service Bus has
// no local server here.
func TestRoundTripServiceBus(t *testing.T) {
	f := serviceBus
	f.before = func(m message) func(func(any) bool) error { return sbwire.BeforeSend(m.contentType) }
	app := core.NewApp()
	if err := app.Event("notify-customer", func(context.Context, core.Event) (*core.Event, error) { return nil, nil },
		core.OnTopic("order-placed", "notify-customer")); err != nil {
		t.Fatal(err)
	}
	fn, _ := app.Function("notify-customer")
	src, err := azurep.SourceOf(fn)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range wireCases() {
		if tc.noAzure {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			m, err := f.encode(tc.event)
			if err != nil {
				t.Fatal(err)
			}
			if m.structured != tc.sbStructured {
				t.Fatalf("structured mode %v, want %v", m.structured, tc.sbStructured)
			}
			pm := m.pubsub(f)
			sbm := &azservicebus.Message{Body: pm.Body, ApplicationProperties: map[string]any{}}
			for k, v := range pm.Metadata { // as the driver maps them
				sbm.ApplicationProperties[k] = v
			}
			if err := pm.BeforeSend(func(i any) bool {
				p, ok := i.(**azservicebus.Message)
				if ok {
					*p = sbm
				}
				return ok
			}); err != nil {
				t.Fatal(err)
			}
			ct := ""
			if sbm.ContentType != nil {
				ct = *sbm.ContentType
			}
			req := azuretest.ServiceBus("message", azuretest.ServiceBusMessage{MessageID: "sb-1", ContentType: ct,
				ApplicationProperties: sbm.ApplicationProperties, Body: sbm.Body, DeliveryCount: 1, SequenceNumber: 7})
			body, _ := json.Marshal(req)
			pr, err := azurep.ParseRequest(body)
			if err != nil {
				t.Fatal(err)
			}
			inv, err := azurep.Decode(pr, src)
			if err != nil {
				t.Fatal(err)
			}
			same(t, "Service Bus", inv.Events[0], tc.event)
		})
	}
}
