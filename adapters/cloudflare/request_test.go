package cloudflare

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestParseHead checks that a Fetch head becomes the request net/http's
// server would hand a handler.
func TestParseHead(t *testing.T) {
	head := "POST\nhttps://edge.example/orders/7?x=1&y=%20\n" +
		"accept:a/b\nce-id:e-1\nce-myext:v\nhost:edge.example\ncf-connecting-ip:203.0.113.9\n" +
		"x-multi:one\nx-multi:two\nnot a line\n:empty name\ncontent-type:application/json\n"
	for range 2 { // the second time from the caches
		r, err := parseHead(head, []byte(`{"a":1}`))
		if err != nil {
			t.Fatal(err)
		}
		want := http.Header{"Accept": {"a/b"}, "Ce-Id": {"e-1"}, "Ce-Myext": {"v"}, "Cf-Connecting-Ip": {"203.0.113.9"},
			"X-Multi": {"one", "two"}, "Content-Type": {"application/json"}}
		if !reflect.DeepEqual(r.Header, want) {
			t.Errorf("header %v, want %v", r.Header, want)
		}
		if r.Method != "POST" || r.Host != "edge.example" || r.RemoteAddr != "203.0.113.9" || r.RequestURI != "/orders/7?x=1&y=%20" ||
			r.URL.Path != "/orders/7" || r.URL.Query().Get("y") != " " || r.ContentLength != 7 || r.ProtoMajor != 1 {
			t.Errorf("request %s %s host %q remote %q uri %q path %q length %d", r.Method, r.URL, r.Host, r.RemoteAddr, r.RequestURI, r.URL.Path, r.ContentLength)
		}
		if b, _ := io.ReadAll(r.Body); string(b) != `{"a":1}` || r.Body.Close() != nil {
			t.Errorf("body %q", b)
		}
		r.URL.Path = "/changed" // a handler's change stays in its request
		r.Header["X-Multi"][0] = "changed"
	}
	for _, body := range [][]byte{nil, {}} {
		r, err := parseHead("GET\nhttp://edge.example/\n", body)
		if err != nil || r.Body != http.NoBody || r.ContentLength != 0 || r.RequestURI != "/" || r.Host != "edge.example" {
			t.Errorf("GET with body %v: %v, %v", body, r, err)
		}
	}
	for _, bad := range []string{"", "POST", "BAD METHOD\nhttp://edge.example/\n", "GET\nhttp://edge.example/%zz\n", "GET\n::\n"} {
		if _, err := parseHead(bad, nil); err == nil || !strings.HasPrefix(err.Error(), "cloudflare: ") {
			t.Errorf("head %q: error %v", bad, err)
		}
	}
}
