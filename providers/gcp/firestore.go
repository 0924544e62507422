package gcp

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/mediatype"
)

// ErrFirestoreProtobuf is wrapped by FirestoreDocumentOf's error when the
// event's data is protobuf-encoded, the default encoding of Firestore
// triggers.
var ErrFirestoreProtobuf = errors.New("gcp: Firestore event data is protobuf-encoded; polyfn decodes the JSON encoding")

// DocumentEventData is the data of Firestore document events
// (google.cloud.firestore.document.v1.*) in the JSON encoding.
type DocumentEventData struct {
	// Value is the document after the change; nil for a deletion.
	Value *Document `json:"value,omitempty"`
	// OldValue is the document before the change; nil for a creation.
	OldValue *Document `json:"oldValue,omitempty"`
	// UpdateMask lists the fields an update changed.
	UpdateMask *DocumentMask `json:"updateMask,omitempty"`
}

// Document is a Firestore document.
type Document struct {
	// Name is projects/{p}/databases/{db}/documents/{path}.
	Name       string           `json:"name"`
	Fields     map[string]Value `json:"fields,omitempty"`
	CreateTime time.Time        `json:"createTime"`
	UpdateTime time.Time        `json:"updateTime"`
}

// DocumentMask lists field paths.
type DocumentMask struct {
	FieldPaths []string `json:"fieldPaths"`
}

// Value is a Firestore typed value; exactly one field is set. Interface
// converts it to plain Go values.
type Value struct {
	NullValue      *string    `json:"nullValue,omitempty"`
	BooleanValue   *bool      `json:"booleanValue,omitempty"`
	IntegerValue   *Int64     `json:"integerValue,omitempty"`
	DoubleValue    *float64   `json:"doubleValue,omitempty"`
	TimestampValue *time.Time `json:"timestampValue,omitempty"`
	StringValue    *string    `json:"stringValue,omitempty"`
	BytesValue     []byte     `json:"bytesValue,omitempty"`
	ReferenceValue *string    `json:"referenceValue,omitempty"`
	GeoPointValue  *LatLng    `json:"geoPointValue,omitempty"`
	ArrayValue     *struct {
		Values []Value `json:"values,omitempty"`
	} `json:"arrayValue,omitempty"`
	MapValue *struct {
		Fields map[string]Value `json:"fields,omitempty"`
	} `json:"mapValue,omitempty"`
}

// LatLng is a geographic point.
type LatLng struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// Interface returns v as a plain Go value: nil, bool, int64, float64,
// time.Time, string, []byte, LatLng, []any or map[string]any. A reference
// comes back as its string path.
func (v Value) Interface() any {
	switch {
	case v.BooleanValue != nil:
		return *v.BooleanValue
	case v.IntegerValue != nil:
		return int64(*v.IntegerValue)
	case v.DoubleValue != nil:
		return *v.DoubleValue
	case v.TimestampValue != nil:
		return *v.TimestampValue
	case v.StringValue != nil:
		return *v.StringValue
	case v.BytesValue != nil:
		return v.BytesValue
	case v.ReferenceValue != nil:
		return *v.ReferenceValue
	case v.GeoPointValue != nil:
		return *v.GeoPointValue
	case v.ArrayValue != nil:
		out := make([]any, len(v.ArrayValue.Values))
		for i, x := range v.ArrayValue.Values {
			out[i] = x.Interface()
		}
		return out
	case v.MapValue != nil:
		return Map(v.MapValue.Fields)
	}
	return nil
}

// Map converts a document's fields to plain Go values (see Value.Interface).
func Map(fields map[string]Value) map[string]any {
	out := make(map[string]any, len(fields))
	for k, x := range fields {
		out[k] = x.Interface()
	}
	return out
}

// FirestoreDocumentOf returns the data of a Firestore document event. Data
// must be in the JSON encoding: protobuf data (datacontenttype
// application/protobuf, or bytes that are not a JSON object) fails with an
// error wrapping ErrFirestoreProtobuf that says how to switch the trigger
// to JSON. Every error is permanent (see core.Permanent).
func FirestoreDocumentOf(e core.Event) (DocumentEventData, error) {
	if !strings.HasPrefix(e.Type(), TypeFirestoreDocumentPrefix) {
		return DocumentEventData{}, core.Permanent(fmt.Errorf("gcp: event %s has type %q, not a Firestore document event", e.ID(), e.Type()))
	}
	if data := e.Data(); isProtobuf(mediatype.Of(e.DataContentType())) || (len(data) > 0 && !looksJSONObject(data)) {
		return DocumentEventData{}, core.Permanent(fmt.Errorf("%w (event %s, datacontenttype %q): create the trigger with JSON data, for example "+
			"`gcloud eventarc triggers create NAME --event-filters=type=%s --event-filters=database='(default)' --event-data-content-type=application/json ...`, "+
			"or decode e.Data() yourself with google.golang.org/protobuf and github.com/googleapis/google-cloudevents-go/cloud/firestoredata",
			ErrFirestoreProtobuf, e.ID(), e.DataContentType(), e.Type()))
	}
	return core.Decode[DocumentEventData](e)
}

func isProtobuf(mt string) bool {
	return mt == "application/protobuf" || mt == "application/x-protobuf" || mt == "application/octet-stream"
}

func looksJSONObject(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
}
