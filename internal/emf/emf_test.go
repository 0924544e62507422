package emf

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/internal/golden"
)

var at = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestAppendGolden(t *testing.T) {
	b, err := Append(nil, "Shop", []Dimension{{"function", "fulfil"}}, []Metric{
		{Name: "ColdStart", Unit: "Count", Values: []float64{1}},
		{Name: "Duration", Unit: "Milliseconds", Values: []float64{12.5, 3}},
		{Name: "Plain", Values: []float64{0.1}},
	}, at)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/line.golden", b)
}

func TestLimits(t *testing.T) {
	many := make([]Metric, 150)
	for i := range many {
		many[i] = Metric{Name: fmt.Sprint("m", i), Values: []float64{float64(i)}}
	}
	long := Metric{Name: "long", Values: make([]float64, 250)}
	tests := []struct {
		name      string
		metrics   []Metric
		lines     int
		maxMetric int // most metric definitions in a line
		maxValues int // most values of a metric in a line
		err       string
	}{
		{"150 metrics: two lines", many, 2, 100, 1, ""},
		{"250 values: three lines", []Metric{long}, 3, 1, 100, ""},
		{"non-finite values dropped", []Metric{{Name: "x", Values: []float64{math.NaN(), math.Inf(1), 2}}}, 1, 1, 1, ""},
		{"only non-finite: no line", []Metric{{Name: "x", Values: []float64{math.NaN()}}}, 0, 0, 0, ""},
		{"a dimension's name", []Metric{{Name: "function", Values: []float64{1}}, {Name: "ok", Values: []float64{1}}}, 1, 1, 1, `metric "function" dropped`},
		{"reserved name", []Metric{{Name: "_aws", Values: []float64{1}}}, 0, 0, 0, `metric "_aws" dropped`},
		{"empty name", []Metric{{Name: "", Values: []float64{1}}}, 0, 0, 0, `metric "" dropped`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Append(nil, "ns", []Dimension{{"function", "f"}}, tt.metrics, at)
			if (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err %v, want %q", err, tt.err)
			}
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			if string(b) == "" {
				lines = nil
			}
			if len(lines) != tt.lines {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), tt.lines, b)
			}
			gotMetrics, gotValues := 0, 0
			for _, l := range lines {
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatalf("%v: %s", err, l)
				}
				defs := m["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)["Metrics"].([]any)
				gotMetrics = max(gotMetrics, len(defs))
				for _, d := range defs {
					switch v := m[d.(map[string]any)["Name"].(string)].(type) {
					case []any:
						gotValues = max(gotValues, len(v))
					case float64:
						gotValues = max(gotValues, 1)
					default:
						t.Errorf("metric %v has no value in %s", d, l)
					}
				}
			}
			if gotMetrics != tt.maxMetric || gotValues != tt.maxValues {
				t.Errorf("at most %d metrics and %d values a line, want %d and %d", gotMetrics, gotValues, tt.maxMetric, tt.maxValues)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	dims31 := make([]Dimension, 31)
	for i := range dims31 {
		dims31[i] = Dimension{fmt.Sprint("d", i), "v"}
	}
	tests := []struct {
		name, ns string
		dims     []Dimension
		err      string
	}{
		{"ok", "Shop", []Dimension{{"function", "f"}}, ""},
		{"no namespace", "", nil, "namespace"},
		{"long namespace", strings.Repeat("n", 256), nil, "namespace"},
		{"31 dimensions", "ns", dims31, "31 dimensions"},
		{"empty value", "ns", []Dimension{{"function", ""}}, `dimension "function"`},
		{"reserved", "ns", []Dimension{{"_aws", "v"}}, "reserved"},
	}
	for _, tt := range tests {
		err := Check(tt.ns, tt.dims)
		if (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: Check = %v, want %q", tt.name, err, tt.err)
		}
	}
}
