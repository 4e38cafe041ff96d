package train

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"flowsift/extract"
	"flowsift/features"
	"flowsift/train/model"
)

// Input is one extract output directory and how to label its flows.
type Input struct {
	// Dir is the extract output directory (flows.parquet, capture.json).
	Dir string
	// Name is what the user named (a capture file, a directory), for
	// messages.
	Name string
	// Labels decides each flow's class; Labels.Default is the class of
	// flows nothing else labels (Benign for a normal capture, Malicious
	// for a capture whose flows are all attacks).
	Labels Labels
	// Holdout sets the input's rows aside for evaluation.
	Holdout bool
}

// InputReport says what one input contributed.
type InputReport struct {
	Name      string         `json:"name"`
	CaptureID string         `json:"capture_id"`
	Rows      int            `json:"rows"`
	Holdout   bool           `json:"holdout"`
	ByLabel   map[string]int `json:"rows_by_label"`
	Labelled  LabelCounts    `json:"labelled_by"`
}

// Prepare builds the feature vectors of every input, labels them and
// returns one Dataset: rows grouped by capture (so no capture straddles a
// split), held-out rows marked, the capture files recorded as sources.
// multiclass keeps attack labels as classes; otherwise every label but
// Benign becomes Malicious.
func Prepare(ctx context.Context, inputs []Input, fcfg features.Config, multiclass bool) (*Dataset, []InputReport, error) {
	if len(inputs) == 0 {
		return nil, nil, fmt.Errorf("%w: no inputs", ErrDataset)
	}
	var all features.Set
	var holdout []bool
	var groups []string
	var sources []model.InputFile
	reports := make([]InputReport, 0, len(inputs))
	anyHoldout := false
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		s, err := features.Build(in.Dir, fcfg)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", in.Name, err)
		}
		counts, err := in.Labels.Apply(in.Dir, s)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", in.Name, err)
		}
		m, err := extract.ReadManifest(in.Dir)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", in.Name, err)
		}
		rep := InputReport{Name: in.Name, CaptureID: m.CaptureID, Rows: s.Rows(), Holdout: in.Holdout, ByLabel: map[string]int{}, Labelled: counts}
		for _, l := range s.Label {
			rep.ByLabel[l]++
		}
		reports = append(reports, rep)
		for _, f := range m.Files {
			sources = append(sources, model.InputFile{Path: filepath.Base(f.Path), SHA256: f.SHA256, Bytes: f.Size, Rows: s.Rows()})
		}
		anyHoldout = anyHoldout || in.Holdout
		for range s.Rows() {
			holdout = append(holdout, in.Holdout)
			groups = append(groups, m.CaptureID)
		}
		if err := all.Append(s); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", in.Name, err)
		}
	}
	classes, y := Classes(all.Label, multiclass)
	d := &Dataset{
		Schema:  model.FeatureSchema{Version: all.Schema.Version, Names: all.Schema.Names},
		X:       all.X,
		Y:       y,
		Classes: classes,
		Groups:  groups,
		Sources: sources,
	}
	if anyHoldout {
		d.Holdout = holdout
	}
	return d, reports, d.Validate()
}

// LabelTotals sums the rows per label over reports, for a summary.
func LabelTotals(reports []InputReport) map[string]int {
	t := map[string]int{}
	for _, r := range reports {
		for l, n := range r.ByLabel {
			t[l] += n
		}
	}
	return t
}

// SortedLabels returns the labels of a totals map, Benign first.
func SortedLabels(t map[string]int) []string {
	ls := slices.Sorted(maps.Keys(t))
	if i := slices.Index(ls, Benign); i > 0 {
		ls = append([]string{Benign}, slices.Delete(ls, i, i+1)...)
	}
	return ls
}
