package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"flowsift/detect"
	"flowsift/detect/alert"
	"flowsift/extract"
	"flowsift/features"
)

// workspace holds the extract outputs of capture inputs for commands that
// accept either captures or extract output directories (train, predict).
type workspace struct {
	dir  string
	temp bool
	n    int
}

// newWorkspace uses dir, or a temporary directory removed by close when
// dir is "".
func newWorkspace(dir string) (*workspace, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		return &workspace{dir: dir}, nil
	}
	d, err := os.MkdirTemp("", "flowsift-work-*")
	if err != nil {
		return nil, err
	}
	return &workspace{dir: d, temp: true}, nil
}

func (w *workspace) close() {
	if w.temp {
		os.RemoveAll(w.dir)
	}
}

// isExtractDir reports whether path is an extract output directory.
func isExtractDir(path string) bool {
	_, err := os.Stat(filepath.Join(path, extract.FlowsFile))
	return err == nil
}

// extracted returns path itself when it is an extract output directory,
// and otherwise extracts the capture (file or directory) into the
// workspace and returns that directory.
func (w *workspace) extracted(ctx context.Context, path string, logf func(string, ...any)) (string, error) {
	if isExtractDir(path) {
		return path, nil
	}
	if _, err := os.Stat(path); err != nil {
		return "", err
	}
	w.n++
	name := strings.TrimSuffix(filepath.Base(filepath.Clean(path)), filepath.Ext(path))
	out := filepath.Join(w.dir, fmt.Sprintf("%03d-%s", w.n, strings.TrimSuffix(name, ".pcap")))
	return out, extractTo(ctx, path, out, logf)
}

// extractTo runs the extract stage with its defaults on one capture file
// or directory.
func extractTo(ctx context.Context, path, out string, logf func(string, ...any)) error {
	cfg := extract.DefaultConfig()
	cfg.Inputs, cfg.OutDir, cfg.ToolVersion = []string{path}, out, version
	cfg.Warn = func(err error) { logf("warning: %s: %v", path, err) }
	logf("extracting %s", path)
	_, err := extract.Run(ctx, cfg)
	removeDerived(out, err, logf)
	if err != nil {
		return fmt.Errorf("extract %s: %w", path, err)
	}
	return nil
}

// derivedOutputs are the files later stages write beside the tables.
var derivedOutputs = []string{detect.SummaryFile, alert.ParquetFile, alert.JSONLFile, detect.ScoresFile, features.FileName}

// removeDerived deletes the outputs of later stages from an extract
// output directory whose tables were just rewritten (runErr nil) or
// removed (extract.ErrNoPackets): left in place they would describe tables
// (and perhaps a capture) that are gone. Runs that failed before writing
// anything leave the directory as it was.
func removeDerived(dir string, runErr error, logf func(string, ...any)) {
	if runErr != nil && !errors.Is(runErr, extract.ErrNoPackets) {
		return
	}
	for _, name := range derivedOutputs {
		p := filepath.Join(dir, name)
		if err := os.Remove(p); err == nil {
			logf("removed %s of an earlier run (it described the previous tables)", p)
		}
	}
}

// mustExist makes a missing input a usage error (exit 2), like a bad flag:
// the command line names something that is not there.
func mustExist(paths ...string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			return usageError{fmt.Errorf("%s does not exist", p)}
		} else if err != nil {
			return usageError{fmt.Errorf("input: %w", err)}
		}
	}
	return nil
}
