//go:build polyfn.aws || polyfn.azure || polyfn.gcp || polyfn.gcpsource || polyfn.describe

package resource

// A cloud adapter's build: every used resource needs its URL, unless
// EnvMemory says otherwise.
var inMemoryWhenUnset = false
