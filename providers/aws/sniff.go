package aws

import (
	"bytes"
	"fmt"

	"github.com/polyfn/polyfn/internal/jsonscan"
)

// The top-level members Sniff looks for, one bit each in a shape.
const (
	kRecords uint64 = 1 << iota
	kRecordsLower
	kSpecVersion
	kDetailType
	kVersion
	kHTTPMethod
	kRequestContext
	kResource
	kRawPath
	kRawPathSnake // VPC Lattice v1
	kMethod       // VPC Lattice
	kPath
	kType
	kMethodArn
	kRouteArn
	kAuthorizationToken
	kIdentitySource
	kMessageVersion
	kAgent
	kActionGroup
	kAPIPath
	kAWSLogs
	kEventSource
	kTriggerSource
	kUserPoolID
	kIdentityPoolID
	kRequestType
	kResponseURL
	kInvocationSchemaVersion
	kObjectContext // getObjectContext, headObjectContext, listObjectsContext, listObjectsV2Context
	kSecretID
	kStep
	kCurrentIntent
	kSessionState
	kDetails
	kConfigRuleID
	kCodePipelineJob
	kArguments
	kInfo
	kConnectionID // ClientVPN's connection-id
	kProtocolData
	kSerialNumber
	kDeviceEvent
	kClaimCertificateID
	kDeliveryStreamArn
	kApplicationArn
	kAlarmArn
	kMessages
	kRMQMessages
	kWindow
	kSession
	kEventSourceARN
)

// memberBit returns the bit of a top-level member name, or 0.
func memberBit(name []byte) uint64 {
	switch string(name) {
	case "Records":
		return kRecords
	case "records":
		return kRecordsLower
	case "specversion":
		return kSpecVersion
	case "detail-type":
		return kDetailType
	case "version":
		return kVersion
	case "httpMethod":
		return kHTTPMethod
	case "requestContext":
		return kRequestContext
	case "resource":
		return kResource
	case "rawPath":
		return kRawPath
	case "raw_path":
		return kRawPathSnake
	case "method":
		return kMethod
	case "path":
		return kPath
	case "type":
		return kType
	case "methodArn":
		return kMethodArn
	case "routeArn":
		return kRouteArn
	case "authorizationToken":
		return kAuthorizationToken
	case "identitySource":
		return kIdentitySource
	case "messageVersion":
		return kMessageVersion
	case "agent":
		return kAgent
	case "actionGroup":
		return kActionGroup
	case "apiPath", "function":
		return kAPIPath
	case "awslogs":
		return kAWSLogs
	case "eventSource":
		return kEventSource
	case "triggerSource":
		return kTriggerSource
	case "userPoolId":
		return kUserPoolID
	case "identityPoolId":
		return kIdentityPoolID
	case "RequestType":
		return kRequestType
	case "ResponseURL":
		return kResponseURL
	case "invocationSchemaVersion":
		return kInvocationSchemaVersion
	case "getObjectContext", "headObjectContext", "listObjectsContext", "listObjectsV2Context":
		return kObjectContext
	case "SecretId":
		return kSecretID
	case "Step":
		return kStep
	case "currentIntent":
		return kCurrentIntent
	case "sessionState":
		return kSessionState
	case "Details":
		return kDetails
	case "configRuleId":
		return kConfigRuleID
	case "CodePipeline.job":
		return kCodePipelineJob
	case "arguments":
		return kArguments
	case "info":
		return kInfo
	case "connection-id":
		return kConnectionID
	case "protocolData":
		return kProtocolData
	case "serialNumber":
		return kSerialNumber
	case "deviceEvent":
		return kDeviceEvent
	case "claimCertificateId":
		return kClaimCertificateID
	case "deliveryStreamArn":
		return kDeliveryStreamArn
	case "applicationArn":
		return kApplicationArn
	case "alarmArn":
		return kAlarmArn
	case "messages":
		return kMessages
	case "rmqMessagesByQueue":
		return kRMQMessages
	case "window":
		return kWindow
	case "session":
		return kSession
	case "eventSourceARN":
		return kEventSourceARN
	}
	return 0
}

// The requestContext members Sniff looks for.
const (
	rcELB uint32 = 1 << iota
	rcHTTP
	rcConnectionID
	rcEventType
	rcMessageDirection
	rcServiceNetworkArn
	rcLambdaURL // domainName is a Function URL's
)

// shape is what one walk of a payload's top-level members finds. The byte
// slices alias the payload.
type shape struct {
	has         uint64
	rc          uint32
	version     []byte // raw value of version
	typ         []byte // raw value of type
	eventSource []byte // raw value of the top-level eventSource
	arn         []byte // raw value of the top-level eventSourceARN
	records     []byte // raw value of Records or records
}

// scan walks the members of the object at the start of p.
func (s *shape) scan(p []byte) bool {
	return jsonscan.Object(p, 0, func(name, value []byte) bool {
		bit := memberBit(name)
		s.has |= bit
		switch bit {
		case kRecords, kRecordsLower:
			s.records = value
		case kVersion:
			s.version = value
		case kType:
			s.typ = value
		case kEventSource:
			s.eventSource = value
		case kEventSourceARN:
			s.arn = value
		case kRequestContext:
			s.scanRequestContext(value)
		}
		return true
	}) >= 0
}

func (s *shape) scanRequestContext(v []byte) {
	jsonscan.Object(v, 0, func(name, value []byte) bool {
		switch string(name) {
		case "elb":
			s.rc |= rcELB
		case "http":
			s.rc |= rcHTTP
		case "connectionId":
			s.rc |= rcConnectionID
		case "eventType":
			s.rc |= rcEventType
		case "messageDirection":
			s.rc |= rcMessageDirection
		case "serviceNetworkArn", "serviceArn":
			s.rc |= rcServiceNetworkArn
		case "domainName":
			if bytes.Contains(value, []byte(".lambda-url.")) {
				s.rc |= rcLambdaURL
			}
		}
		return true
	})
}

func (s *shape) all(bits uint64) bool { return s.has&bits == bits }

// Sniff recognises a payload by its members, in one walk of the top level
// that allocates nothing for the payloads of the sources it knows:
// Records[0].eventSource for SQS, SNS (EventSource), Kinesis, DynamoDB and
// S3; the lowercase records object of Amazon MSK and
// self-managed Kafka; awslogs for CloudWatch Logs; detail-type for
// EventBridge; requestContext.elb for ALB; method with raw_path, or version
// "2.0" with requestContext.serviceNetworkArn, for VPC Lattice; version
// "2.0" with requestContext.http for HTTP API and Function URL (a domain
// name with .lambda-url.); httpMethod with requestContext for a REST API;
// specversion, or a JSON array of CloudEvents, for a direct CloudEvent.
//
// Payloads of services polyfn does not serve are refused with an error
// wrapping ErrUnsupportedPayload that names the service: API Gateway Lambda
// authorizer requests, WebSocket APIs, Bedrock Agent action groups,
// AppSync resolvers (a JSON array for a batch), Amazon MQ, Cognito,
// Firehose, ...
// It is never taken for another trigger. The error wraps
// ErrMalformedPayload for a payload whose structure is not JSON. Sniff
// does not validate the whole payload: decoding it does.
func Sniff(payload []byte) (Source, error) {
	i := jsonscan.SkipSpace(payload, 0)
	if i >= len(payload) {
		return SourceUnknown, malformed("payload is empty")
	}
	p := payload[i:]
	switch p[0] {
	case '[':
		return sniffArray(p)
	case '{':
	default:
		if jsonscan.SkipValue(p, 0) < 0 {
			return SourceUnknown, malformed("payload is not JSON")
		}
		return SourceUnknown, unsupported("payload is a JSON %s, not an object: no AWS event is one", jsonKind(p[0]))
	}
	var s shape
	if !s.scan(p) {
		return SourceUnknown, malformed("payload is not a valid JSON object")
	}
	switch {
	case s.has&kSpecVersion != 0:
		return SourceCloudEvent, nil
	case s.has&kRecords != 0:
		return s.sniffRecords()
	case s.has&kRecordsLower != 0:
		return s.sniffLowerRecords()
	case s.has&kAWSLogs != 0:
		return SourceCloudWatchLogs, nil
	case s.has&kDetailType != 0:
		return SourceEventBridge, nil
	}
	if len(s.version) > 0 && s.version[0] != '"' {
		return SourceUnknown, unsupported("a payload with a numeric top-level version is no event polyfn knows%s", s.serviceHint())
	}
	if name := s.service(); name != "" {
		if name == authorizerService {
			return SourceUnknown, unsupported("%s requests are not supported: polyfn does not serve authorizer functions; "+
				"deploy the authorizer as a plain aws-lambda-go handler", name)
		}
		return SourceUnknown, unsupported("%s events are not supported", name)
	}
	v2 := string(s.version) == `"2.0"`
	switch {
	case s.has&kRawPathSnake != 0 && s.has&kMethod != 0,
		v2 && s.has&kMethod != 0 && s.rc&rcServiceNetworkArn != 0:
		return SourceVPCLattice, nil
	case s.rc&rcELB != 0:
		return SourceALB, nil
	case v2 && s.rc&rcHTTP != 0:
		if s.rc&rcLambdaURL != 0 {
			return SourceFunctionURL, nil
		}
		return SourceAPIGatewayV2, nil
	case s.has&kHTTPMethod != 0 && s.has&kRequestContext != 0:
		return SourceAPIGatewayV1, nil
	}
	return SourceUnknown, unsupported("payload is no AWS event polyfn knows (want an SQS, SNS, Kinesis, DynamoDB Streams or S3 Records array, " +
		"a Kafka records object, a CloudWatch Logs subscription, an EventBridge event, an API Gateway, ALB, VPC Lattice or Function URL request, " +
		"or a structured CloudEvent)")
}

// authorizerService names the API Gateway Lambda authorizer requests:
// REST API TOKEN and REQUEST, HTTP API payload 1.0 and 2.0.
const authorizerService = "API Gateway Lambda authorizer (REST API TOKEN or REQUEST, HTTP API payload 1.0 or 2.0)"

// service names the AWS service of a payload Sniff refuses, from its
// members, or returns "".
func (s *shape) service() string {
	typ := string(s.typ)
	switch {
	case s.has&(kMethodArn|kRouteArn) != 0 || (typ == `"TOKEN"` || typ == `"REQUEST"`) && s.has&(kAuthorizationToken|kIdentitySource|kHTTPMethod|kRawPath) != 0:
		return authorizerService
	case s.rc&rcConnectionID != 0 && s.rc&(rcEventType|rcMessageDirection) != 0:
		return "API Gateway WebSocket API"
	case s.all(kMessageVersion|kAgent) && s.has&(kActionGroup|kAPIPath) != 0:
		return "Amazon Bedrock Agent action group"
	case s.all(kAuthorizationToken | kRequestContext):
		return "AWS AppSync Lambda authorizer"
	case s.has&kArguments != 0 && s.has&kInfo != 0:
		return "AWS AppSync resolver"
	case s.has&kTriggerSource != 0 && s.has&kUserPoolID != 0:
		return "Amazon Cognito user pool trigger"
	case s.has&kIdentityPoolID != 0:
		return "Amazon Cognito Sync"
	case s.all(kRequestType | kResponseURL):
		return "AWS CloudFormation custom resource"
	case s.has&kInvocationSchemaVersion != 0:
		return "Amazon S3 Batch Operations"
	case s.has&kObjectContext != 0:
		return "Amazon S3 Object Lambda"
	case s.all(kSecretID | kStep):
		return "AWS Secrets Manager rotation"
	case s.has&(kCurrentIntent|kSessionState) != 0:
		return "Amazon Lex"
	case s.has&kDetails != 0:
		return "Amazon Connect"
	case s.has&kConfigRuleID != 0:
		return "AWS Config rule"
	case s.has&kCodePipelineJob != 0:
		return "AWS CodePipeline job"
	case s.has&kConnectionID != 0:
		return "AWS Client VPN connection handler"
	case s.has&(kProtocolData|kSerialNumber|kDeviceEvent|kClaimCertificateID) != 0:
		return "AWS IoT"
	case s.has&kAlarmArn != 0:
		return "Amazon CloudWatch alarm action"
	case s.has&kMessages != 0 && string(s.eventSource) == `"aws:mq"`:
		return "Amazon MQ for ActiveMQ"
	case s.has&kRMQMessages != 0:
		return "Amazon MQ for RabbitMQ"
	case string(s.eventSource) == `"aws:docdb"`:
		return "Amazon DocumentDB change stream"
	case s.has&kSession != 0 && string(s.version) == `"1.0"` && s.has&kHTTPMethod == 0:
		return "Alexa Skills Kit"
	}
	return ""
}

// serviceHint names the service of a payload with a numeric version, when
// its members tell.
func (s *shape) serviceHint() string {
	if name := s.service(); name != "" {
		return " (it looks like " + name + ")"
	}
	return ""
}

// sniffRecords reads the source of a Records array from its first record,
// or, for a tumbling-window invocation without records, from the
// top-level eventSourceARN.
func (s *shape) sniffRecords() (Source, error) {
	if len(s.records) == 0 || s.records[0] != '[' {
		return SourceUnknown, unsupported("Records is a JSON %s, not an array: no AWS event has such Records", jsonKind(firstByte(s.records)))
	}
	var es, es2 []byte
	var cf, first bool
	jsonscan.Array(s.records, 0, func(rec []byte) bool {
		first = true
		jsonscan.Object(rec, 0, func(name, value []byte) bool {
			switch string(name) {
			case "eventSource":
				es = value
			case "EventSource":
				es2 = value
			case "cf":
				cf = true
			}
			return true
		})
		return false
	})
	if es == nil {
		es = es2
	}
	switch string(es) {
	case `"aws:sqs"`:
		return SourceSQS, nil
	case `"aws:sns"`:
		return SourceSNS, nil
	case `"aws:kinesis"`:
		return SourceKinesis, nil
	case `"aws:dynamodb"`:
		return SourceDynamoDB, nil
	case `"aws:s3"`:
		return SourceS3, nil
	case `"aws:ses"`:
		return SourceUnknown, unsupported("Amazon SES receipt rule events are not supported")
	case `"aws:codecommit"`:
		return SourceUnknown, unsupported("AWS CodeCommit trigger events are not supported")
	}
	switch {
	case cf:
		return SourceUnknown, unsupported("Amazon CloudFront (Lambda@Edge) events are not supported")
	case !first && s.has&kWindow != 0:
		return windowSource(s.arn)
	case !first:
		return SourceUnknown, malformed("Records is empty")
	}
	return SourceUnknown, unsupported("Records[0].eventSource %s is not one of aws:sqs, aws:sns, aws:kinesis, aws:dynamodb, aws:s3", quoteRaw(es))
}

// sniffLowerRecords reads a payload with a lowercase records member: a
// Kafka event source's object of topic-partitions, or the records array
// of Firehose and Kinesis Data Analytics.
func (s *shape) sniffLowerRecords() (Source, error) {
	switch es := string(s.eventSource); {
	case es == `"aws:kafka"` || es == `"SelfManagedKafka"`:
		if firstByte(s.records) != '{' {
			return SourceUnknown, malformed("Kafka event: records is a JSON %s, not an object of topic-partitions", jsonKind(firstByte(s.records)))
		}
		return SourceKafka, nil
	case s.has&kDeliveryStreamArn != 0:
		return SourceUnknown, unsupported("Amazon Data Firehose transformation events are not supported")
	case s.has&kApplicationArn != 0:
		return SourceUnknown, unsupported("Amazon Kinesis Data Analytics output events are not supported")
	case firstByte(s.records) == '{':
		return SourceUnknown, unsupported("a records object with eventSource %s is no event source polyfn knows (Kafka sends aws:kafka or SelfManagedKafka)", quoteRaw(s.eventSource))
	}
	return SourceUnknown, unsupported("a payload with a lowercase records %s is no event polyfn knows", jsonKind(firstByte(s.records)))
}

// sniffArray reads a payload that is a JSON array: a batch of structured
// CloudEvents when its first element has a specversion member (or it is
// empty, which decoding refuses).
func sniffArray(p []byte) (Source, error) {
	var elem []byte
	end := jsonscan.Array(p, 0, func(v []byte) bool {
		elem = v
		return false
	})
	if end < 0 {
		return SourceUnknown, malformed("payload is not a valid JSON array")
	}
	if elem == nil {
		return SourceCloudEvent, nil
	}
	var has uint64
	var ce bool
	jsonscan.Object(elem, 0, func(name, _ []byte) bool {
		if string(name) == "specversion" {
			ce = true
			return false
		}
		has |= memberBit(name)
		return true
	})
	switch {
	case ce:
		return SourceCloudEvent, nil
	case has&(kArguments|kInfo) != 0:
		return SourceUnknown, unsupported("AWS AppSync batch resolver events (a JSON array of resolver calls) are not supported")
	}
	return SourceUnknown, unsupported("payload is a JSON array whose first element is no structured CloudEvent: no AWS event source sends one")
}

func firstByte(b []byte) byte {
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// jsonKind names the kind of JSON value starting with c.
//
//go:noinline
func jsonKind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	case 0:
		return "nothing"
	}
	return "number"
}

// quoteRaw renders a raw JSON value for an error message; nothing is "".
func quoteRaw(v []byte) string {
	if len(v) == 0 {
		return `""`
	}
	if len(v) > 64 {
		return fmt.Sprintf("%.64s...", v)
	}
	return string(v)
}
