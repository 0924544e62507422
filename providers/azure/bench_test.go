package azure

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/polyfn/polyfn/core"
)

func benchDecode(b *testing.B, file string, trig func(*testing.B) Source) {
	body, err := os.ReadFile(filepath.Join("testdata", "requests", file+".json"))
	if err != nil {
		b.Fatal(err)
	}
	src := Source{Function: "fn"}
	if trig != nil {
		src = trig(b)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		req, err := ParseRequest(body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Decode(req, src); err != nil {
			b.Fatal(err)
		}
	}
}

func declared(trig core.Trigger) func(*testing.B) Source {
	return func(b *testing.B) Source {
		app := core.NewApp()
		if err := app.Event("fn", func(context.Context, core.Event) (*core.Event, error) { return nil, nil }, trig); err != nil {
			b.Fatal(err)
		}
		f, _ := app.Function("fn")
		src, err := SourceOf(f)
		if err != nil {
			b.Fatal(err)
		}
		return src
	}
}

func BenchmarkDecodeQueue(b *testing.B) {
	benchDecode(b, "queue-string", declared(core.OnQueue("q").With("azure", "name", "inMsg")))
}

func BenchmarkDecodeQueueInferred(b *testing.B) { benchDecode(b, "queue-string", nil) }

func BenchmarkDecodeServiceBus(b *testing.B) {
	benchDecode(b, "servicebus", declared(core.OnQueue("orders").With("azure", "service", "servicebus").With("azure", "name", "mySbMsg")))
}

func BenchmarkDecodeEventHubMany(b *testing.B) {
	benchDecode(b, "eventhub-many", declared(core.OnStream("telemetry").With("azure", "name", "eventHubMessages")))
}

func BenchmarkDecodeHTTP(b *testing.B) { benchDecode(b, "http-form", nil) }

func BenchmarkDecodeTimer(b *testing.B) { benchDecode(b, "timer", nil) }

func BenchmarkDecodeCosmosDB(b *testing.B) { benchDecode(b, "cosmosdb-bundle4", nil) }

func BenchmarkDecodeEventGridCloudEvent(b *testing.B) {
	benchDecode(b, "eventgrid-cloudevent-schema", nil)
}
