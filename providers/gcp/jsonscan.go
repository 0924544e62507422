package gcp

import (
	"bytes"
	"encoding/json"
)

// pubsubFacts is what Normalize needs to know of a Pub/Sub message: read by
// scanPubSub without allocating, where encoding/json would allocate a
// decoder, its parse stack and a map per event.
type pubsubFacts struct {
	orderingKey   string
	dataPrefix    []byte // the start of message.data's raw JSON value
	ce, hasCTAttr bool   // an attribute named ce-* / content-type (any case)
}

// scanPubSub reads the facts of MessagePublishedData JSON. ok is false when
// b is not valid JSON or not an object; members are matched by name
// case-insensitively, as encoding/json does.
func scanPubSub(b []byte) (f pubsubFacts, ok bool) {
	if !json.Valid(b) {
		return f, false
	}
	s := scanner{b: b}
	ok = s.object(func(key []byte) bool {
		if !bytes.EqualFold(key, []byte("message")) {
			return false
		}
		s.object(func(key []byte) bool {
			switch {
			case bytes.EqualFold(key, []byte("attributes")):
				s.object(func(key []byte) bool {
					switch {
					case len(key) >= 3 && bytes.EqualFold(key[:3], []byte("ce-")):
						f.ce = true
					case bytes.EqualFold(key, []byte("content-type")):
						f.hasCTAttr = true
					}
					return false
				})
				return true
			case bytes.EqualFold(key, []byte("orderingKey")):
				start := s.i
				s.skip()
				raw := b[start:s.i]
				if len(raw) > 0 && raw[0] == '"' {
					if bytes.IndexByte(raw, '\\') < 0 {
						f.orderingKey = string(raw[1 : len(raw)-1])
					} else {
						_ = json.Unmarshal(raw, &f.orderingKey)
					}
				}
				return true
			case bytes.EqualFold(key, []byte("data")):
				start := s.i
				s.skip()
				f.dataPrefix = b[start:min(s.i, start+2)]
				return true
			}
			return false
		})
		return true
	})
	return f, ok
}

// scanner walks JSON that json.Valid accepted.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// object walks an object, calling member for each key (its raw text, escapes
// kept) with s before the value. member returns true when it consumed the
// value; otherwise object skips it. A value that is not an object is
// skipped, and object reports false.
func (s *scanner) object(member func(key []byte) bool) bool {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return s.skip() && false
	}
	s.i++
	for {
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == '}' {
			s.i++
			return true
		}
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			s.ws()
		}
		start := s.i
		if !s.str() {
			return false
		}
		key := s.b[start+1 : s.i-1]
		s.ws()
		s.i++ // ':'
		s.ws()
		if !member(key) && !s.skip() {
			return false
		}
	}
}

// str skips a string.
func (s *scanner) str() bool {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return false
	}
	for s.i++; s.i < len(s.b); s.i++ {
		switch s.b[s.i] {
		case '\\':
			s.i++
		case '"':
			s.i++
			return true
		}
	}
	return false
}

// skip skips one value.
func (s *scanner) skip() bool {
	s.ws()
	if s.i >= len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case '"':
		return s.str()
	case '{', '[':
		depth := 0
		for ; s.i < len(s.b); s.i++ {
			switch s.b[s.i] {
			case '"':
				if !s.str() {
					return false
				}
				s.i--
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return true
				}
			}
		}
		return false
	default: // number, true, false, null
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return true
			}
			s.i++
		}
		return true
	}
}
