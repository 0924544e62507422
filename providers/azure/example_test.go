package azure_test

import (
	"fmt"

	"github.com/polyfn/polyfn/providers/azure"
)

// A real Queue Storage invocation: the message and the metadata strings are
// JSON-encoded twice, the dequeue count is a string, dates carry an offset.
func ExampleDecode() {
	body := []byte(`{"Data":{"inMsg":"\"aaaaa\""},
	 "Metadata":{"DequeueCount":"1","ExpirationTime":"2022-06-20T06:00:06+00:00",
	  "Id":"\"a0004923-f050-417a-9742-6d7c7b984134\"","InsertionTime":"2022-06-13T06:00:06+00:00",
	  "sys":{"MethodName":"queue","UtcNow":"2022-06-13T06:00:18.1974545Z","RandGuid":"d9ba2785-ee1a-4260-a83b-f57cb54b969e"}}}`)
	req, err := azure.ParseRequest(body)
	if err != nil {
		panic(err)
	}
	inv, err := azure.Decode(req, azure.Source{Function: "queue"}) // trigger inferred
	if err != nil {
		panic(err)
	}
	e := inv.Events[0]
	fmt.Println(inv.Binding.Type, inv.Trigger)
	fmt.Println(e.ID(), e.Type(), e.Source())
	fmt.Println(e.Time().Format("2006-01-02T15:04:05Z07:00"), e.Extensions()["deliverycount"], e.Extensions()["polyfnkind"])
	fmt.Printf("%s %s\n", e.DataContentType(), e.Data())
	// Output:
	// queueTrigger queue
	// a0004923-f050-417a-9742-6d7c7b984134 com.microsoft.azure.queuestorage.message /functions/queue
	// 2022-06-13T06:00:06Z 1 queue.message
	// text/plain; charset=utf-8 aaaaa
}

// The value rules of the host, undone.
func ExampleValue() {
	for _, raw := range []string{`"\"hello\""`, `"[59,60]"`, `"1"`, `{"Schedule":{}}`} {
		b, native, _ := azure.Value([]byte(raw))
		fmt.Printf("%-18s → %s (native %v)\n", raw, b, native)
	}
	// Output:
	// "\"hello\""        → hello (native false)
	// "[59,60]"          → [59,60] (native false)
	// "1"                → 1 (native false)
	// {"Schedule":{}}    → {"Schedule":{}} (native true)
}
