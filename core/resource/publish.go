package resource

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"gocloud.dev/pubsub"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
	"github.com/polyfn/polyfn/internal/localbus"
)

// A Publisher sends CloudEvents to a topic or a queue. It is safe for
// concurrent use.
type Publisher struct {
	r     core.Resource
	app   *core.App
	topic *pubsub.Topic // nil: the local bus
	wire  format
}

// openPublisher opens r's publisher at URL u, or on the local bus when u is
// "".
func openPublisher(ctx context.Context, app *core.App, r core.Resource, u string) (*Publisher, error) {
	p := &Publisher{r: r, app: app}
	if u == "" {
		return p, nil
	}
	pu, _ := url.Parse(u)
	f, ok := formats[pu.Scheme]
	if !ok {
		return nil, fmt.Errorf("no publisher for the scheme %q in this build", pu.Scheme)
	}
	t, err := pubsub.OpenTopic(ctx, u)
	if err != nil {
		return nil, err
	}
	p.topic, p.wire = t, f
	return p, nil
}

// Resource returns the topic or queue p publishes to.
func (p *Publisher) Resource() core.Resource { return p.r }

// Publish sends e. It returns once the service has accepted it (or, on the
// local bus, once it is queued for delivery). An event that is not a valid
// CloudEvent is refused with an error naming what is wrong. The event's
// polyfnkind extension is not sent: it named how the event reached this
// function; every trigger hands the published event over unchanged.
//
// Called during an invocation of one of the App's functions that does not
// declare Publish on p's resource, it fails, on every adapter: the
// function's cloud role could not publish there either.
func (p *Publisher) Publish(ctx context.Context, e core.Event) error {
	if e.Context == nil {
		return fmt.Errorf("resource: publish to %s: the event has no context", p.r)
	}
	if err := p.allowed(ctx); err != nil {
		return err
	}
	e = e.Clone()
	if _, has := e.Extensions()[core.KindExtension]; has {
		e.SetExtension(core.KindExtension, nil) // removes it
	}
	if err := cejson.Validate(e); err != nil {
		return fmt.Errorf("resource: publish to %s: %w", p.r, err)
	}
	if p.topic == nil {
		return localbus.Publish(ctx, p.app, p.r, e)
	}
	m, err := p.wire.encode(e)
	if err != nil {
		return fmt.Errorf("resource: publish to %s: %w", p.r, err)
	}
	if err := p.topic.Send(ctx, m.pubsub(p.wire)); err != nil {
		return fmt.Errorf("resource: publish to %s: %w", p.r, err)
	}
	return nil
}

// allowed checks that the function ctx's invocation runs, if any,
// declares Publish on p's resource.
func (p *Publisher) allowed(ctx context.Context) error {
	name := core.InvocationFrom(ctx).Function
	if name == "" {
		return nil
	}
	f, ok := p.app.Function(name)
	if !ok {
		return nil // a function of another App
	}
	for _, u := range f.Uses {
		if u.Resource.EnvVar() == p.r.EnvVar() && u.Can(core.Publish) {
			return nil
		}
	}
	return fmt.Errorf("resource: publish to %s: function %s does not declare it (core.Uses(core.%s(%q), core.Publish)): %w",
		p.r, name, kindFunc[p.r.Kind], p.r.Name, core.ErrNoResource)
}

var kindFunc = map[core.ResourceKind]string{core.ResourceTopic: "Topic", core.ResourceQueue: "Queue"}

// Shutdown sends what is being sent and closes p. The App's stop hooks
// call it through Resources.Close.
func (p *Publisher) Shutdown(ctx context.Context) error {
	if p.topic == nil {
		return nil
	}
	if err := p.topic.Shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("resource: %s: %w", p.r, err)
	}
	return nil
}
