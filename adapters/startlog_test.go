package adapters_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStartHookLogShape builds a program whose start hook logs one line,
// with each adapter's build tag, and checks that the line comes out in the
// platform's JSON shape: adapters.Run installs the adapter's log handler
// before the App's start hooks run.
func TestStartHookLogShape(t *testing.T) {
	tests := []struct {
		tags string
		env  []string
		// want are keys and values the line must have.
		want map[string]string
	}{
		{"", nil, map[string]string{"level": "INFO", "msg": "start hook ran", "adapter": "local"}},
		{"polyfn.aws,lambda.norpc", []string{"POLYFN_FUNCTION=echo", "AWS_LAMBDA_LOG_FORMAT=JSON"},
			map[string]string{"level": "INFO", "message": "start hook ran", "adapter": "aws"}},
		{"polyfn.azure", nil, map[string]string{"level": "INFO", "msg": "start hook ran", "adapter": "azure"}},
		{"polyfn.gcp", []string{"GOOGLE_CLOUD_PROJECT=p"}, map[string]string{"severity": "INFO", "message": "start hook ran", "adapter": "gcp"}},
		{"polyfn.gcpsource", []string{"GOOGLE_CLOUD_PROJECT=p"}, map[string]string{"severity": "INFO", "message": "start hook ran", "adapter": "gcp"}},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		t.Run("tags="+tt.tags, func(t *testing.T) {
			bin := filepath.Join(dir, "starthook"+string(rune('a'+i)))
			if out, err := exec.Command("go", "build", "-tags", tt.tags, "-o", bin, "./testdata/starthook").CombinedOutput(); err != nil {
				t.Fatalf("go build -tags %q: %v\n%s", tt.tags, err, out)
			}
			cmd := exec.Command(bin)
			cmd.Env = append(cleanEnv(), tt.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err == nil {
				t.Fatal("the program exited 0; want status 1 from its failing start hook")
			}
			if !strings.Contains(stderr.String(), "starthook: stop before serving") {
				t.Errorf("stderr does not name the start hook's error:\n%s", stderr.String())
			}
			line := firstLine(stdout.String())
			var got map[string]any
			if err := json.Unmarshal([]byte(line), &got); err != nil {
				t.Fatalf("the start hook's line is not JSON (%v): %q", err, line)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %q in %s", k, got[k], v, line)
				}
			}
		})
	}
}

// cleanEnv is the test's environment without the variables that would
// change the adapters' logging.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "POLYFN_") || strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "FUNCTIONS_") ||
			k == "GOOGLE_CLOUD_PROJECT" || k == "K_SERVICE" || k == "_HANDLER" || k == "PORT" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// firstLine returns the first line of s.
func firstLine(s string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Scan()
	return sc.Text()
}
