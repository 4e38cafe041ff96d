package train

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"

	"flowsift/train/model"
)

// Dataset is labelled training data in column-major form.
type Dataset struct {
	Schema model.FeatureSchema
	// X is indexed [feature][row]; NaN is a missing value.
	X [][]float32
	// Y holds each row's class index into Classes.
	Y       []int
	Classes []string
	// Groups optionally names each row's group (capture file, host pair):
	// rows of one group are never split between training and held-out
	// sides. nil when there are no groups.
	Groups []string
	// Holdout optionally marks the rows a SplitHoldout evaluation scores
	// (the rest train the evaluated forest); nil when there is none.
	Holdout []bool
	// Sources optionally records the files the rows came from, for the
	// model's provenance (see DescribeFile).
	Sources []model.InputFile
}

// Rows returns the number of rows.
func (d *Dataset) Rows() int { return len(d.Y) }

// Validate checks shapes and labels.
func (d *Dataset) Validate() error {
	nf := len(d.Schema.Names)
	switch {
	case nf == 0:
		return fmt.Errorf("%w: no features", ErrDataset)
	case len(d.X) != nf:
		return fmt.Errorf("%w: %d feature columns for %d feature names", ErrDataset, len(d.X), nf)
	case len(d.Classes) < 2:
		return fmt.Errorf("%w: %d classes (want >= 2)", ErrDataset, len(d.Classes))
	case len(d.Classes) > maxClasses:
		return fmt.Errorf("%w: %d classes (want <= %d)", ErrDataset, len(d.Classes), maxClasses)
	case nf > maxFeatures:
		return fmt.Errorf("%w: %d features (want <= %d)", ErrDataset, nf, maxFeatures)
	case len(d.Y) < 2:
		return fmt.Errorf("%w: %d rows (want >= 2)", ErrDataset, len(d.Y))
	case d.Groups != nil && len(d.Groups) != len(d.Y):
		return fmt.Errorf("%w: %d groups for %d rows", ErrDataset, len(d.Groups), len(d.Y))
	case d.Holdout != nil && len(d.Holdout) != len(d.Y):
		return fmt.Errorf("%w: %d holdout marks for %d rows", ErrDataset, len(d.Holdout), len(d.Y))
	}
	for j, c := range d.X {
		if len(c) != len(d.Y) {
			return fmt.Errorf("%w: feature %q has %d rows, labels %d", ErrDataset, d.Schema.Names[j], len(c), len(d.Y))
		}
	}
	for i, y := range d.Y {
		if y < 0 || y >= len(d.Classes) {
			return fmt.Errorf("%w: row %d has class %d of %d", ErrDataset, i, y, len(d.Classes))
		}
	}
	return nil
}

// classCounts returns the rows per class.
func classCounts(y []int, k int) []int {
	c := make([]int, k)
	for _, v := range y {
		c[v]++
	}
	return c
}

// provenance summarises the dataset for the model file, groups sorted by
// name so the result does not depend on row order.
func (d *Dataset) provenance(groupKey string) *model.Provenance {
	p := &model.Provenance{
		Inputs:    slices.Clone(d.Sources),
		Rows:      d.Rows(),
		ClassRows: classCounts(d.Y, len(d.Classes)),
		GroupKey:  groupKey,
	}
	if d.Groups == nil {
		return p
	}
	byName := map[string]int{}
	for i, g := range d.Groups {
		at, ok := byName[g]
		if !ok {
			at = len(p.Groups)
			byName[g] = at
			p.Groups = append(p.Groups, model.GroupRows{Group: g, ClassRows: make([]int, len(d.Classes))})
		}
		p.Groups[at].Rows++
		p.Groups[at].ClassRows[d.Y[i]]++
	}
	slices.SortFunc(p.Groups, func(a, b model.GroupRows) int {
		switch {
		case a.Group < b.Group:
			return -1
		case a.Group > b.Group:
			return 1
		}
		return 0
	})
	return p
}

// Training returns the rows Holdout does not mark, with the sources kept:
// what the evaluated forest of a holdout split was grown on, and so what
// the model file should be fitted on for its evaluation to describe it.
// It returns d itself when Holdout is nil.
func (d *Dataset) Training() *Dataset {
	if d.Holdout == nil {
		return d
	}
	var rows []int
	for i, h := range d.Holdout {
		if !h {
			rows = append(rows, i)
		}
	}
	t := d.subset(rows)
	t.Sources = d.Sources
	return t
}

// subset copies the given rows into a new Dataset (sources are not copied:
// a subset is an evaluation artefact, not a provenance record).
func (d *Dataset) subset(rows []int) *Dataset {
	s := &Dataset{Schema: d.Schema, Classes: d.Classes, X: make([][]float32, len(d.X)), Y: make([]int, len(rows))}
	for j, c := range d.X {
		col := make([]float32, len(rows))
		for i, r := range rows {
			col[i] = c[r]
		}
		s.X[j] = col
	}
	for i, r := range rows {
		s.Y[i] = d.Y[r]
	}
	if d.Groups != nil {
		s.Groups = make([]string, len(rows))
		for i, r := range rows {
			s.Groups[i] = d.Groups[r]
		}
	}
	return s
}

// DescribeFile hashes a training input for Dataset.Sources. rows is the
// number of training rows taken from it.
func DescribeFile(path string, rows int) (model.InputFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return model.InputFile{}, fmt.Errorf("describe %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return model.InputFile{}, fmt.Errorf("describe %s: %w", path, err)
	}
	return model.InputFile{Path: path, SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: n, Rows: rows}, nil
}
