package core

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ResourceKind names what a declared resource is.
type ResourceKind string

// The resource kinds a function can use.
const (
	// ResourceTopic is a fan-out topic: SNS, a Service Bus topic or Event
	// Grid, Pub/Sub. Functions publish CloudEvents to it; OnTopic functions
	// receive them.
	ResourceTopic ResourceKind = "topic"
	// ResourceQueue is a work queue: SQS, a Service Bus queue or Queue
	// Storage, Pub/Sub. Functions send CloudEvents to it; OnQueue functions
	// receive them.
	ResourceQueue ResourceKind = "queue"
	// ResourceBucket is an object store: S3, Blob Storage, Cloud Storage.
	ResourceBucket ResourceKind = "bucket"
	// ResourceTable is a key-value/document table: DynamoDB, Cosmos DB
	// through its MongoDB API, Firestore.
	ResourceTable ResourceKind = "table"
)

// Access is what a function may do with a resource it uses. Manifests grant
// exactly these rights, on exactly that resource.
type Access string

// The access rights.
const (
	// Publish sends messages to a topic or a queue.
	Publish Access = "publish"
	// Read reads objects of a bucket or documents of a table.
	Read Access = "read"
	// Write creates, replaces and deletes objects or documents.
	Write Access = "write"
)

// A Resource declares, in cloud-neutral terms, something a function uses:
// a topic, a queue, a bucket or a table, by name. Build one with Topic,
// Queue, Bucket or Table; add cloud-specific settings with With. A Resource
// is a value: its methods return modified copies.
//
// The manifests create each declared resource and hand its Go CDK URL to
// the functions that use it in the environment variable EnvVar names;
// package core/resource opens it from there (or in memory when it is unset).
type Resource struct {
	Kind ResourceKind
	Name string

	// KeyField is a table's partition key field, a string; "" means "id".
	KeyField string
	// TTLField is a table's expiry field, Unix seconds; the manifests turn
	// the database's time-to-live on for it. "" means none.
	TTLField string

	overrides map[string]map[string]string
}

// Topic declares a topic.
func Topic(name string) Resource { return Resource{Kind: ResourceTopic, Name: name} }

// Queue declares a queue.
func Queue(name string) Resource { return Resource{Kind: ResourceQueue, Name: name} }

// Bucket declares a bucket.
func Bucket(name string) Resource { return Resource{Kind: ResourceBucket, Name: name} }

// Table declares a table whose documents are keyed by the string field
// "id" (see WithKey).
func Table(name string) Resource { return Resource{Kind: ResourceTable, Name: name} }

// WithKey returns a copy of the table r keyed by field.
func (r Resource) WithKey(field string) Resource {
	r.KeyField = field
	return r
}

// WithTTL returns a copy of the table r whose documents expire at the Unix
// time in seconds that field holds.
func (r Resource) WithTTL(field string) Resource {
	r.TTLField = field
	return r
}

// Key returns the table's partition key field: KeyField, or "id".
func (r Resource) Key() string {
	if r.KeyField == "" {
		return "id"
	}
	return r.KeyField
}

// With returns a copy of r carrying a provider-specific setting, read by
// that provider's manifest generator: for example With("azure", "service",
// "eventgrid") for a topic on Event Grid instead of Service Bus.
func (r Resource) With(provider, key, value string) Resource {
	o := make(map[string]map[string]string, len(r.overrides)+1)
	for p, kv := range r.overrides {
		o[p] = maps.Clone(kv)
	}
	if o[provider] == nil {
		o[provider] = map[string]string{}
	}
	o[provider][key] = value
	r.overrides = o
	return r
}

// Setting returns the provider-specific setting key, or "".
func (r Resource) Setting(provider, key string) string { return r.overrides[provider][key] }

// Settings returns a copy of every setting r carries for provider.
func (r Resource) Settings(provider string) map[string]string {
	return maps.Clone(r.overrides[provider])
}

// EnvVar is the environment variable that carries the resource's Go CDK
// URL to the functions that use it: POLYFN_<KIND>_<NAME>_URL, the name in
// upper case with '-' as '_' (POLYFN_TOPIC_ORDER_PLACED_URL).
func (r Resource) EnvVar() string {
	return "POLYFN_" + strings.ToUpper(string(r.Kind)) + "_" +
		strings.ToUpper(strings.ReplaceAll(r.Name, "-", "_")) + "_URL"
}

// String describes r briefly, for logs and errors.
func (r Resource) String() string { return string(r.Kind) + " " + r.Name }

func (r Resource) validate() error {
	switch r.Kind {
	case ResourceTopic, ResourceQueue, ResourceBucket, ResourceTable:
	default:
		return fmt.Errorf("resource %q: unknown kind %q", r.Name, r.Kind)
	}
	if !validName(r.Name) {
		return fmt.Errorf("%s: name must start with a letter and hold at most 63 letters, digits, '-' or '_'", r)
	}
	if r.Kind != ResourceTable && (r.KeyField != "" || r.TTLField != "") {
		return fmt.Errorf("%s: only a table has a key or a TTL field", r)
	}
	if r.TTLField != "" && r.TTLField == r.Key() {
		return fmt.Errorf("%s: the TTL field %q is the key", r, r.TTLField)
	}
	return nil
}

// same reports whether r and s declare one resource the same way.
func (r Resource) same(s Resource) bool {
	if r.Kind != s.Kind || r.Name != s.Name || r.Key() != s.Key() || r.TTLField != s.TTLField {
		return false
	}
	return maps.EqualFunc(r.overrides, s.overrides, func(x, y map[string]string) bool { return maps.Equal(x, y) })
}

// A Use is one resource a function uses, and what it may do with it.
type Use struct {
	Resource Resource
	Access   []Access
}

// Can reports whether u grants a.
func (u Use) Can(a Access) bool { return slices.Contains(u.Access, a) }

// Uses declares that the function uses r with the given rights. Without
// any, a topic or queue gets Publish, and a bucket or table Read and
// Write. The App declares r too (App.Resources); every function that names
// it must declare it the same way.
//
//	app.Event("fulfil", fn, core.OnQueue("orders"),
//		core.Uses(core.Topic("order-placed")),
//		core.Uses(core.Table("orders"), core.Read, core.Write))
func Uses(r Resource, access ...Access) FunctionOption {
	if len(access) == 0 {
		switch r.Kind {
		case ResourceTopic, ResourceQueue:
			access = []Access{Publish}
		default:
			access = []Access{Read, Write}
		}
	}
	u := Use{Resource: r, Access: slices.Clone(access)}
	return optionFunc(func(f *Function) { f.Uses = append(f.Uses, u) })
}

// checkUses validates f's resource uses against each other and the App's.
func (a *App) checkUses(f *Function) error {
	seen := map[string]Resource{}
	for _, g := range a.funcs {
		for _, u := range g.Uses {
			seen[u.Resource.EnvVar()] = u.Resource
		}
	}
	mine := map[string]bool{}
	for _, u := range f.Uses {
		r := u.Resource
		if err := r.validate(); err != nil {
			return err
		}
		if len(u.Access) == 0 {
			return fmt.Errorf("%s: no access", r)
		}
		for _, x := range u.Access {
			if !accessFits(r.Kind, x) {
				return fmt.Errorf("%s: access %q does not fit a %s", r, x, r.Kind)
			}
		}
		if mine[r.EnvVar()] {
			return fmt.Errorf("%s: used twice; give Uses every right at once", r)
		}
		mine[r.EnvVar()] = true
		if prev, ok := seen[r.EnvVar()]; ok && !prev.same(r) {
			if prev.Name != r.Name {
				return fmt.Errorf("%s: its environment variable %s is %s's too; rename one", r, r.EnvVar(), prev)
			}
			return fmt.Errorf("%s: declared differently by another function", r)
		}
	}
	return nil
}

func accessFits(k ResourceKind, a Access) bool {
	switch a {
	case Publish:
		return k == ResourceTopic || k == ResourceQueue
	case Read, Write:
		return k == ResourceBucket || k == ResourceTable
	}
	return false
}

// Resources returns every resource the App's functions use, each once, in
// the order first declared.
func (a *App) Resources() []Resource {
	var out []Resource
	seen := map[string]bool{}
	for _, f := range a.funcs {
		for _, u := range f.Uses {
			if k := u.Resource.EnvVar(); !seen[k] {
				seen[k] = true
				out = append(out, u.Resource)
			}
		}
	}
	return out
}

// Resource returns the declared resource of kind k named name.
func (a *App) Resource(k ResourceKind, name string) (Resource, bool) {
	for _, r := range a.Resources() {
		if r.Kind == k && r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// ErrNoResource is wrapped by the errors of code that opens a resource the
// App does not declare.
var ErrNoResource = errors.New("resource not declared")
