package azuretest_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/polyfn/polyfn/adapters/azure"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
	"github.com/polyfn/polyfn/core"
)

// Test a function the way the Functions host calls it, over real HTTP.
func Example() {
	app := core.NewApp()
	core.Must(app.Event("orders", func(ctx context.Context, e core.Event) (*core.Event, error) {
		if string(e.Data()) == "bad" {
			return nil, fmt.Errorf("bad order %s", e.ID())
		}
		return nil, nil
	}, core.OnQueue("orders")))
	h, err := azure.Handler(app)
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	host := azuretest.New(srv.URL)
	for _, body := range []string{"good", "bad"} {
		res, err := host.Invoke(context.Background(), "orders",
			azuretest.Queue("msg", azuretest.QueueMessage{ID: body + "-1", DequeueCount: 1, Body: []byte(body)}))
		if err != nil {
			panic(err)
		}
		fmt.Println(body, res.Status, res.Failed)
	}
	// Output:
	// good 200 false
	// bad 500 true
}

// The host's base64 trap: a string output that is valid base64 is written
// decoded.
func ExampleWritten() {
	for _, v := range []string{`"test"`, `"hello world"`, `{"id":"1"}`} {
		msgs, trapped := azuretest.Written([]byte(v))
		fmt.Printf("%-14s → %q trapped=%v\n", v, msgs[0], trapped)
	}
	// Output:
	// "test"         → "\xb5\xeb-" trapped=true
	// "hello world"  → "hello world" trapped=false
	// {"id":"1"}     → "{\"id\":\"1\"}" trapped=false
}
