package function

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/internal/testproc"
)

func post(t *testing.T, url string, header map[string]string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func ce(ceType, source, subject string) map[string]string {
	h := map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "t-1", "Ce-Type": ceType, "Ce-Source": source,
		"Ce-Time": "2026-01-02T03:04:05Z", "Content-Type": "application/json"}
	if subject != "" {
		h["Ce-Subject"] = subject
	}
	return h
}

// TestBuildpackLayout checks what the Go functions buildpack needs of the
// package (one importable, non-main package that imports
// functions-framework-go's functions package), then builds the main the
// buildpack would generate and serves each function as Cloud Functions does,
// selected by FUNCTION_TARGET, on functions-framework-go's own server.
func TestBuildpackLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a binary")
	}
	out, err := exec.Command("go", "list", "-f", "{{.Name}} {{join .Imports \" \"}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if f := strings.Fields(string(out)); f[0] == "main" || !strings.Contains(string(out), "github.com/GoogleCloudPlatform/functions-framework-go/functions") {
		t.Errorf("package %s: want a non-main package importing functions-framework-go/functions", out)
	}

	bin := testproc.Build(t, "./testdata/buildpackmain")
	order := base64.StdEncoding.EncodeToString([]byte(`{"id":"o-1","items":3}`))
	pubsub := `{"subscription":"projects/p/subscriptions/s","message":{"data":"` + order + `","messageId":"m-1","publishTime":"2026-01-02T03:04:05Z","orderingKey":"customer-9"}}`
	object := `{"bucket":"polyfn-uploads","name":"a/b.txt","size":"12","contentType":"text/plain","generation":"1"}`
	tests := []struct {
		target     string
		path       string
		header     map[string]string
		body       string
		wantStatus int
		wantLog    string
		wantBody   string
	}{
		{"orders", "/", ce("google.cloud.pubsub.topic.v1.messagePublished", "//pubsub.googleapis.com/projects/p/topics/orders", ""), pubsub, 204,
			`"cold_start":true,"order":"o-1","items":3,"attr_message":"m-1","orderingKey":"customer-9","kind":"topic.message"`, ""},
		{"orders", "/", ce("google.cloud.pubsub.topic.v1.messagePublished", "//pubsub.googleapis.com/projects/p/topics/orders", ""),
			`{"message":{"data":"bm90IGpzb24=","messageId":"m-2"}}`, 422, `is not an order`, ""},
		{"uploads", "/", ce("google.cloud.storage.object.v1.finalized", "//storage.googleapis.com/projects/_/buckets/polyfn-uploads", "objects/a/b.txt"), object, 204,
			`"cold_start":true,"bucket":"polyfn-uploads","name":"a/b.txt","size":12,"contentType":"text/plain","dataref":"gs://polyfn-uploads/a/b.txt","kind":"storage.object.created"`, ""},
		{"api", "/hello/gcp", nil, "", 200, "", `"hello":"gcp"`},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			port := testproc.FreePort(t)
			p := testproc.Start(t, bin, "PORT="+port, "FUNCTION_TARGET="+tt.target)
			base := "http://127.0.0.1:" + port
			p.WaitHTTP(t, base+"/", 10*time.Second)
			var status int
			var body string
			if tt.header == nil {
				resp, err := http.Get(base + tt.path)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				status, body = resp.StatusCode, string(b)
			} else {
				status, body = post(t, base+tt.path, tt.header, tt.body)
			}
			if status != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s\n%s", status, tt.wantStatus, body, p.Logs())
			}
			if !strings.Contains(body, tt.wantBody) {
				t.Errorf("body %q lacks %q", body, tt.wantBody)
			}
			deadline := time.Now().Add(2 * time.Second)
			for !strings.Contains(p.Logs(), tt.wantLog) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if !strings.Contains(p.Logs(), tt.wantLog) {
				t.Errorf("logs lack %s:\n%s", tt.wantLog, p.Logs())
			}
		})
	}
}

// TestContainerBuild runs cmd/fn built with -tags polyfn.gcp, the Cloud
// Run path, and checks that it links no functions-framework-go.
func TestContainerBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a binary")
	}
	out, err := exec.Command("go", "list", "-deps", "-tags", "polyfn.gcp", "./cmd/fn").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if bytes.Contains(out, []byte("functions-framework-go")) || bytes.Contains(out, []byte("go.uber.org/zap")) {
		t.Errorf("the container build links functions-framework-go or zap")
	}
	bin := testproc.Build(t, "./cmd/fn", "-tags", "polyfn.gcp")
	port := testproc.FreePort(t)
	p := testproc.Start(t, bin, "PORT="+port, "FUNCTION_TARGET=api")
	base := "http://127.0.0.1:" + port
	p.WaitHTTP(t, base+"/", 10*time.Second)
	resp, err := http.Get(base + "/hello/run")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if got["hello"] != "run" || got["provider"] != "gcp" || got["function"] != "api" {
		t.Errorf("got %v", got)
	}
	if err := p.Stop(t, 10*time.Second); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, p.Logs())
	}
}
