package azuretest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/azure"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/azurehost"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/invoke"
	pazure "github.com/polyfn/polyfn/providers/azure"
	"github.com/polyfn/polyfn/providers/azure/funcapp"
)

// Harness serves an App with the adapter's Handler on loopback test
// servers, in process, and drives it as the Functions host does: through
// the host simulator, whose judgement of each answer (Check) is what the
// harness reports.
//
// An Azure function has exactly one trigger. When a test delivers to a
// function through a trigger other than the one it declares (Deliver
// always uses an Event Grid trigger), the harness serves the App a second
// time with a function.json that binds that function to that trigger, as a
// second function app deployed from the same code would be: it is another
// process as far as cold starts go.
type Harness struct {
	t       *testing.T
	app     *core.App
	opts    adaptertest.Options
	decl    *azurehost.Host // calls the App as it declares itself
	routes  *http.ServeMux  // the host's router of HTTP triggers
	mu      sync.Mutex
	rebound map[string]*azurehost.Host // by function and trigger binding type
}

// NewHarness serves app on the Azure adapter until t ends: an
// adaptertest.HarnessMaker. Log lines go to t.Log when the test fails or
// runs verbose.
func NewHarness(t *testing.T, app *core.App, opts adaptertest.Options) adaptertest.Harness {
	t.Helper()
	h := &Harness{t: t, app: app, opts: opts, rebound: map[string]*azurehost.Host{}, routes: http.NewServeMux()}
	d, err := h.deploy(nil)
	if err != nil {
		t.Fatalf("azuretest: %v", err)
	}
	h.decl = d
	for _, f := range app.Functions() {
		if f.Kind != core.HTTPFunction {
			continue
		}
		name := f.Name
		for _, p := range invoke.Patterns(f) {
			wild := wildcards(p)
			err := invoke.Handle(h.routes, p, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				m := r.Context().Value(routeKey{}).(*route)
				m.function = name
				for _, w := range wild {
					m.params[w] = r.PathValue(w)
				}
			}))
			if err != nil {
				t.Fatalf("azuretest: http function %q: %v", name, err)
			}
		}
	}
	return h
}

// deploy serves the App with the function.json files cfgs on a new test
// server (a function app), and returns a host that calls it.
func (h *Harness) deploy(cfgs map[string]pazure.FunctionConfig) (*azurehost.Host, error) {
	log := adaptertest.LogWriter(h.t)
	handler, err := azure.Handler(h.app, azure.WithMaxBodyBytes(h.opts.MaxBodyBytes), azure.WithOutput(log, log), azure.WithFunctionConfigs(cfgs))
	if err != nil {
		return nil, err
	}
	srv := httptest.NewServer(handler)
	h.t.Cleanup(srv.Close)
	host := azurehost.New(srv.URL)
	host.Client = srv.Client()
	return host, nil
}

// Features describes the Azure adapter: the host cannot be told a failure
// is permanent; replies reach a $return output binding.
func (h *Harness) Features() adaptertest.Features {
	return adaptertest.Features{Provider: "azure", Replies: true, TellsPermanent: false, EventBodyLimit: true}
}

// Semantics: the host redelivers the whole batch of an Event Hubs
// invocation (cardinality many); queue, topic and timer invocations carry
// one message each.
func (h *Harness) Semantics(trigger core.TriggerKind) adaptertest.Semantics {
	if trigger == core.TriggerStream {
		return adaptertest.WholeBatch
	}
	return adaptertest.PerRecord
}

// Deliver sends e to the event function fn as an Event Grid trigger in the
// CloudEvents schema, fn bound as the generated function.json of
// OnEvent(...).With("azure", "output", "queue:{fn}-replies") binds it: the
// reply goes to ReturnValue, and the host writes it to the queue. The
// Delivery's Reply is that message.
func (h *Harness) Deliver(ctx context.Context, fn string, e core.Event) (adaptertest.Delivery, error) {
	trig := core.OnEvent(e.Type()).With(pazure.Provider, pazure.SettingOutput, "queue:"+fn+"-replies")
	d, b, err := h.target(fn, trig, nil)
	if err != nil {
		return adaptertest.Delivery{}, err
	}
	ev, err := cejson.Marshal(e)
	if err != nil {
		return adaptertest.Delivery{}, fmt.Errorf("azuretest: %w", err)
	}
	res, err := d.Invoke(ctx, fn, azurehost.EventGrid(b.Name, ev))
	if err != nil {
		return adaptertest.Delivery{}, err
	}
	out := adaptertest.Delivery{OK: !res.Failed}
	if msgs, _ := azurehost.Written(res.ReturnValue); len(msgs) > 0 {
		reply, err := cejson.Unmarshal(msgs[0])
		if err != nil {
			return out, fmt.Errorf("azuretest: the $return message is not a structured CloudEvent: %w", err)
		}
		out.Reply = &reply
	}
	return out, nil
}

// DeliverRecords sends recs to the event function fn as Azure's source of
// trigger delivers them:
//
//   - core.TriggerQueue: Queue Storage, one message per invocation; the
//     record's id is the message Id;
//   - core.TriggerTopic: a Service Bus topic subscription, one message per
//     invocation; the record's key is its SessionId;
//   - core.TriggerStream: one Event Hubs invocation with cardinality many;
//     the record's id is the event's message-id, its key the partition key;
//   - core.TriggerSchedule: one timer tick per record, whose id is the
//     tick's sys.RandGuid; a tick carries the TimerInfo, not the record's
//     data.
//
// A function declared with another trigger is rebound (see Harness). The
// records of a key that follow a failed one are not delivered, as a
// Service Bus session holds them back, and count as redelivered.
func (h *Harness) DeliverRecords(ctx context.Context, fn string, trigger core.TriggerKind, recs []adaptertest.Record) (adaptertest.BatchDelivery, error) {
	var out adaptertest.BatchDelivery
	now := time.Now().UTC().Truncate(time.Second)
	var synth core.Trigger
	switch trigger {
	case core.TriggerQueue:
		synth = core.OnQueue(fn)
	case core.TriggerTopic:
		synth = core.OnTopic(fn, "azuretest")
	case core.TriggerStream:
		synth = core.OnStream(fn)
	case core.TriggerSchedule:
		synth = core.OnSchedule("@hourly", "")
	default:
		return out, fmt.Errorf("azuretest: no Azure trigger delivers %s records", trigger)
	}
	d, b, err := h.target(fn, synth, fits(trigger))
	if err != nil {
		return out, err
	}
	if trigger == core.TriggerStream {
		pc := azurehost.PartitionContext{FullyQualifiedNamespace: "azuretest.servicebus.windows.net", EventHubName: fn, ConsumerGroup: "$Default", PartitionId: "0"}
		evs := make([]azurehost.EventHubEvent, len(recs))
		for i, r := range recs {
			evs[i] = azurehost.EventHubEvent{MessageID: r.ID, SequenceNumber: int64(i + 1), Offset: fmt.Sprint(i * 100), PartitionKey: r.Key, EnqueuedTime: now, Body: r.Data}
		}
		res, err := d.Invoke(ctx, fn, azurehost.EventHubBatch(b.Name, pc, evs, b.Prop("dataType")))
		if err != nil {
			return out, err
		}
		if res.Failed {
			for i := range recs {
				out.Redelivered = append(out.Redelivered, i)
			}
		}
		return out, nil
	}
	blocked := map[string]bool{}
	for i, r := range recs {
		if r.Key != "" && blocked[r.Key] {
			out.Redelivered = append(out.Redelivered, i)
			continue
		}
		var req azurehost.Request
		switch trigger {
		case core.TriggerQueue:
			req = azurehost.Queue(b.Name, azurehost.QueueMessage{ID: r.ID, PopReceipt: "AgAAAAMAAAAAAAAA", DequeueCount: 1,
				InsertionTime: now, ExpirationTime: now.Add(7 * 24 * time.Hour), NextVisible: now.Add(30 * time.Second), Body: r.Data})
		case core.TriggerTopic:
			req = azurehost.ServiceBus(b.Name, azurehost.ServiceBusMessage{MessageID: r.ID, ContentType: "application/json", SessionID: r.Key,
				DeliveryCount: 1, SequenceNumber: int64(i + 1), EnqueuedTime: now, Body: r.Data})
		case core.TriggerSchedule:
			req = azurehost.Timer(b.Name, &azurehost.ScheduleStatus{Last: now.Add(-time.Hour), Next: now.Add(time.Hour), LastUpdated: now}, false)
			req.Metadata["sys"] = azurehost.Encode(map[string]string{"MethodName": fn, "UtcNow": now.Format(time.RFC3339), "RandGuid": r.ID})
		}
		res, err := d.Invoke(ctx, fn, req)
		if err != nil {
			return out, err
		}
		if res.Failed {
			out.Redelivered = append(out.Redelivered, i)
			if r.Key != "" {
				blocked[r.Key] = true
			}
		}
	}
	return out, nil
}

// fits returns whether a declared trigger binding is the one the harness
// delivers trigger's records through.
func fits(trigger core.TriggerKind) func(pazure.Binding) bool {
	return func(b pazure.Binding) bool {
		binary := strings.EqualFold(b.Prop("dataType"), "binary")
		many := strings.EqualFold(b.Prop("cardinality"), "many")
		switch trigger {
		case core.TriggerQueue:
			return strings.EqualFold(b.Type, pazure.TypeQueue) && !binary
		case core.TriggerTopic:
			return strings.EqualFold(b.Type, pazure.TypeServiceBus) && b.Prop("topicName") != "" && !many && !binary
		case core.TriggerStream:
			return strings.EqualFold(b.Type, pazure.TypeEventHub) && many
		case core.TriggerSchedule:
			return strings.EqualFold(b.Type, pazure.TypeTimer)
		}
		return false
	}
}

// target returns the host of the function app that serves fn through
// trigger, and fn's trigger binding there: the declared App when fits accepts fn's declared
// binding, else an App in which fn's function.json is the one generated
// for trigger.
func (h *Harness) target(fn string, trigger core.Trigger, fits func(pazure.Binding) bool) (*azurehost.Host, pazure.Binding, error) {
	f, err := h.app.Select(fn, core.EventFunction)
	if err != nil {
		return nil, pazure.Binding{}, fmt.Errorf("azuretest: %w", err)
	}
	if fits != nil && len(f.Triggers) > 0 {
		if b, err := pazure.TriggerBinding(f); err == nil && fits(b) {
			return h.decl, b, nil
		}
	}
	cfg, err := funcapp.Function(&core.Function{Name: fn, Kind: core.EventFunction, Triggers: []core.Trigger{trigger}})
	if err != nil {
		return nil, pazure.Binding{}, fmt.Errorf("azuretest: %w", err)
	}
	b, _ := cfg.Trigger()
	h.mu.Lock()
	defer h.mu.Unlock()
	key := fn + "\x00" + b.Type
	d, ok := h.rebound[key]
	if !ok {
		if d, err = h.deploy(map[string]pazure.FunctionConfig{fn: cfg}); err != nil {
			return nil, pazure.Binding{}, fmt.Errorf("azuretest: %w", err)
		}
		h.rebound[key] = d
	}
	return d, b, nil
}

type routeKey struct{}

// route is what the host's router found for a request.
type route struct {
	function string
	params   map[string]string
}

// Do sends r to the App's HTTP functions as the host does: forwarded as
// is when the App is made only of HTTP functions (the generated host.json
// turns forwarding on), else routed by the functions' routes and sent as
// an HTTP trigger envelope, whose http output becomes the answer. A
// request no route matches gets 404, and an invocation the host counts as
// failed 500, as from the host.
func (h *Harness) Do(r *http.Request) (*http.Response, error) {
	if pazure.Forwarding(h.app) {
		return h.decl.Forward(r.Context(), r)
	}
	m := &route{params: map[string]string{}}
	h.routes.ServeHTTP(httptest.NewRecorder(), r.WithContext(context.WithValue(r.Context(), routeKey{}, m)))
	if m.function == "" {
		return answer(r, http.StatusNotFound, http.Header{}, nil), nil
	}
	f, _ := h.app.Function(m.function)
	b, err := pazure.TriggerBinding(f)
	if err != nil {
		return nil, fmt.Errorf("azuretest: %w", err)
	}
	res, err := h.decl.Invoke(r.Context(), m.function, azurehost.HTTP(b.Name, r, m.params))
	if err != nil {
		return nil, err
	}
	out, err := res.HTTP()
	if err != nil {
		return nil, err
	}
	return answer(r, out.StatusCode, out.Header, out.Body), nil
}

// answer returns the response a client of the host gets.
func answer(r *http.Request, status int, h http.Header, body []byte) *http.Response {
	return &http.Response{
		Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r,
	}
}

// wildcards returns the names of the wildcards of a ServeMux pattern.
func wildcards(pattern string) []string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		pattern = path
	}
	var out []string
	for _, seg := range strings.Split(pattern, "/") {
		if !strings.HasPrefix(seg, "{") || !strings.HasSuffix(seg, "}") {
			continue
		}
		if name := strings.TrimSuffix(seg[1:len(seg)-1], "..."); name != "$" {
			out = append(out, name)
		}
	}
	return out
}

var _ adaptertest.HarnessMaker = NewHarness
