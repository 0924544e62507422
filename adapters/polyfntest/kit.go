package polyfntest

import (
	"context"
	"log/slog"
	"strings"
	"sync"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/invoke"
)

// A Provider names the adapter whose deliveries a Kit builds.
type Provider string

// The providers.
const (
	// Local is the local adapter: CloudEvents over HTTP, as a laptop,
	// Knative and Cloud Run serve them.
	Local Provider = "local"
	// AWS is the Lambda adapter.
	AWS Provider = "aws"
	// Azure is the Azure Functions custom-handler adapter.
	Azure Provider = "azure"
	// GCP is the Google Cloud Functions adapter.
	GCP Provider = "gcp"
)

// Providers lists every provider, for tests that run on each.
var Providers = []Provider{Local, AWS, Azure, GCP}

// T is what the kit needs of a test: *testing.T and *testing.B satisfy it.
type T interface {
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// A Record is one message of a delivery.
type Record struct {
	// ID is the platform's message id; "" makes one up.
	ID string
	// Key is the ordering key (a stream's partition key, an SQS FIFO
	// group); "" for none.
	Key string
	// Data is the message body.
	Data []byte
}

// Msg returns a record whose body is data.
func Msg(data string) Record { return Record{Data: []byte(data)} }

// Keyed returns a record whose body is data, with ordering key key.
func Keyed(key, data string) Record { return Record{Key: key, Data: []byte(data)} }

// A Kit builds the deliveries of one provider for an App's functions and
// runs them through the invocation runtime, as that provider's adapter
// does. It binds each function once, so its first invocation is a cold
// start, as on a fresh instance. The function's failure lines go to the
// test's log. A Kit is safe for concurrent use.
type Kit struct {
	t        T
	app      *core.App
	provider Provider
	rt       *invoke.Runtime

	mu    sync.Mutex
	bound map[string]*invoke.Function
}

// New returns the Kit of provider p for app. It does not start the App:
// call Start first when the App has settings or start hooks.
func New(t T, app *core.App, p Provider) *Kit {
	t.Helper()
	switch p {
	case Local, AWS, Azure, GCP:
	default:
		t.Fatalf("polyfntest: unknown provider %q (local, aws, azure or gcp)", p)
	}
	rt := invoke.New(invoke.Config{Provider: string(p), Logger: slog.New(slog.NewTextHandler(logWriter{t}, nil))})
	return &Kit{t: t, app: app, provider: p, rt: rt, bound: map[string]*invoke.Function{}}
}

// Provider returns the kit's provider.
func (k *Kit) Provider() Provider { return k.provider }

// function returns the bound function named name, failing the test when
// the App has none or it is not of kind kind (0 for any).
func (k *Kit) function(name string, kind core.FunctionKind) *invoke.Function {
	k.t.Helper()
	f, err := k.app.Select(name, kind)
	if err != nil {
		k.t.Fatalf("polyfntest: %v", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	fn := k.bound[f.Name]
	if fn == nil {
		fn = k.rt.Function(f)
		k.bound[f.Name] = fn
	}
	return fn
}

// Start starts app as an adapter does, with the values of its declared
// settings taken from settings (a setting missing there is unset), and
// stops it when the test ends. It fails the test when a required setting
// has no value or a start hook fails.
func Start(t T, app *core.App, settings map[string]string) {
	t.Helper()
	lookup := func(name string) (string, bool) { v, ok := settings[name]; return v, ok }
	if err := app.Start(context.Background(), lookup); err != nil {
		t.Fatalf("polyfntest: start: %v", err)
	}
	t.Cleanup(func() {
		if err := app.Stop(context.Background()); err != nil {
			t.Errorf("polyfntest: stop: %v", err)
		}
	})
}

// logWriter writes each log line to the test's log.
type logWriter struct{ t T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// fail reports a kit error, naming what the kit was building.
func (k *Kit) fail(what string, err error) {
	k.t.Helper()
	k.t.Fatalf("polyfntest: %s on %s: %v", what, k.provider, err)
}
