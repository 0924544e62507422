package aws_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/polyfn/polyfn/adapters/aws"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/benchratio"
	provider "github.com/polyfn/polyfn/providers/aws"
)

// The benchmarks compare polyfn with a hand-written aws-lambda-go handler
// doing the same work, both called through lambda.Handler.Invoke, the entry
// the runtime loop uses: SQS, decode each message body into a struct and
// report no failures; HTTP API, decode a 1 KB JSON body and answer a small
// JSON document.

type order struct {
	ID       string  `json:"id"`
	Customer string  `json:"customer"`
	Total    float64 `json:"total"`
	Items    []struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	} `json:"items"`
	Note string `json:"note"`
}

func sqsBatch(n int) []byte {
	var recs []string
	for i := 0; i < n; i++ {
		body := fmt.Sprintf(`{"id":"o-%d","customer":"c-42","total":12.5,"items":[{"sku":"a","qty":1},{"sku":"b","qty":2}],"note":"leave at the door"}`, i)
		bj, _ := json.Marshal(body)
		recs = append(recs, fmt.Sprintf(`{"messageId":"059f36b4-87a3-44ab-83d2-661975830a7%d","receiptHandle":"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...","body":%s,`+
			`"attributes":{"ApproximateReceiveCount":"1","SentTimestamp":"1545082649183","SenderId":"AIDAIENQZJOLO23YVJ4VO","ApproximateFirstReceiveTimestamp":"1545082649185"},`+
			`"messageAttributes":{"tenant":{"stringValue":"acme","stringListValues":[],"binaryListValues":[],"dataType":"String"}},`+
			`"md5OfBody":"e4e68fb7bd0e697a0ae8f1bb342846b3","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-2:123456789012:orders","awsRegion":"us-east-2"}`, i, bj))
	}
	return []byte(`{"Records":[` + strings.Join(recs, ",") + `]}`)
}

func httpV2Request() []byte {
	items := make([]string, 0, 24)
	for i := 0; len(strings.Join(items, ",")) < 900; i++ {
		items = append(items, fmt.Sprintf(`{"sku":"sku-%04d","qty":%d}`, i, i%5+1))
	}
	body := `{"id":"o-1","customer":"c-42","total":12.5,"items":[` + strings.Join(items, ",") + `],"note":"leave at the door"}`
	bj, _ := json.Marshal(body)
	return []byte(`{"version":"2.0","routeKey":"POST /orders","rawPath":"/orders","rawQueryString":"dry=1",` +
		`"headers":{"accept":"application/json","content-length":"1024","content-type":"application/json","host":"abc.execute-api.us-east-1.amazonaws.com","user-agent":"curl/8.5.0","x-amzn-trace-id":"Root=1-5e1b4151-5ac6c58f5b5daa6532e4f1b2","x-forwarded-for":"198.51.100.1","x-forwarded-port":"443","x-forwarded-proto":"https"},` +
		`"queryStringParameters":{"dry":"1"},"requestContext":{"accountId":"123456789012","apiId":"abc","domainName":"abc.execute-api.us-east-1.amazonaws.com","domainPrefix":"abc",` +
		`"http":{"method":"POST","path":"/orders","protocol":"HTTP/1.1","sourceIp":"198.51.100.1","userAgent":"curl/8.5.0"},"requestId":"JKJaXmPLvHcESHA=","routeKey":"POST /orders","stage":"$default","time":"10/Mar/2020:05:16:23 +0000","timeEpoch":1583817383220},` +
		`"body":` + string(bj) + `,"isBase64Encoded":false}`)
}

func benchCtx() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Hour))
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "bench"}), cancel
}

func runBench(b *testing.B, h lambda.Handler, payload []byte, check func([]byte) bool) {
	ctx, cancel := benchCtx()
	defer cancel()
	out, err := h.Invoke(ctx, payload)
	if err != nil || !check(out) {
		b.Fatalf("%s %v", out, err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := h.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}

func noFailures(out []byte) bool {
	return string(out) == `{"batchItemFailures":[]}` || string(out) == `{"batchItemFailures":null}`
}

func httpOK(out []byte) bool { return strings.Contains(string(out), `"statusCode":200`) }

// nativeSQS is the hand-written aws-lambda-go SQS handler.
func nativeSQS() lambda.Handler {
	return lambda.NewHandler(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, m := range ev.Records {
			var o order
			if err := json.Unmarshal([]byte(m.Body), &o); err != nil || o.Customer == "" {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			}
		}
		return resp, nil
	})
}

// polyfnSQS is the same work as a polyfn event function.
func polyfnSQS() lambda.Handler {
	app := core.NewApp()
	core.Must(app.Event("orders", func(ctx context.Context, e core.Event) (*core.Event, error) {
		o, err := core.Decode[order](e)
		if err != nil || o.Customer == "" {
			return nil, fmt.Errorf("bad order: %v", err)
		}
		return nil, nil
	}, core.OnQueue("orders")))
	h, err := aws.NewHandler(app)
	if err != nil {
		panic(err)
	}
	return h
}

type itemsReply struct {
	ID    string `json:"id"`
	Items int    `json:"items"`
}

// nativeHTTP is the hand-written aws-lambda-go HTTP API handler.
func nativeHTTP() lambda.Handler {
	return lambda.NewHandler(func(ctx context.Context, r events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		var o order
		if err := json.Unmarshal([]byte(r.Body), &o); err != nil {
			return events.APIGatewayV2HTTPResponse{StatusCode: 400, Body: err.Error()}, nil
		}
		out, _ := json.Marshal(itemsReply{o.ID, len(o.Items)})
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(out)}, nil
	})
}

// polyfnHTTP is the same work as a polyfn HTTP function.
func polyfnHTTP() lambda.Handler {
	app := core.NewApp()
	core.Must(app.HTTP("orders", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var o order
		body, err := io.ReadAll(r.Body)
		if err == nil {
			err = json.Unmarshal(body, &o)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out, _ := json.Marshal(itemsReply{o.ID, len(o.Items)})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	}), core.OnHTTP("/orders").With("aws", provider.SettingIntegration, "http")))
	h, err := aws.NewHandler(app)
	if err != nil {
		panic(err)
	}
	return h
}

func BenchmarkSQSBatch10(b *testing.B) {
	payload := sqsBatch(10)
	b.Run("native", func(b *testing.B) { runBench(b, nativeSQS(), payload, noFailures) })
	b.Run("polyfn", func(b *testing.B) { runBench(b, polyfnSQS(), payload, noFailures) })
}

func BenchmarkHTTPAPIv2JSON1KB(b *testing.B) {
	payload := httpV2Request()
	b.Run("native", func(b *testing.B) { runBench(b, nativeHTTP(), payload, httpOK) })
	b.Run("polyfn", func(b *testing.B) { runBench(b, polyfnHTTP(), payload, httpOK) })
}

// TestBenchmarkRatios runs each pair of handlers in POLYFN_AWS_BENCH
// rounds, native and polyfn alternately so that load from other processes
// hits both alike, and logs medians and polyfn/native ratios for
// docs/performance-aws.md. Besides wall time per invocation it reports the
// process CPU time per invocation (getrusage, GC included), which other
// processes competing for the CPUs disturb much less. It is a benchmark, run
// once on demand; POLYFN_AWS_BENCH sets the rounds (default 15):
//
//	go test ./adapters/aws -run '^$' -bench Ratios -benchtime 1x -v
func BenchmarkRatios(b *testing.B) {
	t := b
	rounds := 15
	fmt.Sscan(os.Getenv("POLYFN_AWS_BENCH"), &rounds)
	pairs := []struct {
		name           string
		payload        []byte
		ops            int
		native, polyfn lambda.Handler
		check          func([]byte) bool
	}{
		{"SQS batch of 10", sqsBatch(10), 2000, nativeSQS(), polyfnSQS(), noFailures},
		{"HTTP API v2, 1 KB JSON body", httpV2Request(), 5000, nativeHTTP(), polyfnHTTP(), httpOK},
	}
	ctx, cancel := benchCtx()
	defer cancel()
	for _, p := range pairs {
		invoke := func(h lambda.Handler) func() error {
			return func() error {
				out, err := h.Invoke(ctx, p.payload)
				if err == nil && !p.check(out) {
					err = fmt.Errorf("unexpected result %s", out)
				}
				return err
			}
		}
		benchratio.Compare(t, p.name, rounds, p.ops, invoke(p.native), invoke(p.polyfn)).Log(t, "native")
	}
}
