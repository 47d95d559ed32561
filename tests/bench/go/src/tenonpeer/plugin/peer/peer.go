// The Go plugin of the peer benchmark (built with -buildmode=plugin): the
// same work as Tenon's example plugins, as exported Go functions.
package main

import "sync"

var (
	mu    sync.Mutex
	store = map[string][]byte{"key": []byte("0123456789abcdef")}
)

// Add is the smallest call there is.
func Add(a, b int) int { return a + b }

// Len is kv's len(): the number of keys, under the store's lock.
func Len() uint64 {
	mu.Lock()
	defer mu.Unlock()
	return uint64(len(store))
}

// Greet is greeter's greet().
func Greet(name string) string { return "Hello, " + name + "!" }

// Echo is the echo processor's process(): a copy of the input.
func Echo(in []byte) []byte {
	out := make([]byte, len(in))
	copy(out, in)
	return out
}
