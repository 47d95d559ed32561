// The host of the Go plugin package peer. With -mode open it prints the
// nanoseconds of plugin.Open plus the lookups (run it once per fresh
// process: Go cannot unload a plugin, and a second Open of the same file
// returns the first). With -mode calls it times calls into the plugin.
package main

import (
	"flag"
	"fmt"
	"os"
	"plugin"
	"time"

	"tenonpeer/measure"
)

var sink interface{}

type peer struct {
	add   func(int, int) int
	len   func() uint64
	greet func(string) string
	echo  func([]byte) []byte
}

func open(path string) peer {
	p, err := plugin.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lookup := func(name string) plugin.Symbol {
		s, err := p.Lookup(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return s
	}
	return peer{
		add:   lookup("Add").(func(int, int) int),
		len:   lookup("Len").(func() uint64),
		greet: lookup("Greet").(func(string) string),
		echo:  lookup("Echo").(func([]byte) []byte),
	}
}

func main() {
	path := flag.String("plugin", "", "the Go plugin")
	mode := flag.String("mode", "calls", "open or calls")
	flag.Parse()
	if *mode == "open" {
		start := time.Now()
		open(*path)
		fmt.Println(time.Since(start).Nanoseconds())
		return
	}
	p := open(*path)
	measure.Loop("go-plugin-pkg/add", func(n int) {
		s := 0
		for i := 0; i < n; i++ {
			s = p.add(s, i)
		}
		sink = s
	})
	measure.Loop("go-plugin-pkg/len", func(n int) {
		var s uint64
		for i := 0; i < n; i++ {
			s += p.len()
		}
		sink = s
	})
	measure.Loop("go-plugin-pkg/greet", func(n int) {
		for i := 0; i < n; i++ {
			sink = p.greet("world")
		}
	})
	for _, size := range []struct {
		n     int
		label string
	}{{64, "64B"}, {4096, "4KiB"}, {1 << 20, "1MiB"}} {
		input := make([]byte, size.n)
		for i := range input {
			input[i] = byte(i)
		}
		measure.Loop("go-plugin-pkg/echo-"+size.label, func(n int) {
			for i := 0; i < n; i++ {
				sink = p.echo(input)
			}
		})
	}
}
