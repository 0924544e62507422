package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/polyfn/polyfn/core"
)

func TestOrders(t *testing.T) {
	tests := []struct {
		name, data    string
		wantPermanent bool
	}{
		{"order", `{"message":{"data":"eyJpZCI6Im8tMSIsIml0ZW1zIjoyfQ==","messageId":"1"}}`, false},
		{"not an order", `{"message":{"data":"bm9wZQ==","messageId":"2"}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := event.New()
			e.SetID("1")
			e.SetSource("//pubsub.googleapis.com/projects/p/topics/orders")
			e.SetType("google.cloud.pubsub.topic.v1.messagePublished")
			_ = e.SetData("application/json", json.RawMessage(tt.data))
			_, err := orders(context.Background(), e)
			if (err != nil) != tt.wantPermanent || (err != nil && !core.IsPermanent(err)) {
				t.Errorf("err = %v, want permanent: %v", err, tt.wantPermanent)
			}
		})
	}
}

func TestAPI(t *testing.T) {
	w := httptest.NewRecorder()
	api().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/hello/x", nil))
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	if f, ok := New().Function("uploads"); !ok || f.Triggers[0].Kind != core.TriggerStorage {
		t.Errorf("uploads: %+v", f)
	}
}
