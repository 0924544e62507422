//go:build polyfn.gcpsource

package main

var _ = missing
