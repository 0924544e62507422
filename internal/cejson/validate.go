package cejson

import (
	"slices"
	"strings"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"

	"github.com/polyfn/polyfn/internal/mediatype"
)

// Validate reports what makes e invalid, naming the attribute: a missing
// id, source or type; an empty subject; an id, type, subject or string
// extension that is not a CloudEvents String (CheckString); a dataschema
// that is not an absolute URI; a datacontenttype that is not an RFC 2046
// media type (mediatype.Check); a time outside the years 0000–9999 that
// RFC 3339 can write; an extension whose name is not a valid extension name
// (CheckExtensionName: lower-case letters and digits, never a context
// attribute's name) or whose value is not of a CloudEvents type. It does
// not parse the data.
func Validate(e event.Event) error {
	ec, ok := e.Context.(*event.EventContextV1)
	if !ok {
		if e.Context == nil {
			return invalid("event has no context")
		}
		if err := e.Validate(); err != nil {
			return invalid("%v", strings.TrimSpace(err.Error()))
		}
		return nil
	}
	if len(e.FieldErrors) > 0 {
		names := make([]string, 0, len(e.FieldErrors))
		for name := range e.FieldErrors {
			names = append(names, name)
		}
		slices.Sort(names)
		return invalid("%s: %v", names[0], e.FieldErrors[names[0]])
	}
	if err := checkRequired(ec); err != nil {
		return err
	}
	for _, a := range [...]struct {
		name string
		v    *string
	}{{"id", &ec.ID}, {"type", &ec.Type}, {"subject", ec.Subject}} {
		if a.v == nil {
			continue
		}
		if err := checkText(*a.v); err != nil {
			return invalid("attribute %s: %v", a.name, err)
		}
	}
	if ec.DataContentType != nil {
		if err := mediatype.Check(*ec.DataContentType); err != nil {
			return invalid("datacontenttype: %v", err)
		}
	}
	if ec.Time != nil {
		if y := ec.Time.Time.Year(); y < 0 || y > 9999 {
			return invalid("time %v: RFC 3339 writes only the years 0000 to 9999", ec.Time.Time)
		}
	}
	for name, v := range ec.Extensions {
		if err := checkExtension(name, v); err != nil {
			return firstExtensionError(ec.Extensions)
		}
	}
	return nil
}

// firstExtensionError returns the error of the first bad extension in
// name order, so that the error does not depend on the map's order.
func firstExtensionError(ext map[string]any) error {
	names := make([]string, 0, len(ext))
	for name := range ext {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := checkExtension(name, ext[name]); err != nil {
			return err
		}
	}
	return nil
}

// checkExtension checks an extension's name and value.
func checkExtension(name string, v any) error {
	if err := CheckExtensionName(name); err != nil {
		return err
	}
	switch v := v.(type) {
	case string:
		if err := checkText(v); err != nil {
			return invalid("extension %s: %v", name, err)
		}
	case int32, bool:
	default:
		if _, err := types.Validate(v); err != nil {
			return invalid("extension %s: %v", name, err)
		}
	}
	return nil
}

// checkRequired reports a missing id, source or type (blank counts as
// missing, as in the CloudEvents Go SDK), an empty subject or a dataschema
// that is not an absolute URI: what Validate checks beyond what reading an
// attribute checks.
func checkRequired(ec *event.EventContextV1) error {
	switch {
	case strings.TrimSpace(ec.ID) == "":
		return invalid("missing required attribute id")
	case NoSource(ec):
		return invalid("missing required attribute source")
	case strings.TrimSpace(ec.Type) == "":
		return invalid("missing required attribute type")
	case ec.Subject != nil && strings.TrimSpace(*ec.Subject) == "":
		return invalid("subject is set but empty")
	case ec.DataSchema != nil && !ec.DataSchema.URL.IsAbs():
		return invalid("dataschema %q is not an absolute URI", ec.DataSchema.String())
	}
	return nil
}
