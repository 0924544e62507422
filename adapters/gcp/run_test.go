package gcp

import (
	"strings"
	"testing"
	"time"
)

func TestEnvOptions(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    config // the fields the environment sets
		wantErr string
	}{
		{name: "none", want: config{maxBody: DefaultMaxBodyBytes}},
		{name: "all", env: map[string]string{"FUNCTION_TARGET": "ev", "CLOUD_RUN_TIMEOUT_SECONDS": "30", "POLYFN_MAX_BODY_BYTES": "1024", "POLYFN_EXPOSE_ERRORS": "true"},
			want: config{target: "ev", timeout: 30 * time.Second, maxBody: 1024, exposeErrors: true}},
		{name: "bad timeout", env: map[string]string{"CLOUD_RUN_TIMEOUT_SECONDS": "soon"}, wantErr: `CLOUD_RUN_TIMEOUT_SECONDS="soon"`},
		{name: "bad body limit", env: map[string]string{"POLYFN_MAX_BODY_BYTES": "-1"}, wantErr: `POLYFN_MAX_BODY_BYTES="-1" is not a positive number of bytes`},
		{name: "bad expose", env: map[string]string{"POLYFN_EXPOSE_ERRORS": "maybe"}, wantErr: `POLYFN_EXPOSE_ERRORS="maybe" is not a boolean`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"FUNCTION_TARGET", "CLOUD_RUN_TIMEOUT_SECONDS", "POLYFN_MAX_BODY_BYTES", "POLYFN_EXPOSE_ERRORS", "POLYFN_LOG_LEVEL"} {
				t.Setenv(k, tt.env[k])
			}
			opts, err := envOptions()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := newConfig(opts)
			got := config{target: c.target, timeout: c.timeout, maxBody: c.maxBody, exposeErrors: c.exposeErrors}
			if got != tt.want {
				t.Errorf("config %+v, want %+v", got, tt.want)
			}
		})
	}
}
