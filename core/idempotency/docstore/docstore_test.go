package docstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core/idempotency"
	"github.com/polyfn/polyfn/core/idempotency/docstore"
	"github.com/polyfn/polyfn/core/idempotency/idempotencytest"
)

func open(t testing.TB, url string) *docstore.Store {
	t.Helper()
	s, err := docstore.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("Open(%s): %v", url, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func randomName(t testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

func TestMemDocstoreConformance(t *testing.T) {
	idempotencytest.RunStoreTests(t, func(t *testing.T) idempotency.Store {
		return open(t, "mem://idempotency-"+randomName(t)+"/id")
	})
}

func TestDynamoDBConformance(t *testing.T) {
	url := useDynalite(t, "idempotency")
	s := open(t, url)
	idempotencytest.RunStoreTests(t, func(*testing.T) idempotency.Store { return s })
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		url, want string
	}{
		{"", "POLYFN_IDEMPOTENCY_URL"},
		{"nosuch://table", `"nosuch"`},
		{"dynamodb://table", "partition_key is required"},
		{"mem://", "empty collection name"},
		{"://x", "missing protocol scheme"},
	}
	for _, tt := range tests {
		s, err := docstore.Open(context.Background(), tt.url)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q): no error", tt.url)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%q): %v, want an error saying %s", tt.url, err, tt.want)
		}
	}
}
