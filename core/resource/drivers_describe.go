//go:build polyfn.describe

package resource

// The build tool's build opens nothing.
var formats = map[string]format{}
