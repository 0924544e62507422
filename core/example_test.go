package core_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
)

func newOrderEvent(id, data string) core.Event {
	e := event.New()
	e.SetID(id)
	e.SetSource("/shop")
	e.SetType("com.example.order.placed")
	e.SetDataContentType("application/json")
	e.DataEncoded = []byte(data)
	return e
}

func ExampleApp() {
	app := core.NewApp()
	core.Must(app.Event("orders", func(ctx context.Context, e core.Event) (*core.Event, error) {
		fmt.Printf("%s got %s from %s\n", core.InvocationFrom(ctx).Function, e.ID(), e.Source())
		return nil, nil
	}, core.OnQueue("orders")))
	core.Must(app.HTTP("api", http.NotFoundHandler(), core.OnHTTP("/api/", "GET")))

	// Registration checks what it is given.
	err := app.Event("nightly", func(context.Context, core.Event) (*core.Event, error) { return nil, nil },
		core.OnSchedule("0 25 * * *", "Europe/Paris"))
	fmt.Println(err)

	// Adapters call the composed handler with the invocation in its
	// context; here we call it by hand.
	f, _ := app.Select("orders", core.EventFunction)
	ctx := driver.WithInvocation(context.Background(), &core.Invocation{Function: f.Name})
	_, _ = f.EventFunc()(ctx, newOrderEvent("o-1", `{}`))
	fmt.Println(app.Names())
	// Output:
	// polyfn: event function "nightly": invalid function: cron "0 25 * * *": hour field "25": value 25 out of range 0-23
	// orders got o-1 from /shop
	// [api orders]
}

func ExampleTyped() {
	type Order struct {
		ID    string `json:"id"`
		Total int    `json:"total"`
	}
	fn := core.Typed(func(ctx context.Context, e core.Event, o Order) (*core.Event, error) {
		fmt.Printf("order %s: %d\n", o.ID, o.Total)
		return nil, nil
	})
	_, _ = fn(context.Background(), newOrderEvent("1", `{"id":"A-7","total":42}`))
	_, err := fn(context.Background(), newOrderEvent("2", `{"id":7}`))
	fmt.Println(err, "| permanent:", core.IsPermanent(err))
	// Output:
	// order A-7: 42
	// decode com.example.order.placed data into core_test.Order: json: cannot unmarshal number into Go struct field Order.id of type string | permanent: true
}

func ExampleApp_Use() {
	app := core.NewApp()
	app.Use(func(next core.EventFunc) core.EventFunc {
		return func(ctx context.Context, e core.Event) (*core.Event, error) {
			fmt.Println("before", e.ID())
			reply, err := next(ctx, e)
			fmt.Println("after", e.ID(), err)
			return reply, err
		}
	})
	core.Must(app.Event("boom", func(context.Context, core.Event) (*core.Event, error) { panic("oops") }))
	f, _ := app.Function("boom")
	_, err := f.EventFunc()(context.Background(), newOrderEvent("x", `{}`))
	var p *core.PanicError
	fmt.Println(errors.As(err, &p), p.Value)
	// Output:
	// before x
	// after x panic: oops
	// true oops
}

func ExamplePermanent() {
	handle := func(e core.Event) error {
		if e.Data() == nil {
			return core.Permanentf("order %s has no data", e.ID()) // retrying will not help
		}
		return errors.New("database unavailable") // retryable by default
	}
	for _, data := range []string{"", `{}`} {
		e := newOrderEvent("o-1", data)
		if data == "" {
			e.DataEncoded = nil
		}
		err := handle(e)
		fmt.Printf("%v: %v\n", core.ErrorKindOf(err), err)
	}
	// Output:
	// permanent: order o-1 has no data
	// retryable: database unavailable
}

func ExampleMarshalEvent() {
	e := core.NewEvent("o-1", "/orders", "com.example.order.placed", "application/json", []byte(`{ "id": "o-1", "items": 3 }`))
	e.SetExtension("tenant", "acme")
	b, err := core.MarshalEvent(e)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b))
	// Output:
	// {"specversion":"1.0","id":"o-1","source":"/orders","type":"com.example.order.placed","datacontenttype":"application/json","tenant":"acme","data":{"id":"o-1","items":3}}
}
