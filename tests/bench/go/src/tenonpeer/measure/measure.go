// Package measure times Go peer operations the way the Rust bench harness
// times Tenon's (calibrated batches, samples, median and nearest-rank p99)
// and prints one PEER line per case for the bench to read.
package measure

import (
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"time"
)

var (
	samples = flag.Int("samples", 201, "samples per case")
	target  = flag.Duration("sample-target", 500*time.Microsecond, "wall time one batched sample aims for")
	warmup  = flag.Duration("warmup", 100*time.Millisecond, "wall time each case runs before sampling")
)

// Loop times body(n), which must run the operation n times in its own loop
// so that no closure call is added per operation.
func Loop(name string, body func(n int)) {
	n := 1
	start := time.Now()
	for {
		t := time.Now()
		body(n)
		if time.Since(t) >= *target {
			if time.Since(start) >= *warmup {
				break
			}
		} else {
			n *= 2
		}
	}
	values := make([]float64, 0, *samples)
	for i := 0; i < *samples; i++ {
		t := time.Now()
		body(n)
		values = append(values, float64(time.Since(t).Nanoseconds())/float64(n))
	}
	report(name, values)
}

// Each times one operation per sample (a process start), count times.
func Each(name string, count int, op func() time.Duration) {
	op()
	values := make([]float64, 0, count)
	for i := 0; i < count; i++ {
		values = append(values, float64(op().Nanoseconds()))
	}
	report(name, values)
}

func report(name string, values []float64) {
	sort.Float64s(values)
	l := len(values)
	median := values[l/2]
	if l%2 == 0 {
		median = (values[l/2-1] + values[l/2]) / 2
	}
	rank := int(float64(l)*0.99 + 0.999999)
	if rank < 1 {
		rank = 1
	}
	if rank > l {
		rank = l
	}
	line, _ := json.Marshal(map[string]interface{}{
		"name":      name,
		"median_ns": median,
		"p99_ns":    values[rank-1],
	})
	fmt.Printf("PEER %s\n", line)
}
