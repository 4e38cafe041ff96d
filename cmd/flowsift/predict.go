package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"flowsift/detect"
	"flowsift/train/model"
	"flowsift/train/model/builtin"
)

// loadModel reads a model file, or the built-in model for "builtin", and
// returns it with the id alerts name it by.
func loadModel(spec string) (*model.Model, string, error) {
	if spec == builtin.Name {
		m, err := builtin.Model()
		return m, builtin.ID(), err
	}
	b, err := os.ReadFile(spec)
	if err != nil {
		return nil, "", err
	}
	var m model.Model
	if err := m.UnmarshalBinary(b); err != nil {
		return nil, "", fmt.Errorf("%s: %w", spec, err)
	}
	sum := sha256.Sum256(b)
	return &m, filepath.Base(spec) + ":" + hex.EncodeToString(sum[:6]), nil
}

func cmdPredict(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("predict", "[options] INPUT", `
Score every flow of INPUT with a model: the Random Forest's class and
probability and the anomaly detector's score. INPUT is a capture file, a
directory of captures, or an extract output directory. Writes
OUT/scores.parquet (uid, capture_id, ts, orig_h, resp_h, class,
probability, p_malicious, anomaly_score, anomalous) and prints the flows
per class and the most suspicious flows. A capture is extracted into OUT
first, so its flows.parquet and other tables sit beside the scores.

--model is a file written by "flowsift train", or "builtin" for the
model shipped inside flowsift (trained on the synthetic generator's
corpus; train your own for real decisions).

Exit status: 0 when every flow is predicted benign, 1 when some flow is
predicted malicious (use --exit-zero to return 0 anyway) or the run failed,
2 for usage errors.`, stdout)
	modelSpec := fs.StringP("model", "m", builtin.Name, "model file, or builtin")
	out := fs.StringP("output", "o", "", "output directory (default: INPUT when it is an extract output, else required)")
	top := fs.Int("top", 10, "how many of the most suspicious flows to print")
	exitZero := fs.Bool("exit-zero", false, "exit 0 even when flows are predicted malicious")
	quiet := fs.BoolP("quiet", "q", false, "print nothing on success")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{fmt.Errorf("need exactly one INPUT")}
	}
	in := fs.Arg(0)
	m, id, err := loadModel(*modelSpec)
	if err != nil {
		return usageError{fmt.Errorf("--model: %w", err)}
	}
	if err := mustExist(in); err != nil {
		return err
	}
	dir := in
	if !isExtractDir(in) {
		if *out == "" {
			return usageError{fmt.Errorf("--output is required when INPUT is a capture")}
		}
		logf := func(format string, a ...any) {
			if !*quiet {
				fmt.Fprintf(stderr, format+"\n", a...)
			}
		}
		if err := extractTo(ctx, in, *out, logf); err != nil {
			return err
		}
		dir = *out
	}
	outDir := *out
	if outDir == "" {
		outDir = dir
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	scores, err := detect.ScoreFlows(ctx, dir, m)
	if err != nil {
		return err
	}
	if err := scores.Write(outDir, map[string]string{"flowsift.version": version, "flowsift.model": id}); err != nil {
		return err
	}
	var flagged int
	for _, r := range scores.Rows {
		if r.Class != nil && *r.Class != "benign" {
			flagged++
		}
	}
	if !*quiet {
		printPredictSummary(stdout, scores, id, *top, filepath.Join(outDir, detect.ScoresFile))
	}
	if flagged > 0 && !*exitZero {
		return findingsError{flagged}
	}
	return nil
}

func printPredictSummary(w io.Writer, s *detect.Scores, id string, top int, path string) {
	byClass := map[string]int{}
	anomalous := 0
	for _, r := range s.Rows {
		if r.Class != nil {
			byClass[*r.Class]++
		}
		if r.Anomalous != nil && *r.Anomalous {
			anomalous++
		}
	}
	fmt.Fprintf(w, "model %s scored %d flows:", id, len(s.Rows))
	for _, c := range sortedNames(byClass) {
		fmt.Fprintf(w, " %s %d", c, byClass[c])
	}
	fmt.Fprintf(w, "; %d anomalous\n", anomalous)
	idx := make([]int, 0, len(s.Rows))
	for i, r := range s.Rows {
		if r.Malicious != nil && *r.Malicious >= 0.5 || r.Anomalous != nil && *r.Anomalous {
			idx = append(idx, i)
		}
	}
	key := func(i int) (float64, float64) {
		r := s.Rows[i]
		var p, a float64
		if r.Malicious != nil {
			p = *r.Malicious
		}
		if r.AnomalyScore != nil {
			a = *r.AnomalyScore
		}
		return p, a
	}
	slices.SortStableFunc(idx, func(x, y int) int {
		px, ax := key(x)
		py, ay := key(y)
		switch {
		case px != py:
			if px > py {
				return -1
			}
			return 1
		case ax > ay:
			return -1
		case ax < ay:
			return 1
		}
		return 0
	})
	if len(idx) > 0 && top > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "UID\tORIG\tRESP\tCLASS\tP(MALICIOUS)\tANOMALY")
		for _, i := range idx[:min(top, len(idx))] {
			r := s.Rows[i]
			cls, p, a := "-", "-", "-"
			if r.Class != nil {
				cls, p = *r.Class, fmt.Sprintf("%.3f", *r.Malicious)
			}
			if r.AnomalyScore != nil {
				a = fmt.Sprintf("%.3f", *r.AnomalyScore)
				if *r.Anomalous {
					a += " *"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.UID, r.OrigH, r.RespH, cls, p, a)
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "wrote %s\n", path)
}
