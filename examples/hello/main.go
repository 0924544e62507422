// Command hello is the smallest polyfn function: an HTTP function that
// greets. Run it with `go run ./examples/hello`, then `curl localhost:8080/`.
package main

import (
	"fmt"
	"net/http"

	"github.com/polyfn/polyfn/adapters"
	"github.com/polyfn/polyfn/core"
)

func main() {
	app := core.NewApp()
	core.Must(app.HTTP("hello", http.HandlerFunc(hello), core.OnHTTP("/")))
	adapters.Run(app)
}

func hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "world"
	}
	fmt.Fprintf(w, "Hello, %s! (served by polyfn)\n", name)
}
