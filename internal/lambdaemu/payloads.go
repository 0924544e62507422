package lambdaemu

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Account and Region are the account id and region the payloads name.
const (
	Account = "123456789012"
	Region  = "us-east-1"
)

// SQSMessage is one message of an SQS batch.
type SQSMessage struct {
	ID   string
	Body []byte
	// GroupID and Sequence make a FIFO message.
	GroupID, Sequence string
	// ReceiveCount is ApproximateReceiveCount; 0 means 1.
	ReceiveCount int
}

// SQS returns the event Lambda's SQS event source mapping sends for msgs
// read from the queue named queue.
func SQS(queue string, msgs ...SQSMessage) []byte {
	now := time.Now().UnixMilli()
	recs := make([]map[string]any, len(msgs))
	for i, m := range msgs {
		attrs := map[string]string{"ApproximateReceiveCount": fmt.Sprint(max(m.ReceiveCount, 1)), "SentTimestamp": fmt.Sprint(now),
			"SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": fmt.Sprint(now)}
		if m.GroupID != "" {
			attrs["MessageGroupId"], attrs["SequenceNumber"], attrs["MessageDeduplicationId"] = m.GroupID, m.Sequence, m.ID
		}
		sum := md5.Sum(m.Body)
		recs[i] = map[string]any{"messageId": m.ID, "receiptHandle": "AQEB" + m.ID, "body": string(m.Body), "attributes": attrs,
			"messageAttributes": map[string]any{}, "md5OfBody": hex.EncodeToString(sum[:]), "eventSource": "aws:sqs",
			"eventSourceARN": arn("sqs", queue), "awsRegion": Region}
	}
	return mustJSON(map[string]any{"Records": recs})
}

// SNS returns the event SNS sends a subscribed function for one message.
func SNS(topic, id, subject string, message []byte) []byte {
	var subj any
	if subject != "" {
		subj = subject
	}
	return mustJSON(map[string]any{"Records": []any{map[string]any{
		"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": arn("sns", topic) + ":2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
		"Sns": map[string]any{"Type": "Notification", "MessageId": id, "TopicArn": arn("sns", topic), "Subject": subj,
			"Message": string(message), "Timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), "SignatureVersion": "1",
			"Signature": "EXAMPLE", "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService.pem",
			"UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe", "MessageAttributes": map[string]any{}},
	}}})
}

// EventBridge returns an EventBridge event with detail (JSON, or a string
// holding the bytes when they are not JSON).
func EventBridge(id, source, detailType string, detail []byte) []byte {
	return mustJSON(map[string]any{"version": "0", "id": id, "detail-type": detailType, "source": source, "account": Account,
		"time": time.Now().UTC().Format(time.RFC3339), "region": Region, "resources": []string{}, "detail": jsonOrString(detail)})
}

// Scheduled returns the event an EventBridge schedule rule named rule sends.
func Scheduled(id, rule string) []byte {
	return mustJSON(map[string]any{"version": "0", "id": id, "detail-type": "Scheduled Event", "source": "aws.events", "account": Account,
		"time": time.Now().UTC().Format(time.RFC3339), "region": Region,
		"resources": []string{"arn:aws:events:" + Region + ":" + Account + ":rule/" + rule}, "detail": map[string]any{}})
}

// KinesisRecord is one record of a Kinesis batch.
type KinesisRecord struct {
	PartitionKey, Sequence string
	Data                   []byte
	// ID is the record's eventID; empty means Lambda's
	// "shardId-000000000000:" + Sequence.
	ID string
}

// Kinesis returns the event Lambda's Kinesis event source mapping sends for
// recs read from shard 0 of the stream named stream.
func Kinesis(stream string, recs ...KinesisRecord) []byte {
	out := make([]map[string]any, len(recs))
	for i, r := range recs {
		id := r.ID
		if id == "" {
			id = "shardId-000000000000:" + r.Sequence
		}
		out[i] = map[string]any{
			"kinesis": map[string]any{"kinesisSchemaVersion": "1.0", "partitionKey": r.PartitionKey, "sequenceNumber": r.Sequence,
				"data": base64.StdEncoding.EncodeToString(r.Data), "approximateArrivalTimestamp": float64(time.Now().UnixMilli()) / 1000},
			"eventSource": "aws:kinesis", "eventVersion": "1.0", "eventID": id,
			"eventName": "aws:kinesis:record", "invokeIdentityArn": "arn:aws:iam::" + Account + ":role/polyfn", "awsRegion": Region,
			"eventSourceARN": arn("kinesis", "stream/"+stream),
		}
	}
	return mustJSON(map[string]any{"Records": out})
}

// DynamoDB returns a DynamoDB Streams MODIFY record of table for the item
// with key id, whose attribute "payload" holds data as a string.
func DynamoDB(table, id string, data []byte) []byte {
	return mustJSON(map[string]any{"Records": []any{map[string]any{
		"eventID": "c4ca4238a0b923820dcc509a6f75849b", "eventName": "MODIFY", "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": Region,
		"dynamodb": map[string]any{"ApproximateCreationDateTime": time.Now().Unix(), "Keys": map[string]any{"id": map[string]string{"S": id}},
			"NewImage":       map[string]any{"id": map[string]string{"S": id}, "payload": map[string]string{"S": string(data)}},
			"SequenceNumber": "111", "SizeBytes": 26 + len(data), "StreamViewType": "NEW_AND_OLD_IMAGES"},
		"eventSourceARN": arn("dynamodb", "table/"+table+"/stream/2026-01-01T00:00:00.000"),
	}}})
}

// S3 returns the notification S3 sends when an object of size bytes is put
// at key in bucket.
func S3(bucket, key string, size int) []byte {
	return mustJSON(map[string]any{"Records": []any{map[string]any{
		"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": Region, "eventTime": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"eventName": "ObjectCreated:Put", "userIdentity": map[string]string{"principalId": "AWS:EXAMPLE"},
		"requestParameters": map[string]string{"sourceIPAddress": "127.0.0.1"},
		"responseElements":  map[string]string{"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
		"s3": map[string]any{"s3SchemaVersion": "1.0", "configurationId": "polyfn",
			"bucket": map[string]any{"name": bucket, "ownerIdentity": map[string]string{"principalId": "EXAMPLE"}, "arn": "arn:aws:s3:::" + bucket},
			"object": map[string]any{"key": key, "size": size, "eTag": "d41d8cd98f00b204e9800998ecf8427e", "sequencer": "0A1B2C3D4E5F678901"}},
	}}})
}

// body returns r's body as API Gateway carries it: text as is, anything
// else base64 with isBase64Encoded set.
func body(r *http.Request) (string, bool) {
	if r.Body == nil {
		return "", false
	}
	b, _ := io.ReadAll(r.Body)
	if utf8.Valid(b) && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/octet-stream") {
		return string(b), false
	}
	return base64.StdEncoding.EncodeToString(b), true
}

// APIGatewayV1 returns the REST API proxy event (payload format 1.0) for r,
// on stage prod.
func APIGatewayV1(id string, r *http.Request) []byte {
	b, b64 := body(r)
	single, multi := map[string]string{}, map[string][]string{}
	for k, vs := range r.Header {
		single[k], multi[k] = vs[len(vs)-1], vs
	}
	var qs map[string]string
	var mqs map[string][]string
	if q := r.URL.Query(); len(q) > 0 {
		qs, mqs = map[string]string{}, map[string][]string(q)
		for k, vs := range q {
			qs[k] = vs[len(vs)-1]
		}
	}
	return mustJSON(map[string]any{"resource": "/{proxy+}", "path": r.URL.Path, "httpMethod": r.Method, "headers": single, "multiValueHeaders": multi,
		"queryStringParameters": qs, "multiValueQueryStringParameters": mqs, "pathParameters": map[string]string{"proxy": strings.TrimPrefix(r.URL.Path, "/")},
		"requestContext": map[string]any{"accountId": Account, "apiId": "polyfnapi", "stage": "prod", "requestId": id, "httpMethod": r.Method,
			"path": "/prod" + r.URL.Path, "resourcePath": "/{proxy+}", "protocol": "HTTP/1.1", "requestTimeEpoch": time.Now().UnixMilli(),
			"identity": map[string]any{"sourceIp": "127.0.0.1", "userAgent": r.UserAgent()}},
		"body": b, "isBase64Encoded": b64})
}

// APIGatewayV2 returns the HTTP API event (payload format 2.0) for r.
func APIGatewayV2(id string, r *http.Request) []byte {
	return v2(id, r, "polyfnapi.execute-api."+Region+".amazonaws.com")
}

// FunctionURL returns the event a Lambda function URL sends for r.
func FunctionURL(id string, r *http.Request) []byte {
	return v2(id, r, "polyfnurl.lambda-url."+Region+".on.aws")
}

func v2(id string, r *http.Request, domain string) []byte {
	b, b64 := body(r)
	headers := map[string]string{}
	var cookies []string
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Cookie") {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					cookies = append(cookies, strings.TrimSpace(c))
				}
			}
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	now := time.Now().UTC()
	ev := map[string]any{"version": "2.0", "routeKey": "$default", "rawPath": r.URL.Path, "rawQueryString": r.URL.RawQuery, "headers": headers,
		"requestContext": map[string]any{"accountId": Account, "apiId": strings.SplitN(domain, ".", 2)[0], "domainName": domain,
			"domainPrefix": strings.SplitN(domain, ".", 2)[0], "requestId": id, "routeKey": "$default", "stage": "$default",
			"time": now.Format("02/Jan/2006:15:04:05 -0700"), "timeEpoch": now.UnixMilli(),
			"http": map[string]string{"method": r.Method, "path": r.URL.Path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": r.UserAgent()}},
		"body": b, "isBase64Encoded": b64}
	if len(cookies) > 0 {
		ev["cookies"] = cookies
	}
	return mustJSON(ev)
}

// ALB returns the event an Application Load Balancer target group sends for
// r (single-value headers).
func ALB(r *http.Request) []byte {
	b, b64 := body(r)
	headers := map[string]string{}
	for k, vs := range r.Header {
		headers[strings.ToLower(k)] = vs[len(vs)-1]
	}
	qs := map[string]string{}
	for k, vs := range r.URL.Query() {
		qs[k] = vs[len(vs)-1]
	}
	return mustJSON(map[string]any{"requestContext": map[string]any{"elb": map[string]string{"targetGroupArn": "arn:aws:elasticloadbalancing:" + Region + ":" + Account + ":targetgroup/polyfn/6d0ecf831eec9f09"}},
		"httpMethod": r.Method, "path": r.URL.Path, "queryStringParameters": qs, "headers": headers, "body": b, "isBase64Encoded": b64})
}

func arn(service, resource string) string {
	return "arn:aws:" + service + ":" + Region + ":" + Account + ":" + resource
}

func jsonOrString(b []byte) any {
	if len(b) > 0 && json.Valid(b) {
		return json.RawMessage(b)
	}
	return string(b)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the payloads are built from values that always encode
	}
	return b
}
