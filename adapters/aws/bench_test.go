package aws_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/akrylysov/algnhsa"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/polyfn/polyfn/adapters/aws"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/benchratio"
	provider "github.com/polyfn/polyfn/providers/aws"
)

// The benchmarks compare polyfn with the handlers its users would write
// otherwise, each doing the same work and called through
// lambda.Handler.Invoke, the entry the runtime loop uses: a hand-written
// aws-lambda-go handler for each source (SQS and Kinesis: decode each
// record's data into an order and report failures; HTTP API v2 and ALB:
// decode a 1 KB JSON body and answer a small JSON document), and, for HTTP
// API v2, the same net/http handler behind the two libraries that adapt
// one to Lambda: aws-lambda-go-api-proxy (httpadapter.NewV2) and algnhsa
// v1.1.0. Those two are test-only dependencies: nothing but this file
// imports them.

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

func orderJSON(i int) string {
	return fmt.Sprintf(`{"id":"o-%d","customer":"c-42","total":12.5,"items":[{"sku":"a","qty":1},{"sku":"b","qty":2}],"note":"leave at the door"}`, i)
}

func sqsBatch(n int) []byte {
	var recs []string
	for i := 0; i < n; i++ {
		bj, _ := json.Marshal(orderJSON(i))
		recs = append(recs, fmt.Sprintf(`{"messageId":"059f36b4-87a3-44ab-83d2-661975830a7%d","receiptHandle":"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...","body":%s,`+
			`"attributes":{"ApproximateReceiveCount":"1","SentTimestamp":"1545082649183","SenderId":"AIDAIENQZJOLO23YVJ4VO","ApproximateFirstReceiveTimestamp":"1545082649185"},`+
			`"messageAttributes":{"tenant":{"stringValue":"acme","stringListValues":[],"binaryListValues":[],"dataType":"String"}},`+
			`"md5OfBody":"e4e68fb7bd0e697a0ae8f1bb342846b3","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-2:123456789012:orders","awsRegion":"us-east-2"}`, i, bj))
	}
	return []byte(`{"Records":[` + strings.Join(recs, ",") + `]}`)
}

// kinesisBatch is n records of one shard, as Lambda's event source mapping
// sends them, each holding an order.
func kinesisBatch(n int) []byte {
	var recs []string
	for i := 0; i < n; i++ {
		seq := fmt.Sprintf("4959033827149025660855969253836157109592157598913658%04d", i)
		recs = append(recs, fmt.Sprintf(`{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"customer-%d","sequenceNumber":"%s",`+
			`"data":"%s","approximateArrivalTimestamp":1607497475.123},"eventSource":"aws:kinesis","eventVersion":"1.0",`+
			`"eventID":"shardId-000000000006:%s","eventName":"aws:kinesis:record","invokeIdentityArn":"arn:aws:iam::123456789012:role/lambda-kinesis-role",`+
			`"awsRegion":"us-east-1","eventSourceARN":"arn:aws:kinesis:us-east-1:123456789012:stream/orders"}`,
			i%8, seq, base64.StdEncoding.EncodeToString([]byte(orderJSON(i))), seq))
	}
	return []byte(`{"Records":[` + strings.Join(recs, ",") + `]}`)
}

// orderBody is a JSON order of about 1 KB, as an escaped JSON string.
func orderBody() string {
	items := make([]string, 0, 24)
	for i := 0; len(strings.Join(items, ",")) < 900; i++ {
		items = append(items, fmt.Sprintf(`{"sku":"sku-%04d","qty":%d}`, i, i%5+1))
	}
	bj, _ := json.Marshal(`{"id":"o-1","customer":"c-42","total":12.5,"items":[` + strings.Join(items, ",") + `],"note":"leave at the door"}`)
	return string(bj)
}

func httpV2Request() []byte {
	return []byte(`{"version":"2.0","routeKey":"POST /orders","rawPath":"/orders","rawQueryString":"dry=1",` +
		`"headers":{"accept":"application/json","content-length":"1024","content-type":"application/json","host":"abc.execute-api.us-east-1.amazonaws.com","user-agent":"curl/8.5.0","x-amzn-trace-id":"Root=1-5e1b4151-5ac6c58f5b5daa6532e4f1b2","x-forwarded-for":"198.51.100.1","x-forwarded-port":"443","x-forwarded-proto":"https"},` +
		`"queryStringParameters":{"dry":"1"},"requestContext":{"accountId":"123456789012","apiId":"abc","domainName":"abc.execute-api.us-east-1.amazonaws.com","domainPrefix":"abc",` +
		`"http":{"method":"POST","path":"/orders","protocol":"HTTP/1.1","sourceIp":"198.51.100.1","userAgent":"curl/8.5.0"},"requestId":"JKJaXmPLvHcESHA=","routeKey":"POST /orders","stage":"$default","time":"10/Mar/2020:05:16:23 +0000","timeEpoch":1583817383220},` +
		`"body":` + orderBody() + `,"isBase64Encoded":false}`)
}

// albRequest is the same request through an ALB target group, with
// multi-value headers on or off.
func albRequest(multi bool) []byte {
	hdr := [][2]string{{"accept", "application/json"}, {"content-length", "1024"}, {"content-type", "application/json"},
		{"host", "lambda-alb-123578498.us-east-2.elb.amazonaws.com"}, {"user-agent", "curl/8.5.0"},
		{"x-amzn-trace-id", "Root=1-5e1b4151-5ac6c58f5b5daa6532e4f1b2"}, {"x-forwarded-for", "198.51.100.1"},
		{"x-forwarded-port", "443"}, {"x-forwarded-proto", "https"}}
	var h []string
	for _, kv := range hdr {
		if multi {
			h = append(h, fmt.Sprintf(`%q:[%q]`, kv[0], kv[1]))
		} else {
			h = append(h, fmt.Sprintf(`%q:%q`, kv[0], kv[1]))
		}
	}
	headers, query := `"headers":{`+strings.Join(h, ",")+`}`, `"queryStringParameters":{"dry":"1"}`
	if multi {
		headers, query = `"multiValueHeaders":{`+strings.Join(h, ",")+`}`, `"multiValueQueryStringParameters":{"dry":["1"]}`
	}
	return []byte(`{"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/lambda-279XGJDqGZ5rsrHC2Fjr/49e9d65c45c6791a"}},` +
		`"httpMethod":"POST","path":"/orders",` + query + `,` + headers + `,"body":` + orderBody() + `,"isBase64Encoded":false}`)
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

func httpOK(out []byte) bool {
	return strings.Contains(string(out), `"statusCode":200`) && strings.Contains(string(out), `\"items\":`)
}

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

// nativeKinesis is the hand-written aws-lambda-go Kinesis handler: it stops
// at the first failure and reports its sequence number, as Lambda retries
// from there.
func nativeKinesis() lambda.Handler {
	return lambda.NewHandler(func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		var resp events.KinesisEventResponse
		for _, r := range ev.Records {
			var o order
			if err := json.Unmarshal(r.Kinesis.Data, &o); err != nil || o.Customer == "" {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
				break
			}
		}
		return resp, nil
	})
}

// orderEvent is the polyfn event function for the same work.
func orderEvent(ctx context.Context, e core.Event) (*core.Event, error) {
	o, err := core.Decode[order](e)
	if err != nil || o.Customer == "" {
		return nil, fmt.Errorf("bad order: %v", err)
	}
	return nil, nil
}

func polyfnEvent(trigger core.Trigger) lambda.Handler {
	app := core.NewApp()
	core.Must(app.Event("orders", orderEvent, trigger))
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

// nativeALB is the hand-written aws-lambda-go ALB handler, answering in the
// style of the request.
func nativeALB() lambda.Handler {
	return lambda.NewHandler(func(ctx context.Context, r events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		var o order
		if err := json.Unmarshal([]byte(r.Body), &o); err != nil {
			return events.ALBTargetGroupResponse{StatusCode: 400, StatusDescription: "400 Bad Request", Body: err.Error()}, nil
		}
		out, _ := json.Marshal(itemsReply{o.ID, len(o.Items)})
		resp := events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Body: string(out)}
		if r.MultiValueHeaders != nil {
			resp.MultiValueHeaders = map[string][]string{"Content-Type": {"application/json"}}
		} else {
			resp.Headers = map[string]string{"Content-Type": "application/json"}
		}
		return resp, nil
	})
}

// orderHandler is the net/http handler for the same work, for polyfn and
// the net/http adapters.
var orderHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
})

// apiProxyHTTP is orderHandler behind aws-lambda-go-api-proxy's HTTP API
// adapter, as its README shows.
func apiProxyHTTP() lambda.Handler {
	return lambda.NewHandler(httpadapter.NewV2(orderHandler).ProxyWithContext)
}

// algnhsaHTTP is orderHandler behind algnhsa: told the payload is an HTTP
// API's when declared is true (as polyfn's declared integration is), left
// to detect it otherwise (as the README declaration is).
func algnhsaHTTP(declared bool) lambda.Handler {
	if !declared {
		return algnhsa.New(orderHandler, nil)
	}
	return algnhsa.New(orderHandler, &algnhsa.Options{RequestType: algnhsa.RequestTypeAPIGatewayV2})
}

// polyfnHTTP is orderHandler as a polyfn HTTP function with trigger.
func polyfnHTTP(trigger core.Trigger) lambda.Handler {
	app := core.NewApp()
	core.Must(app.HTTP("orders", orderHandler, trigger))
	h, err := aws.NewHandler(app)
	if err != nil {
		panic(err)
	}
	return h
}

// A benchPair is one piece of work, done by polyfn and by its peers.
type benchPair struct {
	name    string
	payload []byte
	ops     int
	polyfn  lambda.Handler
	peers   []benchPeer
	check   func([]byte) bool
}

type benchPeer struct {
	name string
	h    lambda.Handler
}

func benchPairs() []benchPair {
	declared := core.OnHTTP("/orders").With("aws", provider.SettingIntegration, "http")
	readme := core.OnHTTP("/orders")
	alb := core.OnHTTP("/orders").With("aws", provider.SettingIntegration, "alb")
	peers := func(native lambda.Handler) []benchPeer { return []benchPeer{{"native", native}} }
	httpPeers := func(declared bool) []benchPeer {
		return []benchPeer{{"native", nativeHTTP()}, {"api-proxy", apiProxyHTTP()}, {"algnhsa", algnhsaHTTP(declared)}}
	}
	return []benchPair{
		{"SQS batch of 10", sqsBatch(10), 2000, polyfnEvent(core.OnQueue("orders")), []benchPeer{{"native", nativeSQS()}}, noFailures},
		{"Kinesis batch of 100", kinesisBatch(100), 200, polyfnEvent(core.OnStream("orders")), []benchPeer{{"native", nativeKinesis()}}, noFailures},
		{"HTTP API v2, integration declared", httpV2Request(), 5000, polyfnHTTP(declared), httpPeers(true), httpOK},
		{"HTTP API v2, README declaration", httpV2Request(), 5000, polyfnHTTP(readme), httpPeers(false), httpOK},
		{"ALB", albRequest(false), 5000, polyfnHTTP(alb), peers(nativeALB()), httpOK},
		{"ALB multi-value", albRequest(true), 5000, polyfnHTTP(alb), peers(nativeALB()), httpOK},
	}
}

// BenchmarkInvoke runs every pair as ordinary Go benchmarks
// (b.ReportAllocs), for benchstat.
func BenchmarkInvoke(b *testing.B) {
	for _, p := range benchPairs() {
		b.Run(strings.ReplaceAll(p.name, " ", "_"), func(b *testing.B) {
			for _, peer := range p.peers {
				b.Run(peer.name, func(b *testing.B) { runBench(b, peer.h, p.payload, p.check) })
			}
			b.Run("polyfn", func(b *testing.B) { runBench(b, p.polyfn, p.payload, p.check) })
		})
	}
}

// BenchmarkRatios runs polyfn against each peer in POLYFN_AWS_BENCH rounds,
// alternately so that load from other processes hits both alike, and logs
// medians and polyfn/peer ratios for docs/performance-aws.md. Besides wall
// time per invocation it reports the process CPU time per invocation
// (getrusage, GC included), which other processes competing for the CPUs
// disturb much less. It is a benchmark, run once on demand, at GOMAXPROCS=1
// as the table is; POLYFN_AWS_BENCH sets the rounds (default 15) and
// POLYFN_AWS_BENCH_ONLY a substring of the pairs to run:
//
//	GOMAXPROCS=1 go test ./adapters/aws -run '^$' -bench Ratios -benchtime 1x -v
func BenchmarkRatios(b *testing.B) {
	t := b
	rounds := 15
	fmt.Sscan(os.Getenv("POLYFN_AWS_BENCH"), &rounds)
	only := os.Getenv("POLYFN_AWS_BENCH_ONLY")
	ctx, cancel := benchCtx()
	defer cancel()
	for _, p := range benchPairs() {
		if only != "" && !strings.Contains(p.name, only) {
			continue
		}
		invoke := func(h lambda.Handler) func() error {
			return func() error {
				out, err := h.Invoke(ctx, p.payload)
				if err == nil && !p.check(out) {
					err = fmt.Errorf("unexpected result %s", out)
				}
				return err
			}
		}
		for _, peer := range p.peers {
			benchratio.Compare(t, p.name+" vs "+peer.name, rounds, p.ops, invoke(peer.h), invoke(p.polyfn)).Log(t, peer.name)
		}
	}
}
