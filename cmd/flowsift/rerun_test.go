package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"flowsift/detect/alert"
)

// TestReextractRemovesDerivedOutputs: alerts of an earlier capture must
// not survive new tables in the same directory.
func TestReextractRemovesDerivedOutputs(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	capA := filepath.Join("..", "..", "testdata", "realtools", "nmap-xmas.pcap.gz")
	capB := filepath.Join("..", "..", "testdata", "realtools", "benign-web.pcap.gz")
	if code, _, errs := runCLI(t, "extract", "-q", "-o", out, capA); code != exitOK {
		t.Fatalf("extract: exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI(t, "detect", "-q", out); code != exitFindings {
		t.Fatalf("detect on a scan: exit %d, want %d: %s", code, exitFindings, errs)
	}
	if _, err := os.Stat(filepath.Join(out, alert.JSONLFile)); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "extract", "-o", out, capB); code != exitOK {
		t.Fatalf("second extract: exit %d: %s", code, errs)
	}
	for _, name := range derivedOutputs {
		if _, err := os.Stat(filepath.Join(out, name)); err == nil {
			t.Errorf("%s of the first capture survived the second extract", name)
		}
	}
}

// TestTrainArgErrors: mistakes in train's arguments are usage errors found
// before any capture is extracted.
func TestTrainArgErrors(t *testing.T) {
	r := filepath.Join("..", "..", "testdata", "realtools")
	benign, scan := filepath.Join(r, "benign-web.pcap.gz"), filepath.Join(r, "nmap-syn.pcap.gz")
	absBenign, err := filepath.Abs(benign)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", filepath.Join(dir, "m.rf"), "--normal", benign, "--malicious", benign}, "given twice"},
		{[]string{"-o", filepath.Join(dir, "m.rf"), "--normal", benign, "--malicious", scan, "--test-normal", absBenign}, "given twice"},
		{[]string{"-o", filepath.Join(dir, "no", "m.rf"), "--normal", benign, "--malicious", scan}, "does not exist"},
		{[]string{"-o", filepath.Join(dir, "m.rf"), "--split", "holdout", "--normal", benign, "--malicious", scan}, "needs held-out inputs"},
		{[]string{"-o", filepath.Join(dir, "m.rf"), "--normal", benign, "--malicious", scan, "--test-normal", filepath.Join(dir, "none.pcap")}, "none.pcap"},
	} {
		code, _, errs := runCLI(t, append([]string{"train", "-q"}, c.args...)...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("train %v: exit %d, stderr %q; want exit %d and %q", c.args, code, errs, exitUsage, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("failed train runs left %d files in the output directory", len(entries))
	}
}
