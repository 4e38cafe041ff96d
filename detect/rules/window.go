package rules

import (
	"cmp"
	"slices"
)

// Windowing: a window of size W slides by hop = W/2, so any burst of
// length up to W/2 lies wholly in some window. Counts are kept per hop
// bucket; a window's count is the sum of two neighbouring buckets.

// event is one observation: a weight for a group over a time span (a flow
// spreads its packets evenly over its span), with the row it came from.
type event struct {
	group  uint64
	from   int64
	to     int64
	weight float64
	row    int32
	sub    int32 // secondary key: the source host, a port, a name id
}

// cell is a group's weight in one hop bucket.
type cell struct {
	group  uint64
	bucket int64
	weight float64
}

// maxBuckets bounds how many buckets one event is spread over; flows are
// cut by the active timeout, so real flows stay far below it.
const maxBuckets = 4096

// run is a stretch of consecutive windows in which a group's count
// reached the threshold.
type run struct {
	group    uint64
	from, to int64   // time span of the windows
	peak     float64 // highest window count
}

// cells spreads events over hop buckets.
func cells(events []event, hop int64) []cell {
	out := make([]cell, 0, len(events))
	for i := range events {
		e := &events[i]
		b0, b1 := floorDiv(e.from, hop), floorDiv(e.to, hop)
		if b0 == b1 || e.to <= e.from {
			out = append(out, cell{e.group, b0, e.weight})
			continue
		}
		n := b1 - b0 + 1
		if n > maxBuckets {
			// Coarsen: the same weight in fewer, evenly spaced buckets.
			step := (n + maxBuckets - 1) / maxBuckets
			for b := b0; b <= b1; b += step {
				out = append(out, cell{e.group, b, e.weight * float64(min(step, b1-b+1)) / float64(n)})
			}
			continue
		}
		span := float64(e.to - e.from)
		for b := b0; b <= b1; b++ {
			lo, hi := max(e.from, b*hop), min(e.to, (b+1)*hop)
			if hi > lo {
				out = append(out, cell{e.group, b, e.weight * float64(hi-lo) / span})
			}
		}
	}
	slices.SortFunc(out, func(a, b cell) int {
		return cmp.Or(cmp.Compare(a.group, b.group), cmp.Compare(a.bucket, b.bucket))
	})
	// Merge cells of the same bucket.
	w := 0
	for _, c := range out {
		if w > 0 && out[w-1].group == c.group && out[w-1].bucket == c.bucket {
			out[w-1].weight += c.weight
			continue
		}
		out[w] = c
		w++
	}
	return out[:w]
}

// runs finds, per group, the stretches of windows (two neighbouring
// buckets) whose count reaches threshold. pass lets a detection add a
// condition on the window (nil: none).
func runs(cs []cell, hop int64, threshold float64) []run {
	var out []run
	for i := 0; i < len(cs); {
		j := i
		for j < len(cs) && cs[j].group == cs[i].group {
			j++
		}
		out = appendRuns(out, cs[i:j], hop, threshold)
		i = j
	}
	return out
}

func appendRuns(out []run, g []cell, hop int64, threshold float64) []run {
	var cur *run
	for k := range g {
		// The window starting at bucket g[k].bucket covers it and the next.
		sum := g[k].weight
		if k+1 < len(g) && g[k+1].bucket == g[k].bucket+1 {
			sum += g[k+1].weight
		}
		if sum+1e-9 < threshold {
			continue
		}
		from := g[k].bucket * hop
		to := from + 2*hop
		if cur != nil && from <= cur.to {
			cur.to = max(cur.to, to)
			cur.peak = max(cur.peak, sum)
			continue
		}
		out = append(out, run{group: g[k].group, from: from, to: to, peak: sum})
		cur = &out[len(out)-1]
	}
	return out
}

// distinctCell is a value seen for a group in one hop bucket.
type distinctCell struct {
	group  uint64
	bucket int64
	value  int64
}

// distinctRuns finds the stretches of windows in which a group saw at
// least threshold distinct values.
func distinctRuns(cs []distinctCell, hop int64, threshold int) []run {
	slices.SortFunc(cs, func(a, b distinctCell) int {
		return cmp.Or(cmp.Compare(a.group, b.group), cmp.Compare(a.bucket, b.bucket), cmp.Compare(a.value, b.value))
	})
	cs = slices.Compact(cs)
	var out []run
	for i := 0; i < len(cs); {
		j := i
		for j < len(cs) && cs[j].group == cs[i].group {
			j++
		}
		g := cs[i:j]
		var cur *run
		// Walk the group's buckets; a window is bucket b plus b+1.
		for k := 0; k < len(g); {
			b := g[k].bucket
			e := k
			for e < len(g) && g[e].bucket == b {
				e++
			}
			n := e - k
			if e < len(g) && g[e].bucket == b+1 {
				f := e
				for f < len(g) && g[f].bucket == b+1 {
					f++
				}
				n = unionSize(g[k:e], g[e:f])
			}
			if n >= threshold {
				from := b * hop
				to := from + 2*hop
				if cur != nil && from <= cur.to {
					cur.to = max(cur.to, to)
					cur.peak = max(cur.peak, float64(n))
				} else {
					out = append(out, run{group: g[k].group, from: from, to: to, peak: float64(n)})
					cur = &out[len(out)-1]
				}
			}
			k = e
		}
		i = j
	}
	return out
}

// unionSize counts the distinct values of two runs sorted by value.
func unionSize(a, b []distinctCell) int {
	n, i, j := 0, 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i].value < b[j].value:
			i++
		case i == len(a) || b[j].value < a[i].value:
			j++
		default:
			i++
			j++
		}
		n++
	}
	return n
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// overlapping returns the events of group g whose span meets [from, to).
// events must be sorted by group.
func overlapping(events []event, g uint64, from, to int64) []event {
	lo, _ := slices.BinarySearchFunc(events, g, func(e event, g uint64) int { return cmp.Compare(e.group, g) })
	var out []event
	for i := lo; i < len(events) && events[i].group == g; i++ {
		if events[i].to >= from && events[i].from < to {
			out = append(out, events[i])
		}
	}
	return out
}

func sortEvents(events []event) {
	slices.SortFunc(events, func(a, b event) int {
		return cmp.Or(cmp.Compare(a.group, b.group), cmp.Compare(a.from, b.from), cmp.Compare(a.row, b.row))
	})
}

func pack(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

func unpack(g uint64) (int32, int32) { return int32(g >> 32), int32(uint32(g)) }
