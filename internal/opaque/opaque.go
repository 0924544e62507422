// Package opaque holds a value where the linker's reachability analysis
// cannot see its type.
//
// When a value is stored in an interface, the linker keeps the methods of
// every type its type descriptor reaches, through struct fields, function
// parameters and method signatures alike, in case reflection calls them. A
// struct field of a handler type such as core.EventFunc reaches core.Event,
// whose MarshalJSON links the CloudEvents SDK's json-iterator: about 200 KB
// in every binary whose App, Function or runtime ends up in an interface
// anywhere. A Box breaks that chain: its descriptor holds one unsafe.Pointer.
//
// Keep a Box to unexported fields of types whose own descriptor would
// otherwise reach core.Event; the test in adapters/aws proves the Lambda
// binary links no json-iterator.
package opaque

import "unsafe"

// A Box holds one value of type T. The zero Box holds T's zero value.
type Box[T any] struct{ p unsafe.Pointer }

// Of returns a Box holding v.
func Of[T any](v T) Box[T] { return Box[T]{unsafe.Pointer(&v)} }

// Get returns the value b holds. It is a function, not a method, because a
// method's signature is part of the type descriptor and would mention T.
func Get[T any](b Box[T]) T {
	if b.p == nil {
		var zero T
		return zero
	}
	return *(*T)(b.p)
}
