package train

import (
	"math/rand/v2"
	"slices"
)

const (
	// maxValueBins is the largest number of value bins; code 255 is
	// reserved for missing values so that codes fit a byte.
	maxValueBins = 255
	missingCode  = 255
	// binSampleRows caps the rows whose values place the bin edges, as
	// scikit-learn's histogram estimators do: quantiles of 200k rows are
	// accurate to well under a bin and cost a fraction of sorting millions.
	binSampleRows = 200_000
	maxClasses    = 1024
	maxFeatures   = 1 << 16
)

// binEdges places at most maxBins-1 upper bin edges per feature. A feature
// with at most maxBins distinct values gets one bin per value; otherwise
// edges sit at quantiles of the values. Every edge lies strictly between two
// adjacent training values (their float32 midpoint, or the lower one when
// the midpoint rounds up), so the real-valued test x <= edge reproduces the
// training binning exactly and leaves room on both sides for unseen values.
func binEdges(cols [][]float32, maxBins int, seed uint64, workers int) [][]float32 {
	n := len(cols[0])
	var sample []int
	if n > binSampleRows {
		rng := rand.New(rand.NewPCG(seed, 0x62696e73)) // "bins"
		perm := make([]int, n)
		for i := range perm {
			perm[i] = i
		}
		for i := range binSampleRows {
			j := i + rng.IntN(n-i)
			perm[i], perm[j] = perm[j], perm[i]
		}
		sample = perm[:binSampleRows]
		slices.Sort(sample)
	}
	edges := make([][]float32, len(cols))
	scratch := make([][]float32, workers)
	parallel(workers, len(cols), func(w, j int) {
		vals := scratch[w][:0]
		col := cols[j]
		if sample != nil {
			for _, i := range sample {
				if v := col[i]; v == v {
					vals = append(vals, v)
				}
			}
		} else {
			for _, v := range col {
				if v == v {
					vals = append(vals, v)
				}
			}
		}
		scratch[w] = vals
		edges[j] = edgesOf(vals, maxBins)
	})
	return edges
}

// edgesOf sorts vals in place and returns the upper edges of its bins.
func edgesOf(vals []float32, maxBins int) []float32 {
	if len(vals) == 0 {
		return nil
	}
	slices.Sort(vals)
	distinct := 1
	for i := 1; i < len(vals); i++ {
		if vals[i] != vals[i-1] {
			distinct++
		}
	}
	var edges []float32
	if distinct <= maxBins {
		edges = make([]float32, 0, distinct-1)
		for i := 1; i < len(vals); i++ {
			if vals[i] != vals[i-1] {
				edges = append(edges, midpoint(vals[i-1], vals[i]))
			}
		}
		return edges
	}
	top := vals[len(vals)-1]
	edges = make([]float32, 0, maxBins-1)
	for j := 1; j < maxBins; j++ {
		p := j * len(vals) / maxBins
		e := vals[p-1]
		if vals[p-1] < vals[p] {
			e = midpoint(vals[p-1], vals[p])
		}
		if e >= top || (len(edges) > 0 && e <= edges[len(edges)-1]) {
			continue
		}
		edges = append(edges, e)
	}
	return edges
}

// midpoint returns a float32 m with a <= m < b for a < b.
func midpoint(a, b float32) float32 {
	m := float32((float64(a) + float64(b)) / 2)
	if m >= b || m < a {
		return a
	}
	return m
}

// binOf returns the bin of v: the index of the first edge >= v, len(edges)
// above the last edge, missingCode for NaN.
func binOf(v float32, edges []float32) uint8 {
	if v != v {
		return missingCode
	}
	lo, hi := 0, len(edges)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if edges[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return uint8(lo)
}

// binCodes converts the columns to bin codes.
func binCodes(cols [][]float32, edges [][]float32, workers int) [][]uint8 {
	codes := make([][]uint8, len(cols))
	parallel(workers, len(cols), func(_, j int) {
		c := make([]uint8, len(cols[j]))
		for i, v := range cols[j] {
			c[i] = binOf(v, edges[j])
		}
		codes[j] = c
	})
	return codes
}
