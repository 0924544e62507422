// Package yamlout writes YAML documents from ordered maps, for manifests
// that people read and diff (SAM templates). Every string is written as a
// JSON-quoted scalar, which YAML reads back unchanged, so no value can be
// mistaken for a number, a boolean or a tag.
package yamlout

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Map is a YAML mapping whose keys keep their order.
type Map []KV

// KV is one entry of a Map.
type KV struct {
	Key   string
	Value any // string, int, bool, []any, []string, Map or nil (skipped)
}

// Marshal returns v as a YAML document.
func Marshal(v Map) ([]byte, error) {
	var b strings.Builder
	if err := writeMap(&b, v, 0); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

func writeMap(b *strings.Builder, m Map, indent int) error {
	for _, kv := range m {
		if kv.Value == nil {
			continue
		}
		b.WriteString(strings.Repeat("  ", indent))
		b.WriteString(key(kv.Key))
		b.WriteByte(':')
		if err := writeValue(b, kv.Value, indent); err != nil {
			return fmt.Errorf("%s: %w", kv.Key, err)
		}
	}
	return nil
}

// writeValue writes v after "key:" or "-", ending the line.
func writeValue(b *strings.Builder, v any, indent int) error {
	switch v := v.(type) {
	case Map:
		if len(v) == 0 {
			b.WriteString(" {}\n")
			return nil
		}
		b.WriteByte('\n')
		return writeMap(b, v, indent+1)
	case []string:
		items := make([]any, len(v))
		for i, s := range v {
			items[i] = s
		}
		return writeValue(b, items, indent)
	case []any:
		if len(v) == 0 {
			b.WriteString(" []\n")
			return nil
		}
		b.WriteByte('\n')
		for _, item := range v {
			b.WriteString(strings.Repeat("  ", indent+1))
			b.WriteByte('-')
			if m, ok := item.(Map); ok && len(m) > 0 {
				// "- key: value" with the rest of the mapping aligned under it.
				var sub strings.Builder
				if err := writeMap(&sub, m, indent+2); err != nil {
					return err
				}
				b.WriteByte(' ')
				b.WriteString(strings.TrimLeft(sub.String(), " "))
				continue
			}
			if err := writeValue(b, item, indent+1); err != nil {
				return err
			}
		}
		return nil
	case string:
		q, _ := json.Marshal(v)
		b.WriteByte(' ')
		b.Write(q)
	case int:
		fmt.Fprintf(b, " %d", v)
	case bool:
		fmt.Fprintf(b, " %t", v)
	default:
		return fmt.Errorf("yamlout: unsupported value %T", v)
	}
	b.WriteByte('\n')
	return nil
}

// key writes plain keys bare and quotes anything else.
func key(k string) string {
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			q, _ := json.Marshal(k)
			return string(q)
		}
	}
	if k == "" {
		return `""`
	}
	return k
}
