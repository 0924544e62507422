package aws

import (
	"crypto/md5"
	"encoding/base64"
	"errors"
	"testing"
)

// aggregate frames body as a KPL aggregate.
func aggregate(body []byte) []byte {
	sum := md5.Sum(body)
	return append(append(append([]byte{}, kplMagic...), body...), sum[:]...)
}

func TestDeaggregate(t *testing.T) {
	// partition_key_table "k", one record {partition_key_index 0, data "hi"}.
	good := []byte{0x0a, 0x01, 'k', 0x1a, 0x06, 0x08, 0x00, 0x1a, 0x02, 'h', 'i'}
	tests := []struct {
		name    string
		data    []byte
		agg     bool
		wantErr bool
		want    string
	}{
		{"aggregate", aggregate(good), true, false, "k:hi"},
		{"plain data", []byte("hello, world, long enough to hold a checksum"), false, false, ""},
		{"wrong checksum is plain data", append(aggregate(good)[:len(aggregate(good))-1], 0), false, false, ""},
		{"index out of the table", aggregate([]byte{0x0a, 0x01, 'k', 0x1a, 0x06, 0x08, 0x05, 0x1a, 0x02, 'h', 'i'}), true, true, ""},
		{"record without data", aggregate([]byte{0x0a, 0x01, 'k', 0x1a, 0x02, 0x08, 0x00}), true, true, ""},
		{"truncated field", aggregate([]byte{0x0a, 0x09, 'k'}), true, true, ""},
		{"unknown wire type", aggregate([]byte{0x0d, 0, 0, 0, 0}), true, true, ""},
	}
	for _, tt := range tests {
		urs, agg, err := deaggregate(tt.data)
		if agg != tt.agg || (err != nil) != tt.wantErr {
			t.Errorf("%s: aggregate %v, error %v; want %v, error %v", tt.name, agg, err, tt.agg, tt.wantErr)
			continue
		}
		if tt.want != "" && (len(urs) != 1 || urs[0].partitionKey+":"+string(urs[0].data) != tt.want) {
			t.Errorf("%s: user records %+v; want %s", tt.name, urs, tt.want)
		}
	}
}

// TestKPLAggregateMalformed: a Kinesis record that is a KPL aggregate with
// a valid checksum but a broken body fails the decode with its record.
func TestKPLAggregateMalformed(t *testing.T) {
	bad := aggregate([]byte{0x0a, 0x01, 'k', 0x1a, 0x02, 0x08, 0x00})
	payload := []byte(`{"Records":[{"eventSource":"aws:kinesis","eventSourceARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s",` +
		`"kinesis":{"partitionKey":"k","sequenceNumber":"1","data":"` + base64.StdEncoding.EncodeToString(bad) + `"}}]}`)
	if _, err := Decode(SourceKinesis, payload); !errors.Is(err, ErrMalformedPayload) {
		t.Errorf("Decode error = %v; want a malformed payload error", err)
	}
}
