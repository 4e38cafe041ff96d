package train

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"flowsift/train/internal/metrics"
	"flowsift/train/model"
)

// FitIsolation fits an isolation forest (Liu, Ting, Zhou 2008) to baseline
// rows, cols[feature][row], and sets its alert threshold to the cfg.Quantile
// quantile of the baseline's own scores. Each tree isolates ψ rows drawn
// without replacement by splitting on a random feature at a uniform random
// value between the node's minimum and maximum, up to depth ceil(log2 ψ).
//
// Missing values: a feature's min and max ignore NaN, and at each split NaN
// rows follow the child that got more of the non-missing rows (the recorded
// FlagMissingLeft), so a missing value never looks like an outlier by
// itself. A feature that is NaN or constant in a node is not split on.
func FitIsolation(ctx context.Context, cols [][]float32, cfg IsolationConfig) (*model.IsolationForest, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(cols) == 0 || len(cols) > maxFeatures {
		return nil, fmt.Errorf("%w: %d feature columns", ErrDataset, len(cols))
	}
	n := len(cols[0])
	for j, c := range cols {
		if len(c) != n {
			return nil, fmt.Errorf("%w: column %d has %d rows, column 0 has %d", ErrDataset, j, len(c), n)
		}
	}
	if n < 2 {
		return nil, fmt.Errorf("%w: %d baseline rows (want >= 2)", ErrDataset, n)
	}
	psi := min(cfg.Subsample, n)
	depth := cfg.MaxDepth
	if depth == 0 {
		depth = bits.Len(uint(psi - 1)) // ceil(log2 ψ)
	}
	workers := resolveWorkers(cfg.Workers)
	trees := make([]model.Tree, cfg.Trees)
	scratch := make([]*isoGrower, min(workers, cfg.Trees))
	parallel(len(scratch), cfg.Trees, func(w, t int) {
		if ctx.Err() != nil {
			return
		}
		if scratch[w] == nil {
			scratch[w] = newIsoGrower(len(cols), psi, depth)
		}
		s1, s2 := treeSeed(cfg.Seed, streamIsolation, uint64(t))
		trees[t] = scratch[w].grow(cols, rand.New(rand.NewPCG(s1, s2)))
	})
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fit isolation forest: %w", err)
	}
	a, err := model.NewIsolationForest(len(cols), trees, psi)
	if err != nil {
		return nil, fmt.Errorf("fit isolation forest: %w", err)
	}
	a.MaxDepth = depth
	a.Seed = cfg.Seed
	a.Quantile = cfg.Quantile
	a.BaselineRows = n

	scores := make([]float64, n)
	const block = 4096
	parallel(workers, (n+block-1)/block, func(_, b int) {
		lo, hi := b*block, min(n, (b+1)*block)
		part := make([][]float32, len(cols))
		for j, c := range cols {
			part[j] = c[lo:hi]
		}
		// Shapes were checked above.
		_ = a.ScoreBatch(part, scores[lo:hi])
	})
	slices.Sort(scores)
	a.Threshold = metrics.Quantile(scores, cfg.Quantile)

	a.Baseline = make([]model.FeatureBaseline, len(cols))
	parallel(workers, len(cols), func(_, j int) {
		a.Baseline[j] = baselineOf(cols[j])
	})
	return a, nil
}

// baselineOf summarises one feature: its missing fraction and percentiles.
func baselineOf(col []float32) model.FeatureBaseline {
	vals := make([]float64, 0, len(col))
	for _, v := range col {
		if v == v {
			vals = append(vals, float64(v))
		}
	}
	b := model.FeatureBaseline{Missing: 1 - float64(len(vals))/float64(len(col))}
	if len(vals) == 0 {
		return b
	}
	slices.Sort(vals)
	b.Quantiles = make([]float32, model.BaselineQuantiles)
	for i := range b.Quantiles {
		b.Quantiles[i] = float32(metrics.Quantile(vals, float64(i)/float64(model.BaselineQuantiles-1)))
	}
	return b
}

// isoGrower holds one worker's buffers for growing isolation trees.
type isoGrower struct {
	psi, depth int
	sample     []int       // subsample row indices
	vals       [][]float32 // [feature][subsample position]
	idx        []int32
	feats      []int
	nodes      []model.Node
	values     []float32
	sizes      []int32
	stack      []isoFrame
}

type isoFrame struct {
	node, start, end, depth int32
}

func newIsoGrower(features, psi, depth int) *isoGrower {
	g := &isoGrower{psi: psi, depth: depth, sample: make([]int, 0, psi), vals: make([][]float32, features),
		idx: make([]int32, psi), feats: make([]int, features)}
	for j := range g.vals {
		g.vals[j] = make([]float32, psi)
	}
	return g
}

// grow draws ψ distinct rows (Floyd's algorithm, so no O(n) permutation per
// tree) and isolates them.
func (g *isoGrower) grow(cols [][]float32, rng *rand.Rand) model.Tree {
	n := len(cols[0])
	g.sample = g.sample[:0]
	chosen := make(map[int]struct{}, g.psi)
	for j := n - g.psi; j < n; j++ {
		r := rng.IntN(j + 1)
		if _, dup := chosen[r]; dup {
			r = j
		}
		chosen[r] = struct{}{}
		g.sample = append(g.sample, r)
	}
	for f, c := range cols {
		for p, r := range g.sample {
			g.vals[f][p] = c[r]
		}
	}
	for i := range g.idx {
		g.idx[i] = int32(i)
	}
	for j := range g.feats {
		g.feats[j] = j
	}
	g.nodes = append(g.nodes[:0], model.Node{})
	g.values, g.sizes = g.values[:0], append(g.sizes[:0], int32(g.psi))
	g.stack = append(g.stack[:0], isoFrame{node: 0, start: 0, end: int32(g.psi), depth: 0})
	for len(g.stack) > 0 {
		f := g.stack[len(g.stack)-1]
		g.stack = g.stack[:len(g.stack)-1]
		size := int(f.end - f.start)
		feature, lo, hi := -1, float32(0), float32(0)
		if size > 1 && int(f.depth) < g.depth {
			feature, lo, hi = g.pickFeature(int(f.start), int(f.end), rng)
		}
		if feature < 0 {
			g.nodes[f.node] = model.Node{Flags: model.FlagLeaf, Next: int32(len(g.values))}
			g.values = append(g.values, float32(float64(f.depth)+model.AveragePathLength(size)))
			continue
		}
		thr := float32(float64(lo) + float64(rng.Float64()*(float64(hi)-float64(lo))))
		if thr >= hi {
			thr = math.Nextafter32(hi, float32(math.Inf(-1)))
		}
		mid, missingLeft := g.partition(feature, thr, int(f.start), int(f.end))
		c := int32(len(g.nodes))
		node := model.Node{Feature: uint16(feature), Threshold: thr, Next: c}
		if missingLeft {
			node.Flags = model.FlagMissingLeft
		}
		g.nodes[f.node] = node
		g.nodes = append(g.nodes, model.Node{}, model.Node{})
		g.sizes = append(g.sizes, int32(mid)-f.start, f.end-int32(mid))
		g.stack = append(g.stack,
			isoFrame{node: c + 1, start: int32(mid), end: f.end, depth: f.depth + 1},
			isoFrame{node: c, start: f.start, end: int32(mid), depth: f.depth + 1})
	}
	return model.Tree{Nodes: slices.Clone(g.nodes), Values: slices.Clone(g.values), Sizes: slices.Clone(g.sizes)}
}

// pickFeature draws features in random order until one has distinct
// non-missing values in the node, and returns it with its range; -1 when
// every feature is constant or missing.
func (g *isoGrower) pickFeature(s, e int, rng *rand.Rand) (int, float32, float32) {
	nf := len(g.feats)
	for i := range nf {
		j := i + rng.IntN(nf-i)
		g.feats[i], g.feats[j] = g.feats[j], g.feats[i]
		f := g.feats[i]
		lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
		for _, p := range g.idx[s:e] {
			v := g.vals[f][p]
			if v == v {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		if lo < hi {
			return f, lo, hi
		}
	}
	return -1, 0, 0
}

// partition moves rows with values <= thr first; NaN rows go to the side
// that received more non-missing rows (left on ties).
func (g *isoGrower) partition(f int, thr float32, s, e int) (int, bool) {
	col, idx := g.vals[f], g.idx
	var nLeft, nRight int
	for _, p := range idx[s:e] {
		v := col[p]
		switch {
		case v != v:
		case v <= thr:
			nLeft++
		default:
			nRight++
		}
	}
	missingLeft := nLeft >= nRight
	i, j := s, e-1
	for i <= j {
		v := col[idx[i]]
		left := v <= thr
		if v != v {
			left = missingLeft
		}
		if left {
			i++
		} else {
			idx[i], idx[j] = idx[j], idx[i]
			j--
		}
	}
	return i, missingLeft
}
