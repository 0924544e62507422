package core

import (
	"strings"
	"testing"
)

func TestParseCron(t *testing.T) {
	tests := []struct {
		expr    string
		want    string // String() of the result, or the error substring when wantErr
		wantErr bool
	}{
		{expr: "*/5 * * * *", want: "*/5 * * * *"},
		{expr: "0 9 * * mon-fri", want: "0 9 * * MON-FRI"},
		{expr: "0 0 1 jan,jul ?", want: "0 0 1 JAN,JUL ?"},
		{expr: "30 2 ? * 7", want: "30 2 ? * 7"},
		{expr: "0-30/10 1-5 1,15 * *", want: "0-30/10 1-5 1,15 * *"},
		{expr: "@daily", want: "0 0 * * *"},
		{expr: "@HOURLY", want: "0 * * * *"},
		{expr: "  15 * * * *  ", want: "15 * * * *"},
		{expr: "", want: "want 5 fields", wantErr: true},
		{expr: "* * * * * *", want: "got 6", wantErr: true},
		{expr: "@every 5m", want: "unknown descriptor", wantErr: true},
		{expr: "60 * * * *", want: "minute field \"60\": value 60 out of range 0-59", wantErr: true},
		{expr: "* 24 * * *", want: "hour field", wantErr: true},
		{expr: "* * 0 * *", want: "day-of-month field \"0\"", wantErr: true},
		{expr: "* * * 13 *", want: "month field", wantErr: true},
		{expr: "* * * * 8", want: "day-of-week field", wantErr: true},
		{expr: "? * * * *", want: "only in day fields", wantErr: true},
		{expr: "*/0 * * * *", want: "step \"0\"", wantErr: true},
		{expr: "5-1 * * * *", want: "runs backwards", wantErr: true},
		{expr: "x * * * *", want: `"X" is not a number`, wantErr: true},
		{expr: "* * * FOO *", want: `"FOO" is not a number`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			c, err := ParseCron(tt.expr)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("ParseCron(%q) error = %v, want one containing %q", tt.expr, err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCron(%q): %v", tt.expr, err)
			}
			if got := c.String(); got != tt.want {
				t.Fatalf("ParseCron(%q) = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}
