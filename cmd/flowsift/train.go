package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"flowsift/datasets"
	"flowsift/features"
	"flowsift/internal/atomicfile"
	"flowsift/train"
	"flowsift/train/model"
)

func cmdTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("train", "[options] -o MODEL [INPUT...]", `
Train a Random Forest flow classifier (and an Isolation Forest anomaly
detector on the benign training flows), evaluate it on data it did not
see, and write the model file MODEL plus MODEL.evaluation.json (metrics,
confusion matrix, ROC and precision-recall curves, calibration, feature
importance) for the report.

An input is a capture file, a directory of captures, or an extract output
directory (it holds flows.parquet). Captures are extracted first (into
--work, or a temporary directory). Labels:

  --normal PATH      every flow is benign
  --malicious PATH   every flow is an attack (class "malicious")
  INPUT              labelled by --labels: a generator truth file
                     (*.truth.json: exact flows) or a rules file (TSV or
                     CSV: label, attacker, victim, start, end; "*" is any);
                     flows nothing matches are benign
  --corpus DIR       a corpus written by "flowsift generate --corpus": its
                     train captures fit, its test captures evaluate

Evaluation: when held-out inputs are given (--test, --test-normal,
--test-malicious, or a corpus's test captures), the model is fitted on the
other inputs only and scored on those, so the reported numbers describe the
model file itself. Otherwise it is scored by k-fold cross-validation with
whole captures kept on one side of each split (group k-fold; stratified
k-fold, with a warning about leakage, when there are fewer captures than
folds), and the model file is fitted on every row.

The same inputs, options and --seed give the same model file, byte for
byte, whatever --workers is.`, stdout)
	out := fs.StringP("output", "o", "", "model file to write (required)")
	normal := fs.StringArray("normal", nil, "input whose flows are all benign (repeatable)")
	malicious := fs.StringArray("malicious", nil, "input whose flows are all attacks (repeatable)")
	labelFiles := fs.StringArray("labels", nil, "truth JSON or label-rules file for the positional inputs (repeatable)")
	corpus := fs.String("corpus", "", "train on a generated corpus `DIR` (corpus.json), holding out its test captures")
	testIn := fs.StringArray("test", nil, "held-out input labelled by --labels (repeatable)")
	testNormal := fs.StringArray("test-normal", nil, "held-out input whose flows are all benign (repeatable)")
	testMal := fs.StringArray("test-malicious", nil, "held-out input whose flows are all attacks (repeatable)")
	multi := fs.Bool("multiclass", false, "one class per attack label instead of benign/malicious")
	work := fs.String("work", "", "keep the extracted tables of capture inputs in `DIR` (default: a temporary directory)")
	evalOut := fs.String("evaluation", "", "evaluation JSON to write (default: MODEL.evaluation.json)")
	quiet := fs.BoolP("quiet", "q", false, "print nothing but errors")

	cfg := train.DefaultConfig()
	fs.IntVar(&cfg.Trees, "trees", cfg.Trees, "number of trees")
	fs.StringVar(&cfg.Criterion, "criterion", cfg.Criterion, "split criterion: gini or entropy")
	fs.StringVar(&cfg.MaxFeatures, "max-features", cfg.MaxFeatures, "features tried per split: sqrt, log2, all, a fraction (0.3) or a count")
	fs.IntVar(&cfg.MaxDepth, "max-depth", cfg.MaxDepth, "maximum tree depth (0: grow until leaves are pure)")
	fs.IntVar(&cfg.MinSamplesSplit, "min-samples-split", cfg.MinSamplesSplit, "fewest rows a node needs to be split")
	fs.IntVar(&cfg.MinSamplesLeaf, "min-samples-leaf", cfg.MinSamplesLeaf, "fewest rows in a leaf")
	noBootstrap := fs.Bool("no-bootstrap", false, "grow every tree on all rows (disables the out-of-bag estimate)")
	fs.StringVar(&cfg.ClassWeight, "class-weight", cfg.ClassWeight, "class weights: none or balanced")
	fs.IntVar(&cfg.MaxBins, "max-bins", cfg.MaxBins, "quantile bins per feature for split search (2-255)")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed (bootstrap, feature sampling, folds, isolation forest)")
	fs.IntVar(&cfg.Workers, "workers", 0, "trees grown at once (0: one per CPU); does not change the result")
	fs.Float64Var(&cfg.Threshold, "threshold", cfg.Threshold, "decision threshold on the malicious probability (binary models)")
	fs.StringVar(&cfg.Split, "split", cfg.Split, "evaluation split: auto, group-kfold, stratified-kfold or holdout")
	fs.IntVar(&cfg.Folds, "folds", cfg.Folds, "folds for k-fold evaluation")
	fs.IntVar(&cfg.PermutationRepeats, "permutation-repeats", cfg.PermutationRepeats, "shuffles per feature for permutation importance (0: skip)")
	icfg := train.DefaultIsolationConfig()
	noAnomaly := fs.Bool("no-anomaly", false, "do not fit the anomaly detector")
	fs.IntVar(&icfg.Trees, "anomaly-trees", icfg.Trees, "isolation trees")
	fs.Float64Var(&icfg.Quantile, "anomaly-quantile", icfg.Quantile, "baseline score quantile that becomes the anomaly threshold")
	fcfg := features.DefaultConfig()
	fs.BoolVar(&fcfg.Shortcuts, "shortcuts", false, "add identity features (ports, TTLs, windows, MSS) for ablation studies")
	fs.IntVar(&fcfg.HostWindowSeconds, "host-window", fcfg.HostWindowSeconds, "width in seconds of the per-host aggregate windows")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg.Bootstrap = !*noBootstrap
	cfg.GroupKey = "capture"
	icfg.Seed, icfg.Workers = cfg.Seed, cfg.Workers
	if *out == "" {
		return usageError{fmt.Errorf("--output is required")}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	if err := icfg.Validate(); err != nil {
		return usageError{err}
	}
	if err := fcfg.Validate(); err != nil {
		return usageError{err}
	}
	if (fs.NArg() > 0 || len(*testIn) > 0) && len(*labelFiles) == 0 {
		return usageError{fmt.Errorf("positional and --test inputs need --labels (or use --normal/--malicious)")}
	}
	var labels train.Labels
	for _, f := range *labelFiles {
		if err := readLabels(f, &labels); err != nil {
			return usageError{err}
		}
	}
	var specs []inputSpec
	add := func(paths []string, def string, lab train.Labels, holdout bool) {
		for _, p := range paths {
			l := lab
			l.Default = def
			specs = append(specs, inputSpec{path: p, labels: l, holdout: holdout})
		}
	}
	add(*normal, train.Benign, train.Labels{}, false)
	add(*malicious, train.Malicious, train.Labels{}, false)
	add(fs.Args(), train.Benign, labels, false)
	add(*testNormal, train.Benign, train.Labels{}, true)
	add(*testMal, train.Malicious, train.Labels{}, true)
	add(*testIn, train.Benign, labels, true)
	if *corpus != "" {
		cs, err := corpusInputs(*corpus)
		if err != nil {
			return usageError{err}
		}
		specs = append(specs, cs...)
	}
	if len(specs) == 0 {
		return usageError{fmt.Errorf("no training input (--normal, --malicious, --corpus or INPUT with --labels)")}
	}
	if err := checkTrainArgs(specs, *out, *evalOut, cfg.Split); err != nil {
		return usageError{err}
	}
	logf := func(format string, a ...any) {
		if !*quiet {
			fmt.Fprintf(stderr, format+"\n", a...)
		}
	}
	start := time.Now()
	ws, err := newWorkspace(*work)
	if err != nil {
		return err
	}
	defer ws.close()
	inputs := make([]train.Input, len(specs))
	for i, s := range specs {
		dir, err := ws.extracted(ctx, s.path, logf)
		if err != nil {
			return err
		}
		inputs[i] = train.Input{Dir: dir, Name: s.path, Labels: s.labels, Holdout: s.holdout}
	}
	logf("building features of %d inputs", len(inputs))
	d, reports, err := train.Prepare(ctx, inputs, fcfg, *multi)
	if err != nil {
		return err
	}
	for i, r := range reports {
		if r.Labelled.Unmatched > 0 {
			logf("warning: %s: %d labelled flows match no flow row", r.Name, r.Labelled.Unmatched)
		}
		if l := inputs[i].Labels; len(l.Flows)+len(l.Rules) > 0 && r.Labelled.Flows+r.Labelled.Rules == 0 {
			logf("warning: %s: no label matched any of its %d flows (wrong labels file, addresses or times?); all are %s", r.Name, r.Rows, cmp.Or(l.Default, train.Benign))
		}
	}
	logf("evaluating (%d rows, %d features, %d classes; permutation importance shuffles each feature %d times per fold)",
		d.Rows(), len(d.X), len(d.Classes), cfg.PermutationRepeats)
	ev, err := train.Evaluate(ctx, d, cfg)
	if err != nil {
		return err
	}
	fitData := d.Training()
	logf("fitting %d trees on %d rows", cfg.Trees, fitData.Rows())
	res, err := train.Fit(ctx, fitData, cfg)
	if err != nil {
		return err
	}
	m := res.Model
	m.Evaluation = ev
	if !*noAnomaly {
		base := benignColumns(fitData)
		if len(base) > 0 && len(base[0]) >= 2 {
			if m.Anomaly, err = train.FitIsolation(ctx, base, icfg); err != nil {
				return err
			}
		} else {
			logf("warning: too few benign training rows for the anomaly detector")
		}
	}
	if err := m.SaveFile(*out); err != nil {
		return err
	}
	evPath := *evalOut
	if evPath == "" {
		evPath = *out + ".evaluation.json"
	}
	if err := writeEvaluation(evPath, ev, reports); err != nil {
		return err
	}
	if !*quiet {
		printTrainSummary(stdout, m, ev, reports, *out, evPath, time.Since(start))
	}
	return nil
}

// inputSpec is one training input as given on the command line.
type inputSpec struct {
	path    string
	labels  train.Labels
	holdout bool
}

// readLabels adds a truth file's flows or a rules file's rules to l.
func readLabels(path string, l *train.Labels) error {
	if strings.HasSuffix(path, ".json") {
		t, err := datasets.ReadTruth(path)
		if err != nil {
			return fmt.Errorf("--labels %s: %w", path, err)
		}
		l.Flows = append(l.Flows, truthLabels(t)...)
		return nil
	}
	rules, err := train.ReadLabelRules(path)
	if err != nil {
		return fmt.Errorf("--labels: %w", err)
	}
	l.Rules = append(l.Rules, rules...)
	return nil
}

// truthLabels turns a generator's ground truth into exact flow labels.
func truthLabels(t *datasets.Truth) []train.FlowLabel {
	out := make([]train.FlowLabel, len(t.Flows))
	for i, f := range t.Flows {
		out[i] = train.FlowLabel{
			Proto: f.Proto, OrigH: f.OrigH, OrigP: f.OrigP, RespH: f.RespH, RespP: f.RespP,
			Start: f.TS.UnixNano(), End: f.TSEnd.UnixNano(), Label: f.Label,
		}
	}
	return out
}

// corpusInputs lists a generated corpus's captures, labelled by their
// truth files, its test captures held out.
func corpusInputs(dir string) ([]inputSpec, error) {
	b, err := os.ReadFile(filepath.Join(dir, "corpus.json"))
	if err != nil {
		return nil, fmt.Errorf("--corpus: %w", err)
	}
	var c datasets.Corpus
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("--corpus: %s: %w", filepath.Join(dir, "corpus.json"), err)
	}
	if c.Format != datasets.CorpusFormat {
		return nil, fmt.Errorf("--corpus: %s: format %q, want %q", dir, c.Format, datasets.CorpusFormat)
	}
	var specs []inputSpec
	for _, e := range c.Entries {
		t, err := datasets.ReadTruth(filepath.Join(dir, e.Truth))
		if err != nil {
			return nil, fmt.Errorf("--corpus: %w", err)
		}
		specs = append(specs, inputSpec{
			path:    filepath.Join(dir, e.Capture),
			labels:  train.Labels{Flows: truthLabels(t), Default: train.Benign},
			holdout: e.Split == "test",
		})
	}
	return specs, nil
}

// benignColumns returns the benign rows of d, column by column: the
// anomaly detector's baseline.
func benignColumns(d *train.Dataset) [][]float32 {
	b := slices.Index(d.Classes, train.Benign)
	if b < 0 {
		return nil
	}
	cols := make([][]float32, len(d.X))
	for j, c := range d.X {
		for i, y := range d.Y {
			if y == b {
				cols[j] = append(cols[j], c[i])
			}
		}
	}
	return cols
}

// evaluationFile is MODEL.evaluation.json: the evaluation and the inputs.
type evaluationFile struct {
	Inputs []train.InputReport `json:"inputs"`
	*model.Evaluation
}

func writeEvaluation(path string, ev *model.Evaluation, reports []train.InputReport) error {
	b, err := json.MarshalIndent(evaluationFile{Inputs: reports, Evaluation: ev}, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'))
}

func printTrainSummary(w io.Writer, m *model.Model, ev *model.Evaluation, reports []train.InputReport, out, evPath string, took time.Duration) {
	totals := train.LabelTotals(reports)
	fmt.Fprintf(w, "trained on %d inputs:", len(reports))
	for _, l := range train.SortedLabels(totals) {
		fmt.Fprintf(w, " %s %d", l, totals[l])
	}
	fmt.Fprintln(w, " flows")
	split := ev.Split.Method
	if ev.Split.Groups > 0 {
		split += fmt.Sprintf(" (%d captures)", ev.Split.Groups)
	}
	fmt.Fprintf(w, "evaluation: %s, %d held-out rows\n", split, ev.Rows)
	fmt.Fprintf(w, "  accuracy %.4f  balanced %.4f  ROC AUC %s  PR AUC %s\n", ev.Accuracy, ev.BalancedAccuracy, metric(ev.ROCAUC), metric(ev.PRAUC))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  class\tprecision\trecall\tF1\tsupport\t")
	for _, c := range ev.PerClass {
		fmt.Fprintf(tw, "  %s\t%.4f\t%.4f\t%.4f\t%d\t\n", c.Class, c.Precision, c.Recall, c.F1, c.Support)
	}
	tw.Flush()
	fmt.Fprintln(w, "confusion matrix (rows: true class, columns: predicted):")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "  \t")
	for _, l := range ev.Confusion.Labels {
		fmt.Fprintf(tw, "%s\t", l)
	}
	fmt.Fprintln(tw)
	for i, row := range ev.Confusion.Matrix {
		fmt.Fprintf(tw, "  %s\t", ev.Confusion.Labels[i])
		for _, n := range row {
			fmt.Fprintf(tw, "%d\t", n)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	imp := slices.Clone(ev.Importance)
	slices.SortStableFunc(imp, func(a, b model.FeatureImportance) int {
		return cmp.Compare(float64(b.PermutationMean), float64(a.PermutationMean))
	})
	if len(imp) > 0 && imp[0].PermutationMean.Valid() {
		fmt.Fprint(w, "most important features (held-out AUC drop when shuffled):")
		for _, f := range imp[:min(5, len(imp))] {
			fmt.Fprintf(w, " %s %.4f,", f.Feature, float64(f.PermutationMean))
		}
		fmt.Fprintln(w)
	}
	for _, warn := range ev.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	if m.OOB != nil {
		fmt.Fprintf(w, "out-of-bag accuracy of the final forest: %.4f\n", m.OOB.Accuracy)
	}
	anomaly := "no anomaly detector"
	if m.Anomaly != nil {
		anomaly = "with anomaly detector"
	}
	fmt.Fprintf(w, "wrote %s (%s) and %s in %s\n", out, anomaly, evPath, took.Round(time.Millisecond))
}

func metric(m model.Metric) string {
	if !m.Valid() {
		return "n/a"
	}
	return fmt.Sprintf("%.4f", float64(m))
}

// checkTrainArgs finds, before any capture is extracted, the mistakes that
// would otherwise surface only after the work: inputs that do not exist,
// an input given twice, output directories that do not exist, a
// holdout split without held-out inputs.
func checkTrainArgs(specs []inputSpec, out, evalOut, split string) error {
	seen := map[string]string{}
	holdout := false
	for _, s := range specs {
		if _, err := os.Stat(s.path); err != nil {
			return fmt.Errorf("input: %w", err)
		}
		key, err := filepath.Abs(s.path)
		if err != nil {
			return fmt.Errorf("input: %w", err)
		}
		// One capture twice would be labelled twice, or sit on both sides
		// of the evaluation.
		if prev, ok := seen[key]; ok {
			return fmt.Errorf("%s is given twice (also as %s)", s.path, prev)
		}
		seen[key] = s.path
		holdout = holdout || s.holdout
	}
	for _, p := range []string{out, evalOut} {
		if p == "" {
			continue
		}
		if fi, err := os.Stat(filepath.Dir(p)); err != nil || !fi.IsDir() {
			return fmt.Errorf("output %s: directory %s does not exist", p, filepath.Dir(p))
		}
	}
	if split == train.SplitHoldout && !holdout {
		return fmt.Errorf("--split holdout needs held-out inputs (--test, --test-normal, --test-malicious or a --corpus)")
	}
	return nil
}
