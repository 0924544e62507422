// Command buildpackmain is what the Go functions buildpack generates for a
// package that imports functions-framework-go's functions package (its
// "declarative" template): blank-import the function package, so that its
// init registers the functions, then serve with funcframework.Start on
// $PORT. The tests build it to run examples/gcp as Cloud Functions does.
package main

import (
	"log"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"

	_ "github.com/polyfn/polyfn/examples/gcp"
)

func main() {
	port := "8080"
	if envPort := os.Getenv("PORT"); envPort != "" {
		port = envPort
	}
	if err := funcframework.Start(port); err != nil {
		log.Fatalf("funcframework.Start: %v\n", err)
	}
}
