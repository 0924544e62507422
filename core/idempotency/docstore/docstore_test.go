package docstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
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

func TestOpenEnv(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, env, table string
		ok               bool
		want             string // the store's type, or an error's text
	}{
		{"unset", "", "", false, ""},
		{"memory", "mem://", "", true, "*idempotency.MemoryStore"},
		{"memdocstore", "mem://records/id", "", true, "*docstore.Store"},
		{"from the manifests", "", "mem://records/id", true, "*docstore.Store"},
		{"override wins", "mem://", "dynamodb://ignored?partition_key=id", true, "*idempotency.MemoryStore"},
		{"bad scheme", "nosuch://x", "", true, `no driver registered for "nosuch"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(docstore.EnvURL, tt.env)
			t.Setenv(idempotency.Table.EnvVar(), tt.table)
			store, ok, err := docstore.OpenEnv(ctx)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			got := ""
			switch {
			case err != nil:
				got = err.Error()
			case store != nil:
				got = fmt.Sprintf("%T", store)
			}
			if !strings.Contains(got, tt.want) || (tt.want == "") != (got == "") {
				t.Errorf("OpenEnv = %q, want %q", got, tt.want)
			}
			if c, ok := store.(interface{ Close() error }); ok {
				c.Close()
			}
		})
	}
}
