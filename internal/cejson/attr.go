package cejson

import (
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"

	"github.com/polyfn/polyfn/internal/intern"
	"github.com/polyfn/polyfn/internal/mediatype"
	"github.com/polyfn/polyfn/internal/rfc3339"
)

// The context attributes of CloudEvents 1.0 and the two data members of
// the JSON format, by index.
const (
	attrSpecVersion = iota
	attrID
	attrSource
	attrType
	attrDataContentType
	attrDataSchema
	attrSubject
	attrTime
	memData
	memDataBase64
	numMembers
)

var memberNames = [numMembers]string{
	"specversion", "id", "source", "type", "datacontenttype", "dataschema", "subject", "time", "data", "data_base64",
}

// attrIndex returns the index of a context attribute or data member name,
// or -1.
func attrIndex(name string) int {
	switch name {
	case "specversion":
		return attrSpecVersion
	case "id":
		return attrID
	case "source":
		return attrSource
	case "type":
		return attrType
	case "datacontenttype":
		return attrDataContentType
	case "dataschema":
		return attrDataSchema
	case "subject":
		return attrSubject
	case "time":
		return attrTime
	case "data":
		return memData
	case "data_base64":
		return memDataBase64
	}
	return -1
}

// memberIndex is attrIndex for bytes; the conversion does not allocate.
func memberIndex(name []byte) int { return attrIndex(string(name)) }

// SetAttribute sets a context attribute or, for any other name, a string
// extension, from its canonical string form, and checks it: a String
// without disallowed characters (CheckString), a URI-reference source, an
// absolute dataschema URI, an RFC 3339 time (read by internal/rfc3339), an
// RFC 2046 datacontenttype (mediatype.Check), specversion 1.0. Setting an
// attribute that ec already holds is an error: an event read from a map
// (headers, message attributes) must not depend on the map's order.
func SetAttribute(ec *event.EventContextV1, name, s string) error {
	return setAttribute(ec, nil, name, s, false)
}

// Context is an event context with room for the values its optional
// attributes point to, so that reading an event allocates them once. Set
// its attributes with Set and take the result with V1.
type Context struct {
	v1                   event.EventContextV1
	time                 types.Timestamp
	subject, contentType string
	held                 string // the value of the first string extension (box)
}

// NewContext returns an empty Context.
func NewContext() *Context { return &Context{} }

// V1 returns the context. It stays valid, and shares memory with c.
func (c *Context) V1() *event.EventContextV1 { return &c.v1 }

// Set is SetAttribute on c's context.
func (c *Context) Set(name, s string) error { return setAttribute(&c.v1, c, name, s, false) }

// SetPrintable is Set for a value the caller knows to be printable ASCII
// (U+0020..U+007E), which holds none of the characters CheckString
// refuses: it is not checked for them again.
func (c *Context) SetPrintable(name, s string) error { return setAttribute(&c.v1, c, name, s, true) }

// setTime sets the time attribute.
func (c *Context) setTime(t time.Time) error {
	if c.v1.Time != nil {
		return twice("time")
	}
	c.time = types.Timestamp{Time: t}
	c.v1.Time = &c.time
	return nil
}

func twice(name string) error { return invalid("attribute %s is given twice", name) }

// setAttribute sets name on ec; store, when not nil, holds the values ec's
// optional attributes point to. printable says s is printable ASCII.
func setAttribute(ec *event.EventContextV1, store *Context, name, s string, printable bool) error {
	k := attrIndex(name)
	if k == attrTime {
		t, err := rfc3339.Parse(s)
		if err != nil {
			return invalid("time %q is not an RFC 3339 timestamp", s)
		}
		if store != nil {
			return store.setTime(t)
		}
		if ec.Time != nil {
			return twice(name)
		}
		ec.Time = &types.Timestamp{Time: t}
		return nil
	}
	if !printable {
		if err := checkText(s); err != nil {
			return invalid("attribute %s: %v", name, err)
		}
	}
	switch k {
	case attrSpecVersion:
		if s != event.CloudEventsVersionV1 {
			return invalid("specversion %q is not supported (want \"1.0\")", s)
		}
	case attrID:
		if ec.ID != "" {
			return twice(name)
		}
		ec.ID = s
	case attrType:
		if ec.Type != "" {
			return twice(name)
		}
		ec.Type = s
	case attrSource:
		if !NoSource(ec) {
			return twice(name)
		}
		if s == "" {
			return nil
		}
		u, ok := intern.SourceRef(s)
		if !ok {
			return invalid("source %q is not a URI-reference", s)
		}
		ec.Source = u
	case attrSubject:
		if ec.Subject != nil {
			return twice(name)
		}
		if store != nil {
			store.subject = s
			ec.Subject = &store.subject
			break
		}
		v := s // a copy, so that only this branch moves a string to the heap
		ec.Subject = &v
	case attrDataContentType:
		if ec.DataContentType != nil {
			return twice(name)
		}
		if err := mediatype.Check(s); err != nil {
			return invalid("datacontenttype: %v", err)
		}
		if store != nil {
			store.contentType = s
			ec.DataContentType = &store.contentType
			break
		}
		v := s
		ec.DataContentType = &v
	case attrDataSchema:
		if ec.DataSchema != nil {
			return twice(name)
		}
		u := types.ParseURI(s)
		if u == nil {
			return invalid("dataschema %q is not a URI", s)
		}
		ec.DataSchema = u
	default:
		if err := checkExtensionChars(name); err != nil {
			return err // not a context attribute's name: k < 0
		}
		if ec.Extensions == nil {
			ec.Extensions = make(map[string]any, 2)
		}
		n := len(ec.Extensions) // a repeat leaves the size: no lookup first
		ec.Extensions[name] = store.box(s)
		if len(ec.Extensions) == n {
			return twice(name) // the context is discarded with the error
		}
	}
	return nil
}

// NoSource reports whether ec has no source: ec.Source is the zero
// URIRef, field by field, without the call a struct comparison makes.
func NoSource(ec *event.EventContextV1) bool {
	u := &ec.Source.URL
	return u.Scheme == "" && u.Opaque == "" && u.User == nil && u.Host == "" && u.Path == "" &&
		u.RawPath == "" && !u.OmitHost && !u.ForceQuery && u.RawQuery == "" && u.Fragment == "" && u.RawFragment == ""
}

// lowerName lower-cases an ASCII attribute name. The spec asks producers for
// lower-case names, but some (Google's audit log samples) send camelCase
// extension names; readers accept them, as the CloudEvents SDKs do.
func lowerName(name []byte) ([]byte, bool) {
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			low := make([]byte, len(name))
			copy(low, name[:i])
			for j := i; j < len(name); j++ {
				if c := name[j]; c >= 'A' && c <= 'Z' {
					low[j] = c + 'a' - 'A'
				} else {
					low[j] = c
				}
			}
			return low, true
		}
	}
	return name, false
}

// CheckExtensionName reports an error unless name is a valid name for an
// extension attribute: lower-case ASCII letters and digits only, and
// neither data nor the name of a context attribute, which an extension
// must never overwrite.
func CheckExtensionName(name string) error {
	if err := checkExtensionChars(name); err != nil {
		return err
	}
	if name == "data" {
		return invalid("extension name data is reserved")
	}
	if attrIndex(name) >= 0 {
		return invalid("extension name %s is the name of a context attribute", name)
	}
	return nil
}

// checkExtensionChars reports an error unless name is not empty and holds
// only lower-case ASCII letters and digits.
func checkExtensionChars(name string) error {
	if name == "" {
		return invalid("empty attribute name")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return invalid("attribute name %q must hold only lower-case letters and digits", name)
		}
	}
	return nil
}
