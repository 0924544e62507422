package aws

import (
	"bytes"
	"crypto/md5"
	"errors"
)

// KPL aggregation: the Kinesis Producer Library packs several user records
// into one Kinesis record as the magic number, a protobuf AggregatedRecord,
// and the MD5 of the protobuf:
//
//	message AggregatedRecord {
//	  repeated string partition_key_table = 1;
//	  repeated string explicit_hash_key_table = 2;
//	  repeated Record records = 3;
//	}
//	message Record {
//	  required uint64 partition_key_index = 1;
//	  optional uint64 explicit_hash_key_index = 2;
//	  required bytes data = 3;
//	  repeated Tag tags = 4;
//	}
var kplMagic = []byte{0xf3, 0x89, 0x9a, 0xc2}

// kplSubsequenceWidth pads a user record's index within its aggregate in
// the sequence extension.
const kplSubsequenceWidth = 7

// userRecord is one user record of a KPL aggregate.
type userRecord struct {
	partitionKey string
	data         []byte
}

var errKPL = errors.New("not a valid KPL aggregate")

// deaggregate returns the user records of a KPL aggregate, and whether
// data is one: it starts with the magic number and its checksum matches.
// data that is not an aggregate is not an error: it is a plain record.
func deaggregate(data []byte) ([]userRecord, bool, error) {
	if len(data) < len(kplMagic)+md5.Size || !bytes.HasPrefix(data, kplMagic) {
		return nil, false, nil
	}
	body := data[len(kplMagic) : len(data)-md5.Size]
	if sum := md5.Sum(body); !bytes.Equal(sum[:], data[len(data)-md5.Size:]) {
		return nil, false, nil
	}
	var keys []string
	var raws [][]byte
	err := protoFields(body, func(field int, v []byte) error {
		switch field {
		case 1:
			keys = append(keys, string(v))
		case 3:
			raws = append(raws, v)
		}
		return nil
	})
	if err != nil {
		return nil, true, err
	}
	out := make([]userRecord, 0, len(raws))
	for _, raw := range raws {
		var u userRecord
		pk := -1
		var hasData bool
		err := protoFields(raw, func(field int, v []byte) error {
			switch field {
			case 1:
				pk = int(varintValue(v))
			case 3:
				u.data, hasData = v, true
			}
			return nil
		})
		if err != nil || pk < 0 || pk >= len(keys) || !hasData {
			return nil, true, errKPL
		}
		u.partitionKey = keys[pk]
		out = append(out, u)
	}
	return out, true, nil
}

// protoFields calls fn with each field of a protobuf message: the field
// number and, for a varint, its encoded bytes, for a length-delimited
// field, its contents. Other wire types are refused.
func protoFields(b []byte, fn func(field int, v []byte) error) error {
	for len(b) > 0 {
		key, n := varint(b)
		if n <= 0 {
			return errKPL
		}
		b = b[n:]
		field, wire := int(key>>3), key&7
		switch wire {
		case 0:
			_, n := varint(b)
			if n <= 0 {
				return errKPL
			}
			if err := fn(field, b[:n]); err != nil {
				return err
			}
			b = b[n:]
		case 2:
			l, n := varint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return errKPL
			}
			if err := fn(field, b[n:n+int(l)]); err != nil {
				return err
			}
			b = b[n+int(l):]
		default:
			return errKPL
		}
	}
	return nil
}

// varint reads a protobuf varint: its value and length, or n <= 0.
func varint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// varintValue is the value of an encoded varint.
func varintValue(b []byte) uint64 {
	v, _ := varint(b)
	return v
}
