package lambdaemu

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// record returns Records[0] of payload as a generic map.
func record(t *testing.T, payload []byte) map[string]any {
	t.Helper()
	var ev struct{ Records []map[string]any }
	if err := json.Unmarshal(payload, &ev); err != nil || len(ev.Records) == 0 {
		t.Fatalf("payload %s: %v", payload, err)
	}
	return ev.Records[0]
}

func TestPayloadFields(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		path    []string
		want    any
	}{
		{"sqs message id", SQS("q", SQSMessage{ID: "m1", Body: []byte("x")}), []string{"messageId"}, "m1"},
		{"sqs queue arn", SQS("q", SQSMessage{ID: "m1"}), []string{"eventSourceARN"}, "arn:aws:sqs:us-east-1:123456789012:q"},
		{"sqs receive count defaults to 1", SQS("q", SQSMessage{ID: "m1"}), []string{"attributes", "ApproximateReceiveCount"}, "1"},
		{"sqs fifo group", SQS("q.fifo", SQSMessage{ID: "m1", GroupID: "g", Sequence: "7"}), []string{"attributes", "MessageGroupId"}, "g"},
		{"kinesis default event id", Kinesis("s", KinesisRecord{PartitionKey: "k", Sequence: "42"}), []string{"eventID"}, "shardId-000000000000:42"},
		{"kinesis event id", Kinesis("s", KinesisRecord{PartitionKey: "k", Sequence: "42", ID: "e-1"}), []string{"eventID"}, "e-1"},
		{"kinesis data is base64", Kinesis("s", KinesisRecord{Sequence: "1", Data: []byte("hi")}), []string{"kinesis", "data"}, "aGk="},
		{"sns message", SNS("t", "n1", "", []byte("hello")), []string{"Sns", "Message"}, "hello"},
		{"dynamodb source", DynamoDB("users", "u1", nil), []string{"eventSource"}, "aws:dynamodb"},
		{"s3 key", S3("b", "a/b.txt", 3), []string{"s3", "object", "key"}, "a/b.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any = record(t, tt.payload)
			for _, k := range tt.path {
				m, ok := v.(map[string]any)
				if !ok {
					t.Fatalf("no member %s", strings.Join(tt.path, "."))
				}
				v = m[k]
			}
			if v != tt.want {
				t.Errorf("%s = %v; want %v", strings.Join(tt.path, "."), v, tt.want)
			}
		})
	}
}

func TestHTTPPayloads(t *testing.T) {
	newReq := func(body string) *http.Request {
		r, _ := http.NewRequest("POST", "https://example.com/orders?x=1", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Cookie", "a=1; b=2")
		return r
	}
	var v2 struct {
		RawPath, RawQueryString, Body string
		Cookies                       []string
		Headers                       map[string]string
		RequestContext                struct {
			RequestID, DomainName string
			HTTP                  struct{ Method string }
		}
	}
	if err := json.Unmarshal(APIGatewayV2("r-1", newReq(`{"o":1}`)), &v2); err != nil {
		t.Fatal(err)
	}
	if v2.RawPath != "/orders" || v2.RawQueryString != "x=1" || v2.Body != `{"o":1}` || v2.RequestContext.RequestID != "r-1" ||
		v2.RequestContext.HTTP.Method != "POST" || strings.Join(v2.Cookies, ";") != "a=1;b=2" || v2.Headers["content-type"] != "application/json" {
		t.Errorf("HTTP API payload: %+v", v2)
	}
	if err := json.Unmarshal(FunctionURL("r-2", newReq("")), &v2); err != nil || !strings.Contains(v2.RequestContext.DomainName, ".lambda-url.") {
		t.Errorf("function URL domain %q, %v", v2.RequestContext.DomainName, err)
	}
	var v1 struct {
		HTTPMethod, Path, Body string
		IsBase64Encoded        bool
	}
	bin := newReq("\xff\x00")
	bin.Header.Set("Content-Type", "application/octet-stream")
	if err := json.Unmarshal(APIGatewayV1("r-3", bin), &v1); err != nil || v1.HTTPMethod != "POST" || v1.Path != "/orders" || !v1.IsBase64Encoded || v1.Body != "/wA=" {
		t.Errorf("REST payload: %+v, %v", v1, err)
	}
}
