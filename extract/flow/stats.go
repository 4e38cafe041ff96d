package flow

import "math"

// welford accumulates count, mean, variance, min and max of a series.
type welford struct {
	n        int64
	mean, m2 float64
	min, max float64
}

func (w *welford) add(x float64) {
	w.n++
	if w.n == 1 {
		w.min, w.max = x, x
	} else {
		w.min = min(w.min, x)
		w.max = max(w.max, x)
	}
	d := x - w.mean
	w.mean += d / float64(w.n)
	w.m2 += d * (x - w.mean)
}

// Stat returns the summary of w.
func (w *welford) Stat() Stat { return w.stat() }

// Stat summarises a series: Min/Max/Mean are valid when N > 0, Std when N > 1
// (sample standard deviation).
type Stat struct {
	N         int64
	Min, Max  float64
	Mean, Std float64
}

func (w *welford) stat() Stat {
	s := Stat{N: w.n, Min: w.min, Max: w.max, Mean: w.mean}
	if w.n > 1 {
		s.Std = math.Sqrt(w.m2 / float64(w.n-1))
	}
	return s
}

// activity tracks CICFlowMeter's active and idle periods: a gap of at least
// the activity timeout ends an active period and is itself an idle period.
type activity struct {
	start, last  int64
	active, idle welford
}

func (a *activity) add(ts, timeout int64) {
	switch {
	case a.start == 0 && a.last == 0:
		a.start, a.last = ts, ts
	case ts-a.last >= timeout:
		if a.last > a.start {
			a.active.add(float64(a.last-a.start) / 1e3)
		}
		a.idle.add(float64(ts-a.last) / 1e3)
		a.start, a.last = ts, ts
	case ts > a.last:
		a.last = ts
	}
}

// finish closes the running active period.
func (a *activity) finish() {
	if a.last > a.start {
		a.active.add(float64(a.last-a.start) / 1e3)
	}
	a.start = a.last
}

// bulk tracks CICFlowMeter's bulk transfers for one direction: runs of at
// least bulkMinPkts consecutive data packets in that direction, each within
// bulkMaxGap of the previous one, with no data packet from the other side
// in between.
type bulk struct {
	runStart, runLast int64
	runPkts, runBytes int64
	count, pkts       int64
	bytes, durNS      int64
}

const (
	bulkMinPkts = 4
	bulkMaxGap  = int64(1e9)
)

// data records a data packet of this direction.
func (b *bulk) data(ts int64, size int) {
	if b.runPkts > 0 && ts-b.runLast > bulkMaxGap {
		b.end()
	}
	if b.runPkts == 0 {
		b.runStart = ts
	}
	b.runPkts++
	b.runBytes += int64(size)
	b.runLast = ts
}

// end closes the current run: it counts as a bulk transfer when long enough.
func (b *bulk) end() {
	if b.runPkts >= bulkMinPkts {
		b.count++
		b.pkts += b.runPkts
		b.bytes += b.runBytes
		b.durNS += b.runLast - b.runStart
	}
	b.runPkts, b.runBytes = 0, 0
}

// Active returns the active-period statistics in microseconds.
func (a *activity) Active() Stat { return a.active.stat() }

// Idle returns the idle-period statistics in microseconds.
func (a *activity) Idle() Stat { return a.idle.stat() }

// BulkTotals sums one direction's bulk transfers.
type BulkTotals struct{ Count, Pkts, Bytes, DurNS int64 }

// Totals returns the bulk transfers counted so far.
func (b *bulk) Totals() BulkTotals { return BulkTotals{b.count, b.pkts, b.bytes, b.durNS} }
