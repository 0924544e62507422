package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/polyfn/polyfn/internal/testproc"
)

func TestHello(t *testing.T) {
	for _, tt := range []struct{ query, want string }{
		{"", "Hello, world! (served by polyfn)\n"},
		{"?name=Ada", "Hello, Ada! (served by polyfn)\n"},
	} {
		rec := httptest.NewRecorder()
		hello(rec, httptest.NewRequest("GET", "/"+tt.query, nil))
		body, _ := io.ReadAll(rec.Body)
		if rec.Code != http.StatusOK || string(body) != tt.want {
			t.Errorf("GET /%s = %d %q, want 200 %q", tt.query, rec.Code, body, tt.want)
		}
	}
}

// TestHelloServes runs the README's first command's program as a process.
func TestHelloServes(t *testing.T) {
	bin := testproc.Build(t, ".")
	port := testproc.FreePort(t)
	p := testproc.Start(t, bin, "PORT="+port)
	url := "http://127.0.0.1:" + port + "/"
	p.WaitHTTP(t, url, 10*time.Second)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "Hello, world! (served by polyfn)\n" {
		t.Fatalf("GET / = %d %q", resp.StatusCode, body)
	}
	if err := p.Stop(t, 10*time.Second); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.Logs())
	}
}
