package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/aws/awstest"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/adapters/gcp/gcptest"
	"github.com/polyfn/polyfn/adapters/local"
	"github.com/polyfn/polyfn/adapters/local/localtest"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/auth/jwtauth/jwtauthtest"
	"github.com/polyfn/polyfn/examples/shop/shop"
	"github.com/polyfn/polyfn/internal/testproc"
)

// jwtShop returns a started shop that accepts the tokens of iss and the
// API key k-123.
func jwtShop(t *testing.T, iss *jwtauthtest.Issuer, store *shop.Store) *core.App {
	t.Helper()
	app, err := shop.New(shop.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	settings := jwtSettings(iss)
	if err := app.Start(context.Background(), func(k string) (string, bool) { v, ok := settings[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Stop(context.Background()) })
	return app
}

func jwtSettings(iss *jwtauthtest.Issuer) map[string]string {
	return map[string]string{shop.SettingAPIKey: "k-123", shop.SettingJWKSURL: iss.JWKSURL,
		shop.SettingJWTIssuer: iss.Issuer, shop.SettingJWTAudience: iss.Audience}
}

// get sends GET path with header through h and returns the status, the
// WWW-Authenticate header and the body.
func get(t *testing.T, h adaptertest.Harness, path string, header http.Header) (int, string, string) {
	t.Helper()
	code, hdr, body := wire{h}.do(t, "GET", path, header, "")
	return code, hdr.Get("WWW-Authenticate"), body
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

// whoamiOn checks GET /api/whoami and the attack checklist on one
// platform's HTTP front end: valid RS256 and ES256 tokens and the API key
// are accepted, every attack token is refused with 401 and a Bearer
// challenge, and neither the token's jku nor a flood of kids makes the
// app fetch more than it should.
func whoamiOn(t *testing.T, mk adaptertest.HarnessMaker) {
	iss := jwtauthtest.NewIssuer(t)
	h := mk(t, jwtShop(t, iss, nil), adaptertest.Options{})
	tests := []struct {
		name   string
		header http.Header
		want   string
	}{
		{"RS256", bearer(iss.Token(t, "RS256", iss.Claims("ada"), nil)), `{"method":"jwt","subject":"ada"}`},
		{"ES256", bearer(iss.Token(t, "ES256", iss.Claims("bob"), nil)), `{"method":"jwt","subject":"bob"}`},
		{"API key", http.Header{"X-Api-Key": {"k-123"}}, `{"method":"apikey","subject":"` + shop.APIKeyName + `"}`},
	}
	for _, tt := range tests {
		code, _, body := get(t, h, "/api/whoami", tt.header)
		if code != 200 || strings.TrimSpace(body) != tt.want {
			t.Errorf("%s: %d %s, want 200 %s", tt.name, code, body, tt.want)
		}
	}
	if code, challenge, body := get(t, h, "/api/whoami", nil); code != 401 || challenge != "Bearer" {
		t.Errorf("no credentials: %d %q %s, want 401 Bearer", code, challenge, body)
	}
	for _, a := range iss.Attacks(t) {
		code, challenge, body := get(t, h, "/api/whoami", bearer(a.Token))
		if code != 401 || !strings.HasPrefix(challenge, "Bearer") {
			t.Errorf("%s: %d %q %s, want 401 with a Bearer challenge", a.Name, code, challenge, body)
		}
		if len(a.Token) > 16 && strings.Contains(body, a.Token[len(a.Token)-16:]) {
			t.Errorf("%s: the answer repeats the token: %s", a.Name, body)
		}
	}
	if n := iss.RogueFetches(); n != 0 {
		t.Errorf("the key set a token named was fetched %d times", n)
	}
	if n := iss.Fetches(); n > 2 {
		t.Errorf("the key set was fetched %d times, want at most 2", n)
	}
}

// TestWhoami runs whoamiOn on every platform's wire: the local adapter,
// API Gateway v2, the Azure host simulator and the Google adapter.
func TestWhoami(t *testing.T) {
	for _, w := range []struct {
		name string
		mk   adaptertest.HarnessMaker
	}{{"local", localtest.NewHarness}, {"aws", awstest.NewHarness}, {"azure", azuretest.NewHarness}, {"gcp", gcptest.NewHarness}} {
		t.Run(w.name, func(t *testing.T) { whoamiOn(t, w.mk) })
	}
}

// TestEventRoutesNeedCredentials: on the local adapter (Cloud Run,
// Knative, a laptop), POSTing an event to any event function without
// credentials, or with an invalid token, gets 401 and changes nothing;
// with a valid bearer token it runs.
func TestEventRoutesNeedCredentials(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	store := shop.NewStore()
	h, err := local.Handler(jwtShop(t, iss, store))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(fn, data string, header http.Header) (int, string) {
		t.Helper()
		req, err := http.NewRequest("POST", srv.URL+"/"+fn, strings.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = header.Clone()
		if req.Header == nil {
			req.Header = http.Header{}
		}
		for k, v := range map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "forged-1", "Ce-Source": "/attacker", "Ce-Type": "stock.changed", "Content-Type": "application/json"} {
			req.Header.Set(k, v)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
	}
	change := `{"sku":"A","seq":1,"delta":100}`
	expired := iss.Claims("ada")
	expired["exp"] = 1
	for _, fn := range []string{"inventory", "fulfil", "nightly-report", "notify-customer", "update-analytics"} {
		if code, challenge := post(fn, change, nil); code != 401 || challenge != "Bearer" {
			t.Errorf("POST /%s without credentials: %d %q, want 401 Bearer", fn, code, challenge)
		}
		if code, challenge := post(fn, change, bearer(iss.Token(t, "RS256", expired, nil))); code != 401 || challenge != `Bearer error="invalid_token"` {
			t.Errorf("POST /%s with an expired token: %d %q, want 401 invalid_token", fn, code, challenge)
		}
	}
	if got, err := store.Stock(context.Background(), "A"); got != 0 || err != nil {
		t.Fatalf("refused events changed the stock of A to %d (%v)", got, err)
	}
	if code, _ := post("inventory", change, bearer(iss.Token(t, "ES256", iss.Claims("ada"), nil))); code != 204 {
		t.Fatalf("POST /inventory with a valid token: %d, want 204", code)
	}
	if got, err := store.Stock(context.Background(), "A"); got != 100 || err != nil {
		t.Errorf("stock of A = %d (%v) after the authenticated event, want 100", got, err)
	}
}

// TestWhoamiEmulator runs the shop's api function under the Lambda
// Runtime Interface Emulator (POLYFN_FUNCTION=api) and calls GET
// /api/whoami through an API Gateway HTTP API (payload 2.0) event.
func TestWhoamiEmulator(t *testing.T) {
	if _, err := awstest.FindRIE(); err != nil {
		t.Fatal(err) // a missing emulator is a failure, not a skip
	}
	iss := jwtauthtest.NewIssuer(t)
	bin := testproc.Build(t, ".", "-tags", "polyfn.aws,lambda.norpc")
	bootstrap := filepath.Join(filepath.Dir(bin), "bootstrap")
	if err := os.Rename(bin, bootstrap); err != nil {
		t.Fatal(err)
	}
	env := []string{"POLYFN_FUNCTION=api"}
	for k, v := range jwtSettings(iss) {
		env = append(env, k+"="+v)
	}
	e, err := awstest.Start(context.Background(), bootstrap, env...)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	tests := []struct {
		name   string
		header http.Header
		status int
		want   string
	}{
		{"bearer", bearer(iss.Token(t, "RS256", iss.Claims("ada"), nil)), 200, `"subject":"ada"`},
		{"none", nil, 401, "Bearer"},
		{"alg none", bearer(attack(t, iss, "alg none")), 401, `Bearer error="invalid_token"`},
	}
	for i, tt := range tests { // one invocation at a time
		r := httptest.NewRequest("GET", "/api/whoami", nil)
		for k, vs := range tt.header {
			r.Header[k] = vs
		}
		status, out, err := e.Invoke(context.Background(), awstest.APIGatewayV2(fmt.Sprint("req-", i), r))
		if err != nil || status != 200 {
			t.Fatalf("%s: invoke: %d %s %v\n%s", tt.name, status, out, err, e.Logs())
		}
		var res struct {
			StatusCode int               `json:"statusCode"`
			Headers    map[string]string `json:"headers"`
			Body       string            `json:"body"`
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("%s: %s: %v", tt.name, out, err)
		}
		got := res.Body
		if tt.status != 200 {
			got = res.Headers["Www-Authenticate"] + res.Headers["www-authenticate"]
		}
		if res.StatusCode != tt.status || !strings.Contains(got, tt.want) {
			t.Errorf("%s: %d %v %s, want %d and %s", tt.name, res.StatusCode, res.Headers, res.Body, tt.status, tt.want)
		}
	}
}

// attack returns the token of the attack named name.
func attack(t *testing.T, iss *jwtauthtest.Issuer, name string) string {
	t.Helper()
	for _, a := range iss.Attacks(t) {
		if a.Name == name {
			return a.Token
		}
	}
	t.Fatalf("no attack %q", name)
	return ""
}

// TestPushIdentity: on Google, with SHOP_PUSH_SERVICE_ACCOUNT set, a
// Pub/Sub push carrying that account's OIDC token reaches the event
// functions, one of another account does not, and the push identity is
// no API caller.
func TestPushIdentity(t *testing.T) {
	google := jwtauthtest.NewIssuer(t) // stands in for Google's key set
	const account, audience = "pusher@shop.iam.gserviceaccount.com", "https://shop.example/"
	push := func(email string) string {
		c := google.Claims("1099")
		c["iss"], c["aud"], c["email"], c["email_verified"] = "https://accounts.google.com", audience, email, true
		return google.Token(t, "RS256", c, nil)
	}
	start := func(t *testing.T, store *shop.Store) *core.App {
		app, err := shop.New(shop.Config{Store: store, GoogleKeys: google.JWKSURL})
		if err != nil {
			t.Fatal(err)
		}
		settings := map[string]string{shop.SettingAPIKey: "k-123", shop.SettingPushServiceAccount: account, shop.SettingPushAudience: audience}
		if err := app.Start(context.Background(), func(k string) (string, bool) { v, ok := settings[k]; return v, ok }); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { app.Stop(context.Background()) })
		return app
	}
	tests := []struct {
		name   string
		header http.Header
		ok     bool
	}{
		{"the push account", bearer(push(account)), true},
		{"another account", bearer(push("mallory@evil.iam.gserviceaccount.com")), false},
		{"the API key", http.Header{"X-Api-Key": {"k-123"}}, true},
		{"nothing", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := shop.NewStore()
			h := gcptest.NewHarness(t, start(t, store), adaptertest.Options{EventHeader: tt.header})
			o1 := shop.Order{ID: "o1", Customer: "ada", Items: []shop.Item{{SKU: "A", Qty: 1}}}
			if err := store.PutOrder(context.Background(), o1, "fulfilled"); err != nil {
				t.Fatal(err)
			}
			e := core.NewEvent("p1", "//pubsub.googleapis.com/projects/shop/topics/order-placed", "com.example.order.placed",
				"application/json", []byte(`{"id":"o1","customer":"ada","items":[{"sku":"A","qty":1}]}`))
			d, err := h.Deliver(context.Background(), "notify-customer", e)
			if err != nil {
				t.Fatal(err)
			}
			o, err := store.Order(context.Background(), "o1")
			if err != nil {
				t.Fatal(err)
			}
			if d.OK != tt.ok || o.Notified != tt.ok {
				t.Errorf("delivered %v, customer notified %v; want both %v", d.OK, o.Notified, tt.ok)
			}
		})
	}
	h := gcptest.NewHarness(t, start(t, nil), adaptertest.Options{})
	if code, _, body := get(t, h, "/api/whoami", bearer(push(account))); code != 401 {
		t.Errorf("whoami with the push token: %d %s, want 401", code, body)
	}
}
