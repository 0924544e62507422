package resource

import (
	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"
	"gocloud.dev/docstore"
	"gocloud.dev/docstore/memdocstore"
)

// EnvMemory names the variable that, set to "memory", makes every
// resource whose URL is unset in memory in any build, as on the local
// adapter: for running a cloud adapter's build on a laptop (polyfn
// invoke). Deployed functions never have it.
const EnvMemory = "POLYFN_RESOURCES"

// inMemory reports whether an unset URL means in memory.
func (rs *Resources) inMemory() bool {
	if inMemoryWhenUnset {
		return true
	}
	v, _ := rs.lookup(EnvMemory)
	return v == "memory"
}

func memoryBucket() *blob.Bucket { return memblob.OpenBucket(nil) }

func memoryTable(key string) (*docstore.Collection, error) {
	return memdocstore.OpenCollection(key, nil)
}
