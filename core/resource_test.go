package core_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
)

func TestResourceEnvVar(t *testing.T) {
	tests := []struct {
		r    core.Resource
		want string
	}{
		{core.Topic("order-placed"), "POLYFN_TOPIC_ORDER_PLACED_URL"},
		{core.Queue("orders"), "POLYFN_QUEUE_ORDERS_URL"},
		{core.Bucket("reports"), "POLYFN_BUCKET_REPORTS_URL"},
		{core.Table("Orders_v2"), "POLYFN_TABLE_ORDERS_V2_URL"},
	}
	for _, tt := range tests {
		if got := tt.r.EnvVar(); got != tt.want {
			t.Errorf("%s: EnvVar = %q, want %q", tt.r, got, tt.want)
		}
	}
}

func TestUses(t *testing.T) {
	app := core.NewApp()
	orders := core.Table("orders").WithTTL("expires")
	core.Must(app.HTTP("api", http.NotFoundHandler(), core.Uses(core.Queue("orders")), core.Uses(orders, core.Read)))
	core.Must(app.Event("fulfil", nopUse, core.OnQueue("orders"), core.Uses(core.Topic("order-placed")), core.Uses(orders)))
	f, _ := app.Function("api")
	if len(f.Uses) != 2 || !f.Uses[0].Can(core.Publish) || f.Uses[1].Can(core.Write) || !f.Uses[1].Can(core.Read) {
		t.Errorf("api uses %+v", f.Uses)
	}
	f, _ = app.Function("fulfil")
	if u := f.Uses[1]; !u.Can(core.Read) || !u.Can(core.Write) {
		t.Errorf("a table used without rights gets read and write, got %v", u.Access)
	}
	var names []string
	for _, r := range app.Resources() {
		names = append(names, r.String())
	}
	if got, want := strings.Join(names, ","), "queue orders,table orders,topic order-placed"; got != want {
		t.Errorf("Resources = %s, want %s", got, want)
	}
	if r, ok := app.Resource(core.ResourceTable, "orders"); !ok || r.Key() != "id" || r.TTLField != "expires" {
		t.Errorf("Resource(table orders) = %+v, %v", r, ok)
	}
}

func TestUsesErrors(t *testing.T) {
	tests := []struct {
		name string
		opts []core.FunctionOption
		want string
	}{
		{"bad name", []core.FunctionOption{core.Uses(core.Topic("1x"))}, "topic 1x: name must start with a letter"},
		{"bad access", []core.FunctionOption{core.Uses(core.Topic("t"), core.Read)}, `topic t: access "read" does not fit a topic`},
		{"publish to a bucket", []core.FunctionOption{core.Uses(core.Bucket("b"), core.Publish)}, `bucket b: access "publish" does not fit a bucket`},
		{"twice", []core.FunctionOption{core.Uses(core.Bucket("b"), core.Read), core.Uses(core.Bucket("b"), core.Write)}, "bucket b: used twice"},
		{"key on a queue", []core.FunctionOption{core.Uses(core.Queue("q").WithKey("k"))}, "queue q: only a table has a key"},
		{"ttl is the key", []core.FunctionOption{core.Uses(core.Table("t").WithTTL("id"))}, `table t: the TTL field "id" is the key`},
		{"declared differently", []core.FunctionOption{core.Uses(core.Table("shared").WithKey("sku"))}, "table shared: declared differently by another function"},
		{"env var clash", []core.FunctionOption{core.Uses(core.Table("sha-red"))}, "environment variable POLYFN_TABLE_SHA_RED_URL"},
		{"unknown kind", []core.FunctionOption{core.Uses(core.Resource{Kind: "cache", Name: "c"}, core.Read)}, `unknown kind "cache"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := core.NewApp()
			core.Must(app.Event("first", nopUse, core.Uses(core.Table("shared")), core.Uses(core.Table("sha_red"))))
			err := app.Event("second", nopUse, tt.opts...)
			if !errors.Is(err, core.ErrInvalidFunction) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func nopUse(context.Context, core.Event) (*core.Event, error) { return nil, nil }
