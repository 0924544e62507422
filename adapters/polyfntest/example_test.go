package polyfntest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/polyfn/polyfn/adapters/polyfntest"
	"github.com/polyfn/polyfn/core"
)

// t stands for the *testing.T of a test in these examples: it prints what
// the test would report.
var t = printT{}

type printT struct{}

func (printT) Helper()                           {}
func (printT) Logf(string, ...any)               {}
func (printT) Errorf(format string, args ...any) { fmt.Printf("FAIL: "+format+"\n", args...) }
func (printT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (printT) Cleanup(func())                    {}

// order is what the example app's queue carries.
type order struct {
	ID  string `json:"id"`
	Qty int    `json:"qty"`
}

// newApp is the app under test: a queue consumer that refuses an order
// without quantity for good, a scheduled job, a stream consumer and an API.
func newApp() *core.App {
	app := core.NewApp()
	core.Must(app.Event("fulfil", core.Typed(func(ctx context.Context, e core.Event, o order) (*core.Event, error) {
		if o.Qty <= 0 {
			return nil, core.Permanentf("order %s: no quantity", o.ID)
		}
		return nil, nil
	}), core.OnQueue("orders")))
	core.Must(app.Event("report", func(ctx context.Context, e core.Event) (*core.Event, error) {
		fmt.Println("report:", core.EventKindOf(e), core.InvocationFrom(ctx).Trigger)
		return nil, nil
	}, core.OnSchedule("0 2 * * *", "Europe/Paris")))
	core.Must(app.Event("stock", core.Typed(func(ctx context.Context, e core.Event, o order) (*core.Event, error) {
		if o.Qty < 0 {
			return nil, fmt.Errorf("stock of %s would go negative", o.ID)
		}
		return nil, nil
	}), core.OnStream("stock")))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "k-123" {
			http.Error(w, "no key", http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"id": r.PathValue("id")})
	})
	core.Must(app.HTTP("api", mux, core.OnHTTP("/api/")))
	return app
}

// Run a queue delivery on every provider and check each message's outcome:
// the bad order fails alone, for good. An SQS batch is one invocation; Azure
// Queue Storage and Pub/Sub deliver one message per invocation.
func Example() {
	app := newApp()
	for _, p := range polyfntest.Providers {
		kit := polyfntest.New(t, app, p)
		d := kit.Queue("fulfil", polyfntest.Msg(`{"id":"o1","qty":2}`), polyfntest.Msg(`{"id":"o2","qty":0}`))
		res := kit.Run(d).Expect(polyfntest.OK, polyfntest.Permanent)
		fmt.Println(p, res.Outcomes(), d.Invocations(), "invocation(s)")
	}
	// Output:
	// local [ok permanent] 1 invocation(s)
	// aws [ok permanent] 1 invocation(s)
	// azure [ok permanent] 2 invocation(s)
	// gcp [ok permanent] 2 invocation(s)
}

// A schedule reaches the function as a schedule.fired event on every
// provider, whatever the platform sends: an EventBridge scheduled event,
// an Azure timer, the Pub/Sub message of a Cloud Scheduler job.
func ExampleKit_Schedule() {
	app := newApp()
	for _, p := range polyfntest.Providers {
		kit := polyfntest.New(t, app, p)
		kit.Run(kit.Schedule("report")).Expect(polyfntest.OK)
	}
	// Output:
	// report: schedule.fired schedule
	// report: schedule.fired schedule
	// report: schedule.fired schedule
	// report: schedule.fired schedule
}

// A stream batch runs in order: after a failure, the records the platform
// will deliver again are skipped, not run out of order. Kinesis resumes a
// shard from its first failed record, so AWS skips the rest of the batch;
// the local and Azure adapters skip the rest of the failed key only;
// Pub/Sub delivers each message on its own.
func ExampleKit_Stream() {
	app := newApp()
	for _, p := range polyfntest.Providers {
		kit := polyfntest.New(t, app, p)
		res := kit.Run(kit.Stream("stock",
			polyfntest.Keyed("A", `{"id":"A","qty":1}`),
			polyfntest.Keyed("B", `{"id":"B","qty":-5}`),
			polyfntest.Keyed("B", `{"id":"B","qty":2}`),
			polyfntest.Keyed("A", `{"id":"A","qty":3}`)))
		fmt.Println(p, res.Outcomes(), res.Failed())
	}
	// Output:
	// local [ok retryable skipped ok] [1 2]
	// aws [ok retryable skipped skipped] [1 2 3]
	// azure [ok retryable skipped ok] [1 2]
	// gcp [ok retryable ok ok] [1]
}

// An HTTP function gets the request as each platform's front end hands it
// over: through an API Gateway HTTP API payload on AWS, through the
// Functions host's HTTP trigger on Azure.
func ExampleKit_ServeHTTP() {
	app := newApp()
	for _, p := range polyfntest.Providers {
		kit := polyfntest.New(t, app, p)
		r := httptest.NewRequest("GET", "/api/orders/42", nil)
		r.Header.Set("X-Api-Key", "k-123")
		resp := kit.ServeHTTP("api", r)
		body, _ := io.ReadAll(resp.Body)
		fmt.Printf("%s %d %s", p, resp.StatusCode, body)
	}
	// Output:
	// local 200 {"id":"42"}
	// aws 200 {"id":"42"}
	// azure 200 {"id":"42"}
	// gcp 200 {"id":"42"}
}

// Expect names each record whose outcome differs, with the function's
// error.
func ExampleResult_Expect() {
	kit := polyfntest.New(t, newApp(), polyfntest.Local)
	kit.Run(kit.Queue("fulfil", polyfntest.Record{ID: "m-7", Data: []byte(`{"id":"o7"}`)})).Expect(polyfntest.OK)
	// Output:
	// FAIL: polyfntest: record 0 (event m-7): permanent, want ok: order o7: no quantity
}

// Start starts an App with its declared settings, as an adapter does with
// the environment, and stops it when the test ends; a required setting
// without a value fails the test, naming it.
func ExampleStart() {
	app := core.NewApp()
	core.Must(app.Setting("SHOP_API_KEY", core.Secret()))
	app.OnStart(func(ctx context.Context, cfg core.Config) error {
		fmt.Println("key length:", len(cfg.Get("SHOP_API_KEY")))
		return nil
	})
	polyfntest.Start(t, app, map[string]string{"SHOP_API_KEY": "k-123"})
	// Output:
	// key length: 5
}
