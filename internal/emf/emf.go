// Package emf writes CloudWatch Embedded Metric Format lines: JSON objects
// on standard output that CloudWatch Logs turns into metrics, with no SDK
// and no network call. It respects EMF's limits: at most 100 metrics per
// line, 100 values per metric, 30 dimensions per dimension set, names and
// dimension values of 1 to 255 characters, and the reserved _aws key.
package emf

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/polyfn/polyfn/internal/cejson"
)

// EMF's limits.
const (
	MaxMetrics    = 100 // metric definitions per line
	MaxValues     = 100 // values of one metric per line
	MaxDimensions = 30  // dimensions per dimension set
	MaxName       = 255 // characters of a namespace, metric or dimension name
)

// A Metric is one metric's values in one line.
type Metric struct {
	Name   string
	Unit   string // an EMF unit ("Count", "Milliseconds", ...); "" means None
	Values []float64
}

// A Dimension is one dimension of the line's one dimension set.
type Dimension struct{ Name, Value string }

// Check returns an error naming what is wrong with a namespace, a metric
// name or a dimension.
func Check(namespace string, dims []Dimension) error {
	if err := checkName("namespace", namespace); err != nil {
		return err
	}
	if len(dims) > MaxDimensions {
		return fmt.Errorf("emf: %d dimensions, more than %d", len(dims), MaxDimensions)
	}
	for _, d := range dims {
		if err := checkName("dimension", d.Name); err != nil {
			return err
		}
		if d.Value == "" || len(d.Value) > MaxName {
			return fmt.Errorf("emf: dimension %q: value of %d characters, want 1 to %d", d.Name, len(d.Value), MaxName)
		}
		if d.Name == "_aws" {
			return errors.New(`emf: dimension "_aws" is reserved`)
		}
	}
	return nil
}

func checkName(what, s string) error {
	if s == "" || len(s) > MaxName {
		return fmt.Errorf("emf: %s %q: want 1 to %d characters", what, s, MaxName)
	}
	return nil
}

// Append appends the lines of metrics, each a JSON object ending in a
// newline, to b: as many lines as EMF's limits need (100 metrics and 100
// values of a metric per line). Metrics with an invalid name, or whose
// name is a dimension's, are dropped and reported in the error, which
// does not stop the others from being written. Non-finite values are
// dropped.
func Append(b []byte, namespace string, dims []Dimension, metrics []Metric, at time.Time) ([]byte, error) {
	if err := Check(namespace, dims); err != nil {
		return b, err
	}
	var errs []error
	valid := make([]Metric, 0, len(metrics))
	for _, m := range metrics {
		if err := checkName("metric", m.Name); err != nil || m.Name == "_aws" || isDim(dims, m.Name) {
			errs = append(errs, fmt.Errorf("emf: metric %q dropped: invalid name, or a dimension's", m.Name))
			continue
		}
		vs := make([]float64, 0, len(m.Values))
		for _, v := range m.Values {
			if !isFinite(v) {
				continue
			}
			vs = append(vs, v)
		}
		if len(vs) > 0 {
			m.Values = vs
			valid = append(valid, m)
		}
	}
	// Each pass writes up to MaxValues values of up to MaxMetrics metrics.
	for off := 0; ; off += MaxValues {
		var page []Metric
		for _, m := range valid {
			if off < len(m.Values) {
				page = append(page, Metric{Name: m.Name, Unit: m.Unit, Values: m.Values[off:min(off+MaxValues, len(m.Values))]})
			}
		}
		if len(page) == 0 {
			break
		}
		for i := 0; i < len(page); i += MaxMetrics {
			b = appendLine(b, namespace, dims, page[i:min(i+MaxMetrics, len(page))], at)
		}
	}
	return b, errors.Join(errs...)
}

func isDim(dims []Dimension, name string) bool {
	for _, d := range dims {
		if d.Name == name {
			return true
		}
	}
	return false
}

func isFinite(v float64) bool { return v == v && v-v == 0 }

func appendLine(b []byte, namespace string, dims []Dimension, ms []Metric, at time.Time) []byte {
	b = append(b, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, at.UnixMilli(), 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = cejson.AppendString(b, namespace)
	b = append(b, `,"Dimensions":[[`...)
	for i, d := range dims {
		if i > 0 {
			b = append(b, ',')
		}
		b = cejson.AppendString(b, d.Name)
	}
	b = append(b, `]],"Metrics":[`...)
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"Name":`...)
		b = cejson.AppendString(b, m.Name)
		if m.Unit != "" {
			b = append(b, `,"Unit":`...)
			b = cejson.AppendString(b, m.Unit)
		}
		b = append(b, '}')
	}
	b = append(b, "]}]}"...)
	for _, d := range dims {
		b = append(b, ',')
		b = cejson.AppendString(b, d.Name)
		b = append(b, ':')
		b = cejson.AppendString(b, d.Value)
	}
	for _, m := range ms {
		b = append(b, ',')
		b = cejson.AppendString(b, m.Name)
		b = append(b, ':')
		if len(m.Values) == 1 {
			b = strconv.AppendFloat(b, m.Values[0], 'g', -1, 64)
			continue
		}
		b = append(b, '[')
		for i, v := range m.Values {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
		b = append(b, ']')
	}
	return append(b, "}\n"...)
}
