package resource

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
	"github.com/polyfn/polyfn/internal/localbus"
)

type doc struct {
	SKU string `docstore:"sku"`
	Qty int    `docstore:"qty"`
}

// testApp declares a topic, a queue, a bucket and a table keyed by sku.
func testApp(t *testing.T) *core.App {
	t.Helper()
	app := core.NewApp()
	nop := func(context.Context, core.Event) (*core.Event, error) { return nil, nil }
	if err := app.Event("f", nop, core.OnQueue("in"), core.Uses(core.Topic("out")), core.Uses(core.Queue("work")),
		core.Uses(core.Bucket("files")), core.Uses(core.Table("stock").WithKey("sku"))); err != nil {
		t.Fatal(err)
	}
	return app
}

func env(m map[string]string) Option {
	return WithLookup(func(k string) (string, bool) { v, ok := m[k]; return v, ok })
}

// TestUndeclared: opening what the App does not declare fails, wrapping
// core.ErrNoResource and naming the resource.
func TestUndeclared(t *testing.T) {
	ctx := context.Background()
	rs := Open(testApp(t), env(nil))
	for name, open := range map[string]func() error{
		"topic nope":  func() error { _, err := rs.Topic(ctx, "nope"); return err },
		"queue out":   func() error { _, err := rs.Queue(ctx, "out"); return err }, // a topic, not a queue
		"bucket nope": func() error { _, err := rs.Bucket(ctx, "nope"); return err },
		"table files": func() error { _, err := rs.Table(ctx, "files"); return err },
	} {
		err := open()
		if !errors.Is(err, core.ErrNoResource) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v; want core.ErrNoResource naming it", name, err)
		}
	}
}

// TestInMemory: without URLs a table and a bucket are in memory, one
// handle per App shared by every call; Close closes them and refuses more.
func TestInMemory(t *testing.T) {
	ctx := context.Background()
	rs := Open(testApp(t), env(nil))
	tbl, err := rs.Table(ctx, "stock")
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.Put(ctx, &doc{SKU: "A", Qty: 3}); err != nil {
		t.Fatal(err)
	}
	again, err := rs.Table(ctx, "stock")
	if err != nil || again != tbl {
		t.Fatalf("second open: %v, %v; want the same handle", again, err)
	}
	got := doc{SKU: "A"}
	if err := again.Get(ctx, &got); err != nil || got.Qty != 3 {
		t.Fatalf("get: %+v, %v", got, err)
	}
	b, err := rs.Bucket(ctx, "files")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.WriteAll(ctx, "r/1.json", []byte(`{}`), nil); err != nil {
		t.Fatal(err)
	}
	if data, err := b.ReadAll(ctx, "r/1.json"); err != nil || string(data) != `{}` {
		t.Fatalf("read: %q, %v", data, err)
	}
	if err := rs.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := rs.Table(ctx, "stock"); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("open after Close: %v, want an error", err)
	}
}

// TestURLs: a URL in the resource's variable opens that driver: a
// directory for a bucket, memdocstore for a table.
func TestURLs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	rs := Open(testApp(t), env(map[string]string{
		"POLYFN_BUCKET_FILES_URL": "file://" + dir,
		"POLYFN_TABLE_STOCK_URL":  "mem://stock/sku",
	}))
	defer rs.Close(ctx)
	b, err := rs.Bucket(ctx, "files")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.WriteAll(ctx, "hello.txt", []byte("hi"), nil); err != nil {
		t.Fatal(err)
	}
	other := Open(testApp(t), env(map[string]string{"POLYFN_BUCKET_FILES_URL": "file://" + dir}))
	defer other.Close(ctx)
	ob, err := other.Bucket(ctx, "files")
	if err != nil {
		t.Fatal(err)
	}
	if data, err := ob.ReadAll(ctx, "hello.txt"); err != nil || string(data) != "hi" {
		t.Errorf("another App reads %q, %v from the directory", data, err)
	}
	tbl, err := rs.Table(ctx, "stock")
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.Put(ctx, &doc{SKU: "B", Qty: 1}); err != nil {
		t.Fatal(err)
	}
}

// TestMissingURL: where no in-memory default applies (a cloud adapter's
// build), a resource without its URL fails to open, naming the variable.
func TestMissingURL(t *testing.T) {
	inMemoryWhenUnset = false
	defer func() { inMemoryWhenUnset = true }()
	ctx := context.Background()
	rs := Open(testApp(t), env(nil))
	for want, open := range map[string]func() error{
		"POLYFN_TOPIC_OUT_URL":    func() error { _, err := rs.Topic(ctx, "out"); return err },
		"POLYFN_QUEUE_WORK_URL":   func() error { _, err := rs.Queue(ctx, "work"); return err },
		"POLYFN_BUCKET_FILES_URL": func() error { _, err := rs.Bucket(ctx, "files"); return err },
		"POLYFN_TABLE_STOCK_URL":  func() error { _, err := rs.Table(ctx, "stock"); return err },
	} {
		if err := open(); !errors.Is(err, ErrNoURL) || !strings.Contains(err.Error(), want) {
			t.Errorf("%v; want ErrNoURL naming %s", err, want)
		}
	}
	// POLYFN_RESOURCES=memory (polyfn invoke) puts them in memory.
	rs = Open(testApp(t), env(map[string]string{EnvMemory: "memory"}))
	if _, err := rs.Table(ctx, "stock"); err != nil {
		t.Errorf("with %s=memory: %v", EnvMemory, err)
	}
	if _, err := rs.Topic(ctx, "out"); err != nil {
		t.Errorf("with %s=memory: %v", EnvMemory, err)
	}
}

// TestPublishLocal: without a URL, a valid event goes to the App's local
// bus, without its polyfnkind; an invalid one is refused, naming what is
// wrong; a URL of a scheme this build has no driver for is refused.
func TestPublishLocal(t *testing.T) {
	ctx := context.Background()
	app := testApp(t)
	rs := Open(app, env(map[string]string{"POLYFN_QUEUE_WORK_URL": "awssqs://sqs.eu-west-1.amazonaws.com/1/work"}))
	p, err := rs.Topic(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	var got []core.Event
	detach, err := localbus.Attach(app, func(_ context.Context, r core.Resource, e core.Event) error {
		if r.Name != "out" || r.Kind != core.ResourceTopic {
			t.Errorf("delivered to %s", r)
		}
		got = append(got, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer detach()
	e := core.NewEvent("e1", "/src", "t.v1", "application/json", []byte(`{"a":1}`))
	e.SetExtension(core.KindExtension, "queue.message")
	if err := p.Publish(ctx, e); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID() != "e1" || core.EventKindOf(got[0]) != "" || core.EventKindOf(e) != "queue.message" {
		t.Errorf("delivered %v; want e1 without polyfnkind, the caller's event unchanged", got)
	}
	bad := core.NewEvent("", "/src", "t.v1", "", nil)
	if err := p.Publish(ctx, bad); err == nil || !strings.Contains(err.Error(), "id") {
		t.Errorf("publish without an id: %v, want an error naming the id", err)
	}
	// During an invocation, only a function that declares the topic may
	// publish to it.
	if err := app.Event("g", func(context.Context, core.Event) (*core.Event, error) { return nil, nil }, core.OnQueue("g")); err != nil {
		t.Fatal(err)
	}
	for fn, ok := range map[string]bool{"f": true, "g": false} {
		inv := driver.WithInvocation(ctx, &core.Invocation{Function: fn})
		err := p.Publish(inv, e)
		if (err == nil) != ok || (!ok && (!errors.Is(err, core.ErrNoResource) || !strings.Contains(err.Error(), `core.Uses(core.Topic("out"), core.Publish)`))) {
			t.Errorf("publish from %s: %v, want allowed %v", fn, err, ok)
		}
	}
	if _, err := rs.Queue(ctx, "work"); err == nil || !strings.Contains(err.Error(), `"awssqs"`) {
		t.Errorf("awssqs URL in the local build: %v, want an error naming the scheme", err)
	}
}
