package local_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/polyfn/polyfn/adapters/local"
	"github.com/polyfn/polyfn/core"
)

func ExampleHandler() {
	app := core.NewApp()
	core.Must(app.Event("greet", func(ctx context.Context, e core.Event) (*core.Event, error) {
		reply := core.NewEvent(e.ID()+".reply", "/greeter", "com.example.greeted", "text/plain", []byte("hello, "+string(e.Data())))
		return &reply, nil
	}))
	h, err := local.Handler(app)
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	// A CloudEvent in binary mode: attributes in ce- headers, data in the body.
	req, _ := http.NewRequest("POST", srv.URL+"/greet", strings.NewReader("world"))
	req.Header.Set("ce-specversion", "1.0")
	req.Header.Set("ce-id", "42")
	req.Header.Set("ce-source", "/cli")
	req.Header.Set("ce-type", "com.example.greet")
	req.Header.Set("content-type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("ce-type"), resp.Header.Get("ce-id"), string(body))

	// Not a CloudEvent: 400 with a JSON error that names the problem.
	req, _ = http.NewRequest("POST", srv.URL+"/greet", strings.NewReader("world"))
	req.Header.Set("ce-specversion", "1.0")
	req.Header.Set("ce-source", "/cli")
	req.Header.Set("ce-type", "com.example.greet")
	resp, _ = http.DefaultClient.Do(req)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.StatusCode, " ", string(body))
	// Output:
	// 200 com.example.greeted 42.reply hello, world
	// 400 {"error":"invalid CloudEvent: missing required header ce-id","kind":"permanent"}
}
