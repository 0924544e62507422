package gcp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core"
)

// Int64 is an int64 that decodes from a JSON number or a JSON string, as
// Google's events carry 64-bit integers both ways (Storage's size and
// generation, Firestore's integerValue). It encodes as a string, the
// protobuf JSON mapping's form.
type Int64 int64

// UnmarshalJSON accepts 42, "42" and null (which leaves n unchanged).
func (n *Int64) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("gcp: %q is not a 64-bit integer", b)
	}
	*n = Int64(v)
	return nil
}

// MarshalJSON writes n as a JSON string.
func (n Int64) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, strconv.FormatInt(int64(n), 10)), nil
}

// decodeAs decodes e's data into a T after checking e's type with ok.
func decodeAs[T any](e core.Event, what string, ok func(string) bool) (T, error) {
	if !ok(e.Type()) {
		var zero T
		return zero, core.Permanent(fmt.Errorf("gcp: event %s has type %q, not a %s event", e.ID(), e.Type(), what))
	}
	// The event's own data, not core.Decode's payload: for Pub/Sub that
	// would be the message inside the envelope this reads.
	var v T
	if len(e.Data()) == 0 {
		return v, core.Permanent(fmt.Errorf("gcp: %s event %s: %w", what, e.ID(), core.ErrNoData))
	}
	if err := json.Unmarshal(e.Data(), &v); err != nil {
		return v, core.Permanent(fmt.Errorf("gcp: %s event %s: %w", what, e.ID(), err))
	}
	return v, nil
}

// MessagePublishedData is the data of a Pub/Sub CloudEvent
// (google.cloud.pubsub.topic.v1.messagePublished) and the body of a push
// subscription's request.
type MessagePublishedData struct {
	Message      PubSubMessage `json:"message"`
	Subscription string        `json:"subscription,omitempty"`
	// DeliveryAttempt counts deliveries when the subscription has a
	// dead-letter policy (push envelopes only); 0 otherwise.
	DeliveryAttempt int `json:"deliveryAttempt,omitempty"`
}

// PubSubMessage is a Pub/Sub message. Data holds the decoded bytes: the
// base64 of the JSON form is undone while decoding.
type PubSubMessage struct {
	Data        []byte            `json:"data,omitempty"`
	Attributes  map[string]string `json:"attributes,omitempty"`
	MessageID   string            `json:"messageId"`
	PublishTime time.Time         `json:"publishTime"`
	OrderingKey string            `json:"orderingKey,omitempty"`
}

// PubSubMessageOf returns the Pub/Sub message of a messagePublished event,
// with Data base64-decoded. The error is permanent (see core.Permanent) for
// another event type or undecodable data.
func PubSubMessageOf(e core.Event) (PubSubMessage, error) {
	d, err := decodeAs[MessagePublishedData](e, "Pub/Sub", func(t string) bool { return t == TypePubSubMessagePublished })
	return d.Message, err
}

// StorageObjectData is the data of Cloud Storage object events
// (google.cloud.storage.object.v1.*): the object's resource.
type StorageObjectData struct {
	Kind                    string              `json:"kind,omitempty"`
	ID                      string              `json:"id,omitempty"`
	SelfLink                string              `json:"selfLink,omitempty"`
	MediaLink               string              `json:"mediaLink,omitempty"`
	Bucket                  string              `json:"bucket"`
	Name                    string              `json:"name"`
	Generation              Int64               `json:"generation,omitempty"`
	Metageneration          Int64               `json:"metageneration,omitempty"`
	ContentType             string              `json:"contentType,omitempty"`
	ContentEncoding         string              `json:"contentEncoding,omitempty"`
	ContentDisposition      string              `json:"contentDisposition,omitempty"`
	ContentLanguage         string              `json:"contentLanguage,omitempty"`
	CacheControl            string              `json:"cacheControl,omitempty"`
	Size                    Int64               `json:"size,omitempty"`
	MD5Hash                 string              `json:"md5Hash,omitempty"`
	CRC32C                  string              `json:"crc32c,omitempty"`
	ETag                    string              `json:"etag,omitempty"`
	StorageClass            string              `json:"storageClass,omitempty"`
	ComponentCount          int                 `json:"componentCount,omitempty"`
	Metadata                map[string]string   `json:"metadata,omitempty"`
	TimeCreated             time.Time           `json:"timeCreated"`
	Updated                 time.Time           `json:"updated"`
	TimeDeleted             *time.Time          `json:"timeDeleted,omitempty"`
	TimeStorageClassUpdated *time.Time          `json:"timeStorageClassUpdated,omitempty"`
	RetentionExpirationTime *time.Time          `json:"retentionExpirationTime,omitempty"`
	TemporaryHold           bool                `json:"temporaryHold,omitempty"`
	EventBasedHold          bool                `json:"eventBasedHold,omitempty"`
	KMSKeyName              string              `json:"kmsKeyName,omitempty"`
	CustomerEncryption      *CustomerEncryption `json:"customerEncryption,omitempty"`
}

// CustomerEncryption describes an object's customer-supplied encryption key.
type CustomerEncryption struct {
	EncryptionAlgorithm string `json:"encryptionAlgorithm"`
	KeySHA256           string `json:"keySha256"`
}

// StorageObjectOf returns the object of a Cloud Storage event. Size,
// generation and metageneration decode from numbers and strings alike. The
// error is permanent for another event type or undecodable data.
func StorageObjectOf(e core.Event) (StorageObjectData, error) {
	return decodeAs[StorageObjectData](e, "Cloud Storage", func(t string) bool {
		return strings.HasPrefix(t, "google.cloud.storage.object.v1.")
	})
}

// SchedulerJobData is the data of google.cloud.scheduler.job.v1.executed.
// CustomData holds the decoded bytes of the job's payload.
type SchedulerJobData struct {
	CustomData []byte `json:"customData,omitempty"`
}

// SchedulerJobOf returns the data of a Cloud Scheduler job execution. The
// error is permanent for another event type or undecodable data.
func SchedulerJobOf(e core.Event) (SchedulerJobData, error) {
	return decodeAs[SchedulerJobData](e, "Cloud Scheduler", func(t string) bool { return t == TypeSchedulerJobExecuted })
}

// LogEntryData is the data of google.cloud.audit.log.v1.written: a Cloud
// Logging entry whose payload is an audit log.
type LogEntryData struct {
	LogName          string             `json:"logName"`
	Resource         MonitoredResource  `json:"resource"`
	ProtoPayload     AuditLog           `json:"protoPayload"`
	InsertID         string             `json:"insertId"`
	Labels           map[string]string  `json:"labels,omitempty"`
	Operation        *LogEntryOperation `json:"operation,omitempty"`
	Severity         string             `json:"severity,omitempty"`
	Timestamp        time.Time          `json:"timestamp"`
	ReceiveTimestamp time.Time          `json:"receiveTimestamp"`
	Trace            string             `json:"trace,omitempty"`
	SpanID           string             `json:"spanId,omitempty"`
}

// MonitoredResource names the resource a log entry is about.
type MonitoredResource struct {
	Type   string            `json:"type"`
	Labels map[string]string `json:"labels,omitempty"`
}

// LogEntryOperation ties the entries of a long-running operation together.
type LogEntryOperation struct {
	ID       string `json:"id"`
	Producer string `json:"producer"`
	First    bool   `json:"first,omitempty"`
	Last     bool   `json:"last,omitempty"`
}

// AuditLog is the audit record of one API call. Request, Response,
// ServiceData and Metadata are service-specific JSON, kept raw.
type AuditLog struct {
	ServiceName        string                   `json:"serviceName"`
	MethodName         string                   `json:"methodName"`
	ResourceName       string                   `json:"resourceName"`
	ResourceLocation   *AuditResourceLocation   `json:"resourceLocation,omitempty"`
	NumResponseItems   Int64                    `json:"numResponseItems,omitempty"`
	Status             *AuditStatus             `json:"status,omitempty"`
	AuthenticationInfo *AuditAuthenticationInfo `json:"authenticationInfo,omitempty"`
	AuthorizationInfo  []AuditAuthorizationInfo `json:"authorizationInfo,omitempty"`
	RequestMetadata    *AuditRequestMetadata    `json:"requestMetadata,omitempty"`
	Request            json.RawMessage          `json:"request,omitempty"`
	Response           json.RawMessage          `json:"response,omitempty"`
	ServiceData        json.RawMessage          `json:"serviceData,omitempty"`
	Metadata           json.RawMessage          `json:"metadata,omitempty"`
}

// AuditResourceLocation lists where the resource lives.
type AuditResourceLocation struct {
	CurrentLocations  []string `json:"currentLocations,omitempty"`
	OriginalLocations []string `json:"originalLocations,omitempty"`
}

// AuditStatus is the outcome of the audited call (google.rpc.Status).
type AuditStatus struct {
	Code    int             `json:"code,omitempty"`
	Message string          `json:"message,omitempty"`
	Details json.RawMessage `json:"details,omitempty"`
}

// AuditAuthenticationInfo says who made the call.
type AuditAuthenticationInfo struct {
	PrincipalEmail        string `json:"principalEmail,omitempty"`
	AuthoritySelector     string `json:"authoritySelector,omitempty"`
	ServiceAccountKeyName string `json:"serviceAccountKeyName,omitempty"`
	PrincipalSubject      string `json:"principalSubject,omitempty"`
}

// AuditAuthorizationInfo is one permission check of the call.
type AuditAuthorizationInfo struct {
	Resource   string `json:"resource,omitempty"`
	Permission string `json:"permission,omitempty"`
	Granted    bool   `json:"granted,omitempty"`
}

// AuditRequestMetadata describes the caller's request.
type AuditRequestMetadata struct {
	CallerIP                string `json:"callerIp,omitempty"`
	CallerSuppliedUserAgent string `json:"callerSuppliedUserAgent,omitempty"`
	CallerNetwork           string `json:"callerNetwork,omitempty"`
}

// AuditLogOf returns the log entry of an audit log event. The error is
// permanent for another event type or undecodable data.
func AuditLogOf(e core.Event) (LogEntryData, error) {
	return decodeAs[LogEntryData](e, "audit log", func(t string) bool { return t == TypeAuditLogWritten })
}
