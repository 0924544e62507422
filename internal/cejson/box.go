package cejson

import "unsafe"

// Reading a string extension stores it in the event's extension map as an
// any. Boxing a string allocates its header on the heap; an event read
// through a Context keeps the header of its first extension in the Context
// instead, which is allocated anyway (one header fits in the Context's
// size class: more would move it to the next).

// eface is the layout of an empty interface value: its type, and a pointer
// to its value.
type eface struct {
	typ, data unsafe.Pointer
}

// stringType is the type word of an any holding a string.
var stringType = func() unsafe.Pointer {
	var a any = ""
	return (*eface)(unsafe.Pointer(&a)).typ
}()

// box returns s as an any, its header held in c when c holds none yet.
// The held header is never written again: the any stays s. An empty s
// boxes without allocating, and is not held.
func (c *Context) box(s string) any {
	if c == nil || c.held != "" || s == "" {
		return s
	}
	c.held = s
	var a any
	*(*eface)(unsafe.Pointer(&a)) = eface{typ: stringType, data: unsafe.Pointer(&c.held)}
	return a
}
