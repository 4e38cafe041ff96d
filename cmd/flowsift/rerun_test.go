package main

import (
	"os"
	"path/filepath"
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
