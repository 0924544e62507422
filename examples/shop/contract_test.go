package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/examples/shop/shop"
	"github.com/polyfn/polyfn/internal/testproc"
)

// TestContractLocal is issue 15's contract, on the built binary and the
// local adapter, without any cloud and without a resource URL: a
// stock-change CloudEvent posted to /inventory adds stock; POST
// /api/orders answers 202 and sends the order to the orders queue;
// fulfilment publishes order-placed, both subscribers run in the same
// process, and within seconds GET /api/orders/{id} shows the order
// fulfilled and the customer notified.
func TestContractLocal(t *testing.T) {
	app, err := shop.New(shop.Config{})
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"SHOP_API_KEY=k-123", "PORT=" + testproc.FreePort(t), "POLYFN_IDEMPOTENCY_URL="}
	for _, r := range app.Resources() {
		env = append(env, r.EnvVar()+"=") // in memory
	}
	base := "http://127.0.0.1:" + strings.TrimPrefix(env[1], "PORT=")
	p := testproc.Start(t, testproc.Build(t, "."), env...)
	p.WaitHTTP(t, base+"/healthz", 10*time.Second)
	c := &http.Client{Timeout: 5 * time.Second}
	send := func(method, path string, header map[string]string, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	stock := map[string]string{"X-Api-Key": "k-123", "Ce-Specversion": "1.0", "Ce-Id": "stock-1", "Ce-Source": "/warehouse",
		"Ce-Type": "com.example.shop.stock.changed", "Content-Type": "application/json"}
	if code, body := send("POST", "/inventory", nil, `{"sku":"A","seq":1,"delta":5}`); code != 401 {
		t.Fatalf("POST /inventory without credentials: %d %s, want 401", code, body)
	}
	if code, body := send("POST", "/inventory", stock, `{"sku":"A","seq":1,"delta":5}`); code/100 != 2 {
		t.Fatalf("POST /inventory: %d %s\n%s", code, body, p.Logs())
	}
	key := map[string]string{"X-Api-Key": "k-123", "Content-Type": "application/json"}
	// 1. POST /api/orders creates an order.
	if code, body := send("POST", "/api/orders", key, `{"id":"o1","customer":"ada","items":[{"sku":"A","qty":2}]}`); code != 202 {
		t.Fatalf("POST /api/orders: %d %s\n%s", code, body, p.Logs())
	}
	// 2–4. Fulfilment publishes order-placed, both subscribers run, and
	// the order shows fulfilled and notified.
	var got struct {
		Status   string `json:"status"`
		Notified bool   `json:"notified"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := send("GET", "/api/orders/o1", key, "")
		if code != 200 {
			t.Fatalf("GET /api/orders/o1: %d %s", code, body)
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("GET /api/orders/o1: %v: %s", err, body)
		}
		if got.Status == "fulfilled" && got.Notified {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("order o1 after 10 s: %s, want fulfilled and notified\n%s", body, p.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitLog(t, p, 5*time.Second, `"msg":"analytics updated"`, `"function":"update-analytics"`)
	waitLog(t, p, 5*time.Second, `"msg":"customer notified"`, `"function":"notify-customer"`)
	if err := p.Stop(t, 15*time.Second); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.Logs())
	}
}

// waitLog waits until one line of p's logs holds every part.
func waitLog(t *testing.T, p *testproc.Proc, timeout time.Duration, parts ...string) {
	t.Helper()
	for deadline := time.Now().Add(timeout); ; time.Sleep(20 * time.Millisecond) {
		for _, line := range strings.Split(p.Logs(), "\n") {
			all := true
			for _, s := range parts {
				all = all && strings.Contains(line, s)
			}
			if all {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q within %s\n%s", parts, timeout, p.Logs())
		}
	}
}
