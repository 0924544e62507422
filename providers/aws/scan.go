package aws

import (
	"bytes"
	"errors"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/jsonscan"
)

// scanner reads the members of a payload it walks with jsonscan: a string
// member with no escape is a substring of one copy of the payload, so that
// reading it allocates nothing.
type scanner struct {
	base []byte // the payload
	str  string // its copy
}

func newScanner(payload []byte) scanner { return scanner{base: payload, str: string(payload)} }

// sub returns the copy of v, a subslice of the payload.
func (s *scanner) sub(v []byte) string {
	off := cap(s.base) - cap(v)
	return s.str[off : off+len(v)]
}

// text returns the string value v (raw JSON); null is "".
func (s *scanner) text(v []byte) (string, error) {
	if p, ok := jsonscan.Plain(v); ok {
		return s.sub(p), nil
	}
	if string(v) == "null" {
		return "", nil
	}
	u, err := jsonscan.Unquote(v)
	if err != nil {
		return "", err
	}
	return string(u), nil
}

// structuredBytes is structured for data held in bytes.
func structuredBytes(b []byte) (core.Event, bool) {
	t := b[jsonscan.SkipSpace(b, 0):]
	if len(t) == 0 || t[0] != '{' || !bytes.Contains(t, []byte(`"specversion"`)) {
		return core.Event{}, false
	}
	e, err := cejson.Unmarshal(t)
	if err != nil {
		return core.Event{}, false
	}
	return e, true
}

var (
	errNotObject = errors.New("not a JSON object")
	errNotArray  = errors.New("not a JSON array")
	errNotBool   = errors.New("not a JSON boolean")
)

// texts returns the array of strings v (raw JSON); null is nil.
func (s *scanner) texts(v []byte) ([]string, error) {
	if string(v) == "null" {
		return nil, nil
	}
	var out []string
	var err error
	if jsonscan.Array(v, 0, func(e []byte) bool {
		var t string
		if t, err = s.text(e); err == nil {
			out = append(out, t)
		}
		return err == nil
	}) < 0 && err == nil {
		return nil, errNotArray
	}
	return out, err
}

// memberName returns a member name as jsonscan reports it (the text
// between the quotes), unescaped.
func memberName(s *scanner, name []byte) (string, error) {
	if bytes.IndexByte(name, '\\') < 0 {
		return s.sub(name), nil
	}
	u, err := jsonscan.Unquote(append(append([]byte{'"'}, name...), '"'))
	return string(u), err
}

// countMembers estimates the number of members of the object v.
func countMembers(v []byte) int { return bytes.Count(v, []byte{':'}) }
