package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"flowsift/features"
	"flowsift/train"
)

func cmdFeatures(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("features", "[options] DIR", `
Compute the per-flow feature vectors the models use from an extract output
directory DIR and write them to DIR/features.parquet (or --output): the
identifying columns uid, capture_id, ts, orig_h and resp_h, then one FLOAT
column per feature, null where a value is missing (a statistic of too few
packets). The feature schema version is in the file's metadata
(flowsift.features_schema); --list prints the features in order, one name per
line (the schema version goes to standard error).

With --labels (a generator truth file or a label-rules file, as for
flowsift train), the label and label_detail columns say each flow's class
and what decided it, ready for training elsewhere.`, stdout)
	out := fs.StringP("output", "o", "", "features file to write (default: DIR/features.parquet)")
	labelFiles := fs.StringArray("labels", nil, "truth JSON or label-rules file labelling the flows (repeatable)")
	list := fs.Bool("list", false, "print the feature names in schema order and exit")
	cfg := features.DefaultConfig()
	fs.BoolVar(&cfg.Shortcuts, "shortcuts", false, "add identity features (ports, TTLs, windows, MSS) for ablation studies")
	fs.IntVar(&cfg.HostWindowSeconds, "host-window", cfg.HostWindowSeconds, "width in seconds of the per-host aggregate windows")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	if *list {
		s := features.SchemaFor(cfg)
		// The schema line goes to stderr so that stdout is the names alone.
		fmt.Fprintf(stderr, "%s: %d features\n", s.Version, len(s.Names))
		for _, n := range s.Names {
			fmt.Fprintln(stdout, n)
		}
		return nil
	}
	if fs.NArg() != 1 {
		return usageError{fmt.Errorf("need exactly one extract output directory")}
	}
	dir := fs.Arg(0)
	if err := mustExist(dir); err != nil {
		return err
	}
	var labels train.Labels
	for _, f := range *labelFiles {
		if err := readLabels(f, &labels); err != nil {
			return usageError{err}
		}
	}
	set, err := features.Build(dir, cfg)
	if err != nil {
		return err
	}
	if len(*labelFiles) > 0 {
		if _, err := labels.Apply(dir, set); err != nil {
			return err
		}
	}
	path := *out
	if path == "" {
		path = filepath.Join(dir, features.FileName)
	}
	if err := features.Write(path, set); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d flows x %d features (%s) -> %s\n", set.Rows(), len(set.Schema.Names), set.Schema.Version, path)
	return nil
}
