package train

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// resolveWorkers maps 0 to GOMAXPROCS.
func resolveWorkers(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// parallel calls fn(worker, i) for every i in [0, n) on up to workers
// goroutines. Work is handed out in index order, but which worker gets which
// index varies from run to run: fn must write only to slot i of its outputs
// and to worker-private scratch, which is what keeps every caller's result
// independent of scheduling.
func parallel(workers, n int, fn func(worker, i int)) {
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			fn(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(w, i)
			}
		})
	}
	wg.Wait()
}
