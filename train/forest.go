package train

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"slices"

	"flowsift/train/internal/metrics"
	"flowsift/train/model"
)

// MissingPolicy describes, for the model file, how NaN is handled.
const MissingPolicy = "learned: NaN has its own bin; each split sends it to the side that lowers impurity most, or to the heavier child when the node saw no NaN"

// Result is a fitted model and its out-of-bag predictions.
type Result struct {
	Model *model.Model
	// OOBProba holds out-of-bag class probabilities, [class][row]: each
	// training row averaged over the trees whose bootstrap sample missed
	// it; NaN for rows in every sample. nil without bootstrap.
	OOBProba [][]float64
}

// fitted is a forest plus what evaluation and the model file need.
type fitted struct {
	forest     *model.Forest
	importance []float64 // normalised mean decrease in impurity
	inBag      [][]uint64
	params     *growParams
}

// Fit grows a Random Forest on d. The model's bytes depend only on d and
// cfg minus Workers: trees are grown from per-tree seeds and assembled in
// tree order, and every reduction runs in a fixed order.
func Fit(ctx context.Context, d *Dataset, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	counts := classCounts(d.Y, len(d.Classes))
	present := 0
	for _, c := range counts {
		if c > 0 {
			present++
		}
	}
	if present < 2 {
		return nil, fmt.Errorf("%w: only one class has rows", ErrDataset)
	}
	pos, err := positiveClass(cfg, d.Classes)
	if err != nil {
		return nil, err
	}
	f, err := fitForest(ctx, d, cfg, true)
	if err != nil {
		return nil, err
	}
	m := &model.Model{
		FormatVersion:      model.FormatVersion,
		Schema:             d.Schema,
		Classes:            slices.Clone(d.Classes),
		PositiveClass:      pos,
		Threshold:          cfg.Threshold,
		Params:             hyperparams(cfg, f.params),
		Seed:               cfg.Seed,
		Provenance:         d.provenance(cfg.GroupKey),
		ImpurityImportance: f.importance,
		Forest:             f.forest,
	}
	res := &Result{Model: m}
	if cfg.Bootstrap {
		res.OOBProba, m.OOB = oob(d, f, resolveWorkers(cfg.Workers), pos, cfg.Threshold)
	}
	return res, nil
}

// positiveClass resolves Config.PositiveClass against the classes.
func positiveClass(cfg Config, classes []string) (int, error) {
	if cfg.PositiveClass == "" {
		return 1, nil
	}
	i := slices.Index(classes, cfg.PositiveClass)
	if i < 0 {
		return 0, fmt.Errorf("%w: positive class %q is not one of %q", ErrConfig, cfg.PositiveClass, classes)
	}
	return i, nil
}

// resolve turns the configuration into per-tree parameters for d.
func resolve(cfg Config, d *Dataset) (*growParams, error) {
	mtry, err := featuresPerSplit(cfg.MaxFeatures, len(d.X))
	if err != nil {
		return nil, err
	}
	k := len(d.Classes)
	w := make([]float64, k)
	switch cfg.ClassWeight {
	case WeightNone:
		for c := range w {
			w[c] = 1
		}
	case WeightBalanced:
		// scikit-learn's n / (k * n_c), over the classes present; an absent
		// class gets 1 (it has no rows to weigh anyway).
		counts := classCounts(d.Y, k)
		present := 0
		for _, n := range counts {
			if n > 0 {
				present++
			}
		}
		for c, n := range counts {
			w[c] = 1
			if n > 0 {
				w[c] = float64(len(d.Y)) / (float64(present) * float64(n))
			}
		}
	case WeightExplicit:
		for _, name := range slices.Sorted(maps.Keys(cfg.ClassWeights)) {
			if !slices.Contains(d.Classes, name) {
				return nil, fmt.Errorf("%w: class weight for unknown class %q", ErrConfig, name)
			}
		}
		for c, name := range d.Classes {
			w[c] = 1
			if v, ok := cfg.ClassWeights[name]; ok {
				w[c] = v
			}
		}
	}
	return &growParams{
		k:         k,
		entropy:   cfg.Criterion == Entropy,
		mtry:      mtry,
		maxDepth:  cfg.MaxDepth,
		minSplit:  cfg.MinSamplesSplit,
		minLeaf:   cfg.MinSamplesLeaf,
		bootstrap: cfg.Bootstrap,
		classW:    w,
	}, nil
}

func hyperparams(cfg Config, p *growParams) *model.Hyperparams {
	return &model.Hyperparams{
		Trees:            cfg.Trees,
		Criterion:        cfg.Criterion,
		MaxFeatures:      cfg.MaxFeatures,
		FeaturesPerSplit: p.mtry,
		MaxDepth:         cfg.MaxDepth,
		MinSamplesSplit:  cfg.MinSamplesSplit,
		MinSamplesLeaf:   cfg.MinSamplesLeaf,
		Bootstrap:        cfg.Bootstrap,
		ClassWeight:      cfg.ClassWeight,
		ClassWeights:     slices.Clone(p.classW),
		MaxBins:          cfg.MaxBins,
		Missing:          MissingPolicy,
	}
}

// treeSeed derives tree t's PCG state from the master seed with SplitMix64,
// so neighbouring trees get unrelated streams and tree t's stream does not
// depend on which worker grows it or when.
func treeSeed(master uint64, stream, t uint64) (uint64, uint64) {
	x := master ^ stream*0x9e3779b97f4a7c15
	a := splitmix(&x)
	x ^= t
	a ^= splitmix(&x)
	b := splitmix(&x)
	return a, b
}

func splitmix(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

const (
	streamForest uint64 = iota + 1
	streamFolds
	streamPermutation
	streamIsolation
)

// fitForest bins d, grows cfg.Trees trees in parallel and assembles them in
// tree order.
func fitForest(ctx context.Context, d *Dataset, cfg Config, keepBag bool) (*fitted, error) {
	p, err := resolve(cfg, d)
	if err != nil {
		return nil, err
	}
	workers := resolveWorkers(cfg.Workers)
	edges := binEdges(d.X, cfg.MaxBins, cfg.Seed, workers)
	codes := binCodes(d.X, edges, workers)
	y := make([]uint16, len(d.Y))
	for i, v := range d.Y {
		y[i] = uint16(v) // < maxClasses, checked by Dataset.Validate
	}
	grown := make([]grownTree, cfg.Trees)
	growers := make([]*grower, min(workers, cfg.Trees))
	parallel(len(growers), cfg.Trees, func(w, t int) {
		if ctx.Err() != nil {
			return
		}
		if growers[w] == nil {
			growers[w] = newGrower(p, codes, edges, y)
		}
		s1, s2 := treeSeed(cfg.Seed, streamForest, uint64(t))
		grown[t] = growers[w].grow(rand.New(rand.NewPCG(s1, s2)), keepBag)
	})
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fit forest: %w", err)
	}
	trees := make([]model.Tree, len(grown))
	importance := make([]float64, len(d.X))
	for t, g := range grown {
		trees[t] = g.tree
		// As scikit-learn does: normalise each tree, average, normalise.
		if s := sum(g.importance); s > 0 {
			for j, v := range g.importance {
				importance[j] += v / s
			}
		}
	}
	if s := sum(importance); s > 0 {
		for j := range importance {
			importance[j] /= s
		}
	}
	forest, err := model.NewForest(len(d.X), len(d.Classes), trees)
	if err != nil {
		return nil, fmt.Errorf("fit forest: %w", err)
	}
	f := &fitted{forest: forest, importance: importance, params: p}
	if keepBag {
		f.inBag = make([][]uint64, len(grown))
		for t, g := range grown {
			f.inBag[t] = g.inBag
		}
	}
	if cfg.Logger != nil {
		cfg.Logger.Debug("forest grown", slog.Int("trees", forest.NumTrees()), slog.Int("nodes", forest.NumNodes()), slog.Int("rows", len(d.Y)))
	}
	return f, nil
}

// oob averages, for each row, the trees that did not see it. Rows are
// processed in parallel blocks; within a block the trees are added in
// order, so each row's sum is the same whatever the worker count.
func oob(d *Dataset, f *fitted, workers, pos int, threshold float64) ([][]float64, *model.OOBSummary) {
	n, k := d.Rows(), len(d.Classes)
	proba := newProba(k, n)
	trees := make([]int32, n)
	const block = 4096
	lists := make([][]int32, workers)
	parallel(workers, (n+block-1)/block, func(w, b int) {
		lo, hi := b*block, min(n, (b+1)*block)
		for t, bag := range f.inBag {
			rows := lists[w][:0]
			for i := lo; i < hi; i++ {
				if bag[i>>6]&(1<<(i&63)) == 0 {
					rows = append(rows, int32(i))
					trees[i]++
				}
			}
			lists[w] = rows
			// Shapes match the forest by construction.
			_ = f.forest.AddTree(t, d.X, rows, proba)
		}
		for c := range k {
			for i := lo; i < hi; i++ {
				if trees[i] == 0 {
					proba[c][i] = math.NaN()
				} else {
					proba[c][i] /= float64(trees[i])
				}
			}
		}
	})
	s := &model.OOBSummary{}
	var y, pred []int
	covered := newProba(k, 0)
	p := make([]float64, k)
	for i := range n {
		if math.IsNaN(proba[0][i]) {
			continue
		}
		y = append(y, d.Y[i])
		for c := range k {
			p[c] = proba[c][i]
			covered[c] = append(covered[c], p[c])
		}
		pred = append(pred, decide(p, pos, threshold))
	}
	s.Rows = len(y)
	if s.Rows == 0 {
		s.ROCAUC = model.Metric(math.NaN())
		return proba, s
	}
	s.Accuracy = metrics.Classification(y, pred, k).Accuracy
	s.ROCAUC = model.Metric(rocAUC(covered, y, k, pos))
	return proba, s
}

// decide is the class a probability vector predicts: for binary problems
// the positive class when its probability reaches threshold, otherwise the
// argmax (lowest index on ties).
func decide(p []float64, pos int, threshold float64) int {
	if len(p) == 2 {
		if p[pos] >= threshold {
			return pos
		}
		return 1 - pos
	}
	best := 0
	for c, v := range p {
		if v > p[best] {
			best = c
		}
	}
	return best
}
