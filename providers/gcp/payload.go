package gcp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/jsonscan"
	"github.com/polyfn/polyfn/internal/mediatype"
)

func init() { driver.RegisterPayload(TypePubSubMessagePublished, pubsubPayload) }

// pubsubPayload returns the message inside a messagePublished event, so
// that core.Decode and core.Typed read a Pub/Sub message's data as they
// read an SQS message's body: base64-decoded, with the media type of its
// "content-type" attribute, or else application/json for JSON bytes,
// text/plain for other UTF-8 text and application/octet-stream for the rest.
//
// It reads the envelope as encoding/json would into
// {message: {data []byte, attributes map[string]string}} (members matched
// case-insensitively, the last duplicate winning), but walks it with
// jsonscan instead of reflection and checks its structure only, not how
// every number and literal is spelled: this runs on every Pub/Sub event a
// portable function decodes, and the envelope comes from Pub/Sub.
func pubsubPayload(e core.Event) ([]byte, string, error) {
	data, ct, ok := scanMessage(e.Data())
	if !ok {
		return nil, "", core.Permanent(fmt.Errorf("%s event %s: data is not a Pub/Sub message envelope", e.Type(), e.ID()))
	}
	mt := ""
	if ct != nil {
		mt = mediatype.Of(string(ct))
	}
	if mt == "" {
		switch {
		case len(data) > 0 && json.Valid(data):
			mt = "application/json"
		case len(data) > 0 && utf8.Valid(data):
			mt = "text/plain"
		default:
			mt = "application/octet-stream"
		}
	}
	return data, mt, nil
}

// scanMessage returns the base64-decoded data of the Pub/Sub message in the
// envelope b and its content-type attribute (nil when it has none). ok is
// false when b is not a JSON object (as far as jsonscan checks), has no
// message object, or holds a data or attribute value encoding/json could
// not decode into a []byte or a string.
func scanMessage(b []byte) (data, contentType []byte, ok bool) {
	ok = true
	found := false
	end := jsonscan.Object(b, 0, func(name, msg []byte) bool {
		if !nameIs(name, "message") {
			return true
		}
		if string(msg) == "null" { // a later message starts afresh
			found, data, contentType = false, nil, nil
			return true
		}
		if msg[0] != '{' {
			ok = false
			return false
		}
		found = true
		jsonscan.Object(msg, 0, func(name, value []byte) bool {
			switch {
			case nameIs(name, "data"):
				data, ok = base64Value(value)
			case nameIs(name, "attributes"):
				ok = scanContentType(value, &contentType)
			}
			return ok
		})
		return ok
	})
	return data, contentType, ok && found && end >= 0
}

// base64Value decodes raw, a JSON value, as encoding/json decodes it into a
// []byte: a base64 string (standard encoding, line breaks ignored), or null
// for none.
func base64Value(raw []byte) ([]byte, bool) {
	if string(raw) == "null" {
		return nil, true
	}
	s, err := jsonscan.Unquote(raw)
	if err != nil {
		return nil, false
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(out, s)
	return out[:n], err == nil
}

// scanContentType sets *ct to the value of the attribute named
// content-type (any case) in raw, a JSON object of strings or null, as
// encoding/json would leave it in a map[string]string: null empties the
// map, a null value is "". It reports false for anything encoding/json
// would not decode into such a map.
func scanContentType(raw []byte, ct *[]byte) bool {
	if string(raw) == "null" {
		*ct = nil
		return true
	}
	ok := true
	end := jsonscan.Object(raw, 0, func(name, value []byte) bool {
		var v []byte
		switch {
		case value[0] == '"':
			var err error
			if v, err = jsonscan.Unquote(value); err != nil {
				ok = false
				return false
			}
		case string(value) == "null":
			v = []byte{}
		default:
			ok = false
			return false
		}
		if nameIs(name, "content-type") {
			*ct = v
		}
		return true
	})
	return ok && end >= 0
}

// nameIs reports whether name, a member name as jsonscan.Object gives it
// (escapes kept), is want in any case, as encoding/json matches names.
func nameIs(name []byte, want string) bool {
	if bytes.IndexByte(name, '\\') < 0 {
		return bytes.EqualFold(name, []byte(want))
	}
	u, err := jsonscan.Unquote(append(append([]byte{'"'}, name...), '"'))
	return err == nil && bytes.EqualFold(u, []byte(want))
}
