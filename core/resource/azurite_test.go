package resource

import (
	"context"
	"io"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	_ "gocloud.dev/blob/azureblob" // azblob://, linked by polyfn.azure builds

	"github.com/polyfn/polyfn/internal/azurite"
)

// TestBucketAzurite opens a declared bucket from the azblob:// URL an
// Azure manifest sets, against Azurite's Blob service, and writes, reads,
// lists and deletes an object through it.
func TestBucketAzurite(t *testing.T) {
	addr, cs := azurite.StartBlob(t)
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", cs)
	ctx := context.Background()
	client, err := azblob.NewClientFromConnectionString(cs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateContainer(ctx, "files", nil); err != nil {
		t.Fatal(err)
	}
	rs := Open(testApp(t), env(map[string]string{
		"POLYFN_BUCKET_FILES_URL": "azblob://files?protocol=http&localemu=true&domain=" + addr,
	}))
	defer rs.Close(ctx)
	b, err := rs.Bucket(ctx, "files")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.WriteAll(ctx, "reports/2026-11-28.json", []byte(`{"orders":3}`), nil); err != nil {
		t.Fatal(err)
	}
	got, err := b.ReadAll(ctx, "reports/2026-11-28.json")
	if err != nil || string(got) != `{"orders":3}` {
		t.Fatalf("read back %q, %v", got, err)
	}
	// What another Azure client sees: the same blob in the container.
	resp, err := client.DownloadStream(ctx, "files", "reports/2026-11-28.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(raw) != `{"orders":3}` {
		t.Errorf("the SDK reads %q", raw)
	}
	it := b.List(nil)
	obj, err := it.Next(ctx)
	if err != nil || obj.Key != "reports/2026-11-28.json" {
		t.Fatalf("list: %+v, %v", obj, err)
	}
	if err := b.Delete(ctx, obj.Key); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Exists(ctx, obj.Key); ok || err != nil {
		t.Errorf("after delete: exists %v, %v", ok, err)
	}
}
