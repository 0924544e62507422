// Package azurite starts Azurite, Microsoft's Azure Storage emulator from
// npm, for tests (see package npmserver for where it is found).
package azurite

import (
	"fmt"
	"testing"

	"github.com/polyfn/polyfn/internal/npmserver"
)

// Version is the Azurite .ci/run installs.
const Version = "3.37.0"

// The emulator's well-known development account.
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// StartQueue starts Azurite's Queue service in memory on a free loopback
// port until t ends, and returns the connection string that reaches it
// (for AZURE_STORAGE_CONNECTION_STRING).
func StartQueue(t testing.TB) string {
	t.Helper()
	s := npmserver.Server{Package: "azurite", Version: Version, Command: "azurite-queue", What: "the Azure Storage emulator"}
	port := npmserver.FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	s.Start(t, addr, "--queueHost", "127.0.0.1", "--queuePort", fmt.Sprint(port), "--inMemoryPersistence", "--silent", "--skipApiVersionCheck")
	return fmt.Sprintf("DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;QueueEndpoint=http://%s/%s;", Account, Key, addr, Account)
}

// StartBlob starts Azurite's Blob service in memory on a free loopback
// port until t ends, and returns its host:port and the connection string
// that reaches it.
func StartBlob(t testing.TB) (addr, connection string) {
	t.Helper()
	s := npmserver.Server{Package: "azurite", Version: Version, Command: "azurite-blob", What: "the Azure Storage emulator"}
	port := npmserver.FreePort(t)
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	s.Start(t, addr, "--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port), "--inMemoryPersistence", "--silent", "--skipApiVersionCheck")
	return addr, fmt.Sprintf("DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;BlobEndpoint=http://%s/%s;", Account, Key, addr, Account)
}
