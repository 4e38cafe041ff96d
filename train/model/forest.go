package model

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
)

// NodeFlags describe a node's kind and where missing values go.
type NodeFlags uint16

const (
	// FlagLeaf marks a terminal node; its Next field indexes leaf values.
	FlagLeaf NodeFlags = 1 << iota
	// FlagMissingLeft sends a missing (NaN) feature value to the left child
	// instead of the right one.
	FlagMissingLeft

	knownFlags = FlagLeaf | FlagMissingLeft
)

// Node is one decision-tree node, 12 bytes in memory and on disk.
//
// An internal node sends a row left when row[Feature] <= Threshold, right when
// it is greater, and by FlagMissingLeft when it is NaN. The two children are
// stored next to each other so one index addresses both: the left child is
// Next and the right child Next+1. A leaf's Next is the offset of its first
// value in the tree's value array.
type Node struct {
	Feature   uint16
	Flags     NodeFlags
	Threshold float32
	Next      int32
}

// Leaf reports whether n is a terminal node.
func (n Node) Leaf() bool { return n.Flags&FlagLeaf != 0 }

// Tree is one tree with tree-local indices, the form in which training hands
// trees to [NewForest].
type Tree struct {
	// Nodes[0] is the root. Children of node i have indices greater than i,
	// which makes every traversal finite.
	Nodes []Node
	// Values holds Width values per leaf: class probabilities for a
	// classifier, the expected path length for an isolation tree.
	Values []float32
	// Sizes optionally holds the number of training rows that reached each
	// node (isolation trees need it for explanations).
	Sizes []int32
}

// Forest is an immutable, validated ensemble of trees stored in flat arrays:
// all nodes of all trees in one slice, so that loading and scoring touch few,
// large allocations.
type Forest struct {
	features int
	width    int
	roots    []int32
	nodes    []Node
	values   []float32
	sizes    []int32 // nil when the trees carry no sizes
}

// NewForest validates trees and packs them into a Forest. numFeatures bounds
// the feature indices the nodes may use; width is the number of values per
// leaf. Either every tree has Sizes or none has.
func NewForest(numFeatures, width int, trees []Tree) (*Forest, error) {
	if numFeatures <= 0 || numFeatures > math.MaxUint16+1 {
		return nil, fmt.Errorf("%w: %d features (want 1..%d)", ErrInvalid, numFeatures, math.MaxUint16+1)
	}
	if width <= 0 || width > math.MaxUint16 {
		return nil, fmt.Errorf("%w: leaf width %d", ErrInvalid, width)
	}
	if len(trees) == 0 {
		return nil, fmt.Errorf("%w: forest has no trees", ErrInvalid)
	}
	withSizes := trees[0].Sizes != nil
	var nNodes, nValues int
	for t, tr := range trees {
		if (tr.Sizes != nil) != withSizes {
			return nil, fmt.Errorf("%w: tree %d: node sizes present in some trees only", ErrInvalid, t)
		}
		nNodes += len(tr.Nodes)
		nValues += len(tr.Values)
	}
	if nNodes > math.MaxInt32 || nValues > math.MaxInt32 {
		return nil, fmt.Errorf("%w: forest too large (%d nodes, %d values)", ErrInvalid, nNodes, nValues)
	}
	f := &Forest{
		features: numFeatures,
		width:    width,
		roots:    make([]int32, len(trees)),
		nodes:    make([]Node, 0, nNodes),
		values:   make([]float32, 0, nValues),
	}
	if withSizes {
		f.sizes = make([]int32, 0, nNodes)
	}
	for t, tr := range trees {
		if err := checkTree(tr, numFeatures, width); err != nil {
			return nil, fmt.Errorf("tree %d: %w", t, err)
		}
		nodeBase, valueBase := int32(len(f.nodes)), int32(len(f.values))
		f.roots[t] = nodeBase
		for _, n := range tr.Nodes {
			if n.Leaf() {
				n.Next += valueBase
			} else {
				n.Next += nodeBase
			}
			f.nodes = append(f.nodes, n)
		}
		f.values = append(f.values, tr.Values...)
		f.sizes = append(f.sizes, tr.Sizes...)
	}
	return f, nil
}

func checkTree(tr Tree, numFeatures, width int) error {
	if len(tr.Nodes) == 0 {
		return fmt.Errorf("%w: empty tree", ErrInvalid)
	}
	if tr.Sizes != nil && len(tr.Sizes) != len(tr.Nodes) {
		return fmt.Errorf("%w: %d sizes for %d nodes", ErrInvalid, len(tr.Sizes), len(tr.Nodes))
	}
	for _, v := range tr.Values {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("%w: leaf value %v", ErrInvalid, v)
		}
	}
	return checkNodes(tr.Nodes, tr.Sizes, 0, len(tr.Values), numFeatures, width)
}

// checkNodes verifies the invariants traversal relies on: known flags,
// feature indices in range, children after their parent and inside the node
// array, leaf value ranges inside the value array. base is the index of
// nodes[0] in the array children indices refer to.
func checkNodes(nodes []Node, sizes []int32, base, nValues, numFeatures, width int) error {
	end := base + len(nodes)
	for j, n := range nodes {
		i := base + j
		if n.Flags&^knownFlags != 0 {
			return fmt.Errorf("%w: node %d: unknown flags %#x", ErrInvalid, i, uint16(n.Flags))
		}
		if sizes != nil && sizes[j] < 0 {
			return fmt.Errorf("%w: node %d: negative size", ErrInvalid, i)
		}
		if n.Leaf() {
			if n.Next < 0 || int(n.Next)+width > nValues {
				return fmt.Errorf("%w: leaf %d: value offset %d outside %d values", ErrInvalid, i, n.Next, nValues)
			}
			continue
		}
		if int(n.Feature) >= numFeatures {
			return fmt.Errorf("%w: node %d: feature %d of %d", ErrInvalid, i, n.Feature, numFeatures)
		}
		if math.IsNaN(float64(n.Threshold)) {
			return fmt.Errorf("%w: node %d: NaN threshold", ErrInvalid, i)
		}
		if int(n.Next) <= i || int(n.Next)+1 >= end {
			return fmt.Errorf("%w: node %d: children %d,%d outside (%d, %d)", ErrInvalid, i, n.Next, n.Next+1, i, end)
		}
	}
	return nil
}

// NumTrees returns the number of trees.
func (f *Forest) NumTrees() int { return len(f.roots) }

// NumNodes returns the total number of nodes over all trees.
func (f *Forest) NumNodes() int { return len(f.nodes) }

// NumFeatures returns the number of features a row must have.
func (f *Forest) NumFeatures() int { return f.features }

// Width returns the number of values per leaf.
func (f *Forest) Width() int { return f.width }

// Tree returns a copy of tree t with tree-local indices, the form
// [NewForest] takes, for inspection and export.
func (f *Forest) Tree(t int) (Tree, error) {
	if t < 0 || t >= len(f.roots) {
		return Tree{}, fmt.Errorf("%w: tree %d of %d", ErrShape, t, len(f.roots))
	}
	lo := int(f.roots[t])
	hi := len(f.nodes)
	if t+1 < len(f.roots) {
		hi = int(f.roots[t+1])
	}
	if hi < lo {
		return Tree{}, fmt.Errorf("%w: tree %d is not stored contiguously", ErrShape, t)
	}
	tr := Tree{Nodes: make([]Node, hi-lo)}
	vlo, vhi := len(f.values), 0
	for i, n := range f.nodes[lo:hi] {
		if n.Leaf() {
			vlo, vhi = min(vlo, int(n.Next)), max(vhi, int(n.Next)+f.width)
		}
		tr.Nodes[i] = n
	}
	if vhi < vlo {
		vlo, vhi = 0, 0
	}
	for i, n := range tr.Nodes {
		if n.Leaf() {
			tr.Nodes[i].Next -= int32(vlo)
		} else {
			tr.Nodes[i].Next -= int32(lo)
		}
	}
	tr.Values = append([]float32(nil), f.values[vlo:vhi]...)
	if f.sizes != nil {
		tr.Sizes = append([]int32(nil), f.sizes[lo:hi]...)
	}
	return tr, nil
}

// leafOfRow walks tree t for a row and returns the value offset of the leaf
// it lands in.
func (f *Forest) leafOfRow(t int, row []float32) int32 {
	nodes := f.nodes
	i := f.roots[t]
	for {
		n := &nodes[i]
		if n.Flags&FlagLeaf != 0 {
			return n.Next
		}
		i = n.Next + goRight(row[n.Feature], n)
	}
}

// goRight is 1 when v goes to the right child, 0 otherwise, written so the
// compiler can avoid a data-dependent branch: which way a row goes is close
// to a coin flip, and mispredicted branches dominate traversal time.
func goRight(v float32, n *Node) int32 {
	var r int32
	if !(v <= n.Threshold) {
		r = 1
	}
	if v != v && n.Flags&FlagMissingLeft != 0 {
		r = 0
	}
	return r
}

// Mean writes the mean over trees of the leaf values reached by row into out
// (len Width). Values are summed in tree order in float64 and divided once,
// so [Forest.MeanBatch] gives bit-identical results.
func (f *Forest) Mean(row []float32, out []float64) error {
	if len(row) != f.features {
		return fmt.Errorf("%w: row has %d features, model %d", ErrShape, len(row), f.features)
	}
	if len(out) != f.width {
		return fmt.Errorf("%w: output has %d slots, model %d", ErrShape, len(out), f.width)
	}
	clear(out)
	for t := range f.roots {
		v := f.values[f.leafOfRow(t, row):]
		for k := range out {
			out[k] += float64(v[k])
		}
	}
	inv := float64(len(f.roots))
	for k := range out {
		out[k] /= inv
	}
	return nil
}

// TreeValues writes the leaf values tree t gives row into out (len Width):
// one tree's class frequencies, as out-of-bag estimates need them.
func (f *Forest) TreeValues(t int, row []float32, out []float64) error {
	if t < 0 || t >= len(f.roots) {
		return fmt.Errorf("%w: tree %d of %d", ErrShape, t, len(f.roots))
	}
	if len(row) != f.features || len(out) != f.width {
		return fmt.Errorf("%w: row of %d, output of %d; model has %d features, width %d", ErrShape, len(row), len(out), f.features, f.width)
	}
	v := f.values[f.leafOfRow(t, row):]
	for k := range out {
		out[k] = float64(v[k])
	}
	return nil
}

// batchBlock is the number of rows scored together per tree: small enough
// for the accumulators to stay in cache, large enough that one tree's nodes
// are reused many times before the next tree is touched.
const batchBlock = 256

// MeanBatch is [Forest.Mean] over column-major data: cols[feature][row],
// writing out[value][row]. It allocates nothing.
func (f *Forest) MeanBatch(cols [][]float32, out [][]float64) error {
	n, err := f.checkShapes(cols, out)
	if err != nil {
		return err
	}
	inv := float64(len(f.roots))
	for lo := 0; lo < n; lo += batchBlock {
		hi := min(lo+batchBlock, n)
		for k := range out {
			clear(out[k][lo:hi])
		}
		for t := range f.roots {
			f.addTree(t, cols, lo, hi, out)
		}
		for k := range out {
			o := out[k][lo:hi]
			for r := range o {
				o[r] /= inv
			}
		}
	}
	return nil
}

// MeanBatchParallel is [Forest.MeanBatch] with the rows split among
// workers goroutines (0: one per CPU). The results are bit-identical to
// MeanBatch's: each row's values are still summed over the trees in order.
func (f *Forest) MeanBatchParallel(cols [][]float32, out [][]float64, workers int) error {
	n, err := f.checkShapes(cols, out)
	if err != nil {
		return err
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Whole blocks per worker, and not fewer than two blocks each: below
	// that the goroutines cost more than they save.
	chunk := (n/workers + batchBlock - 1) / batchBlock * batchBlock
	if workers == 1 || chunk < 2*batchBlock {
		return f.MeanBatch(cols, out)
	}
	var wg sync.WaitGroup
	errs := make([]error, (n+chunk-1)/chunk)
	for c, lo := 0, 0; lo < n; c, lo = c+1, lo+chunk {
		hi := min(lo+chunk, n)
		sub := make([][]float32, len(cols))
		for j := range cols {
			sub[j] = cols[j][lo:hi]
		}
		subOut := make([][]float64, len(out))
		for k := range out {
			subOut[k] = out[k][lo:hi]
		}
		wg.Go(func() { errs[c] = f.MeanBatch(sub, subOut) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// AddTree adds tree t's leaf values for the listed rows of column-major
// data to out[value][row], allocating nothing. Out-of-bag estimates use it
// to score each row with only the trees that did not train on it; adding
// trees one by one in order gives the same sums as MeanBatch.
func (f *Forest) AddTree(t int, cols [][]float32, rows []int32, out [][]float64) error {
	if t < 0 || t >= len(f.roots) {
		return fmt.Errorf("%w: tree %d of %d", ErrShape, t, len(f.roots))
	}
	n, err := f.checkShapes(cols, out)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r < 0 || int(r) >= n {
			return fmt.Errorf("%w: row %d of %d", ErrShape, r, n)
		}
	}
	f.addRows(t, cols, rows, out)
	return nil
}

// lanes is the number of rows walked down a tree in lockstep. Each step of a
// walk waits for a node load and a feature load; interleaving independent
// walks lets those loads overlap instead of queueing.
const lanes = 8

// addTree adds tree t's leaf values for rows [lo, hi) to out.
func (f *Forest) addTree(t int, cols [][]float32, lo, hi int, out [][]float64) {
	f.walk(t, cols, hi-lo, func(j int) int32 { return int32(lo + j) }, out)
}

// addRows adds tree t's leaf values for the listed rows to out.
func (f *Forest) addRows(t int, cols [][]float32, rows []int32, out [][]float64) {
	f.walk(t, cols, len(rows), func(j int) int32 { return rows[j] }, out)
}

// walk sends count rows, the j-th being row(j), down tree t and adds their
// leaf values to out. A lane whose row reaches a leaf takes the next row,
// so uneven path lengths leave no lane idle. Each row receives exactly one
// addition, so summing trees one walk at a time keeps tree order.
func (f *Forest) walk(t int, cols [][]float32, count int, row func(int) int32, out [][]float64) {
	nodes, values, root := f.nodes, f.values, f.roots[t]
	var cur, at [lanes]int32
	next, live := 0, 0
	for l := range lanes {
		at[l] = -1
		if next < count {
			cur[l], at[l] = root, row(next)
			next++
			live++
		}
	}
	for live > 0 {
		for l := range lanes {
			r := at[l]
			if r < 0 {
				continue
			}
			n := &nodes[cur[l]]
			if n.Flags&FlagLeaf == 0 {
				cur[l] = n.Next + goRight(cols[n.Feature][r], n)
				continue
			}
			v := values[n.Next : int(n.Next)+len(out)]
			for k, x := range v {
				out[k][r] += float64(x)
			}
			if next < count {
				cur[l], at[l] = root, row(next)
				next++
			} else {
				at[l] = -1
				live--
			}
		}
	}
}

// checkShapes is checkBatch plus the output's shape: the model's width in
// columns, each with the input's rows.
func (f *Forest) checkShapes(cols [][]float32, out [][]float64) (int, error) {
	n, err := f.checkBatch(cols)
	if err != nil {
		return 0, err
	}
	if len(out) != f.width {
		return 0, fmt.Errorf("%w: output has %d columns, model %d", ErrShape, len(out), f.width)
	}
	for k := range out {
		if len(out[k]) != n {
			return 0, fmt.Errorf("%w: output column %d has %d rows, input %d", ErrShape, k, len(out[k]), n)
		}
	}
	return n, nil
}

func (f *Forest) checkBatch(cols [][]float32) (int, error) {
	if len(cols) != f.features {
		return 0, fmt.Errorf("%w: %d feature columns, model %d", ErrShape, len(cols), f.features)
	}
	n := len(cols[0])
	for j, c := range cols {
		if len(c) != n {
			return 0, fmt.Errorf("%w: column %d has %d rows, column 0 has %d", ErrShape, j, len(c), n)
		}
	}
	return n, nil
}
