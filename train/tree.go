package train

import (
	"math"
	"math/rand/v2"
	"slices"

	"flowsift/train/internal/detmath"
	"flowsift/train/model"
)

// growParams are the resolved per-tree settings.
type growParams struct {
	k         int
	entropy   bool
	mtry      int
	maxDepth  int // 0: unlimited
	minSplit  int
	minLeaf   int
	bootstrap bool
	classW    []float64
}

// smallNode is the node size below which a feature's occupied bins are
// found by sorting the node's codes rather than by scanning the bin range:
// deep nodes hold a handful of rows spread over up to 255 bins.
const smallNode = 48

// frame is a node waiting to be split; its class counts live in the
// grower's arena at the frame's stack position.
type frame struct {
	node       int32
	start, end int32
	depth      int32
}

// candidate is the best split seen so far at a node.
type candidate struct {
	valid       bool
	score       float64
	feature     int
	lowBin      int // last value bin sent left
	highBin     int // first occupied value bin sent right
	missingLeft bool
	allValues   bool // values left, missing right: threshold +Inf
}

// grower grows one tree at a time on binned data. Its buffers are reused
// across the trees a worker grows; nothing in it is shared between workers.
//
// Class statistics are integer counts: a row contributes its bootstrap
// multiplicity to its class, and class weights multiply a class's count
// only when a split is scored or a leaf written. Integer sums are exact in
// any order. Each row's class and count travel with it through the
// partitions (yb next to idx), so a histogram pass reads them sequentially
// and gathers only the feature codes.
type grower struct {
	p     *growParams
	codes [][]uint8 // [feature][row]
	edges [][]float32
	y     []uint16

	idx   []int32  // rows of the current tree, partitioned node by node
	yb    []uint32 // class<<16 | bootstrap count of the row at the same idx position
	spill []int32  // rows going right during a partition
	spyb  []uint32
	bag   []uint16 // per-row bootstrap multiplicity (0: out of bag)
	feats []int
	hist  []uint32 // (missingCode+1) x k class counts
	cnt   []int32  // distinct rows per bin
	bins  []uint8  // occupied value bins of the feature being scanned
	small []uint8
	stack []frame
	arena []uint64 // k class counts per stack slot
	cur   []uint64
	left  []uint64
	right []uint64
	mis   []uint64
	tmp   []uint64
	wl    []float64 // weighted left totals of the candidate being scored
	wr    []float64
	best  candidate

	nodes  []model.Node
	values []float32
	imp    []float64
}

func newGrower(p *growParams, codes [][]uint8, edges [][]float32, y []uint16) *grower {
	n, k := len(y), p.k
	return &grower{
		p: p, codes: codes, edges: edges, y: y,
		idx:   make([]int32, 0, n),
		yb:    make([]uint32, 0, n),
		bag:   make([]uint16, n),
		feats: make([]int, len(codes)),
		hist:  make([]uint32, (missingCode+1)*k),
		cnt:   make([]int32, missingCode+1),
		bins:  make([]uint8, 0, missingCode+1),
		small: make([]uint8, 0, smallNode),
		cur:   make([]uint64, k),
		left:  make([]uint64, k),
		right: make([]uint64, k),
		mis:   make([]uint64, k),
		tmp:   make([]uint64, k),
		wl:    make([]float64, k),
		wr:    make([]float64, k),
		imp:   make([]float64, len(codes)),
	}
}

// grownTree is one tree and what the forest needs from its growth.
type grownTree struct {
	tree       model.Tree
	importance []float64 // impurity decrease per feature / root weight
	inBag      []uint64  // bitset of rows in the bootstrap sample
}

// grow grows one tree with rng, which it consumes in a fixed order:
// bootstrap draws first, then feature draws node by node, depth first.
func (g *grower) grow(rng *rand.Rand, keepBag bool) grownTree {
	p, n, k := g.p, len(g.y), g.p.k
	if p.bootstrap {
		clear(g.bag)
		for range n {
			// Saturation is unreachable in practice (a row drawn 65535
			// times) but keeps the count from wrapping.
			if i := rng.IntN(n); g.bag[i] < math.MaxUint16 {
				g.bag[i]++
			}
		}
	} else {
		for i := range g.bag {
			g.bag[i] = 1
		}
	}
	g.idx, g.yb = g.idx[:0], g.yb[:0]
	rootTot := g.arenaSlot(0)
	for i, c := range g.bag {
		if c > 0 {
			g.idx = append(g.idx, int32(i))
			g.yb = append(g.yb, uint32(g.y[i])<<16|uint32(c))
			rootTot[g.y[i]] += uint64(c)
		}
	}
	for j := range g.feats {
		g.feats[j] = j
	}
	clear(g.imp)
	g.nodes = append(g.nodes[:0], model.Node{})
	g.values = g.values[:0]
	g.stack = append(g.stack[:0], frame{node: 0, start: 0, end: int32(len(g.idx)), depth: 0})
	rootW := sum(g.weighted(rootTot, g.wl))

	for len(g.stack) > 0 {
		top := len(g.stack) - 1
		f := g.stack[top]
		g.stack = g.stack[:top]
		copy(g.cur, g.arena[top*k:(top+1)*k])
		tot := g.cur
		rows := int(f.end - f.start)
		leaf := rows < p.minSplit || rows < 2*p.minLeaf || (p.maxDepth > 0 && int(f.depth) >= p.maxDepth) || pure(tot)
		if !leaf {
			leaf = !g.findSplit(int(f.start), int(f.end), tot, rng)
		}
		if leaf {
			g.nodes[f.node] = model.Node{Flags: model.FlagLeaf, Next: int32(len(g.values))}
			wt := g.weighted(tot, g.wl)
			w := sum(wt)
			for _, v := range wt {
				g.values = append(g.values, float32(v/w))
			}
			continue
		}
		mid := g.partition(int(f.start), int(f.end))
		b := g.best
		node := model.Node{Feature: uint16(b.feature), Next: int32(len(g.nodes))}
		if b.missingLeft {
			node.Flags = model.FlagMissingLeft
		}
		node.Threshold = g.threshold(b)
		g.nodes[f.node] = node
		c := node.Next
		g.nodes = append(g.nodes, model.Node{}, model.Node{})
		g.imp[b.feature] += impurityMass(g.weighted(tot, g.wl), p.entropy) -
			impurityMass(g.weighted(g.left, g.wl), p.entropy) - impurityMass(g.weighted(g.right, g.wl), p.entropy)
		// Right is pushed first so the left subtree is grown first.
		copy(g.arenaSlot(top), g.right)
		g.stack = append(g.stack, frame{node: c + 1, start: int32(mid), end: f.end, depth: f.depth + 1})
		copy(g.arenaSlot(top+1), g.left)
		g.stack = append(g.stack, frame{node: c, start: f.start, end: int32(mid), depth: f.depth + 1})
	}

	out := grownTree{
		tree: model.Tree{Nodes: slices.Clone(g.nodes), Values: slices.Clone(g.values)},
	}
	out.importance = make([]float64, len(g.imp))
	if rootW > 0 {
		for j, v := range g.imp {
			out.importance[j] = v / rootW
		}
	}
	if keepBag {
		out.inBag = make([]uint64, (n+63)/64)
		for _, i := range g.idx {
			out.inBag[i>>6] |= 1 << (i & 63)
		}
	}
	return out
}

// arenaSlot returns the zeroed class counts of stack slot s.
func (g *grower) arenaSlot(s int) []uint64 {
	k := g.p.k
	for len(g.arena) < (s+1)*k {
		g.arena = append(g.arena, 0)
	}
	t := g.arena[s*k : (s+1)*k]
	clear(t)
	return t
}

// weighted writes class counts times class weights into dst.
func (g *grower) weighted(counts []uint64, dst []float64) []float64 {
	for c, n := range counts {
		dst[c] = float64(float64(n) * g.p.classW[c])
	}
	return dst
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

// pure reports whether at most one class has rows.
func pure(tot []uint64) bool {
	seen := 0
	for _, v := range tot {
		if v > 0 {
			seen++
		}
	}
	return seen <= 1
}

// impurityMass is W * impurity for class totals summing to W: Gini
// W - sum(t_k^2)/W, or entropy in bits W log2 W - sum t_k log2 t_k.
func impurityMass(tot []float64, entropy bool) float64 {
	w := sum(tot)
	if w <= 0 {
		return 0
	}
	if entropy {
		m := xlog2x(w)
		for _, t := range tot {
			m -= xlog2x(t)
		}
		return m
	}
	var sq float64
	for _, t := range tot {
		sq += float64(t * t)
	}
	return w - sq/w
}

func xlog2x(x float64) float64 {
	if x <= 0 {
		return 0
	}
	return float64(x * detmath.Log2(x))
}

// findSplit draws features without replacement and keeps the best split,
// visiting MaxFeatures features but going on past constant ones until one
// non-constant feature has been seen (scikit-learn's rule).
func (g *grower) findSplit(s, e int, tot []uint64, rng *rand.Rand) bool {
	g.best = candidate{score: math.Inf(-1)}
	nf := len(g.feats)
	visited, informative := 0, 0
	for i := 0; i < nf && (visited < g.p.mtry || informative == 0); i++ {
		j := i + rng.IntN(nf-i)
		g.feats[i], g.feats[j] = g.feats[j], g.feats[i]
		visited++
		if g.scanFeature(g.feats[i], s, e, tot) {
			informative++
		}
	}
	return g.best.valid
}

// scanFeature builds the feature's class histogram over the node's rows,
// evaluates every split between occupied bins (with missing values tried on
// both sides) and updates g.best. It reports false for a feature that is
// constant in the node.
func (g *grower) scanFeature(f, s, e int, tot []uint64) bool {
	k := g.p.k
	col, hist, cnt := g.codes[f], g.hist, g.cnt
	rows, yb := g.idx[s:e], g.yb[s:e]
	// Row counts per bin matter only for min_samples_leaf > 1; otherwise
	// "occupied" is all a split needs to know, and the histogram says it.
	needCnt := g.p.minLeaf > 1
	lo, hi := uint8(missingCode), uint8(0)
	switch {
	case k == 2 && !needCnt:
		for p, i := range rows {
			b, v := col[i], yb[p]
			hist[int(b)*2+int(v>>16)] += v & 0xffff
			lo, hi = min(lo, b), max(hi, b)
		}
	default:
		for p, i := range rows {
			b, v := col[i], yb[p]
			hist[int(b)*k+int(v>>16)] += v & 0xffff
			cnt[b]++
			lo, hi = min(lo, b), max(hi, b)
		}
	}
	bins := g.bins[:0]
	if len(rows) <= smallNode {
		g.small = g.small[:0]
		for _, i := range rows {
			g.small = append(g.small, col[i])
		}
		slices.Sort(g.small)
		for j, b := range g.small {
			if b != missingCode && (j == 0 || b != g.small[j-1]) {
				bins = append(bins, b)
			}
		}
	} else {
		for b := int(lo); b <= int(min(hi, missingCode-1)); b++ {
			if g.occupied(b, needCnt) {
				bins = append(bins, uint8(b))
			}
		}
	}
	g.bins = bins
	nMis := 0
	if needCnt {
		nMis = int(cnt[missingCode])
	} else if hi == missingCode {
		nMis = 1
	}
	informative := len(bins) >= 2 || (len(bins) == 1 && nMis > 0)
	if informative {
		g.scanBins(f, bins, tot, len(rows), nMis, needCnt)
	}
	for _, b := range bins {
		clear(hist[int(b)*k : int(b)*k+k])
		cnt[b] = 0
	}
	clear(hist[missingCode*k : missingCode*k+k])
	cnt[missingCode] = 0
	return informative
}

// occupied reports whether value bin b holds rows of the node.
func (g *grower) occupied(b int, needCnt bool) bool {
	if needCnt {
		return g.cnt[b] > 0
	}
	k := g.p.k
	for _, v := range g.hist[b*k : b*k+k] {
		if v != 0 {
			return true
		}
	}
	return false
}

// scanBins walks the occupied bins left to right. With needCnt the row
// counts are real; without, each occupied bin and the missing bin count as
// one row, which decides every min_samples_leaf = 1 test the same way.
func (g *grower) scanBins(f int, bins []uint8, tot []uint64, rows, nMis int, needCnt bool) {
	k := g.p.k
	hist, cnt := g.hist, g.cnt
	mis := g.mis
	for c := range k {
		mis[c] = uint64(hist[missingCode*k+c])
	}
	nNon := rows - nMis
	if !needCnt {
		nNon = len(bins)
	}
	left := g.left
	clear(left)
	nLeft := 0
	for bi, b := range bins {
		if bi > 0 {
			g.consider(f, int(bins[bi-1]), int(b), left, nLeft, tot, nNon, nMis)
		}
		row := hist[int(b)*k : int(b)*k+k]
		for c := range k {
			left[c] += uint64(row[c])
		}
		if needCnt {
			nLeft += int(cnt[b])
		} else {
			nLeft++
		}
	}
	if nMis > 0 && nLeft > 0 && nMis >= g.p.minLeaf && nLeft >= g.p.minLeaf {
		// Every value left, missing right: separates missingness itself.
		if sc := g.score(left, mis); sc > g.best.score {
			g.best = candidate{valid: true, score: sc, feature: f, lowBin: missingCode - 1, allValues: true}
		}
	}
}

// consider scores the split sending value bins <= low left (high is the
// next occupied bin), with missing values on each side in turn. left holds
// the class counts of the value bins <= low, tot those of the whole node.
func (g *grower) consider(f, low, high int, left []uint64, nLeft int, tot []uint64, nNon, nMis int) {
	minLeaf := g.p.minLeaf
	right, mis := g.right, g.mis
	for c := range right {
		right[c] = tot[c] - mis[c] - left[c]
	}
	nRight := nNon - nLeft
	if nMis == 0 {
		if nLeft < minLeaf || nRight < minLeaf {
			return
		}
		if sc := g.score(left, right); sc > g.best.score {
			// With no missing values seen, missing values later follow the
			// heavier side.
			g.best = candidate{valid: true, score: sc, feature: f, lowBin: low, highBin: high,
				missingLeft: sum(g.weighted(left, g.wl)) >= sum(g.weighted(right, g.wr))}
		}
		return
	}
	tmp := g.tmp
	if nLeft+nMis >= minLeaf && nRight >= minLeaf {
		for c := range tmp {
			tmp[c] = left[c] + mis[c]
		}
		if sc := g.score(tmp, right); sc > g.best.score {
			g.best = candidate{valid: true, score: sc, feature: f, lowBin: low, highBin: high, missingLeft: true}
		}
	}
	if nLeft >= minLeaf && nRight+nMis >= minLeaf {
		for c := range tmp {
			tmp[c] = right[c] + mis[c]
		}
		if sc := g.score(left, tmp); sc > g.best.score {
			g.best = candidate{valid: true, score: sc, feature: f, lowBin: low, highBin: high, missingLeft: false}
		}
	}
}

// score is the proxy the split search maximises, from the two sides'
// class counts weighted by class weight; it orders splits exactly as the
// decrease in weighted impurity does but skips terms common to all splits
// of the node. Gini: sum(l_k^2)/L + sum(r_k^2)/R. Entropy:
// sum(l_k log l_k) - L log L + (same for r).
func (g *grower) score(lc, rc []uint64) float64 {
	if len(lc) == 2 && !g.p.entropy {
		// The common binary Gini case, without the slice round trip.
		w0, w1 := g.p.classW[0], g.p.classW[1]
		l0, l1 := float64(float64(lc[0])*w0), float64(float64(lc[1])*w1)
		r0, r1 := float64(float64(rc[0])*w0), float64(float64(rc[1])*w1)
		return (float64(l0*l0)+float64(l1*l1))/(l0+l1) + (float64(r0*r0)+float64(r1*r1))/(r0+r1)
	}
	l, r := g.weighted(lc, g.wl), g.weighted(rc, g.wr)
	if g.p.entropy {
		var s, lw, rw float64
		for c := range l {
			s += xlog2x(l[c]) + xlog2x(r[c])
			lw += l[c]
			rw += r[c]
		}
		return s - xlog2x(lw) - xlog2x(rw)
	}
	var ls, rs, lw, rw float64
	for c := range l {
		ls += float64(l[c] * l[c])
		rs += float64(r[c] * r[c])
		lw += l[c]
		rw += r[c]
	}
	return ls/lw + rs/rw
}

// threshold turns the chosen bin boundary into a real threshold: any value
// between the upper edge of the last bin sent left and the upper edge of the
// bin below the first occupied bin sent right separates the node's rows
// the same way, and the middle of that gap generalises best (the analogue of
// scikit-learn's midpoint between adjacent values).
func (g *grower) threshold(b candidate) float32 {
	if b.allValues {
		return float32(math.Inf(1))
	}
	e := g.edges[b.feature]
	lo, hi := e[b.lowBin], e[b.highBin-1]
	return float32((float64(lo) + float64(hi)) / 2)
}

// partition reorders idx[s:e] so rows going left come first, returns the
// boundary, and fills g.left and g.right with the children's class counts.
// The partition is stable: rows stay in ascending order within every node,
// so histogram passes read the columns forwards, which the hardware
// prefetcher follows.
func (g *grower) partition(s, e int) int {
	b := g.best
	col, idx, yb := g.codes[b.feature], g.idx, g.yb
	low := uint8(b.lowBin)
	clear(g.left)
	clear(g.right)
	right, rightYB := g.spill[:0], g.spyb[:0]
	at := s
	for p := s; p < e; p++ {
		r, v := idx[p], yb[p]
		c := col[r]
		var goLeft bool
		if c == missingCode {
			goLeft = b.missingLeft
		} else {
			goLeft = c <= low
		}
		if goLeft {
			g.left[v>>16] += uint64(v & 0xffff)
			idx[at], yb[at] = r, v
			at++
		} else {
			g.right[v>>16] += uint64(v & 0xffff)
			right, rightYB = append(right, r), append(rightYB, v)
		}
	}
	copy(idx[at:e], right)
	copy(yb[at:e], rightYB)
	g.spill, g.spyb = right, rightYB
	return at
}
