package train

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
)

// stratifiedFolds assigns rows to folds so that every fold holds about the
// same share of each class: each class's rows are shuffled, then dealt round
// robin, the deal continuing where the previous class stopped so that fold
// sizes stay within one row of each other.
func stratifiedFolds(y []int, k, folds int, seed uint64) []int {
	s1, s2 := treeSeed(seed, streamFolds, 0)
	rng := rand.New(rand.NewPCG(s1, s2))
	byClass := make([][]int, k)
	for i, c := range y {
		byClass[c] = append(byClass[c], i)
	}
	assign := make([]int, len(y))
	next := 0
	for _, rows := range byClass {
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		for _, r := range rows {
			assign[r] = next
			next = (next + 1) % folds
		}
	}
	return assign
}

// groupFolds assigns whole groups to folds, largest group first, each to
// the fold with the fewest rows so far (scikit-learn's GroupKFold), so no
// group has rows on both sides of any split. Ties break by group name and
// fold index, which makes the assignment independent of row order. It
// returns the number of distinct groups.
func groupFolds(groups []string, folds int) ([]int, int, error) {
	type group struct {
		name string
		rows int
	}
	index := map[string]int{}
	var gs []group
	for _, g := range groups {
		at, ok := index[g]
		if !ok {
			at = len(gs)
			index[g] = at
			gs = append(gs, group{name: g})
		}
		gs[at].rows++
	}
	if len(gs) < folds {
		return nil, len(gs), fmt.Errorf("%w: %d groups for %d folds", ErrTooFewGroups, len(gs), folds)
	}
	slices.SortFunc(gs, func(a, b group) int {
		if c := cmp.Compare(b.rows, a.rows); c != 0 {
			return c
		}
		return cmp.Compare(a.name, b.name)
	})
	size := make([]int, folds)
	foldOf := make(map[string]int, len(gs))
	for _, g := range gs {
		f := 0
		for i := range size {
			if size[i] < size[f] {
				f = i
			}
		}
		foldOf[g.name] = f
		size[f] += g.rows
	}
	assign := make([]int, len(groups))
	for i, g := range groups {
		assign[i] = foldOf[g]
	}
	return assign, len(gs), nil
}

// foldRows splits row indices into the training and held-out sides of fold f.
func foldRows(assign []int, f int) (trainRows, testRows []int) {
	for i, a := range assign {
		if a == f {
			testRows = append(testRows, i)
		} else {
			trainRows = append(trainRows, i)
		}
	}
	return trainRows, testRows
}
